public import Foundation

/// Where a validator records the `jti`s it has seen, so each token is accepted once.
///
/// ``ReplayCache`` keeps them in the process; `RecipientStore.replayStore(capacityPerIssuer:)` (in `CDRStore`) keeps
/// them in the recipient's database, so a replay is refused after a restart and across the processes that share it.
/// Conformers keep every issuer's entries apart, each with its own capacity, and pass the replay-store conformance
/// suite of the tests.
public protocol ReplayStore: Sendable {
    /// Records a `jti` for an issuer if it has not been seen (unexpired).
    /// - Parameters:
    ///   - jti: The token's `jti`.
    ///   - issuer: The token's verified issuer (or a namespace of it).
    ///   - expiresAt: When the token stops being valid (include any clock skew); the entry is kept until then.
    ///   - now: The current system time, used to drop expired entries.
    /// - Throws: ``JOSEError`` `.invalidClaim` for an empty `jti` or one longer than
    ///   ``ReplayCache/maximumJTILength`` bytes, `.replayedToken` if it was already recorded, `.replayCacheFull` if
    ///   this issuer's share is full; a durable store's own error when it cannot be read or written.
    func record(jti: String, issuer: String, expiresAt: Date, now: Date) async throws
}

/// Remembers `jti` values until their tokens expire, so a token can be used only once.
///
/// Entries are keyed by issuer **and** `jti`, and every issuer has its own ``capacityPerIssuer``: a holder that
/// sends many tokens can fill only its own share, never block another holder's tokens. A `jti` longer than
/// ``maximumJTILength`` bytes is refused. Expired entries are dropped as time passes (cheaply, oldest first).
///
/// Keep one cache per endpoint (for example the arrangement revocation endpoint) and share it across requests.
/// Pass uncorrected system time as `now` (``SystemTimeSource``), never a holder's ``CorrectedClock``: a holder
/// that could move time could make entries expire early and replay a token.
/// For several server instances, use a shared ``ReplayStore`` instead.
public actor ReplayCache: ReplayStore {
    /// The longest accepted `jti`, in UTF-8 bytes.
    public static let maximumJTILength = 256

    /// One issuer's entries: `jti` → expiry, plus a min-heap of expiries for cheap purging.
    private struct IssuerEntries {
        var expiries: [String: Date] = [:]
        var heap = ExpiryHeap()

        /// Drops every entry that expired at or before `now`.
        mutating func purge(now: Date) {
            while let oldest = heap.peek, oldest.expiresAt <= now {
                heap.pop()
                if expiries[oldest.jti] == oldest.expiresAt { expiries[oldest.jti] = nil }
            }
        }
    }

    private var issuers: [String: IssuerEntries] = [:]
    /// The most unexpired `jti`s kept for one issuer; when an issuer's share is full, its new tokens are refused
    /// with `.replayCacheFull` rather than old entries forgotten.
    public nonisolated let capacityPerIssuer: Int

    /// Creates an empty cache.
    /// - Parameter capacityPerIssuer: The most `jti`s remembered at once for each issuer.
    public init(capacityPerIssuer: Int = 10_000) { self.capacityPerIssuer = capacityPerIssuer }

    /// Records a `jti` for an issuer if it has not been seen.
    /// - Parameters:
    ///   - jti: The token's `jti`.
    ///   - issuer: The token's verified issuer.
    ///   - expiresAt: When the token stops being valid (include any clock skew); the entry is kept until then.
    ///   - now: The current system time, used to drop expired entries.
    /// - Throws: ``JOSEError`` `.invalidClaim` for an empty `jti` or one longer than ``maximumJTILength`` bytes,
    ///   `.replayedToken` if it was already recorded, `.replayCacheFull` if this issuer's share is full.
    public func record(jti: String, issuer: String, expiresAt: Date, now: Date) throws {
        guard !jti.isEmpty, jti.utf8.count <= Self.maximumJTILength else {
            throw JOSEError(.invalidClaim, reason: "jti must be 1 to \(Self.maximumJTILength) bytes long")
        }
        var entries = issuers.removeValue(forKey: issuer) ?? IssuerEntries()
        defer { if !entries.expiries.isEmpty { issuers[issuer] = entries } }
        entries.purge(now: now)
        guard entries.expiries[jti] == nil else {
            throw JOSEError(.replayedToken, reason: "jti was already used")
        }
        guard entries.expiries.count < capacityPerIssuer else {
            throw JOSEError(.replayCacheFull, reason: "too many unexpired tokens from this issuer")
        }
        guard expiresAt > now else { return }  // Already expired: nothing to remember.
        entries.expiries[jti] = expiresAt
        entries.heap.push(.init(expiresAt: expiresAt, jti: jti))
    }

    /// The number of `jti`s remembered for all issuers (including expired ones not yet purged).
    public var count: Int { issuers.values.reduce(0) { $0 + $1.expiries.count } }

    /// The number of `jti`s remembered for one issuer (including expired ones not yet purged).
    /// - Parameter issuer: The issuer.
    /// - Returns: The count.
    public func count(for issuer: String) -> Int { issuers[issuer]?.expiries.count ?? 0 }
}

/// A binary min-heap of expiries.
struct ExpiryHeap {
    struct Item {
        var expiresAt: Date
        var jti: String
    }

    private var items: [Item] = []

    var peek: Item? { items.first }

    mutating func push(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].expiresAt < items[parent].expiresAt else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left].expiresAt < items[smallest].expiresAt { smallest = left }
            if right < items.count, items[right].expiresAt < items[smallest].expiresAt { smallest = right }
            guard smallest != parent else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
