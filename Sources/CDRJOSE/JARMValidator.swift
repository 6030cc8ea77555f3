import Foundation

/// A validated authorisation response from a JARM `response` JWT.
///
/// Neither ``description`` nor `dump()` (``customMirror``) ever shows the code.
public struct AuthorizationResponse: Sendable, CustomStringConvertible, CustomReflectable {
    /// The authorisation code. Secret: never log it.
    public let code: String
    /// The `state`, equal to the one sent.
    public let state: String
    /// The issuer that signed the response.
    public let issuer: String
    /// Every verified claim **except `code`**, which is only in ``code``.
    public let claims: JWTClaims

    /// Creates a response value.
    /// - Parameters:
    ///   - code: The authorisation code.
    ///   - state: The verified `state`.
    ///   - issuer: The verified issuer.
    ///   - claims: The verified claims; a `code` member is dropped.
    init(code: String, state: String, issuer: String, claims: JWTClaims) {
        self.code = code
        self.state = state
        self.issuer = issuer
        var rest = claims
        rest["code"] = nil
        self.claims = rest
    }

    /// The issuer only; the code is never printed.
    public var description: String { "AuthorizationResponse(iss: \(issuer), code: <redacted>)" }

    /// The issuer and state, with the code redacted.
    public var customMirror: Mirror {
        Mirror(self, children: ["code": "<redacted>", "state": state, "issuer": issuer], displayStyle: .struct)
    }
}

/// Validates a JARM authorisation response (FAPI 1.0 Advanced §5.2.3.2, JARM §4.4) for the code flow.
///
/// In order: decrypt (a JWE is required when a decrypter is configured, and refused when none is), verify the
/// signature with the holder's keys and allowed `alg`, then `iss`, `aud` (string or array containing the
/// client ID), `exp` (present, not expired, and at most ``Configuration/maximumLifetime`` ahead), `iat`,
/// `state` (required, also in error responses), and finally either surface an OAuth error response as
/// `.authorizationError` or return the `code`.
public struct JARMValidator: Sendable {
    /// What the response is checked against.
    public struct Configuration: Sendable {
        /// The holder's issuer (from discovery).
        public var issuer: String
        /// Our `client_id` at this holder.
        public var clientID: String
        /// The registered `authorization_signed_response_alg` (PS256 by default, as CDS specifies).
        public var allowedAlgorithms: Set<JWSAlgorithm>
        /// Allowed clock difference for `exp` and `iat`.
        public var clockSkew: Duration
        /// The longest accepted time from now to `exp` (JARM recommends 10 minutes); the skew is added.
        public var maximumLifetime: Duration
        /// Decrypts encrypted responses. When set (JARM encryption registered), plain JWS responses are
        /// refused with `.encryptionRequired`; when `nil`, every JWE is refused with `.unsupportedEncryption`.
        public var decrypter: JWEDecrypter?

        /// Creates a configuration.
        /// - Parameters:
        ///   - issuer: The holder's issuer.
        ///   - clientID: Our `client_id`.
        ///   - allowedAlgorithms: The registered signing algorithm(s).
        ///   - clockSkew: Allowed clock difference.
        ///   - maximumLifetime: The longest accepted `exp` − now, 10 minutes by default.
        ///   - decrypter: Set when JARM encryption is registered.
        public init(
            issuer: String, clientID: String, allowedAlgorithms: Set<JWSAlgorithm> = [.ps256],
            clockSkew: Duration = .seconds(30), maximumLifetime: Duration = .seconds(600),
            decrypter: JWEDecrypter? = nil
        ) {
            self.issuer = issuer
            self.clientID = clientID
            self.allowedAlgorithms = allowedAlgorithms
            self.clockSkew = clockSkew
            self.maximumLifetime = maximumLifetime
            self.decrypter = decrypter
        }
    }

    /// The configuration, fixed at creation (create a new validator to change it).
    public let configuration: Configuration
    private let verifier: JWSVerifier
    private let timeSource: any TimeSource

    /// Creates a validator.
    /// - Parameters:
    ///   - configuration: Issuer, client ID, algorithms and skew.
    ///   - keys: The holder's keys, usually a ``JWKSCache`` for its `jwks_uri`.
    ///   - timeSource: The clock; a ``CorrectedClock`` only if it is this holder's own.
    public init(configuration: Configuration, keys: any JWKSSource, timeSource: any TimeSource = SystemTimeSource()) {
        self.configuration = configuration
        self.verifier = JWSVerifier(keySource: keys, allowedAlgorithms: configuration.allowedAlgorithms)
        self.timeSource = timeSource
    }

    /// Validates the `response` parameter.
    /// - Parameters:
    ///   - response: The `response` JWT (JWS, or JWE wrapping a JWS).
    ///   - expectedState: The `state` sent in the request object for this user session.
    /// - Returns: The code and state.
    /// - Throws: ``JOSEError``: `.encryptionRequired`, `.unsupportedEncryption` and the JWE codes of
    ///   ``JWEDecrypter``; signature and key codes from ``JWSVerifier``; `.missingClaim`, `.issuerMismatch`,
    ///   `.audienceMismatch`, `.expired`, `.lifetimeTooLong`, `.issuedInFuture`, `.stateMismatch`,
    ///   `.invalidClaim`; and `.authorizationError` (with ``JOSEError/authorizationError``) when the holder
    ///   returned an error with the right `state`.
    public func validate(_ response: String, expectedState: String) async throws -> AuthorizationResponse {
        var jws = response
        if let decrypter = configuration.decrypter {
            guard JWE.isEncrypted(response) else {
                throw JOSEError(
                    .encryptionRequired, reason: "JARM encryption is registered but the response is not a JWE")
            }
            let (_, plaintext) = try decrypter.decrypt(response)
            jws = String(decoding: plaintext, as: UTF8.self)
        } else if JWE.isEncrypted(response) {
            throw JOSEError(.unsupportedEncryption, reason: "encrypted response but no JARM encryption registered")
        }
        let verified = try await verifier.verify(jws)
        let claims = verified.claims
        let now = timeSource.now()
        let skew = configuration.clockSkew.seconds
        try ClaimChecks.issuer(claims, expected: configuration.issuer)
        _ = try ClaimChecks.audience(claims, expectedAnyOf: [configuration.clientID])
        let exp = try ClaimChecks.expiration(claims, now: now, skew: skew)
        guard exp.timeIntervalSince(now) <= configuration.maximumLifetime.seconds + skew else {
            throw JOSEError(.lifetimeTooLong, reason: "exp is further ahead than the allowed JARM lifetime")
        }
        try ClaimChecks.issuedAt(claims, now: now, skew: skew, required: false, maximumAge: nil)
        // The state binds the response, error or not, to this user's session.
        guard let state = claims["state"] else { throw JOSEError(.missingClaim, reason: "state is missing") }
        guard state.stringValue == expectedState else {
            throw JOSEError(.stateMismatch, reason: "state does not match")
        }
        if let error = claims["error"] {
            guard let errorCode = error.stringValue else {
                throw JOSEError(.invalidClaim, reason: "error is not a string")
            }
            let details = AuthorizationErrorResponse(
                error: errorCode, errorDescription: claims.string("error_description"),
                errorURI: claims.string("error_uri"), state: expectedState)
            throw JOSEError(
                .authorizationError, reason: "holder returned \(JOSEError.quoted(errorCode))",
                authorizationError: details)
        }
        let code = try ClaimChecks.requiredString(claims, "code")
        return AuthorizationResponse(code: code, state: expectedState, issuer: configuration.issuer, claims: claims)
    }
}
