public import Foundation

/// A validated ID token.
///
/// It is `Codable` so that an arrangement's record keeps the consent's ID token across restarts (refreshed ID tokens
/// are checked against it); keep it sealed, as a `TokenStore` keeps tokens.
public struct IDToken: Sendable, Hashable, Codable {
    /// `sub`: the pairwise pseudonymous identifier of the customer at this holder.
    public let subject: String
    /// `acr`: the level of assurance reached, always one of the requested values.
    public let authenticationContextClass: String
    /// `auth_time`.
    public let authenticationTime: Date?
    /// `exp`.
    public let expiresAt: Date
    /// Every verified claim.
    public let claims: JWTClaims
}

extension IDToken: CustomStringConvertible, CustomReflectable {
    /// The claims a refreshed ID token is checked against (``IDTokenValidator/validateRefreshed(_:original:)``).
    static let continuityClaims: Set<String> = ["iss", "sub", "aud", "azp", "nonce", "acr", "auth_time", "exp", "iat"]

    /// The same token with only the claims refreshed ID tokens are checked against (`iss`, `sub`, `aud`, `azp`,
    /// `nonce`, `acr`, `auth_time`, `exp`, `iat`): what an arrangement's record keeps, without the customer's profile
    /// claims (`name`, `given_name`, …).
    public var keepingContinuityClaimsOnly: IDToken {
        IDToken(
            subject: subject, authenticationContextClass: authenticationContextClass,
            authenticationTime: authenticationTime, expiresAt: expiresAt,
            claims: JWTClaims(claims.values.filter { Self.continuityClaims.contains($0.key) }))
    }

    /// `IDToken(acr: …, exp: …, claims: n)`: never the subject, the nonce or a profile claim.
    public var description: String {
        "IDToken(acr: \(authenticationContextClass), exp: \(expiresAt.formatted(.iso8601)), claims: \(claims.values.count))"
    }

    /// Mirrors ``description``, so `dump` shows no claim either.
    public var customMirror: Mirror { Mirror(self, children: ["idToken": description], displayStyle: .struct) }
}

/// Validates an ID token from the token endpoint (OIDC Core §3.1.3.7, FAPI 1.0 Advanced §5.2.2.1, CDS).
///
/// Checks signature and `alg`, `iss`, `aud` (string or array; extra audiences must be trusted and then `azp`
/// must be our client), `azp`, `exp`, `iat`, `sub`, `nonce`, `acr` and `auth_time`. `at_hash` is not required.
/// On any failure the flow must stop: do not call userinfo or resource APIs.
///
/// Use ``validate(_:expectedNonce:)`` for the ID token of the authorisation code exchange (the `nonce` is
/// required) and ``validateRefreshed(_:original:)`` for one returned by a refresh-token grant (OIDC Core
/// §12.2: no `nonce` needed, but `iss`, `sub` and `aud` must be those of the original ID token).
public struct IDTokenValidator: Sendable {
    /// What the token is checked against.
    public struct Configuration: Sendable {
        /// The holder's issuer.
        public var issuer: String
        /// Our `client_id`.
        public var clientID: String
        /// The registered `id_token_signed_response_alg` (always narrowed to PS256/ES256).
        public var allowedAlgorithms: Set<JWSAlgorithm>
        /// Audiences besides ours that may appear in `aud` (none by default).
        public var trustedAudiences: Set<String>
        /// Allowed clock difference.
        public var clockSkew: Duration
        /// Tokens with an `iat` older than this are rejected.
        public var maximumTokenAge: Duration
        /// The `acr` values that were requested (``CDRClaims/acrValues``). `acr` must be present and one of
        /// them; an empty set rejects every token.
        public var acceptedACRValues: Set<String>
        /// Whether `auth_time` must be present (requested as essential).
        public var requiresAuthTime: Bool
        /// If set, `auth_time` must be no older than this (OIDC `max_age`).
        public var maximumAuthenticationAge: Duration?

        /// Creates a configuration.
        /// - Parameters:
        ///   - issuer: The holder's issuer.
        ///   - clientID: Our `client_id`.
        ///   - acceptedACRValues: Exactly the `acr` values requested in the request object, for example
        ///     `Set(claims.acrValues)`. There is no default, so a request for `urn:cds.au:cdr:3` can never be
        ///     satisfied by a `urn:cds.au:cdr:2` token by accident.
        ///   - allowedAlgorithms: The registered signing algorithm(s).
        ///   - trustedAudiences: Extra audiences to tolerate.
        ///   - clockSkew: Allowed clock difference.
        ///   - maximumTokenAge: Maximum age of `iat`.
        ///   - requiresAuthTime: Whether `auth_time` must be present.
        ///   - maximumAuthenticationAge: Maximum age of `auth_time`.
        public init(
            issuer: String, clientID: String, acceptedACRValues: Set<String>,
            allowedAlgorithms: Set<JWSAlgorithm> = [.ps256], trustedAudiences: Set<String> = [],
            clockSkew: Duration = .seconds(30), maximumTokenAge: Duration = .seconds(3600),
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

    /// The configuration, fixed at creation (create a new validator to change it).
    public let configuration: Configuration
    private let verifier: JWSVerifier
    private let timeSource: any TimeSource

    /// Creates a validator.
    /// - Parameters:
    ///   - configuration: What to check.
    ///   - keys: The holder's keys.
    ///   - timeSource: The clock; a ``CorrectedClock`` only if it is this holder's own.
    public init(configuration: Configuration, keys: any JWKSSource, timeSource: any TimeSource = SystemTimeSource()) {
        self.configuration = configuration
        self.verifier = JWSVerifier(keySource: keys, allowedAlgorithms: configuration.allowedAlgorithms)
        self.timeSource = timeSource
    }

    /// Validates the ID token returned with the authorisation code exchange.
    /// - Parameters:
    ///   - token: The `id_token` (JWS).
    ///   - expectedNonce: The `nonce` sent in the request object. The token must carry exactly this value.
    /// - Returns: The validated token.
    /// - Throws: ``JOSEError``: key and signature codes from ``JWSVerifier``; `.missingClaim`, `.issuerMismatch`,
    ///   `.audienceMismatch`, `.untrustedAudience`, `.authorizedPartyMismatch`, `.expired`, `.issuedInFuture`,
    ///   `.issuedTooLongAgo`, `.nonceMismatch` (also for an empty `expectedNonce`), `.acrNotAccepted`,
    ///   `.authTimeTooOld` or `.invalidClaim`.
    public func validate(_ token: String, expectedNonce: String) async throws -> IDToken {
        guard !expectedNonce.isEmpty else {
            throw JOSEError(.nonceMismatch, reason: "an ID token from the code flow needs the nonce that was sent")
        }
        let idToken = try await validateCommon(token)
        guard let nonce = idToken.claims["nonce"] else { throw JOSEError(.missingClaim, reason: "nonce is missing") }
        guard nonce.stringValue == expectedNonce else {
            throw JOSEError(.nonceMismatch, reason: "nonce does not match")
        }
        return idToken
    }

    /// Validates an ID token returned by a refresh-token grant (OIDC Core §12.2).
    ///
    /// All the checks of ``validate(_:expectedNonce:)`` except that `nonce` may be absent; in addition `iss`,
    /// `sub` and `aud` must equal the original token's, `azp` and `nonce` (if present) must too, and an
    /// `auth_time` must still be the time of the original authentication.
    /// - Parameters:
    ///   - token: The new `id_token` (JWS).
    ///   - original: The validated ID token from the authorisation code exchange.
    /// - Returns: The validated token.
    /// - Throws: ``JOSEError``: the codes of ``validate(_:expectedNonce:)``, and `.issuerMismatch`,
    ///   `.subjectMismatch`, `.audienceMismatch`, `.authorizedPartyMismatch`, `.nonceMismatch` or `.invalidClaim`
    ///   when the token does not continue the original.
    public func validateRefreshed(_ token: String, original: IDToken) async throws -> IDToken {
        let idToken = try await validateCommon(token)
        let claims = idToken.claims
        guard claims.issuer == original.claims.issuer else {
            throw JOSEError(.issuerMismatch, reason: "iss differs from the original ID token")
        }
        guard idToken.subject == original.subject else {
            throw JOSEError(.subjectMismatch, reason: "sub differs from the original ID token")
        }
        guard Set(claims.audience ?? []) == Set(original.claims.audience ?? []) else {
            throw JOSEError(.audienceMismatch, reason: "aud differs from the original ID token")
        }
        if let azp = claims["azp"], azp != original.claims["azp"] {
            throw JOSEError(.authorizedPartyMismatch, reason: "azp differs from the original ID token")
        }
        if let nonce = claims["nonce"], nonce != original.claims["nonce"] {
            throw JOSEError(.nonceMismatch, reason: "nonce differs from the original ID token")
        }
        if let authTime = idToken.authenticationTime, let originalTime = original.authenticationTime,
            authTime != originalTime
        {
            throw JOSEError(.invalidClaim, reason: "auth_time differs from the original authentication")
        }
        return idToken
    }

    /// The checks shared by both paths: everything except `nonce`.
    private func validateCommon(_ token: String) async throws -> IDToken {
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
        guard let acrValue = claims["acr"] else { throw JOSEError(.acrNotAccepted, reason: "acr is missing") }
        guard let acr = acrValue.stringValue, config.acceptedACRValues.contains(acr) else {
            throw JOSEError(.acrNotAccepted, reason: "acr is not one of the requested values")
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
