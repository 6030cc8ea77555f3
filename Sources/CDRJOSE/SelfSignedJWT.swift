public import Foundation

/// Builds the self-signed JWT a data holder uses to authenticate to a recipient
/// (`iss` = `sub` = the holder brand ID, `aud` = the recipient endpoint URL, `iat`, `exp`, fresh `jti`).
///
/// Used by the mock data holder and in tests of the arrangement revocation endpoint; also signs the
/// `cdr_arrangement_jwt` when ``additionalClaims`` carries `cdr_arrangement_id`.
public struct SelfSignedJWT: Sendable {
    /// The holder brand ID.
    public var issuer: String
    /// The recipient endpoint URL.
    public var audience: String
    /// `exp` − `iat`.
    public var lifetime: Duration
    /// Extra claims, for example `cdr_arrangement_id`.
    public var additionalClaims: [String: ClaimValue]

    /// Creates a builder.
    /// - Parameters:
    ///   - issuer: The holder brand ID.
    ///   - audience: The recipient endpoint URL.
    ///   - lifetime: Token lifetime.
    ///   - additionalClaims: Extra claims; registered claims set by the builder win.
    public init(
        issuer: String, audience: String, lifetime: Duration = .seconds(300),
        additionalClaims: [String: ClaimValue] = [:]
    ) {
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.additionalClaims = additionalClaims
    }

    /// The claims with a fresh `jti`.
    /// - Parameter now: The issue time.
    /// - Returns: The claims.
    public func makeClaims(now: Date) -> JWTClaims {
        let issued = now.truncatedToSeconds
        var claims = JWTClaims(additionalClaims)
        claims.issuer = issuer
        claims.subject = issuer
        claims["aud"] = .string(audience)
        claims.issuedAt = issued
        claims.expiresAt = issued.addingTimeInterval(lifetime.seconds.rounded(.down))
        claims.jwtID = UUID().uuidString
        return claims
    }

    /// Signs a new token.
    /// - Parameters:
    ///   - key: The holder's signing key.
    ///   - timeSource: The clock.
    /// - Returns: The compact JWS.
    /// - Throws: ``JOSEError`` `.signingFailed`.
    public func sign(with key: SigningKey, timeSource: any TimeSource = SystemTimeSource()) async throws -> String {
        try await JWSSigner(key: key).sign(makeClaims(now: timeSource.now()))
    }
}
