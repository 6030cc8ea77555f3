public import Foundation

/// Builds the signed Dynamic Client Registration request JWT (CDS DCR, RFC 7591 with a software statement).
///
/// `iss` is the software product ID, `aud` the holder's issuer; `response_types` is `["code"]` and no
/// `id_token_encrypted_response_*` members are sent (they "SHALL NOT be used" for the code flow).
public struct RegistrationRequestBuilder: Sendable, CustomReflectable {
    /// The software product ID (`iss`).
    public var softwareProductID: String
    /// The holder's issuer (`aud`).
    public var audience: String
    /// The software statement assertion from the Register. Do not log it; `dump()` redacts it.
    public var softwareStatement: String
    /// Redirect URIs (a subset of the SSA's).
    public var redirectURIs: [String]
    /// `token_endpoint_auth_signing_alg`.
    public var tokenEndpointAuthSigningAlgorithm: JWSAlgorithm
    /// `id_token_signed_response_alg`.
    public var idTokenSignedResponseAlgorithm: JWSAlgorithm
    /// `request_object_signing_alg`.
    public var requestObjectSigningAlgorithm: JWSAlgorithm
    /// `authorization_signed_response_alg`.
    public var authorizationSignedResponseAlgorithm: JWSAlgorithm
    /// `authorization_encrypted_response_alg`, if JARM encryption is wanted.
    public var authorizationEncryptedResponseAlgorithm: JWEKeyAlgorithm?
    /// `authorization_encrypted_response_enc`, if JARM encryption is wanted.
    public var authorizationEncryptedResponseEncryption: JWEContentEncryption?
    /// `grant_types`.
    public var grantTypes: [String]
    /// `scope`, if any.
    public var scope: String?
    /// `exp` − `iat`.
    public var lifetime: Duration

    /// Creates a builder with the CDR defaults.
    /// - Parameters:
    ///   - softwareProductID: `iss`.
    ///   - audience: The holder's issuer.
    ///   - softwareStatement: The SSA.
    ///   - redirectURIs: Redirect URIs.
    ///   - signingAlgorithm: Used for every `*_alg` member unless changed afterwards.
    ///   - lifetime: Token lifetime.
    public init(
        softwareProductID: String, audience: String, softwareStatement: String, redirectURIs: [String],
        signingAlgorithm: JWSAlgorithm = .ps256, lifetime: Duration = .seconds(300)
    ) {
        self.softwareProductID = softwareProductID
        self.audience = audience
        self.softwareStatement = softwareStatement
        self.redirectURIs = redirectURIs
        self.tokenEndpointAuthSigningAlgorithm = signingAlgorithm
        self.idTokenSignedResponseAlgorithm = signingAlgorithm
        self.requestObjectSigningAlgorithm = signingAlgorithm
        self.authorizationSignedResponseAlgorithm = signingAlgorithm
        self.grantTypes = ["client_credentials", "authorization_code", "refresh_token"]
        self.lifetime = lifetime
    }

    /// The claims, with a fresh `jti`.
    /// - Parameter now: The issue time.
    /// - Returns: The claims.
    /// - Throws: ``JOSEError`` `.invalidClaim` if only one of the encryption members is set or an algorithm is
    ///   not allowed.
    public func makeClaims(now: Date) throws -> JWTClaims {
        let algorithms = [
            tokenEndpointAuthSigningAlgorithm, idTokenSignedResponseAlgorithm, requestObjectSigningAlgorithm,
            authorizationSignedResponseAlgorithm,
        ]
        guard algorithms.allSatisfy(JWSAlgorithm.cdrAllowed.contains) else {
            throw JOSEError(.algorithmNotAllowed, reason: "registration algorithms must be PS256 or ES256")
        }
        guard !redirectURIs.isEmpty else { throw JOSEError(.invalidClaim, reason: "redirect_uris must not be empty") }
        let issued = now.truncatedToSeconds
        var claims = JWTClaims()
        claims.issuer = softwareProductID
        claims["aud"] = .string(audience)
        claims.issuedAt = issued
        claims.expiresAt = issued.addingTimeInterval(lifetime.seconds.rounded(.down))
        claims.jwtID = UUID().uuidString
        claims["redirect_uris"] = .array(redirectURIs.map(ClaimValue.string))
        claims["token_endpoint_auth_method"] = "private_key_jwt"
        claims["token_endpoint_auth_signing_alg"] = .string(tokenEndpointAuthSigningAlgorithm.rawValue)
        claims["grant_types"] = .array(grantTypes.map(ClaimValue.string))
        claims["response_types"] = ["code"]
        claims["application_type"] = "web"
        claims["id_token_signed_response_alg"] = .string(idTokenSignedResponseAlgorithm.rawValue)
        claims["request_object_signing_alg"] = .string(requestObjectSigningAlgorithm.rawValue)
        claims["authorization_signed_response_alg"] = .string(authorizationSignedResponseAlgorithm.rawValue)
        switch (authorizationEncryptedResponseAlgorithm, authorizationEncryptedResponseEncryption) {
        case (nil, nil):
            break
        case (let alg?, let enc):
            guard JWEKeyAlgorithm.cdrAllowed.contains(alg), enc.map(JWEContentEncryption.cdrAllowed.contains) ?? true
            else { throw JOSEError(.unsupportedEncryption, reason: "JARM encryption must use RSA-OAEP(-256)") }
            claims["authorization_encrypted_response_alg"] = .string(alg.rawValue)
            if let enc { claims["authorization_encrypted_response_enc"] = .string(enc.rawValue) }
        case (nil, _?):
            throw JOSEError(.invalidClaim, reason: "authorization_encrypted_response_enc needs an alg")
        }
        if let scope { claims["scope"] = .string(scope) }
        claims["software_statement"] = .string(softwareStatement)
        return claims
    }

    /// Signs the registration request.
    /// - Parameters:
    ///   - key: A key published at the SSA's `jwks_uri`.
    ///   - timeSource: The clock.
    /// - Returns: The JWT to POST with `Content-Type: application/jwt`.
    /// - Throws: ``JOSEError`` from ``makeClaims(now:)`` or `.signingFailed`.
    public func sign(with key: SigningKey, timeSource: any TimeSource = SystemTimeSource()) async throws -> String {
        try await JWSSigner(key: key).sign(makeClaims(now: timeSource.now()))
    }

    /// The builder's settings with the software statement redacted (what `dump()` prints).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "softwareProductID": softwareProductID, "audience": audience, "softwareStatement": "<redacted>",
                "redirectURIs": redirectURIs, "lifetime": lifetime,
            ], displayStyle: .struct)
    }
}
