import Foundation

/// Builds `private_key_jwt` client assertions (RFC 7523, CDS client authentication).
///
/// Every assertion has `iss` = `sub` = the client ID, `aud`, `iat` (always: the OpenID conformance suite
/// requires it even though CDS makes it optional), `exp` and a fresh `jti`, all dates in whole seconds.
public struct ClientAssertionBuilder: Sendable {
    /// The `client_assertion_type` form value to send with the assertion.
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Our `client_id` at the holder (or the software product ID at the Register).
    public var clientID: String
    /// The `aud`: the holder's issuer (recommended) or the endpoint URL.
    public var audience: String
    /// Assertion lifetime; kept short (2 minutes by default, at most 1 day).
    public var lifetime: Duration
    private let signer: JWSSigner
    private let timeSource: any TimeSource

    /// Creates a builder.
    /// - Parameters:
    ///   - clientID: Our `client_id`.
    ///   - audience: The `aud` value.
    ///   - signingKey: Our signing key (its `kid` must be in our published JWKS).
    ///   - lifetime: Assertion lifetime.
    ///   - timeSource: The clock.
    public init(
        clientID: String, audience: String, signingKey: SigningKey, lifetime: Duration = .seconds(120),
        timeSource: any TimeSource = SystemTimeSource()
    ) {
        self.clientID = clientID
        self.audience = audience
        self.lifetime = lifetime
        self.signer = JWSSigner(key: signingKey)
        self.timeSource = timeSource
    }

    /// The claims of a new assertion (fresh `jti`).
    /// - Returns: The claims.
    public func makeClaims() -> JWTClaims {
        let now = timeSource.now().truncatedToSeconds
        var claims = JWTClaims()
        claims.issuer = clientID
        claims.subject = clientID
        claims["aud"] = .string(audience)
        claims.issuedAt = now
        claims.expiresAt = now.addingTimeInterval(min(lifetime.seconds, 86_400).rounded(.down))
        claims.jwtID = UUID().uuidString
        return claims
    }

    /// Signs a new assertion.
    /// - Returns: The compact JWS to send as `client_assertion`. Secret: never log it.
    /// - Throws: ``JOSEError`` `.signingFailed`.
    public func makeAssertion() async throws -> String {
        try await signer.sign(makeClaims())
    }
}
