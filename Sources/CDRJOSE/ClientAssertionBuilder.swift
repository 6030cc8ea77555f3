import Foundation

/// Builds `private_key_jwt` client assertions (RFC 7523, CDS client authentication).
///
/// Every assertion has `iss` = `sub` = the client ID, `aud`, `iat` (always: the OpenID conformance suite
/// requires it even though CDS makes it optional), `exp` and a fresh `jti`, all dates in whole seconds.
public struct ClientAssertionBuilder: Sendable, CustomReflectable {
    /// The `client_assertion_type` form value to send with the assertion.
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Our `client_id` at the holder (or the software product ID at the Register).
    public var clientID: String
    /// The `aud`: the holder's issuer (recommended) or the endpoint URL.
    public var audience: String
    /// Assertion lifetime; kept short (2 minutes by default, at least 1 second, capped at 1 day).
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
    /// - Throws: ``JOSEError`` `.invalidConfiguration` if ``lifetime`` is under one second (the assertion would
    ///   expire as it is issued).
    public func makeClaims() throws -> JWTClaims {
        guard lifetime >= .seconds(1) else {
            throw JOSEError(.invalidConfiguration, reason: "client assertion lifetime must be at least 1 second")
        }
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
    /// - Throws: ``JOSEError`` `.invalidConfiguration` (see ``makeClaims()``) or `.signingFailed`.
    public func makeAssertion() async throws -> String {
        try await signer.sign(makeClaims())
    }

    /// The client ID, audience, lifetime and `kid`; never key material (what `dump()` prints).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "clientID": clientID, "audience": audience, "lifetime": lifetime, "signingKey": signer.key,
            ], displayStyle: .struct)
    }
}
