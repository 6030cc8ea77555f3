public import Foundation

/// Remembers `jti` values until their tokens expire, so a token can be used only once.
///
/// Keep one cache per endpoint (for example the arrangement revocation endpoint) and share it across requests.
/// For several server instances, back it with shared storage by implementing the same check elsewhere.
public actor ReplayCache {
    private var entries: [String: Date] = [:]
    /// The most entries kept; when full, new tokens are rejected rather than old ones forgotten.
    public nonisolated let capacity: Int

    /// Creates an empty cache.
    /// - Parameter capacity: The most `jti`s remembered at once.
    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Records an identifier if it has not been seen.
    /// - Parameters:
    ///   - identifier: The scoped identifier, for example `iss` and `jti` joined.
    ///   - expiresAt: When the token stops being valid; the entry is kept until then.
    ///   - now: The current time, used to drop expired entries.
    /// - Returns: `true` if the identifier is new and was recorded, `false` if it is a replay or the cache is full.
    public func insert(_ identifier: String, expiresAt: Date, now: Date) -> Bool {
        if entries.count >= capacity { entries = entries.filter { $0.value > now } }
        if let existing = entries[identifier], existing > now { return false }
        guard entries.count < capacity else { return false }
        entries[identifier] = expiresAt
        return true
    }

    /// The number of identifiers remembered (including expired ones not yet purged).
    public var count: Int { entries.count }
}
