public import CDRJOSE
public import CDRModels
import CDRTransport

/// A failure anywhere in onboarding, consent, tokens or the arrangement lifecycle.
///
/// Every failed check stops its flow with this error, and nothing further is called. Match on ``code``:
///
/// ```swift
/// catch let error as AuthorizationError where error.code == .arrangementRevoked { … ask for consent again … }
/// ```
///
/// ``description`` names the code, the reason, the HTTP status, the OAuth `error` and the interaction id; it never
/// contains a token, code, assertion or request object.
public struct AuthorizationError: Error, Sendable, CustomStringConvertible {
    /// The failure category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case discoveryFailed, issuerMismatch, unsupportedHolder
            case registerRequestFailed, registrationRejected
            case invalidRequest, pushedAuthorizationRejected
            case unknownState, stateExpired, invalidAuthorizationResponse, authorizationDenied
            case tokenRequestRejected, invalidTokenResponse, invalidIDToken
            case arrangementExpired, arrangementRevoked, unknownArrangement, invalidTransition
            case introspectionFailed, revocationFailed, unexpectedResponse
        }

        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code($0) } }
        private init(_ base: Base) { self.base = base }

        /// The holder's discovery document could not be fetched or read, or lacks a required field.
        public static let discoveryFailed = Code(.discoveryFailed)
        /// The discovery document's `issuer` is not the URL it was fetched from (OIDC Discovery §4.3).
        public static let issuerMismatch = Code(.issuerMismatch)
        /// The holder does not support what the standard requires (PAR, PS256/ES256, bound tokens, `private_key_jwt`).
        public static let unsupportedHolder = Code(.unsupportedHolder)
        /// A call to the CDR Register failed.
        public static let registerRequestFailed = Code(.registerRequestFailed)
        /// Dynamic client registration (create, read, update or delete) was refused.
        public static let registrationRejected = Code(.registrationRejected)
        /// The caller's request is not allowed: a non-read scope, a sharing duration out of range, an unknown
        /// redirect URI.
        public static let invalidRequest = Code(.invalidRequest)
        /// The pushed authorisation request was refused.
        public static let pushedAuthorizationRejected = Code(.pushedAuthorizationRejected)
        /// A callback's `state` matches no pending authorisation (never issued, or already used).
        public static let unknownState = Code(.unknownState)
        /// A callback arrived after its pending authorisation expired.
        public static let stateExpired = Code(.stateExpired)
        /// The JARM `response` failed validation (see ``underlying`` for the ``/CDRJOSE/JOSEError``).
        public static let invalidAuthorizationResponse = Code(.invalidAuthorizationResponse)
        /// The holder answered the authorisation with an OAuth error, for example `access_denied` (see ``oauthError``).
        public static let authorizationDenied = Code(.authorizationDenied)
        /// The token endpoint refused the request (see ``oauthError``, for example `invalid_grant`).
        public static let tokenRequestRejected = Code(.tokenRequestRejected)
        /// The token response lacks a required member or has an invalid one.
        public static let invalidTokenResponse = Code(.invalidTokenResponse)
        /// The ID token failed validation (see ``underlying``).
        public static let invalidIDToken = Code(.invalidIDToken)
        /// The arrangement's sharing period is over; consent is needed again.
        public static let arrangementExpired = Code(.arrangementExpired)
        /// The arrangement was revoked (by the consumer, the holder or the recipient); consent is needed again.
        public static let arrangementRevoked = Code(.arrangementRevoked)
        /// No arrangement with that id is known.
        public static let unknownArrangement = Code(.unknownArrangement)
        /// The arrangement cannot move from its state to the one asked for.
        public static let invalidTransition = Code(.invalidTransition)
        /// Refresh-token introspection failed.
        public static let introspectionFailed = Code(.introspectionFailed)
        /// Token or arrangement revocation at the holder failed.
        public static let revocationFailed = Code(.revocationFailed)
        /// An endpoint answered with a status or body the standard does not allow.
        public static let unexpectedResponse = Code(.unexpectedResponse)

        /// The code's name, for example `issuerMismatch`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A short explanation without secrets.
    public var reason: String?
    /// The HTTP status, when an endpoint answered.
    public var status: Int?
    /// The OAuth error the endpoint or the authorisation response carried.
    public var oauthError: AuthorizationErrorResponse?
    /// The `x-fapi-interaction-id` of the call that failed.
    public var interactionID: String?
    /// The error from the layer below: a ``/CDRJOSE/JOSEError``, a ``/CDRTransport/TransportError``, a decoding error.
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The failure category.
    ///   - reason: A short explanation; never include secrets.
    ///   - status: The HTTP status.
    ///   - oauthError: The OAuth error.
    ///   - interactionID: The call's interaction id.
    ///   - underlying: The cause.
    public init(
        _ code: Code, reason: String? = nil, status: Int? = nil, oauthError: AuthorizationErrorResponse? = nil,
        interactionID: String? = nil, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.reason = reason
        self.status = status
        self.oauthError = oauthError
        self.interactionID = interactionID
        self.underlying = underlying
    }

    /// `AuthorizationError.<code>` with the reason, status, OAuth error, interaction id and cause.
    public var description: String {
        var text = "AuthorizationError.\(code)"
        if let reason { text += ": \(reason)" }
        if let status { text += " (HTTP \(status))" }
        if let oauthError {
            text += " [\(AuthorizationError.quoted(oauthError.error))"
            if let detail = oauthError.errorDescription { text += ": \(AuthorizationError.quoted(detail))" }
            text += "]"
        }
        if let interactionID { text += " (x-fapi-interaction-id \(interactionID))" }
        if let underlying { text += " caused by \(underlying)" }
        return text
    }

    /// A server-supplied text made safe to show: printable ASCII only, at most 120 characters.
    static func quoted(_ value: String) -> String {
        let printable = String(value.unicodeScalars.filter { (0x20...0x7E).contains($0.value) }.map(Character.init))
        return printable.count > 120 ? String(printable.prefix(120)) + "…" : printable
    }
}

extension AuthorizationError: CDRCategorizedError {
    /// The kind of failure (see ``/CDRModels/CDRFailureCategory``).
    ///
    /// By ``code``:
    /// - `consentRequired`: ``Code/arrangementExpired``, ``Code/arrangementRevoked``, ``Code/unknownArrangement``,
    ///   ``Code/stateExpired`` (the customer has to consent again);
    /// - `securityCheckFailed`: ``Code/issuerMismatch``, ``Code/unknownState``;
    /// - `unsupported`: ``Code/unsupportedHolder``;
    /// - `callerError`: ``Code/invalidRequest``, ``Code/invalidTransition``;
    /// - `invalidResponse`: ``Code/invalidTokenResponse``.
    ///
    /// Codes that report a failed exchange take the category of what failed: the ``underlying`` error's (a
    /// `TransportError.timeout` is an `outage`, a JOSE signature failure `securityCheckFailed`), else the OAuth
    /// ``oauthError``'s (`access_denied` and `invalid_grant` `consentRequired`, `temporarily_unavailable` `outage`,
    /// `server_error` `serverFailure`, `slow_down` `rateLimited`, any other `refused`), else the HTTP ``status``'s
    /// (429 `rateLimited`, 503 and 504 `outage`, another 5xx `serverFailure`, another 4xx `refused`), else:
    /// - `invalidResponse`: ``Code/discoveryFailed``, ``Code/registerRequestFailed``, ``Code/introspectionFailed``,
    ///   ``Code/revocationFailed``, ``Code/unexpectedResponse``;
    /// - `refused`: ``Code/registrationRejected``, ``Code/pushedAuthorizationRejected``,
    ///   ``Code/tokenRequestRejected``;
    /// - `consentRequired`: ``Code/authorizationDenied``;
    /// - `securityCheckFailed`: ``Code/invalidAuthorizationResponse``, ``Code/invalidIDToken``.
    public var category: CDRFailureCategory {
        switch code {
        case .arrangementExpired, .arrangementRevoked, .unknownArrangement, .stateExpired: return .consentRequired
        case .issuerMismatch, .unknownState: return .securityCheckFailed
        case .unsupportedHolder: return .unsupported
        case .invalidRequest, .invalidTransition: return .callerError
        case .invalidTokenResponse: return .invalidResponse
        case .discoveryFailed, .registerRequestFailed, .introspectionFailed, .revocationFailed, .unexpectedResponse:
            return exchangeCategory(otherwise: .invalidResponse)
        case .registrationRejected, .pushedAuthorizationRejected, .tokenRequestRejected:
            return exchangeCategory(otherwise: .refused)
        case .authorizationDenied: return exchangeCategory(otherwise: .consentRequired)
        case .invalidAuthorizationResponse, .invalidIDToken: return exchangeCategory(otherwise: .securityCheckFailed)
        default: return .unclassified
        }
    }

    /// The category of a failed exchange: the underlying error's, the OAuth error's, the status's, or `fallback`.
    private func exchangeCategory(otherwise fallback: CDRFailureCategory) -> CDRFailureCategory {
        let underlyingCategory = CDRFailureCategory.of(underlying, otherwise: .unclassified)
        if underlyingCategory != .unclassified { return underlyingCategory }
        if let oauthError { return .forOAuthError(oauthError.error) }
        return CDRFailureCategory.forHTTPStatus(status) ?? fallback
    }
}
