public import CDRModels

/// The single error type thrown by `CDRJOSE`.
///
/// Match on ``code``; ``reason`` is a short human-readable explanation that never contains key
/// material, tokens, codes or other secrets.
///
/// ```swift
/// do { try await validator.validate(response) }
/// catch let error as JOSEError where error.code == .stateMismatch { … }
/// ```
public struct JOSEError: Error, Sendable, CustomStringConvertible {
    /// A matchable failure category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case malformedToken, malformedKey, unsupportedKey, keyTooSmall, keyGenerationFailed
            case algorithmNotAllowed, algorithmMismatch, missingKeyID, unknownKeyID, signatureInvalid
            case signingFailed, encryptionFailed, decryptionFailed, unsupportedEncryption
            case invalidJWKS, jwksFetchFailed, duplicateKeyID
            case missingClaim, issuerMismatch, audienceMismatch, untrustedAudience, authorizedPartyMismatch
            case expired, notYetValid, issuedInFuture, issuedTooLongAgo, lifetimeTooLong
            case nonceMismatch, stateMismatch, acrNotAccepted, authTimeTooOld, subjectMismatch
            case replayedToken, authorizationError, invalidClaim, invalidVerifier, invalidCertificate
            case encryptionRequired, replayCacheFull, invalidConfiguration
        }
        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code($0) } }
        private init(_ base: Base) { self.base = base }

        /// The input is not a well-formed compact JWS/JWE or its JSON cannot be decoded.
        public static let malformedToken = Code(.malformedToken)
        /// A PEM, DER or JWK key could not be parsed.
        public static let malformedKey = Code(.malformedKey)
        /// The key type or curve is not one CDR allows (only RSA and P-256).
        public static let unsupportedKey = Code(.unsupportedKey)
        /// An RSA key is shorter than 2048 bits.
        public static let keyTooSmall = Code(.keyTooSmall)
        /// Key generation failed in the crypto library.
        public static let keyGenerationFailed = Code(.keyGenerationFailed)
        /// The token's `alg` is not on the allow-list (`none`, RS256, HS256, … are never allowed).
        public static let algorithmNotAllowed = Code(.algorithmNotAllowed)
        /// The token's `alg` does not fit the selected key (or the key's own `alg`).
        public static let algorithmMismatch = Code(.algorithmMismatch)
        /// The token has no `kid` header but the verifier requires one.
        public static let missingKeyID = Code(.missingKeyID)
        /// No key with the token's `kid` is known (there is no fallback key).
        public static let unknownKeyID = Code(.unknownKeyID)
        /// The signature does not verify.
        public static let signatureInvalid = Code(.signatureInvalid)
        /// Signing failed in the crypto library.
        public static let signingFailed = Code(.signingFailed)
        /// Building a JWE failed.
        public static let encryptionFailed = Code(.encryptionFailed)
        /// A JWE could not be decrypted or its authentication tag is wrong.
        public static let decryptionFailed = Code(.decryptionFailed)
        /// The JWE `alg`/`enc` pair is not allowed (for example `RSA1_5`).
        public static let unsupportedEncryption = Code(.unsupportedEncryption)
        /// A JWKS document could not be decoded.
        public static let invalidJWKS = Code(.invalidJWKS)
        /// Fetching a JWKS failed.
        public static let jwksFetchFailed = Code(.jwksFetchFailed)
        /// Two keys in one set share a `kid`.
        public static let duplicateKeyID = Code(.duplicateKeyID)
        /// A required claim is absent.
        public static let missingClaim = Code(.missingClaim)
        /// `iss` is not the expected issuer.
        public static let issuerMismatch = Code(.issuerMismatch)
        /// `aud` does not contain the expected audience.
        public static let audienceMismatch = Code(.audienceMismatch)
        /// `aud` contains an audience that is not trusted.
        public static let untrustedAudience = Code(.untrustedAudience)
        /// `azp` is missing or wrong where it is required.
        public static let authorizedPartyMismatch = Code(.authorizedPartyMismatch)
        /// `exp` is in the past (beyond the allowed clock skew).
        public static let expired = Code(.expired)
        /// `nbf` is in the future (beyond the allowed clock skew).
        public static let notYetValid = Code(.notYetValid)
        /// `iat` is in the future (beyond the allowed clock skew).
        public static let issuedInFuture = Code(.issuedInFuture)
        /// `iat` is older than the validator accepts.
        public static let issuedTooLongAgo = Code(.issuedTooLongAgo)
        /// The token's lifetime (`exp` − `nbf`/`iat`) is longer than allowed.
        public static let lifetimeTooLong = Code(.lifetimeTooLong)
        /// `nonce` is not the one sent in the request.
        public static let nonceMismatch = Code(.nonceMismatch)
        /// `state` is not the one sent in the request.
        public static let stateMismatch = Code(.stateMismatch)
        /// `acr` is missing or not one of the requested values.
        public static let acrNotAccepted = Code(.acrNotAccepted)
        /// `auth_time` is missing where required, in the future, or older than allowed.
        public static let authTimeTooOld = Code(.authTimeTooOld)
        /// `sub` is not what was expected (for a self-signed JWT, `sub` must equal `iss`).
        public static let subjectMismatch = Code(.subjectMismatch)
        /// The `jti` was already seen.
        public static let replayedToken = Code(.replayedToken)
        /// The replay cache holds as many unexpired `jti`s for this issuer as it may; the token cannot be
        /// recorded, so it is refused (retry later).
        public static let replayCacheFull = Code(.replayCacheFull)
        /// A plain JWS arrived where encryption is registered (an encryption downgrade).
        public static let encryptionRequired = Code(.encryptionRequired)
        /// A builder or validator was given settings it cannot work with (for example a lifetime under a second).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A signed authorisation response carries an OAuth `error` instead of a `code`.
        public static let authorizationError = Code(.authorizationError)
        /// A claim has the wrong type or an invalid value.
        public static let invalidClaim = Code(.invalidClaim)
        /// A PKCE code verifier is not 43–128 unreserved characters.
        public static let invalidVerifier = Code(.invalidVerifier)
        /// A certificate could not be parsed.
        public static let invalidCertificate = Code(.invalidCertificate)

        /// The code's name, for example `stateMismatch`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A short explanation without secrets.
    public var reason: String?
    /// The OAuth error details when ``code`` is ``Code/authorizationError``.
    public var authorizationError: AuthorizationErrorResponse?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The failure category.
    ///   - reason: A short explanation; never include secrets.
    ///   - authorizationError: OAuth error details from a JARM error response.
    public init(_ code: Code, reason: String? = nil, authorizationError: AuthorizationErrorResponse? = nil) {
        self.code = code
        self.reason = reason
        self.authorizationError = authorizationError
    }

    /// `JOSEError.<code>` followed by the reason, if any.
    public var description: String {
        "JOSEError.\(code)" + (reason.map { ": \($0)" } ?? "")
    }

    /// The longest attacker-controlled value (a `kid`, `alg`, OAuth `error`, …) quoted in a ``reason``.
    static let maximumQuotedLength = 64

    /// Makes an attacker-controlled value safe to quote in a ``reason``: printable ASCII is kept, everything
    /// else (control characters, line breaks, non-ASCII) is escaped as `\u{…}`, and the result is cut to
    /// ``maximumQuotedLength`` characters with a trailing `…`.
    /// - Parameter value: The untrusted text.
    /// - Returns: A single-line, bounded rendering.
    static func quoted(_ value: some StringProtocol) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            let piece =
                (0x20...0x7E).contains(scalar.value) && scalar != "\\"
                ? String(scalar) : "\\u{\(String(scalar.value, radix: 16))}"
            guard result.count + piece.count <= maximumQuotedLength else { return result + "…" }
            result += piece
        }
        return result
    }
}

/// An OAuth 2.0 error returned in a signed authorisation (JARM) response.
public struct AuthorizationErrorResponse: Sendable, Hashable {
    /// The OAuth `error` code, for example `access_denied`.
    public var error: String
    /// The optional `error_description`.
    public var errorDescription: String?
    /// The optional `error_uri`.
    public var errorURI: String?
    /// The `state` echoed back with the error, if present.
    public var state: String?

    /// Creates an error response value.
    /// - Parameters:
    ///   - error: The OAuth `error` code.
    ///   - errorDescription: The `error_description`.
    ///   - errorURI: The `error_uri`.
    ///   - state: The echoed `state`.
    public init(error: String, errorDescription: String? = nil, errorURI: String? = nil, state: String? = nil) {
        self.error = error
        self.errorDescription = errorDescription
        self.errorURI = errorURI
        self.state = state
    }
}

extension JOSEError: CDRCategorizedError {
    /// The kind of failure, by ``code`` (see ``/CDRModels/CDRFailureCategory``):
    /// - `securityCheckFailed`: ``Code/algorithmNotAllowed``, ``Code/algorithmMismatch``, ``Code/missingKeyID``,
    ///   ``Code/unknownKeyID``, ``Code/signatureInvalid``, ``Code/decryptionFailed``, ``Code/unsupportedEncryption``,
    ///   ``Code/encryptionRequired``, ``Code/issuerMismatch``, ``Code/audienceMismatch``,
    ///   ``Code/untrustedAudience``, ``Code/authorizedPartyMismatch``, ``Code/expired``, ``Code/notYetValid``,
    ///   ``Code/issuedInFuture``, ``Code/issuedTooLongAgo``, ``Code/lifetimeTooLong``, ``Code/nonceMismatch``,
    ///   ``Code/stateMismatch``, ``Code/acrNotAccepted``, ``Code/authTimeTooOld``, ``Code/subjectMismatch``,
    ///   ``Code/replayedToken``;
    /// - `invalidResponse`: ``Code/malformedToken``, ``Code/invalidJWKS``, ``Code/duplicateKeyID``,
    ///   ``Code/missingClaim``, ``Code/invalidClaim``, ``Code/invalidCertificate``;
    /// - `callerError`: ``Code/malformedKey``, ``Code/unsupportedKey``, ``Code/keyTooSmall``,
    ///   ``Code/invalidVerifier``, ``Code/invalidConfiguration`` (keys and settings the caller supplies);
    /// - `internalFailure`: ``Code/keyGenerationFailed``, ``Code/signingFailed``, ``Code/encryptionFailed``;
    /// - `outage`: ``Code/jwksFetchFailed``;
    /// - `rateLimited`: ``Code/replayCacheFull`` (try again once recorded tokens expire);
    /// - ``Code/authorizationError``: by the OAuth `error` in ``authorizationError``: `access_denied` and
    ///   `invalid_grant` `consentRequired`, `temporarily_unavailable` `outage`, `server_error` `serverFailure`,
    ///   `slow_down` `rateLimited`, any other `refused`.
    public var category: CDRFailureCategory {
        switch code {
        case .algorithmNotAllowed, .algorithmMismatch, .missingKeyID, .unknownKeyID, .signatureInvalid,
            .decryptionFailed, .unsupportedEncryption, .encryptionRequired, .issuerMismatch, .audienceMismatch,
            .untrustedAudience, .authorizedPartyMismatch, .expired, .notYetValid, .issuedInFuture, .issuedTooLongAgo,
            .lifetimeTooLong, .nonceMismatch, .stateMismatch, .acrNotAccepted, .authTimeTooOld, .subjectMismatch,
            .replayedToken:
            return .securityCheckFailed
        case .malformedToken, .invalidJWKS, .duplicateKeyID, .missingClaim, .invalidClaim, .invalidCertificate:
            return .invalidResponse
        case .malformedKey, .unsupportedKey, .keyTooSmall, .invalidVerifier, .invalidConfiguration:
            return .callerError
        case .keyGenerationFailed, .signingFailed, .encryptionFailed: return .internalFailure
        case .jwksFetchFailed: return .outage
        case .replayCacheFull: return .rateLimited
        case .authorizationError: return authorizationError.map { .forOAuthError($0.error) } ?? .refused
        default: return .unclassified
        }
    }
}
