/// What kind of failure an error is, the same for every CDRKit module: whether the holder is down, the consent is
/// gone, the account is not shared, the other party sent bad data, or the calling code made a mistake.
///
/// Every CDRKit error type conforms to ``CDRCategorizedError``, so code that reacts to failures (a fallback to
/// another source, a retry, a "please consent again" screen, an alert) decides from the category without knowing
/// which module threw:
///
/// ```swift
/// do {
///     let accounts = try await source.accounts()
/// } catch {
///     switch CDRFailureCategory(of: error) {
///     case .outage, .rateLimited: // try later, or read from another source
///     case .consentRequired: // ask the customer to consent again
///     default: // report the failure
///     }
/// }
/// ```
///
/// The set of categories can grow: a `switch` over it needs a `default`. Each error type documents the category of
/// every one of its codes; an error that only wraps another (a generic "request failed" code with an `underlying`
/// error) takes the category of the error it wraps.
public struct CDRFailureCategory: Hashable, Sendable, CustomStringConvertible {
    private enum Base: String, Hashable, Sendable {
        case outage, rateLimited, consentRequired, accountNotShared, customerActionRequired, unsupported, refused
        case securityCheckFailed, invalidResponse, serverFailure, callerError, internalFailure, cancelled
        case unclassified
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// The holder, capture provider or Register cannot be reached or is in an outage: a refused connection, a
    /// timeout, a connection dropped mid-response, HTTP 503 or 504, an institution that is down. Try again later or
    /// read from another source.
    public static let outage = Self(.outage)
    /// The other party throttled the calls (HTTP 429), or the SDK stopped a call to stay within a traffic budget or
    /// capacity limit. Try again later.
    public static let rateLimited = Self(.rateLimited)
    /// There is no live consent for the request: none was given, it expired, it was revoked or withdrawn, the
    /// customer declined, or its tokens are no longer accepted; for capture, there is no connection. Ask the customer
    /// to consent again.
    public static let consentRequired = Self(.consentRequired)
    /// The account is not shared under the consent, or the source does not know it.
    public static let accountNotShared = Self(.accountNotShared)
    /// The customer has to act before the request can succeed: wrong online-banking credentials, a locked login, a
    /// one-time code or answer that was wrong or came too late.
    public static let customerActionRequired = Self(.customerActionRequired)
    /// The other party does not offer what was asked: a version, an endpoint, a kind of data, a required feature
    /// of the standard.
    public static let unsupported = Self(.unsupported)
    /// The other party refused a request for a reason other than consent: a registration, pushed authorisation or
    /// token request it rejected, a credential of the recipient it does not accept, a permission the recipient
    /// lacks.
    public static let refused = Self(.refused)
    /// A security check failed: a server certificate that is not trusted, a TLS handshake that failed, a signature,
    /// issuer, audience, lifetime, `state` or `nonce` that does not verify, a replayed token, a downgrade.
    public static let securityCheckFailed = Self(.securityCheckFailed)
    /// The other party answered something that cannot be used: a body that does not decode, a missing or wrong
    /// field, a status or version the standard does not allow, a broken pagination chain, a response too large.
    public static let invalidResponse = Self(.invalidResponse)
    /// The other party failed while serving a valid request (HTTP 500 or another 5xx that is not an outage, a
    /// capture job that failed at the provider).
    public static let serverFailure = Self(.serverFailure)
    /// The calling code asked for something that cannot be done: an invalid argument or configuration, a request
    /// the standard does not allow, an operation out of order or on something that does not exist. Retrying the
    /// same call will not help.
    public static let callerError = Self(.callerError)
    /// Something failed inside this process: key generation, signing or encryption in the crypto library, a
    /// record store.
    public static let internalFailure = Self(.internalFailure)
    /// The call was cancelled, or the client it used was shut down.
    public static let cancelled = Self(.cancelled)
    /// The error is not a CDRKit error and says nothing more about its kind.
    public static let unclassified = Self(.unclassified)

    /// The category of any error: a ``CDRCategorizedError``'s own ``CDRCategorizedError/category``, ``cancelled``
    /// for a `CancellationError`, ``invalidResponse`` for a `DecodingError`, and ``unclassified`` for anything else.
    /// - Parameter error: The error.
    public init(of error: any Error) {
        switch error {
        case let error as any CDRCategorizedError: self = error.category
        case is CancellationError: self = .cancelled
        case is DecodingError: self = .invalidResponse
        default: self = .unclassified
        }
    }

    /// The category of an optional underlying error, or `fallback` when there is none or it says nothing.
    /// - Parameters:
    ///   - underlying: The wrapped error.
    ///   - fallback: The category to use otherwise.
    /// - Returns: The underlying error's category unless it is absent or ``unclassified``.
    package static func of(_ underlying: (any Error)?, otherwise fallback: Self) -> Self {
        guard let underlying else { return fallback }
        let category = Self(of: underlying)
        return category == .unclassified ? fallback : category
    }

    /// The category an HTTP error status implies: 429 ``rateLimited``, 503 and 504 ``outage``, another 5xx
    /// ``serverFailure``, another 4xx ``refused``; `nil` for any other status.
    /// - Parameter status: The HTTP status.
    /// - Returns: The category, or `nil`.
    package static func forHTTPStatus(_ status: Int?) -> Self? {
        switch status {
        case 429?: return .rateLimited
        case 503?, 504?: return .outage
        case (500...599)?: return .serverFailure
        case (400...499)?: return .refused
        default: return nil
        }
    }

    /// The category an OAuth 2.0 `error` code implies (RFC 6749 §4.1.2.1 and §5.2): `access_denied` and
    /// `invalid_grant` (a code or refresh token that is no longer valid) ``consentRequired``,
    /// `temporarily_unavailable` ``outage``, `server_error` ``serverFailure``, `slow_down` ``rateLimited``, any
    /// other ``refused``.
    /// - Parameter error: The OAuth `error` value.
    /// - Returns: The category.
    package static func forOAuthError(_ error: String) -> Self {
        switch error {
        case "access_denied", "invalid_grant", "expired_token": return .consentRequired
        case "temporarily_unavailable": return .outage
        case "server_error": return .serverFailure
        case "slow_down": return .rateLimited
        default: return .refused
        }
    }

    /// Whether the same call may succeed later without any change: ``outage`` and ``rateLimited``.
    public var isTransient: Bool { self == .outage || self == .rateLimited }

    /// The category's name, for example `consentRequired`.
    public var description: String { base.rawValue }
}

/// An error that says what kind of failure it is.
///
/// Every CDRKit error type conforms; match on ``category`` to handle failures from any module the same way, and on
/// the type's own `code` for the details.
public protocol CDRCategorizedError: Error {
    /// What kind of failure this is.
    var category: CDRFailureCategory { get }
}
