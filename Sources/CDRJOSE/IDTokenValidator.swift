public import Foundation

/// A validated ID token.
public struct IDToken: Sendable {
    /// `sub`: the pairwise pseudonymous identifier of the customer at this holder.
    public let subject: String
    /// `acr`: the level of assurance reached.
    public let authenticationContextClass: String?
    /// `auth_time`.
    public let authenticationTime: Date?
    /// `exp`.
    public let expiresAt: Date
    /// Every verified claim.
    public let claims: JWTClaims
}

/// Validates an ID token from the token endpoint (OIDC Core §3.1.3.7, FAPI 1.0 Advanced §5.2.2.1, CDS).
///
/// Checks signature and `alg`, `iss`, `aud` (string or array; extra audiences must be trusted and then `azp`
/// must be our client), `azp`, `exp`, `iat`, `sub`, `nonce`, `acr` and `auth_time`. `at_hash` is not required.
/// On any failure the flow must stop: do not call userinfo or resource APIs.
public struct IDTokenValidator: Sendable {
    /// What the token is checked against.
    public struct Configuration: Sendable {
        /// The holder's issuer.
        public var issuer: String
        /// Our `client_id`.
        public var clientID: String
        /// The registered `id_token_signed_response_alg`.
        public var allowedAlgorithms: Set<JWSAlgorithm>
        /// Audiences besides ours that may appear in `aud` (none by default).
        public var trustedAudiences: Set<String>
        /// Allowed clock difference.
        public var clockSkew: Duration
        /// Tokens with an `iat` older than this are rejected.
        public var maximumTokenAge: Duration
        /// `acr` values accepted; empty accepts any (including none).
        public var acceptedACRValues: Set<String>
        /// Whether `auth_time` must be present (requested as essential).
        public var requiresAuthTime: Bool
        /// If set, `auth_time` must be no older than this (OIDC `max_age`).
        public var maximumAuthenticationAge: Duration?

        /// Creates a configuration.
        /// - Parameters:
        ///   - issuer: The holder's issuer.
        ///   - clientID: Our `client_id`.
        ///   - allowedAlgorithms: The registered signing algorithm(s).
        ///   - trustedAudiences: Extra audiences to tolerate.
        ///   - clockSkew: Allowed clock difference.
        ///   - maximumTokenAge: Maximum age of `iat`.
        ///   - acceptedACRValues: The `acr` values requested, for example `urn:cds.au:cdr:2` and `urn:cds.au:cdr:3`.
        ///   - requiresAuthTime: Whether `auth_time` must be present.
        ///   - maximumAuthenticationAge: Maximum age of `auth_time`.
        public init(
            issuer: String, clientID: String, allowedAlgorithms: Set<JWSAlgorithm> = [.ps256],
            trustedAudiences: Set<String> = [], clockSkew: Duration = .seconds(30),
            maximumTokenAge: Duration = .seconds(3600),
            acceptedACRValues: Set<String> = ["urn:cds.au:cdr:2", "urn:cds.au:cdr:3"],
            requiresAuthTime: Bool = false, maximumAuthenticationAge: Duration? = nil
        ) {
            self.issuer = issuer
            self.clientID = clientID
            self.allowedAlgorithms = allowedAlgorithms
            self.trustedAudiences = trustedAudiences
            self.clockSkew = clockSkew
            self.maximumTokenAge = maximumTokenAge
            self.acceptedACRValues = acceptedACRValues
            self.requiresAuthTime = requiresAuthTime
            self.maximumAuthenticationAge = maximumAuthenticationAge
        }
    }

    /// The configuration.
    public var configuration: Configuration
    private let verifier: JWSVerifier
    private let timeSource: any TimeSource

    /// Creates a validator.
    /// - Parameters:
    ///   - configuration: What to check.
    ///   - keys: The holder's keys.
    ///   - timeSource: The clock.
    public init(configuration: Configuration, keys: any JWKSSource, timeSource: any TimeSource = SystemTimeSource()) {
        self.configuration = configuration
        self.verifier = JWSVerifier(keySource: keys, allowedAlgorithms: configuration.allowedAlgorithms)
        self.timeSource = timeSource
    }

    /// Validates an ID token.
    /// - Parameters:
    ///   - token: The `id_token` (JWS).
    ///   - expectedNonce: The `nonce` sent in the request object; `nil` for refresh-token responses, where the
    ///     holder may omit it (a `nonce` that is present is then not checked).
    /// - Returns: The validated token.
    /// - Throws: ``JOSEError``: key and signature codes from ``JWSVerifier``; `.missingClaim`, `.issuerMismatch`,
    ///   `.audienceMismatch`, `.untrustedAudience`, `.authorizedPartyMismatch`, `.expired`, `.issuedInFuture`,
    ///   `.issuedTooLongAgo`, `.nonceMismatch`, `.acrNotAccepted`, `.authTimeTooOld` or `.invalidClaim`.
    public func validate(_ token: String, expectedNonce: String?) async throws -> IDToken {
        let claims = try await verifier.verify(token).claims
        let config = configuration
        let now = timeSource.now()
        let skew = config.clockSkew.seconds
        try ClaimChecks.issuer(claims, expected: config.issuer)
        let audience = try ClaimChecks.audience(claims, expectedAnyOf: [config.clientID])
        let others = audience.filter { $0 != config.clientID }
        if !others.isEmpty {
            guard others.allSatisfy(config.trustedAudiences.contains) else {
                throw JOSEError(.untrustedAudience, reason: "aud contains an untrusted audience")
            }
            guard claims["azp"] != nil else {
                throw JOSEError(.authorizedPartyMismatch, reason: "azp is required with several audiences")
            }
        }
        if let azp = claims["azp"], azp.stringValue != config.clientID {
            throw JOSEError(.authorizedPartyMismatch, reason: "azp is not our client_id")
        }
        let exp = try ClaimChecks.expiration(claims, now: now, skew: skew)
        try ClaimChecks.issuedAt(
            claims, now: now, skew: skew, required: true, maximumAge: config.maximumTokenAge.seconds)
        let subject = try ClaimChecks.requiredString(claims, "sub")
        if let expectedNonce {
            guard let nonce = claims["nonce"] else { throw JOSEError(.missingClaim, reason: "nonce is missing") }
            guard nonce.stringValue == expectedNonce else {
                throw JOSEError(.nonceMismatch, reason: "nonce does not match")
            }
        }
        let acr = claims["acr"]?.stringValue
        if !config.acceptedACRValues.isEmpty {
            guard let acr, config.acceptedACRValues.contains(acr) else {
                throw JOSEError(
                    .acrNotAccepted, reason: claims["acr"] == nil ? "acr is missing" : "acr was not requested")
            }
        }
        var authTime: Date?
        if let value = claims["auth_time"] {
            guard let seconds = value.numberValue else {
                throw JOSEError(.invalidClaim, reason: "auth_time is not a number")
            }
            authTime = Date(timeIntervalSince1970: seconds)
        }
        if config.requiresAuthTime, authTime == nil {
            throw JOSEError(.authTimeTooOld, reason: "auth_time is missing")
        }
        if let authTime {
            guard authTime.timeIntervalSince(now) <= skew else {
                throw JOSEError(.authTimeTooOld, reason: "auth_time is in the future")
            }
            if let maximum = config.maximumAuthenticationAge, now.timeIntervalSince(authTime) > maximum.seconds + skew {
                throw JOSEError(.authTimeTooOld, reason: "auth_time is older than allowed")
            }
        }
        return IDToken(
            subject: subject, authenticationContextClass: acr, authenticationTime: authTime, expiresAt: exp,
            claims: claims)
    }
}
