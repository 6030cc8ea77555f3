public import Foundation

/// What the recipient asks a customer to consent to.
///
/// ```swift
/// let request = AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90))
/// let redirect = try await holder.startAuthorization(request)   // send the customer to redirect.url
/// ```
public struct AuthorizationRequest: Sendable, Hashable, Codable {
    /// The data scopes (read only); `openid` and `profile` are added.
    public var scopes: [CDRScope]
    /// How long the arrangement lasts, in seconds (`sharing_duration`): 0 for once-off collection, at most one year.
    public var sharingDuration: Int
    /// The arrangement to amend, or `nil` for a new one.
    public var arrangementID: String?
    /// The accepted levels of assurance, most preferred first.
    public var authenticationContexts: [AuthenticationContext]
    /// The redirect URI, or `nil` for the product's first.
    public var redirectURI: String?
    /// Whether the ID token must carry `auth_time`.
    public var requiresAuthenticationTime: Bool

    /// Creates a request.
    /// - Parameters:
    ///   - scopes: The read scopes to ask for.
    ///   - sharingDuration: The sharing period in seconds; 0 (once-off) to 31,536,000.
    ///   - arrangementID: The `cdr_arrangement_id` to amend.
    ///   - authenticationContexts: Accepted `acr` values, single-factor by default.
    ///   - redirectURI: The redirect URI; the product's first by default.
    ///   - requiresAuthenticationTime: Ask for `auth_time` as an essential claim.
    public init(
        scopes: [CDRScope], sharingDuration: Int, arrangementID: String? = nil,
        authenticationContexts: [AuthenticationContext] = [.singleFactor], redirectURI: String? = nil,
        requiresAuthenticationTime: Bool = false
    ) {
        self.scopes = scopes
        self.sharingDuration = sharingDuration
        self.arrangementID = arrangementID
        self.authenticationContexts = authenticationContexts
        self.redirectURI = redirectURI
        self.requiresAuthenticationTime = requiresAuthenticationTime
    }
}

extension Int {
    /// A sharing duration of `count` days, in seconds.
    /// - Parameter count: Days.
    /// - Returns: `count × 86,400`.
    public static func days(_ count: Int) -> Int { count * 86_400 }
}

/// Where to send the customer: the holder's authorisation endpoint with `client_id` and `request_uri` only.
public struct AuthorizationRedirect: Sendable, CustomStringConvertible, CustomReflectable {
    /// The URL to open in the customer's browser.
    public let url: URL
    /// The `state` this authorisation is kept under until its callback (not a secret once in the URL's request
    /// object, but bind it to the customer's session).
    public let state: String
    /// When the pending authorisation expires.
    public let expiresAt: Date

    /// The authorisation endpoint's host and the expiry; the URL's query is not shown.
    public var description: String { "AuthorizationRedirect(\(url.host ?? "?"), expires \(expiresAt))" }

    /// Mirrors ``description``: `dump` shows neither the `request_uri` nor the `state`.
    public var customMirror: Mirror { Mirror(self, children: ["redirect": description], displayStyle: .struct) }
}
