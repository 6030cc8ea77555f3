public import Foundation

/// Where a ``RecipientStore`` keeps its rows: SQLite (`CDRStoreSQLite`), PostgreSQL, or memory
/// (``InMemoryStoreBackend``).
///
/// A backend stores opaque rows. It never sees a plaintext token, record or key: the store seals every value before
/// it reaches the backend, and wraps every data key with the key-encryption key. What a backend sees in clear is only
/// what it needs to find rows: scopes (`arrangement <brand>/<id>`), kinds, keys (ids, never secrets), times, and the
/// audit trail (which holds no secret and no data).
///
/// Every method is one transaction. ``apply(_:)`` makes all of its changes or none: a failure midway (a full disk, a
/// conflict) rolls back every change of the call and throws a ``StoreError``.
///
/// A backend passes the backend conformance suite (`StoreBackendConformance` in the tests).
public protocol StoreBackend: Sendable {
    /// The schema version this backend writes.
    static var schemaVersion: Int { get }

    /// Makes every change, in order, in one transaction.
    /// - Parameter changes: The changes.
    /// - Throws: ``StoreError``: `.conflict` for a replayed `jti`, `.capacityReached` for a full issuer share,
    ///   `.storageFull` or `.ioFailure` from the disk; nothing of the call is kept then.
    func apply(_ changes: [StoreChange]) async throws

    /// A value of the store's own metadata (for example the key check), or `nil`.
    /// - Parameter name: The metadata's name.
    func metadata(_ name: String) async throws -> [UInt8]?

    /// The wrapped data key of a scope, or `nil` when it has none (never had one, or it was destroyed).
    /// - Parameter scope: The scope.
    func dataKey(scope: String) async throws -> WrappedDataKey?

    /// Every wrapped data key (to re-wrap them under a new key-encryption key).
    func dataKeys() async throws -> [WrappedDataKey]

    /// One item, or `nil`.
    /// - Parameters:
    ///   - kind: The item's kind.
    ///   - key: Its key within the kind.
    func item(kind: String, key: String) async throws -> StoreItem?

    /// Every item of a kind, ordered by key.
    /// - Parameter kind: The kind.
    func items(kind: String) async throws -> [StoreItem]

    /// Removes and returns one item, atomically: of any number of concurrent callers (in any number of processes on
    /// the same database), exactly one gets it.
    /// - Parameters:
    ///   - kind: The item's kind.
    ///   - key: Its key.
    /// - Returns: The item, or `nil` when there is none (never stored, or already taken).
    func takeItem(kind: String, key: String) async throws -> StoreItem?

    /// A scope's sealed records, in the order they were first saved, after a sequence number.
    /// - Parameters:
    ///   - scope: The scope.
    ///   - sequence: Only records with a higher sequence number (0 for the first page).
    ///   - limit: The most to return.
    func records(scope: String, after sequence: Int64, limit: Int) async throws -> [SealedRecord]

    /// How many records a scope has.
    /// - Parameter scope: The scope.
    func recordCount(scope: String) async throws -> Int

    /// Audit entries in the order they were written, after a sequence number.
    /// - Parameters:
    ///   - scope: Only this scope's entries, or `nil` for all.
    ///   - sequence: Only entries with a higher sequence number (0 for the first page).
    ///   - limit: The most to return.
    func auditEntries(scope: String?, after sequence: Int64, limit: Int) async throws -> [AuditRow]

    /// The scopes that have items or records but no data key (left by a deletion that stopped between destroying the
    /// key and deleting the rows); their rows can never be read again.
    func scopesWithoutKey() async throws -> [String]

    /// Runs `body` while holding the exclusive lock `name`: of all callers that ask for the same name at once, one
    /// runs at a time, the others wait their turn.
    ///
    /// `PostgresStoreBackend` (in `CDRStorePostgres`) holds the lock for every instance on the database: a
    /// transaction-scoped advisory lock on a connection of its own, released with that transaction when `body` ends
    /// or the process holding it dies. The SQLite and in-memory backends hold it within their own process. A backend
    /// that does not implement it runs `body` without a lock.
    /// - Parameters:
    ///   - name: The lock's name (an id, never a secret), for example `refresh <brand>/<arrangement>`.
    ///   - body: The work to do under the lock; what it writes goes through the backend's other methods.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; ``StoreError`` when the lock cannot be had (`.unavailable`, `.closed`, or
    ///   `.conflict` when it was not granted within the backend's lock timeout).
    func withExclusiveLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws
        -> T

    /// Closes the backend; later calls throw `.closed`.
    func close() async throws
}

extension StoreBackend {
    /// Runs `body` without a lock: the default of a backend that serves one caller at a time.
    public func withExclusiveLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await body()
    }
}

/// Exclusive locks by name within one process: what the SQLite and in-memory backends hold for
/// ``StoreBackend/withExclusiveLock(_:_:)``. A lock is handed to its waiters in the order they asked.
package actor NamedLocks {
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    package init() {}

    /// Runs `body` while holding `name`.
    package func withLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T) async throws
        -> T
    {
        await acquire(name)
        do {
            let result = try await body()
            release(name)
            return result
        } catch {
            release(name)
            throw error
        }
    }

    private func acquire(_ name: String) async {
        guard waiters[name] != nil else {
            waiters[name] = []
            return
        }
        await withCheckedContinuation { waiters[name, default: []].append($0) }
    }

    private func release(_ name: String) {
        guard var queue = waiters[name], !queue.isEmpty else {
            waiters[name] = nil
            return
        }
        let next = queue.removeFirst()
        waiters[name] = queue
        next.resume()
    }
}

/// One change a ``StoreBackend/apply(_:)`` makes.
public enum StoreChange: Sendable, Hashable {
    /// Sets (replaces) a metadata value.
    case setMetadata(name: String, value: [UInt8])
    /// Inserts a scope's wrapped data key unless the scope already has one (then nothing changes: a concurrent
    /// writer, perhaps in another process, made it first, and the caller reads back the one that is stored).
    case putDataKey(WrappedDataKey)
    /// Replaces the wrapping of a scope's existing data key (rotating the key-encryption key); nothing when the scope
    /// has no key.
    case rewrapDataKey(WrappedDataKey)
    /// Deletes a scope's data key (crypto-shredding every row sealed under it).
    case deleteDataKey(scope: String)
    /// Fails the whole call with `.keyDestroyed` unless the scope has a data key. A store puts it before the rows it
    /// sealed under that key, so rows sealed just before the scope ended (its key destroyed by another task or
    /// process) are never kept.
    case requireDataKey(scope: String)
    /// Inserts or replaces an item (by kind and key).
    case putItem(StoreItem)
    /// Deletes an item; nothing when it does not exist.
    case deleteItem(kind: String, key: String)
    /// Deletes every item and every record of a scope (not its data key, not its audit entries).
    case deleteScope(scope: String)
    /// Inserts records into a scope, or replaces the sealed value of those whose record key is already there (a
    /// replaced record keeps its first sequence number).
    case putRecords(scope: String, records: [SealedRecord])
    /// Appends an audit entry; the backend assigns its sequence number.
    case appendAudit(AuditRow)
    /// Records a `jti` of an issuer until `expiresAt`, first dropping that issuer's entries expired at `now`.
    /// Throws `.conflict` when the `jti` is already recorded and unexpired, `.capacityReached` when the issuer
    /// already has `capacity` unexpired entries.
    case recordJTI(issuer: String, jti: String, expiresAt: Date, now: Date, capacity: Int)
    /// Deletes items whose ``StoreItem/expiresAt`` is at or before `now`, and expired `jti`s.
    case purgeExpired(now: Date)
}

/// A scope's data key, wrapped by a key-encryption key.
public struct WrappedDataKey: Sendable, Hashable {
    /// The scope (`arrangement <brand>/<id>`, `ddc <provider>/<connection>`, or the store's own scopes).
    public var scope: String
    /// The id of the key-encryption key that wrapped it (``KeyEncryptionKeyProvider/keyID``).
    public var keyEncryptionKeyID: String
    /// The wrapped key: what the provider returned.
    public var wrapped: [UInt8]
    /// When the data key was made.
    public var createdAt: Date

    /// Creates a wrapped key.
    public init(scope: String, keyEncryptionKeyID: String, wrapped: [UInt8], createdAt: Date) {
        self.scope = scope
        self.keyEncryptionKeyID = keyEncryptionKeyID
        self.wrapped = wrapped
        self.createdAt = createdAt
    }
}

/// One sealed value a backend keeps, found by kind and key.
public struct StoreItem: Sendable, Hashable {
    /// What it is (`registration`, `arrangement`, `pending`, `ddc-connection`, `checkpoint`, `identities`).
    public var kind: String
    /// Its key within the kind (an id; never a secret).
    public var key: String
    /// The scope whose data key sealed it, so a scope's items are deleted with it.
    public var scope: String
    /// The sealed value (AES-256-GCM: nonce, ciphertext, tag).
    public var sealed: [UInt8]
    /// When the item lapses (``StoreChange/purgeExpired(now:)`` deletes it then), or `nil`.
    public var expiresAt: Date?
    /// When it was written.
    public var updatedAt: Date

    /// Creates an item.
    public init(kind: String, key: String, scope: String, sealed: [UInt8], expiresAt: Date? = nil, updatedAt: Date) {
        self.kind = kind
        self.key = key
        self.scope = scope
        self.sealed = sealed
        self.expiresAt = expiresAt
        self.updatedAt = updatedAt
    }
}

/// One sealed kept record of a scope.
public struct SealedRecord: Sendable, Hashable {
    /// The order in which it was first saved (assigned by the backend; 0 when not yet saved).
    public var sequence: Int64
    /// A key for the record that tells nothing about it (a keyed hash of its identity), unique within the scope.
    public var recordKey: String
    /// The sealed record.
    public var sealed: [UInt8]

    /// Creates a record row.
    public init(sequence: Int64 = 0, recordKey: String, sealed: [UInt8]) {
        self.sequence = sequence
        self.recordKey = recordKey
        self.sealed = sealed
    }
}

/// One audit entry as a backend keeps it. It holds no secret and no kept data, so it is not encrypted, and it
/// outlives the scope it names (it is the evidence of the scope's deletion).
public struct AuditRow: Sendable, Hashable {
    /// The order in which it was written (assigned by the backend; 0 when not yet written).
    public var sequence: Int64
    /// When it happened.
    public var at: Date
    /// The scope it concerns, or `nil`.
    public var scope: String?
    /// The event's name (`consent.given`, `collection`, `deletion`, …).
    public var event: String
    /// The event's details, as JSON.
    public var details: [UInt8]

    /// Creates an audit row.
    public init(sequence: Int64 = 0, at: Date, scope: String?, event: String, details: [UInt8]) {
        self.sequence = sequence
        self.at = at
        self.scope = scope
        self.event = event
        self.details = details
    }
}
