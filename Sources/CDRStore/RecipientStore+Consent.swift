public import CDRAuth
public import CDRJOSE
import Crypto
public import Foundation

extension RecipientStore {
    /// The pending authorisations of one holder brand, kept in the store so that a callback completes after a
    /// restart, or in another process on the same database.
    ///
    /// Each entry is sealed under the store's own data key (scope `recipient`: a pending authorisation belongs to no
    /// arrangement yet), as kind `pending`, under the key `<brand>/<hex SHA-256 of the state>`: the `state` itself is
    /// never a row key, and one brand's view never finds another brand's entries. The row carries the entry's expiry,
    /// so ``StoreChange/purgeExpired(now:)`` drops it once it lapses.
    /// - Parameters:
    ///   - holderBrandID: The brand.
    ///   - capacity: The most authorisations pending at once for the brand (10,000 by default, as
    ///     `DataHolderConnection.Configuration.maximumPendingAuthorizations`).
    /// - Returns: The store's view, to pass to `DataHolderConnection`.
    public nonisolated func pendingAuthorizations(holderBrandID: String, capacity: Int = 10_000)
        -> StoredPendingAuthorizations
    {
        StoredPendingAuthorizations(store: self, holderBrandID: holderBrandID, capacity: capacity)
    }

    /// A replay store for the recipient's `/arrangements/revoke` endpoint, kept in the store's database: a token's
    /// `jti` recorded by one process is refused by every other on the same database, also after a restart.
    ///
    /// The `jti`s are kept in clear with their issuer and expiry (a `jti` is an id, not a secret) and dropped once
    /// they expire.
    /// - Parameter capacityPerIssuer: The most unexpired `jti`s kept for one issuer (10,000 by default, as
    ///   `ReplayCache`'s).
    /// - Returns: The replay store.
    public nonisolated func replayStore(capacityPerIssuer: Int = 10_000) -> StoredReplayStore {
        StoredReplayStore(store: self, capacityPerIssuer: capacityPerIssuer)
    }
}

/// One holder brand's pending authorisations in a ``RecipientStore``, as a `PendingAuthorizationStore`.
///
/// Get one from ``RecipientStore/pendingAuthorizations(holderBrandID:capacity:)``. ``take(state:now:)`` uses the
/// backend's exactly-once ``StoreBackend/takeItem(kind:key:)``: of any number of concurrent callbacks with one
/// `state`, in any number of processes, one wins. The capacity is checked before each insert, so concurrent inserts
/// in several processes can overshoot it by as many inserts as run at once.
public struct StoredPendingAuthorizations: PendingAuthorizationStore {
    static let kind = "pending"
    /// The store.
    public let store: RecipientStore
    /// The brand.
    public let holderBrandID: String
    /// The most authorisations pending at once for the brand.
    public let capacity: Int

    /// Drops expired entries, then seals and keeps `pending` under its `state`'s hash.
    /// - Parameters:
    ///   - pending: The authorisation.
    ///   - state: Its `state`.
    ///   - now: The current time.
    /// - Throws: `AuthorizationError` `.invalidRequest` when ``capacity`` authorisations of the brand are pending;
    ///   ``StoreError`` from the backend.
    public func insert(_ pending: PendingAuthorization, state: String, now: Date) async throws {
        // `now` is the holder's corrected clock; the purge also drops the replay store's `jti`s, which must only ever
        // expire by system time (a holder whose `Date` headers run ahead must not make them lapse early).
        try await store.backend.apply([.purgeExpired(now: min(now, store.now()))])
        let key = key(state)
        let prefix = holderBrandID + "/"
        let waiting = try await store.backend.items(kind: Self.kind).filter { item in
            item.key.hasPrefix(prefix) && item.key != key && (item.expiresAt.map { $0 > now } ?? true)
        }
        guard waiting.count < capacity else {
            throw AuthorizationError.tooManyPendingAuthorizations(capacity: capacity)
        }
        try await store.putItem(
            pending, kind: Self.kind, key: key, scope: RecipientStore.recipientScope, expiresAt: pending.expiresAt)
    }

    /// Opens the entry for `state`, leaving it in place.
    /// - Parameters:
    ///   - state: The callback's `state`.
    ///   - now: The current time.
    /// - Returns: The entry.
    /// - Throws: `AuthorizationError` `.unknownState` when there is none; `.stateExpired` when it expired (it is
    ///   deleted then); ``StoreError`` when it cannot be read or opened.
    public func peek(state: String, now: Date) async throws -> PendingAuthorization {
        let key = key(state)
        guard let pending = try await store.item(PendingAuthorization.self, kind: Self.kind, key: key) else {
            throw AuthorizationError.unknownPendingState
        }
        guard pending.expiresAt > now else {
            try await store.deleteItem(kind: Self.kind, key: key)
            throw AuthorizationError.pendingStateExpired(at: pending.expiresAt)
        }
        return pending
    }

    /// Removes the entry for `state` (exactly once, across processes) and opens it.
    /// - Parameters:
    ///   - state: The callback's `state`.
    ///   - now: The current time.
    /// - Returns: The entry.
    /// - Throws: `AuthorizationError` `.unknownState` when there is none (never issued, or already taken);
    ///   `.stateExpired` when it expired; ``StoreError`` when it cannot be read or opened.
    public func take(state: String, now: Date) async throws -> PendingAuthorization {
        // Reach the key the entry is sealed under before removing it: when the key-encryption key cannot be reached
        // (a KMS outage), the entry stays, and the same callback can be tried again.
        _ = try await store.dataKey(scope: RecipientStore.recipientScope, create: false)
        guard let item = try await store.backend.takeItem(kind: Self.kind, key: key(state)) else {
            throw AuthorizationError.unknownPendingState
        }
        let pending = try await store.open(PendingAuthorization.self, item)
        guard pending.expiresAt > now else { throw AuthorizationError.pendingStateExpired(at: pending.expiresAt) }
        return pending
    }

    /// `<brand>/<hex SHA-256 of the state>`.
    func key(_ state: String) -> String {
        let hex = Array("0123456789abcdef")
        return holderBrandID + "/"
            + String(SHA256.hash(data: Data(state.utf8)).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] })
    }
}

/// The replay store of the recipient's revocation endpoint, in a ``RecipientStore``'s database, as a `ReplayStore`.
///
/// Get one from ``RecipientStore/replayStore(capacityPerIssuer:)``. Every `record` is one transaction of
/// ``StoreChange/recordJTI(issuer:jti:expiresAt:now:capacity:)``: it drops the issuer's expired entries, then refuses
/// a `jti` already recorded, or a full issuer share, atomically across the processes that share the database.
public struct StoredReplayStore: ReplayStore {
    /// The store.
    public let store: RecipientStore
    /// The most unexpired `jti`s kept for one issuer.
    public let capacityPerIssuer: Int

    /// Records a `jti` for an issuer if it has not been seen (unexpired).
    /// - Parameters:
    ///   - jti: The token's `jti`.
    ///   - issuer: The token's verified issuer.
    ///   - expiresAt: When the token stops being valid (with any clock skew).
    ///   - now: The current system time.
    /// - Throws: `JOSEError` `.invalidClaim` for an empty `jti` or one longer than `ReplayCache.maximumJTILength`
    ///   bytes, `.replayedToken` if it was already recorded, `.replayCacheFull` if this issuer's share is full;
    ///   ``StoreError`` when the database cannot be written.
    public func record(jti: String, issuer: String, expiresAt: Date, now: Date) async throws {
        guard !jti.isEmpty, jti.utf8.count <= ReplayCache.maximumJTILength else {
            throw JOSEError(.invalidClaim, reason: "jti must be 1 to \(ReplayCache.maximumJTILength) bytes long")
        }
        do {
            try await store.backend.apply([
                .recordJTI(issuer: issuer, jti: jti, expiresAt: expiresAt, now: now, capacity: capacityPerIssuer)
            ])
        } catch let error as StoreError where error.code == .conflict {
            throw JOSEError(.replayedToken, reason: "jti was already used")
        } catch let error as StoreError where error.code == .capacityReached {
            throw JOSEError(.replayCacheFull, reason: "too many unexpired tokens from this issuer")
        }
    }
}
