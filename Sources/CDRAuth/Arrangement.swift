public import Foundation

/// Who ended an arrangement by revoking it.
public struct RevocationInitiator: Hashable, Sendable, Codable, RawRepresentable, CustomStringConvertible {
    /// `consumer`, `holder` or `recipient`.
    public let rawValue: String
    /// Wraps a value.
    /// - Parameter rawValue: The initiator's name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The consumer withdrew consent in the recipient's app (the recipient then revokes at the holder).
    public static let consumer = RevocationInitiator(rawValue: "consumer")
    /// The holder revoked (the consumer withdrew at the holder, or the holder ended it); learnt from the holder's call
    /// to the recipient's `/arrangements/revoke` or from `invalid_grant`.
    public static let holder = RevocationInitiator(rawValue: "holder")
    /// The recipient ended it on its own account (for example after once-off collection).
    public static let recipient = RevocationInitiator(rawValue: "recipient")
    /// The name.
    public var description: String { rawValue }
}

/// Where an arrangement is in its life.
///
/// ```
/// pending ─▶ authorised ─▶ active ─▶ expiring ─▶ expired
///                │            │          │
///                └────────────┴──────────┴──▶ revoked(by:) · amended
/// ```
/// `amended` means a re-authorisation with the same `cdr_arrangement_id` replaced the tokens; the arrangement
/// continues as `authorised`, and its ``Arrangement/amendmentCount`` grows.
public enum ArrangementState: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Consent has been asked for (PAR done) and not yet answered.
    case pending
    /// The customer consented and tokens were issued; no data has been read yet.
    case authorised
    /// Tokens are in use.
    case active
    /// The sharing period ends within the warning window: ask the customer to renew.
    case expiring
    /// The sharing period ended. Terminal.
    case expired
    /// Revoked, by whom. Terminal.
    case revoked(by: RevocationInitiator)

    /// Whether the arrangement can no longer be used.
    public var isTerminal: Bool {
        switch self {
        case .expired, .revoked: true
        default: false
        }
    }

    /// Whether tokens may be used for data calls.
    public var allowsDataAccess: Bool {
        switch self {
        case .authorised, .active, .expiring: true
        default: false
        }
    }

    /// For example `revoked(by: holder)`.
    public var description: String {
        switch self {
        case .pending: "pending"
        case .authorised: "authorised"
        case .active: "active"
        case .expiring: "expiring"
        case .expired: "expired"
        case .revoked(let initiator): "revoked(by: \(initiator))"
        }
    }
}

/// What happens to an arrangement.
public enum ArrangementEvent: Hashable, Sendable, CustomStringConvertible {
    /// Tokens were issued for the (new or amended) arrangement.
    case authorised
    /// Tokens were used, or refreshed.
    case used
    /// The sharing period's end came within the warning window.
    case nearingExpiry
    /// The sharing period ended, or refresh answered `invalid_grant` after it.
    case expired
    /// The arrangement was revoked.
    case revoked(by: RevocationInitiator)
    /// A re-authorisation with the same `cdr_arrangement_id` issued new tokens.
    case amended

    /// The event's name.
    public var description: String {
        switch self {
        case .authorised: "authorised"
        case .used: "used"
        case .nearingExpiry: "nearingExpiry"
        case .expired: "expired"
        case .revoked(let initiator): "revoked(by: \(initiator))"
        case .amended: "amended"
        }
    }
}

/// A CDR arrangement with one data holder: identity, scopes, sharing period and state.
///
/// It is a value; ``applying(_:at:)`` is the state machine, and refuses impossible transitions with
/// ``AuthorizationError/Code/invalidTransition``.
public struct Arrangement: Sendable, Hashable, Codable, Identifiable {
    /// The holder-issued `cdr_arrangement_id`.
    public let id: String
    /// The holder's issuer.
    public var holderIssuer: String
    /// Our `client_id` at the holder.
    public var clientID: String
    /// The customer's pairwise subject at the holder (from the ID token).
    public var subject: String?
    /// The granted scopes.
    public var scopes: [String]
    /// When the sharing period ends (`nil` for once-off collection).
    public var sharingExpiresAt: Date?
    /// The state.
    public private(set) var state: ArrangementState
    /// When the customer consented, last.
    public private(set) var authorisedAt: Date
    /// When the state last changed.
    public private(set) var updatedAt: Date
    /// How many times the arrangement was amended.
    public private(set) var amendmentCount: Int

    /// Creates an authorised arrangement.
    /// - Parameters:
    ///   - id: The `cdr_arrangement_id`.
    ///   - holderIssuer: The holder's issuer.
    ///   - clientID: Our `client_id` there.
    ///   - subject: The customer's subject.
    ///   - scopes: The granted scopes.
    ///   - sharingExpiresAt: The end of the sharing period.
    ///   - authorisedAt: When consent was given.
    public init(
        id: String, holderIssuer: String, clientID: String, subject: String?, scopes: [String],
        sharingExpiresAt: Date?, authorisedAt: Date
    ) {
        self.id = id
        self.holderIssuer = holderIssuer
        self.clientID = clientID
        self.subject = subject
        self.scopes = scopes
        self.sharingExpiresAt = sharingExpiresAt
        self.state = .authorised
        self.authorisedAt = authorisedAt
        self.updatedAt = authorisedAt
        self.amendmentCount = 0
    }

    /// The arrangement after `event`.
    /// - Parameters:
    ///   - event: What happened.
    ///   - now: When.
    /// - Returns: The new arrangement (unchanged state when the event changes nothing, e.g. `used` while active).
    /// - Throws: ``AuthorizationError/Code/invalidTransition`` for an event the state does not allow (anything after
    ///   a terminal state except a repeated revocation or expiry, which is idempotent).
    public func applying(_ event: ArrangementEvent, at now: Date) throws -> Arrangement {
        var next = self
        switch (state, event) {
        case (.expired, .expired), (.revoked, .revoked):
            return self
        case (let state, _) where state.isTerminal:
            throw AuthorizationError(.invalidTransition, reason: "arrangement is \(state); cannot apply \(event)")
        case (.pending, .authorised):
            next.state = .authorised
            next.authorisedAt = now
        case (.pending, .revoked(let initiator)):
            next.state = .revoked(by: initiator)
        case (.pending, _):
            throw AuthorizationError(.invalidTransition, reason: "a pending arrangement cannot be \(event)")
        case (_, .authorised), (_, .amended):
            next.state = .authorised
            next.authorisedAt = now
            if event == .amended { next.amendmentCount += 1 }
        case (.authorised, .used):
            next.state = .active
        case (_, .used):
            break
        case (_, .nearingExpiry):
            next.state = .expiring
        case (_, .expired):
            next.state = .expired
        case (_, .revoked(let initiator)):
            next.state = .revoked(by: initiator)
        }
        if next.state != state { next.updatedAt = now }
        return next
    }
}
