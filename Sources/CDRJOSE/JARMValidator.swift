import Foundation

/// A validated authorisation response from a JARM `response` JWT.
public struct AuthorizationResponse: Sendable, CustomStringConvertible {
    /// The authorisation code. Secret: never log it.
    public let code: String
    /// The `state`, equal to the one sent.
    public let state: String
    /// The issuer that signed the response.
    public let issuer: String
    /// Every verified claim (includes the code; do not log).
    public let claims: JWTClaims

    /// The issuer only; the code is never printed.
    public var description: String { "AuthorizationResponse(iss: \(issuer), code: <redacted>)" }
}

/// Validates a JARM authorisation response (FAPI 1.0 Advanced §5.2.3.2, JARM §4.4) for the code flow.
///
/// In order: decrypt if it is a JWE (and a decrypter is configured), verify the signature with the holder's
/// keys and allowed `alg`, then `iss`, `aud` (string or array containing the client ID), `exp`, `iat`, `state`,
/// and finally either surface an OAuth error response as `.authorizationError` or return the `code`.
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
        /// Decrypts encrypted responses; `nil` rejects every JWE with `.unsupportedEncryption`.
        public var decrypter: JWEDecrypter?

        /// Creates a configuration.
        /// - Parameters:
        ///   - issuer: The holder's issuer.
        ///   - clientID: Our `client_id`.
        ///   - allowedAlgorithms: The registered signing algorithm(s).
        ///   - clockSkew: Allowed clock difference.
        ///   - decrypter: Set when JARM encryption is registered.
        public init(
            issuer: String, clientID: String, allowedAlgorithms: Set<JWSAlgorithm> = [.ps256],
            clockSkew: Duration = .seconds(30), decrypter: JWEDecrypter? = nil
        ) {
            self.issuer = issuer
            self.clientID = clientID
            self.allowedAlgorithms = allowedAlgorithms
            self.clockSkew = clockSkew
            self.decrypter = decrypter
        }
    }

    /// The configuration.
    public var configuration: Configuration
    private let verifier: JWSVerifier
    private let timeSource: any TimeSource

    /// Creates a validator.
    /// - Parameters:
    ///   - configuration: Issuer, client ID, algorithms and skew.
    ///   - keys: The holder's keys, usually a ``JWKSCache`` for its `jwks_uri`.
    ///   - timeSource: The clock.
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
    /// - Throws: ``JOSEError``: signature and key codes from ``JWSVerifier``; `.missingClaim`, `.issuerMismatch`,
    ///   `.audienceMismatch`, `.expired`, `.issuedInFuture`, `.stateMismatch`, `.invalidClaim`; and
    ///   `.authorizationError` (with ``JOSEError/authorizationError``) when the holder returned an error.
    public func validate(_ response: String, expectedState: String) async throws -> AuthorizationResponse {
        var jws = response
        if JWE.isEncrypted(response) {
            guard let decrypter = configuration.decrypter else {
                throw JOSEError(.unsupportedEncryption, reason: "encrypted response but no JARM encryption registered")
            }
            let (_, plaintext) = try decrypter.decrypt(response)
            jws = String(decoding: plaintext, as: UTF8.self)
        }
        let verified = try await verifier.verify(jws)
        let claims = verified.claims
        let now = timeSource.now()
        let skew = configuration.clockSkew.seconds
        try ClaimChecks.issuer(claims, expected: configuration.issuer)
        _ = try ClaimChecks.audience(claims, expectedAnyOf: [configuration.clientID])
        _ = try ClaimChecks.expiration(claims, now: now, skew: skew)
        try ClaimChecks.issuedAt(claims, now: now, skew: skew, required: false, maximumAge: nil)
        let state = claims["state"]
        if let error = claims["error"] {
            guard let errorCode = error.stringValue else {
                throw JOSEError(.invalidClaim, reason: "error is not a string")
            }
            if let state, state.stringValue != expectedState {
                throw JOSEError(.stateMismatch, reason: "state in the error response does not match")
            }
            let details = AuthorizationErrorResponse(
                error: errorCode, errorDescription: claims.string("error_description"),
                errorURI: claims.string("error_uri"),
                state: state?.stringValue)
            throw JOSEError(
                .authorizationError, reason: "holder returned \(errorCode.prefix(64))", authorizationError: details)
        }
        guard let state else { throw JOSEError(.missingClaim, reason: "state is missing") }
        guard state.stringValue == expectedState else {
            throw JOSEError(.stateMismatch, reason: "state does not match")
        }
        let code = try ClaimChecks.requiredString(claims, "code")
        return AuthorizationResponse(code: code, state: expectedState, issuer: configuration.issuer, claims: claims)
    }
}
