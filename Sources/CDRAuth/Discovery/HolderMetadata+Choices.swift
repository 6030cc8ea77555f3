public import CDRJOSE

/// The encryption a recipient asks a holder to apply to its JARM responses: a key-management algorithm and a content
/// encryption.
///
/// ``HolderMetadata/preferredJARMEncryption(for:)`` picks one from what the holder lists and what the product's
/// decryption key can do; when it returns `nil`, the product registers without JARM encryption (signed responses
/// only), which the standard allows.
public struct JARMEncryptionChoice: Sendable, Hashable, CustomStringConvertible {
    /// `authorization_encrypted_response_alg`.
    public var algorithm: JWEKeyAlgorithm
    /// `authorization_encrypted_response_enc`.
    public var contentEncryption: JWEContentEncryption

    /// Creates a choice.
    /// - Parameters:
    ///   - algorithm: The key-management algorithm.
    ///   - contentEncryption: The content encryption.
    public init(algorithm: JWEKeyAlgorithm, contentEncryption: JWEContentEncryption) {
        self.algorithm = algorithm
        self.contentEncryption = contentEncryption
    }

    /// `<alg>/<enc>`, for example `RSA-OAEP-256/A256GCM`.
    public var description: String { "\(algorithm)/\(contentEncryption)" }
}

extension HolderMetadata {
    /// The levels of assurance in the order ``preferredACR(from:)`` tries them by default: multi-factor
    /// (`urn:cds.au:cdr:3`) first, then single-factor (`urn:cds.au:cdr:2`).
    public static let defaultACRPreference = ["urn:cds.au:cdr:3", "urn:cds.au:cdr:2"]

    /// The signing algorithm to use among a holder's `*_alg_values_supported`: PS256 when listed, else ES256.
    /// - Parameter supported: The holder's list; `nil` when it published none.
    /// - Returns: ``/CDRJOSE/JWSAlgorithm/ps256``, ``/CDRJOSE/JWSAlgorithm/es256``, or `nil` when neither is listed.
    public static func preferredSigningAlgorithm(among supported: [String]?) -> JWSAlgorithm? {
        let listed = Set(supported ?? [])
        return [JWSAlgorithm.ps256, .es256].first { listed.contains($0.rawValue) }
    }

    /// The algorithm to ask the holder to sign ID tokens with (`id_token_signed_response_alg`).
    public var preferredIDTokenSigningAlgorithm: JWSAlgorithm? {
        Self.preferredSigningAlgorithm(among: idTokenSigningAlgValuesSupported)
    }

    /// The algorithm to ask the holder to sign JARM responses with (`authorization_signed_response_alg`).
    public var preferredAuthorizationSigningAlgorithm: JWSAlgorithm? {
        Self.preferredSigningAlgorithm(among: authorizationSigningAlgValuesSupported)
    }

    /// The algorithm of the request objects the product signs with `key` (`request_object_signing_alg`), when the
    /// holder accepts it.
    /// - Parameter key: The product's signing key.
    /// - Returns: The key's algorithm, or `nil` when the holder does not list it.
    public func requestObjectSigningAlgorithm(for key: SigningKey) -> JWSAlgorithm? {
        Self.algorithm(of: key, among: requestObjectSigningAlgValuesSupported)
    }

    /// The algorithm of the client assertions the product signs with `key` (`token_endpoint_auth_signing_alg`),
    /// when the holder accepts it.
    /// - Parameter key: The product's signing key.
    /// - Returns: The key's algorithm, or `nil` when the holder does not list it.
    public func tokenEndpointAuthSigningAlgorithm(for key: SigningKey) -> JWSAlgorithm? {
        Self.algorithm(of: key, among: tokenEndpointAuthSigningAlgValuesSupported)
    }

    /// The JARM encryption to register, if any.
    ///
    /// Encryption is chosen only when the product has a decryption key and the holder lists both a usable
    /// algorithm and a usable content encryption: RSA-OAEP-256 before RSA-OAEP (limited to the key's own
    /// algorithm, since the holder encrypts to the key whose `alg` matches), and A256GCM before A128CBC-HS256.
    /// - Parameter decryptionKey: The product's JARM decryption key, or `nil`.
    /// - Returns: The choice, or `nil` to register signed-only responses.
    public func preferredJARMEncryption(for decryptionKey: DecryptionKey?) -> JARMEncryptionChoice? {
        guard let decryptionKey else { return nil }
        let algorithms = Set(authorizationEncryptionAlgValuesSupported ?? [])
        let encryptions = Set(authorizationEncryptionEncValuesSupported ?? [])
        guard
            let algorithm = [JWEKeyAlgorithm.rsaOAEP256, .rsaOAEP].first(where: {
                $0 == decryptionKey.algorithm && algorithms.contains($0.rawValue)
            }),
            let encryption = [JWEContentEncryption.a256GCM, .a128CBCHS256].first(where: {
                encryptions.contains($0.rawValue)
            })
        else { return nil }
        return JARMEncryptionChoice(algorithm: algorithm, contentEncryption: encryption)
    }

    /// The `acr` value to request: the first of `preferences` that the holder lists in `acr_values_supported`.
    /// - Parameter preferences: The levels wanted, most wanted first; ``defaultACRPreference`` by default.
    /// - Returns: The value, or `nil` when the holder lists none of them.
    public func preferredACR(from preferences: [String] = HolderMetadata.defaultACRPreference) -> String? {
        let supported = Set(acrValuesSupported ?? [])
        return preferences.first { supported.contains($0) }
    }

    private static func algorithm(of key: SigningKey, among supported: [String]?) -> JWSAlgorithm? {
        let algorithm = key.algorithm
        guard JWSAlgorithm.cdrAllowed.contains(algorithm), (supported ?? []).contains(algorithm.rawValue) else {
            return nil
        }
        return algorithm
    }
}
