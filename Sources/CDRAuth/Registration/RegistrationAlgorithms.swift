public import CDRJOSE

/// The algorithms a software product registers with one data holder.
///
/// What the product signs (client assertions, request objects) uses its signing key's algorithm, which the holder
/// must list. What the holder signs (ID tokens, JARM responses) uses PS256 when the holder lists it, else ES256.
/// JARM encryption is registered only when the product has a decryption key and the holder supports a matching
/// algorithm and content encryption (see ``HolderMetadata/preferredJARMEncryption(for:)``).
public struct RegistrationAlgorithms: Sendable, Hashable {
    /// `token_endpoint_auth_signing_alg`: the client assertions' algorithm.
    public var tokenEndpointAuthSigning: JWSAlgorithm
    /// `request_object_signing_alg`: the request objects' algorithm.
    public var requestObjectSigning: JWSAlgorithm
    /// `id_token_signed_response_alg`.
    public var idTokenSignedResponse: JWSAlgorithm
    /// `authorization_signed_response_alg` (JARM).
    public var authorizationSignedResponse: JWSAlgorithm
    /// `authorization_encrypted_response_alg` and `_enc`, or `nil` for signed-only JARM responses.
    public var authorizationEncryption: JARMEncryptionChoice?

    /// Creates a set of algorithms.
    /// - Parameters:
    ///   - tokenEndpointAuthSigning: The client assertions' algorithm.
    ///   - requestObjectSigning: The request objects' algorithm.
    ///   - idTokenSignedResponse: The ID tokens' algorithm.
    ///   - authorizationSignedResponse: The JARM responses' algorithm.
    ///   - authorizationEncryption: The JARM encryption, if any.
    public init(
        tokenEndpointAuthSigning: JWSAlgorithm, requestObjectSigning: JWSAlgorithm,
        idTokenSignedResponse: JWSAlgorithm, authorizationSignedResponse: JWSAlgorithm,
        authorizationEncryption: JARMEncryptionChoice? = nil
    ) {
        self.tokenEndpointAuthSigning = tokenEndpointAuthSigning
        self.requestObjectSigning = requestObjectSigning
        self.idTokenSignedResponse = idTokenSignedResponse
        self.authorizationSignedResponse = authorizationSignedResponse
        self.authorizationEncryption = authorizationEncryption
    }

    /// Chooses the algorithms for `product` at the holder described by `holder`.
    /// - Parameters:
    ///   - holder: The holder's checked discovery document.
    ///   - product: The software product (its signing key and optional decryption key).
    /// - Throws: ``AuthorizationError/Code/unsupportedHolder`` when the holder does not accept the product's signing
    ///   algorithm, or lists neither PS256 nor ES256 for ID tokens or JARM.
    public init(holder: HolderMetadata, product: SoftwareProductIdentity) throws {
        let key = product.signingKey
        guard let tokenAuth = holder.tokenEndpointAuthSigningAlgorithm(for: key) else {
            throw AuthorizationError(
                .unsupportedHolder, reason: "the holder does not accept \(key.algorithm) client assertions")
        }
        guard let requestObject = holder.requestObjectSigningAlgorithm(for: key) else {
            throw AuthorizationError(
                .unsupportedHolder, reason: "the holder does not accept \(key.algorithm) request objects")
        }
        guard let idToken = holder.preferredIDTokenSigningAlgorithm,
            let jarm = holder.preferredAuthorizationSigningAlgorithm
        else {
            throw AuthorizationError(
                .unsupportedHolder, reason: "the holder signs ID tokens or JARM with neither PS256 nor ES256")
        }
        self.init(
            tokenEndpointAuthSigning: tokenAuth, requestObjectSigning: requestObject, idTokenSignedResponse: idToken,
            authorizationSignedResponse: jarm,
            authorizationEncryption: holder.preferredJARMEncryption(for: product.decryptionKey))
    }
}
