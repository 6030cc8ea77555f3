import Foundation

/// Validates the self-signed JWT a data holder sends to our CDR Arrangement Revocation endpoint
/// (CDS "Self-signed JWT client authentication": `iss` = `sub` = the holder brand ID, `aud` = our endpoint,
/// `exp` required, `jti` single-use, `iat` optional).
public struct SelfSignedJWTValidator: Sendable {
    /// What the token is checked against.
    public struct Configuration: Sendable {
        /// The holder brand ID expected in `iss` and `sub`.
        public var issuer: String
        /// Accepted `aud` values: the endpoint URL (required since 2022-07-31) and optionally the RecipientBaseUri.
        public var audiences: Set<String>
        /// The algorithms accepted.
        public var allowedAlgorithms: Set<JWSAlgorithm>
        /// Allowed clock difference.
        public var clockSkew: Duration
        /// Tokens whose `exp` − `iat` (or `exp` − now) is longer than this are rejected.
        public var maximumLifetime: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - issuer: The holder brand ID.
        ///   - audiences: Accepted audiences.
        ///   - allowedAlgorithms: Accepted algorithms.
        ///   - clockSkew: Allowed clock difference.
        ///   - maximumLifetime: Longest accepted token lifetime.
        public init(
            issuer: String, audiences: Set<String>, allowedAlgorithms: Set<JWSAlgorithm> = JWSAlgorithm.cdrAllowed,
            clockSkew: Duration = .seconds(30), maximumLifetime: Duration = .seconds(3600)
        ) {
            self.issuer = issuer
            self.audiences = audiences
            self.allowedAlgorithms = allowedAlgorithms
            self.clockSkew = clockSkew
            self.maximumLifetime = maximumLifetime
        }
    }

    /// The configuration, fixed at creation (create a new validator to change it).
    public let configuration: Configuration
    private let verifier: JWSVerifier
    private let replayCache: any ReplayStore
    private let timeSource: any TimeSource

    /// Creates a validator.
    /// - Parameters:
    ///   - configuration: What to check.
    ///   - keys: The holder brand's keys.
    ///   - replayCache: Shared `jti` store for this endpoint (a ``ReplayCache``, or a durable ``ReplayStore``).
    ///   - timeSource: The clock: uncorrected system time. Do not pass a holder's ``CorrectedClock``; it would
    ///     let that holder's `Date` headers move the lifetime and replay checks.
    public init(
        configuration: Configuration, keys: any JWKSSource, replayCache: any ReplayStore,
        timeSource: any TimeSource = SystemTimeSource()
    ) {
        self.configuration = configuration
        self.verifier = JWSVerifier(keySource: keys, allowedAlgorithms: configuration.allowedAlgorithms)
        self.replayCache = replayCache
        self.timeSource = timeSource
    }

    /// Validates a token and records its `jti`.
    /// - Parameter token: The bearer token.
    /// - Returns: The verified claims.
    /// - Throws: ``JOSEError``: key and signature codes; `.missingClaim`, `.issuerMismatch`, `.subjectMismatch`,
    ///   `.audienceMismatch`, `.expired`, `.notYetValid`, `.issuedInFuture`, `.lifetimeTooLong`, `.invalidClaim`
    ///   (including a `jti` over ``ReplayCache/maximumJTILength`` bytes), `.replayedToken`, `.replayCacheFull`.
    public func validate(_ token: String) async throws -> JWTClaims {
        let claims = try await verifier.verify(token).claims
        let config = configuration
        let now = timeSource.now()
        let skew = config.clockSkew.seconds
        try ClaimChecks.issuer(claims, expected: config.issuer)
        let subject = try ClaimChecks.requiredString(claims, "sub")
        guard subject == config.issuer else { throw JOSEError(.subjectMismatch, reason: "sub must equal iss") }
        _ = try ClaimChecks.audience(claims, expectedAnyOf: config.audiences)
        let exp = try ClaimChecks.expiration(claims, now: now, skew: skew)
        try ClaimChecks.notBefore(claims, now: now, skew: skew)
        try ClaimChecks.issuedAt(claims, now: now, skew: skew, required: false, maximumAge: nil)
        let start = claims.issuedAt ?? now
        guard exp.timeIntervalSince(start) <= config.maximumLifetime.seconds + skew else {
            throw JOSEError(.lifetimeTooLong, reason: "token lifetime is too long")
        }
        let jti = try ClaimChecks.requiredString(claims, "jti")
        try await replayCache.record(
            jti: jti, issuer: config.issuer, expiresAt: exp.addingTimeInterval(skew), now: now)
        return claims
    }
}
