public import CDRJOSE
public import Foundation

/// The tokens of one arrangement. ``description`` and `dump` never show a token.
public struct TokenSet: Sendable, Hashable, Codable, CustomStringConvertible, CustomReflectable {
    /// The bearer access token, bound to the client certificate.
    public var accessToken: String
    /// When the access token expires.
    public var accessTokenExpiresAt: Date
    /// The refresh token, absent for once-off collection.
    public var refreshToken: String?
    /// When the sharing period (and so the refresh token) ends, when known.
    public var sharingExpiresAt: Date?
    /// The granted scopes.
    public var scopes: [String]
    /// The last ID token (JWS), kept to validate the ones refresh returns.
    public var idToken: String?

    /// Creates a token set.
    /// - Parameters:
    ///   - accessToken: The access token.
    ///   - accessTokenExpiresAt: Its expiry.
    ///   - refreshToken: The refresh token.
    ///   - sharingExpiresAt: The end of the sharing period.
    ///   - scopes: The granted scopes.
    ///   - idToken: The ID token.
    public init(
        accessToken: String, accessTokenExpiresAt: Date, refreshToken: String?, sharingExpiresAt: Date?,
        scopes: [String], idToken: String?
    ) {
        self.accessToken = accessToken
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshToken = refreshToken
        self.sharingExpiresAt = sharingExpiresAt
        self.scopes = scopes
        self.idToken = idToken
    }

    /// Expiry times and scopes; no token.
    public var description: String {
        "TokenSet(access until \(accessTokenExpiresAt), refresh: \(refreshToken == nil ? "none" : "<redacted>"), "
            + "scopes: \(scopes.joined(separator: " ")))"
    }

    /// Mirrors ``description``.
    public var customMirror: Mirror { Mirror(self, children: ["tokens": description], displayStyle: .struct) }
}

/// Where an arrangement's record and tokens are kept between calls and restarts.
///
/// ``TokenManager`` saves a new token set here before handing it out, so a crash can't lose a refreshed token. Keep
/// what you store encrypted (per arrangement) if it leaves memory, and delete it when the arrangement ends: the SDK
/// calls ``delete(arrangementID:)`` on expiry and on every kind of revocation.
public protocol TokenStore: Sendable {
    /// Saves (replaces) the record of an arrangement.
    /// - Parameter record: The arrangement and its tokens.
    /// - Throws: The store's error; the caller then does not hand the tokens out.
    func save(_ record: ArrangementRecord) async throws
    /// Loads an arrangement's record.
    /// - Parameter arrangementID: The `cdr_arrangement_id`.
    /// - Returns: The record, or `nil`.
    /// - Throws: The store's error.
    func load(arrangementID: String) async throws -> ArrangementRecord?
    /// Deletes everything kept for an arrangement.
    /// - Parameter arrangementID: The `cdr_arrangement_id`.
    /// - Returns: Whether anything was deleted.
    /// - Throws: The store's error.
    @discardableResult
    func delete(arrangementID: String) async throws -> Bool
    /// Runs `body` as the only refresher of an arrangement among everyone who shares this store.
    ///
    /// ``TokenManager`` refreshes under this lock and reads the stored tokens again once it holds it, so instances
    /// that find one access token expired at once send one token request between them. A store shared by several
    /// processes holds the lock across them (the PostgreSQL store does); the default runs `body` at once, which is
    /// right for a store that one process uses (the manager already lets one refresh run at a time within it).
    /// - Parameters:
    ///   - arrangementID: The `cdr_arrangement_id`.
    ///   - body: The refresh.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or the store's error when the lock cannot be had.
    func withRefreshLock<T: Sendable>(arrangementID: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
}

extension TokenStore {
    /// Runs `body` without a lock: one process uses the store.
    public func withRefreshLock<T: Sendable>(arrangementID: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await body()
    }
}

/// A ``TokenStore`` in memory: the default, so nothing outlives the process unless the caller provides a store.
public actor InMemoryTokenStore: TokenStore {
    private var records: [String: ArrangementRecord] = [:]
    /// How many times ``save(_:)`` has been called (for tests and diagnostics).
    public private(set) var saveCount = 0

    /// Creates an empty store.
    public init() {}

    /// Saves (replaces) a record.
    /// - Parameter record: The record.
    public func save(_ record: ArrangementRecord) {
        saveCount += 1
        records[record.arrangement.id] = record
    }

    /// Loads a record.
    /// - Parameter arrangementID: The id.
    /// - Returns: The record, or `nil`.
    public func load(arrangementID: String) -> ArrangementRecord? { records[arrangementID] }

    /// Deletes a record.
    /// - Parameter arrangementID: The id.
    /// - Returns: Whether it existed.
    @discardableResult
    public func delete(arrangementID: String) -> Bool { records.removeValue(forKey: arrangementID) != nil }

    /// The ids of every stored arrangement.
    public var arrangementIDs: [String] { records.keys.sorted() }
}

/// One arrangement and its tokens, as a ``TokenStore`` keeps them.
public struct ArrangementRecord: Sendable, Hashable, Codable {
    /// The arrangement.
    public var arrangement: Arrangement
    /// Its tokens, or `nil` once the arrangement has ended.
    public var tokens: TokenSet?
    /// The validated ID token of the consent (or of its latest amendment), which refreshed ID tokens must continue
    /// (same `iss`, `sub`, `aud`); `nil` once the arrangement has ended, and in records written before it was kept.
    public var originalIDToken: IDToken?

    /// Creates a record.
    /// - Parameters:
    ///   - arrangement: The arrangement.
    ///   - tokens: Its tokens.
    ///   - originalIDToken: The consent's validated ID token.
    public init(arrangement: Arrangement, tokens: TokenSet?, originalIDToken: IDToken? = nil) {
        self.arrangement = arrangement
        self.tokens = tokens
        self.originalIDToken = originalIDToken?.keepingContinuityClaimsOnly
    }
}

extension ArrangementRecord: CustomStringConvertible, CustomReflectable {
    /// The arrangement, its (redacted) tokens and whether the consent's ID token is kept; never a token or a claim.
    public var description: String {
        "ArrangementRecord(\(arrangement.id), \(arrangement.state), tokens: \(tokens.map { "\($0)" } ?? "none"), "
            + "ID token kept: \(originalIDToken != nil))"
    }

    /// Mirrors ``description``.
    public var customMirror: Mirror { Mirror(self, children: ["record": description], displayStyle: .struct) }
}
