public import CDRJOSE
public import CDRModels
public import CDRTransport
public import Foundation
public import Logging

/// The tokens of one arrangement: hands out a valid access token, refreshing it shortly before expiry, with one
/// refresh at a time however many callers ask.
///
/// Across processes that share a store, a refresh runs under the store's refresh lock of the arrangement
/// (``TokenStore/withRefreshLock(arrangementID:_:)``) and reads the stored tokens again under it, so instances that
/// find a token expired at once send one token request between them.
///
/// A refreshed token set is saved to the ``TokenStore`` before any caller gets it. When that save fails, the caller
/// gets the store's error and the set is kept in memory, unused, to be saved first on the next call: a holder that
/// rotates refresh tokens may already have retired the one stored. A refresh answered with
/// `invalid_grant` ends the arrangement (expired when its sharing period is over, otherwise revoked by the holder),
/// deletes its tokens, and throws `.arrangementExpired` or `.arrangementRevoked`.
///
/// A manager holds only what it needs: the store, the holder's clock, its ``Policy`` and a ``RefreshFunction``
/// (the holder's refresh-token grant). Get one from ``ArrangementLifecycle/tokenManager(for:)``, which shares it
/// among callers, or make one over any store and grant.
///
/// ```swift
/// let manager = await connection.lifecycle.tokenManager(for: arrangement.id)
/// var token = try await manager.accessToken()
/// // … a resource call answers 401 …
/// token = try await manager.accessTokenAfterUnauthorized(token)
/// ```
public actor TokenManager {
    /// When a manager refreshes and how it reads the sharing period.
    public struct Policy: Sendable, Hashable {
        /// How long before expiry (seconds) an access token is refreshed.
        public var refreshLeeway: TimeInterval
        /// How long before the sharing period ends (seconds) an arrangement counts as expiring.
        public var expiryWarning: TimeInterval
        /// Clock difference tolerated (seconds) when deciding whether the sharing period is over.
        public var clockSkew: TimeInterval

        /// Creates a policy.
        /// - Parameters:
        ///   - refreshLeeway: 30 s by default.
        ///   - expiryWarning: 7 days by default.
        ///   - clockSkew: 30 s by default.
        public init(
            refreshLeeway: TimeInterval = 30, expiryWarning: TimeInterval = 7 * 86_400, clockSkew: TimeInterval = 30
        ) {
            self.refreshLeeway = refreshLeeway
            self.expiryWarning = expiryWarning
            self.clockSkew = clockSkew
        }
    }

    /// The refresh-token grant: the current token set and the ID token of the consent in, the new token set out.
    /// It throws ``AuthorizationError/Code/tokenRequestRejected`` with the OAuth error when the holder refuses.
    public typealias RefreshFunction =
        @Sendable (_ current: TokenSet, _ originalIDToken: IDToken?) async throws -> TokenSet

    /// The `cdr_arrangement_id`.
    public nonisolated let arrangementID: String
    private let tokenStore: any TokenStore
    private let clock: any TimeSource
    private let policy: Policy
    private let exchange: RefreshFunction
    private let holder: String
    private let logger: Logger
    private var originalIDToken: IDToken?
    private var refreshing: Task<TokenSet, any Error>?
    /// A refreshed set whose save failed, and the refresh token it replaces: the holder may already have retired that
    /// one (rotation), so the set is saved before anything else on the next call instead of presenting a dead token.
    private var unsaved: (replacing: String?, record: ArrangementRecord)?
    /// How many refresh requests this manager has sent (for diagnostics and tests).
    public private(set) var refreshCount = 0

    /// Creates a manager.
    /// - Parameters:
    ///   - arrangementID: The `cdr_arrangement_id`.
    ///   - tokenStore: Where the arrangement and its tokens are kept.
    ///   - clock: The holder's clock.
    ///   - policy: When to refresh.
    ///   - refresh: The holder's refresh-token grant.
    ///   - originalIDToken: The ID token of the consent, to check refreshed ID tokens against.
    ///   - holder: The holder's issuer (for logs).
    ///   - logger: Logs ids and outcomes, never tokens; silent by default.
    public init(
        arrangementID: String, tokenStore: any TokenStore, clock: any TimeSource, policy: Policy = Policy(),
        refresh: @escaping RefreshFunction, originalIDToken: IDToken? = nil, holder: String = "",
        logger: Logger = .cdrDisabled
    ) {
        self.arrangementID = arrangementID
        self.tokenStore = tokenStore
        self.clock = clock
        self.policy = policy
        self.exchange = refresh
        self.originalIDToken = originalIDToken
        self.holder = holder
        self.logger = logger
    }

    func setOriginalIDToken(_ token: IDToken?) { originalIDToken = token }

    /// A valid access token, refreshed first when it expires within the refresh leeway.
    /// - Returns: The access token.
    /// - Throws: ``AuthorizationError``: `.unknownArrangement`, `.arrangementExpired`, `.arrangementRevoked`,
    ///   `.tokenRequestRejected`, `.invalidTokenResponse`; the store's error.
    public func accessToken() async throws -> String {
        let record = try await currentRecord()
        guard let tokens = record.tokens else { throw ended(record.arrangement) }
        let now = clock.now()
        if tokens.accessTokenExpiresAt.timeIntervalSince(now) > policy.refreshLeeway {
            try await noteUse(record, now: now)
            return tokens.accessToken
        }
        return try await refresh(replacing: tokens.accessToken).accessToken
    }

    /// A new access token after a resource server refused `rejected` with 401: refreshes once, unless another caller
    /// already replaced that token.
    /// - Parameter rejected: The access token the resource server refused.
    /// - Returns: A different, fresh access token.
    /// - Throws: As ``accessToken()``.
    public func accessTokenAfterUnauthorized(_ rejected: String) async throws -> String {
        let record = try await currentRecord()
        if let tokens = record.tokens, tokens.accessToken != rejected { return tokens.accessToken }
        return try await refresh(replacing: rejected).accessToken
    }

    /// Refreshes now, or joins the refresh already running.
    /// - Returns: The new token set, already saved.
    /// - Throws: As ``accessToken()``.
    @discardableResult
    public func refresh() async throws -> TokenSet {
        try await refresh(replacing: nil)
    }

    /// Refreshes, or joins the running refresh; when `seen` is given and the stored token is no longer it (another
    /// caller refreshed between this caller's read and now) and still fresh, that token set is returned instead.
    private func refresh(replacing seen: String?) async throws -> TokenSet {
        if let refreshing { return try await refreshing.value }
        if let seen, let tokens = try await currentRecord().tokens, tokens.accessToken != seen,
            tokens.accessTokenExpiresAt.timeIntervalSince(clock.now())
                > policy.refreshLeeway
        {
            return tokens
        }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await refreshUnderLock(replacing: seen) }
        refreshing = task
        defer { refreshing = nil }
        return try await task.value
    }

    /// Refreshes holding the store's refresh lock of the arrangement (held across processes by a shared store), and
    /// reads the stored tokens again under it: when another instance refreshed while this one waited, its fresh
    /// token set is used and no request is sent.
    private func refreshUnderLock(replacing seen: String?) async throws -> TokenSet {
        try await tokenStore.withRefreshLock(arrangementID: arrangementID) {
            try await self.performRefresh(replacing: seen)
        }
    }

    private func performRefresh(replacing seen: String?) async throws -> TokenSet {
        let record = try await currentRecord()
        guard let tokens = record.tokens, record.arrangement.state.allowsDataAccess else {
            throw ended(record.arrangement)
        }
        if let seen, tokens.accessToken != seen,
            tokens.accessTokenExpiresAt.timeIntervalSince(clock.now()) > policy.refreshLeeway
        {
            return tokens
        }
        let now = clock.now()
        if let end = tokens.sharingExpiresAt, end <= now {
            _ = try await endArrangement(with: .expired, holderKnewIt: false)
            throw AuthorizationError(.arrangementExpired, reason: "the sharing period ended at \(end)")
        }
        guard tokens.refreshToken != nil else {
            // Once-off collection: the access token was the whole grant.
            _ = try await endArrangement(with: .expired, holderKnewIt: false)
            throw AuthorizationError(.arrangementExpired, reason: "once-off arrangement; its access token has expired")
        }
        refreshCount += 1
        let refreshed: TokenSet
        do {
            // After a restart the consent's ID token comes from the record, so refreshed ones are still checked.
            refreshed = try await exchange(tokens, originalIDToken ?? record.originalIDToken)
        } catch let error as AuthorizationError
            where error.code == .tokenRequestRejected && error.oauthError?.error == "invalid_grant"
        {
            // An amendment may have replaced the refresh token while this request was in flight.
            if let current = try await tokenStore.load(arrangementID: arrangementID),
                let currentTokens = current.tokens, currentTokens.refreshToken != tokens.refreshToken,
                current.arrangement.state.allowsDataAccess
            {
                return currentTokens
            }
            let skew = policy.clockSkew
            let expired = tokens.sharingExpiresAt.map { $0 <= clock.now().addingTimeInterval(skew) } ?? false
            _ = try await endArrangement(with: expired ? .expired : .revoked(by: .holder), holderKnewIt: true)
            var ending = AuthorizationError(
                expired ? .arrangementExpired : .arrangementRevoked,
                reason: "refresh answered invalid_grant; consent is needed again", status: error.status,
                oauthError: error.oauthError, interactionID: error.interactionID)
            ending.underlying = error
            throw ending
        }
        // Re-read before saving: an amendment or an ending while the request was in flight wins over this result.
        let latest = try await currentRecord()
        guard let latestTokens = latest.tokens, latest.arrangement.state.allowsDataAccess else {
            throw ended(latest.arrangement)
        }
        guard latestTokens.refreshToken == tokens.refreshToken else { return latestTokens }
        let arrangement = try used(latest.arrangement, sharingExpiresAt: tokens.sharingExpiresAt, now: now)
        // Saved before anyone gets it: a crash after this point can't lose the new tokens.
        let saving = ArrangementRecord(
            arrangement: arrangement, tokens: refreshed, originalIDToken: latest.originalIDToken ?? originalIDToken)
        do {
            try await tokenStore.save(saving)
        } catch {
            unsaved = (tokens.refreshToken, saving)
            throw error
        }
        logger.debug(
            "CDR tokens refreshed",
            metadata: ["cdr.arrangement_id": "\(arrangementID)", "cdr.state": "\(arrangement.state)"])
        return refreshed
    }

    private func endArrangement(with event: ArrangementEvent, holderKnewIt: Bool) async throws -> ArrangementEnding {
        try await tokenStore.end(
            arrangementID, with: event, holderKnewIt: holderKnewIt, at: clock.now(), holder: holder, logger: logger)
    }

    /// The stored record, after saving a refreshed set whose save failed earlier (unless the store has moved on: an
    /// amendment or an ending replaced the tokens that set refreshed).
    private func currentRecord() async throws -> ArrangementRecord {
        guard let record = try await tokenStore.load(arrangementID: arrangementID) else {
            throw AuthorizationError(.unknownArrangement, reason: "no arrangement \(arrangementID) is stored")
        }
        guard let pending = unsaved else { return record }
        guard let stored = record.tokens, stored.refreshToken == pending.replacing,
            record.arrangement.state.allowsDataAccess
        else {
            unsaved = nil
            return record
        }
        try await tokenStore.save(pending.record)
        unsaved = nil
        logger.debug(
            "CDR refreshed tokens saved after an earlier failure", metadata: ["cdr.arrangement_id": "\(arrangementID)"])
        return pending.record
    }

    /// Moves the arrangement to active (or expiring) on use, saving the state only: the tokens saved are the ones
    /// stored now, never an older copy.
    private func noteUse(_ record: ArrangementRecord, now: Date) async throws {
        let arrangement = try used(record.arrangement, sharingExpiresAt: record.tokens?.sharingExpiresAt, now: now)
        guard arrangement.state != record.arrangement.state else { return }
        guard let latest = try await tokenStore.load(arrangementID: arrangementID),
            latest.arrangement.state == record.arrangement.state
        else { return }
        try await tokenStore.save(
            ArrangementRecord(arrangement: arrangement, tokens: latest.tokens, originalIDToken: latest.originalIDToken))
    }

    /// The arrangement after a use: active, and expiring once its sharing period ends within the warning window.
    private func used(_ arrangement: Arrangement, sharingExpiresAt: Date?, now: Date) throws -> Arrangement {
        let next = try arrangement.applying(.used, at: now)
        guard let end = sharingExpiresAt,
            end.timeIntervalSince(now) <= policy.expiryWarning
        else { return next }
        return try next.applying(.nearingExpiry, at: now)
    }

    private func ended(_ arrangement: Arrangement) -> AuthorizationError {
        switch arrangement.state {
        case .expired: AuthorizationError(.arrangementExpired, reason: "arrangement \(arrangementID) expired")
        case .revoked(let initiator):
            AuthorizationError(.arrangementRevoked, reason: "arrangement \(arrangementID) was revoked by \(initiator)")
        default: AuthorizationError(.unknownArrangement, reason: "arrangement \(arrangementID) has no tokens")
        }
    }
}

/// One ``TokenManager`` per arrangement, for as long as anyone holds it.
///
/// While any caller holds (or awaits) a manager, every other caller gets the same one, so refreshes collapse. The
/// managers are held weakly, so the map does not grow with every arrangement ever used; the original ID tokens are
/// kept until the arrangement ends.
actor TokenManagers {
    private struct Weak {
        weak var manager: TokenManager?
    }

    private var managers: [String: Weak] = [:]
    private var originals: [String: IDToken] = [:]

    func manager(for id: String, make: (IDToken?) -> TokenManager) -> TokenManager {
        if let manager = managers[id]?.manager { return manager }
        let manager = make(originals[id])
        managers = managers.filter { $0.value.manager != nil }
        managers[id] = Weak(manager: manager)
        return manager
    }

    func reset(_ id: String, originalIDToken: IDToken) async {
        originals[id] = originalIDToken
        await managers[id]?.manager?.setOriginalIDToken(originalIDToken)
    }

    func remove(_ id: String) {
        managers[id] = nil
        originals[id] = nil
    }
}

extension TokenManager: AccessTokenProvider {
    /// ``accessTokenAfterUnauthorized(_:)`` under the transport's name.
    /// - Parameter rejected: The token a resource server refused with 401.
    /// - Returns: A fresh token.
    /// - Throws: As ``accessToken()``.
    public func accessToken(afterRejecting rejected: String) async throws -> String {
        try await accessTokenAfterUnauthorized(rejected)
    }
}
