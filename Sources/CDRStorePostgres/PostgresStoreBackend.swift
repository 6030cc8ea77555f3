public import CDRModels
public import CDRStore
import Foundation
public import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// A ``/CDRStore/StoreBackend`` in a PostgreSQL database: the backend for several instances of a recipient that
/// share their customers.
///
/// Every instance opens its own backend on the same database. Between them:
/// - ``apply(_:)`` is one transaction; a serialization failure or a deadlock (another instance writing the same
///   rows) is retried, with the whole transaction, up to ``Configuration/transactionRetries`` times.
/// - ``takeItem(kind:key:)`` is one `DELETE … RETURNING`: of all instances taking one pending authorisation, one gets
///   it.
/// - ``/CDRStore/StoreChange/recordJTI(issuer:jti:expiresAt:now:capacity:)`` runs under a transaction-scoped advisory lock of
///   the issuer, so a `jti` is recorded once and an issuer's capacity holds across instances.
/// - ``/CDRStore/StoreChange/requireDataKey(scope:)`` holds the scope's key row (`FOR SHARE`) until the transaction ends, so a
///   deletion in another instance either waits for the write or the write fails with `.keyDestroyed`.
/// - ``withExclusiveLock(_:_:)`` holds a transaction-scoped advisory lock on a connection of a pool of its own; the
///   server releases it when that transaction ends, also when the instance holding it dies. No session-scoped lock
///   is ever taken through the pool.
///
/// The schema is versioned in the `cdrkit_schema` table and migrated on open under an advisory lock, so instances
/// starting together migrate once; a database written by a newer CDRKit is refused and left as it is. Times are kept
/// as whole milliseconds since 1970, as in the SQLite backend.
///
/// ```swift
/// let backend = try await PostgresStoreBackend.open(
///     url: try PostgresURL("postgres://recipient@db.internal:5432/cdr?sslmode=verify-full"))
/// defer { Task { try await backend.close() } }
/// ```
public final class PostgresStoreBackend: StoreBackend {
    /// The schema version this backend writes (and the highest it opens).
    public static let schemaVersion = 1

    /// How the backend uses its database.
    public struct Configuration: Sendable, Hashable {
        /// The most connections the backend opens for its reads and writes; 10 by default.
        public var maximumConnections: Int
        /// The most connections that hold ``withExclusiveLock(_:_:)`` locks at once (a pool of their own, so
        /// waiting for a lock never takes a connection the locked work needs); 4 by default.
        public var maximumLockConnections: Int
        /// How often a transaction that failed for a serialization failure or a deadlock is tried again; 5 by
        /// default.
        public var transactionRetries: Int
        /// How long ``withExclusiveLock(_:_:)`` waits for a lock another instance holds before failing with
        /// `.conflict`; 60 seconds by default.
        public var lockTimeout: Duration
        /// How long a call waits for a connection when the database cannot be reached before failing with
        /// `.unavailable`; 15 seconds by default.
        public var unavailableTimeout: Duration

        /// Creates a configuration.
        public init(
            maximumConnections: Int = 10,
            maximumLockConnections: Int = 4,
            transactionRetries: Int = 5,
            lockTimeout: Duration = .seconds(60),
            unavailableTimeout: Duration = .seconds(15)
        ) {
            self.maximumConnections = maximumConnections
            self.maximumLockConnections = maximumLockConnections
            self.transactionRetries = transactionRetries
            self.lockTimeout = lockTimeout
            self.unavailableTimeout = unavailableTimeout
        }
    }

    /// The database (without its password).
    public let url: PostgresURL
    private let configuration: Configuration
    private let client: PostgresClient
    private let lockClient: PostgresClient
    private let running: Task<Void, Never>
    private let closed = Mutex(false)
    private let logger: Logger

    /// Records per `INSERT … SELECT FROM unnest(…)` statement (two array binds each, whatever the count).
    static let recordsPerStatement = 5000

    private init(
        url: PostgresURL, configuration: Configuration, client: PostgresClient, lockClient: PostgresClient,
        running: Task<Void, Never>, logger: Logger
    ) {
        self.url = url
        self.configuration = configuration
        self.client = client
        self.lockClient = lockClient
        self.running = running
        self.logger = logger
    }

    /// Opens the database at a URL and migrates it to ``schemaVersion``.
    ///
    /// - Parameters:
    ///   - url: The database (see ``PostgresURL``).
    ///   - configuration: How the backend uses it.
    ///   - logger: Where the backend logs (the URL without its password, schema versions); silent by default.
    /// - Returns: The open backend; call ``close()`` when done.
    /// - Throws: ``/CDRStore/StoreError``: `.unavailable` when the server cannot be reached, `.connectionRejected`
    ///   when it refuses the credentials or the TLS check fails, `.newerSchema` when a newer CDRKit wrote the
    ///   database (it is left untouched), `.backendFailure` otherwise.
    public static func open(
        url: PostgresURL,
        configuration: Configuration = .init(),
        logger: Logger = .cdrDisabled
    ) async throws -> PostgresStoreBackend {
        let clientConfiguration = try clientConfiguration(url: url)
        // The first connection is made directly, so an unreachable server fails at once instead of after the pool's
        // retries; it runs the migration and is closed.
        let first: PostgresConnection
        do {
            first = try await PostgresConnection.connect(
                configuration: try connectionConfiguration(url: url), id: 0, logger: Self.quiet)
        } catch {
            throw storeError(error, url: url, operation: "connecting")
        }
        do {
            try await migrate(first, url: url, logger: logger)
            _ = try? await first.close()
        } catch {
            _ = try? await first.close()
            throw storeError(error, url: url, operation: "migrating")
        }
        var dataOptions = clientConfiguration
        dataOptions.options.maximumConnections = max(1, configuration.maximumConnections)
        var lockOptions = clientConfiguration
        lockOptions.options.maximumConnections = max(1, configuration.maximumLockConnections)
        let client = PostgresClient(configuration: dataOptions, backgroundLogger: Self.quiet)
        let lockClient = PostgresClient(configuration: lockOptions, backgroundLogger: Self.quiet)
        let running = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await client.run() }
                group.addTask { await lockClient.run() }
            }
        }
        logger.debug("Opened the PostgreSQL store", metadata: ["cdr.store_url": .string(url.description)])
        return PostgresStoreBackend(
            url: url, configuration: configuration, client: client, lockClient: lockClient, running: running,
            logger: logger)
    }

    // MARK: StoreBackend

    /// Makes every change, in order, in one transaction, tried again on a serialization failure or a deadlock.
    /// - Parameter changes: The changes.
    /// - Throws: ``/CDRStore/StoreError``: `.conflict` for a replayed `jti`, `.capacityReached` for a full issuer
    ///   share, `.keyDestroyed` for a scope without a data key, `.storageFull`, `.unavailable`, `.closed`; nothing of
    ///   the call is kept then.
    public func apply(_ changes: [StoreChange]) async throws {
        guard !changes.isEmpty else { return }
        try await transaction("applying changes") { connection in
            for change in changes { try await Self.apply(change, on: connection) }
        }
    }

    public func metadata(_ name: String) async throws -> [UInt8]? {
        try await read("reading metadata") { connection in
            let rows = try await connection.checkedQuery(
                "SELECT value FROM metadata WHERE name = \(name)", logger: Self.quiet)
            var value: [UInt8]?
            for try await bytes in rows.decode(ByteBuffer.self) { value = Array(bytes.readableBytesView) }
            return value
        }
    }

    public func dataKey(scope: String) async throws -> WrappedDataKey? {
        try await read("reading a data key") { connection in
            let rows = try await connection.checkedQuery(
                "SELECT scope, kek_id, wrapped, created_at FROM data_keys WHERE scope = \(scope)", logger: Self.quiet)
            return try await Self.dataKeys(rows).first
        }
    }

    public func dataKeys() async throws -> [WrappedDataKey] {
        try await read("reading the data keys") { connection in
            let rows = try await connection.checkedQuery(
                #"SELECT scope, kek_id, wrapped, created_at FROM data_keys ORDER BY scope COLLATE "C""#,
                logger: Self.quiet)
            return try await Self.dataKeys(rows)
        }
    }

    public func item(kind: String, key: String) async throws -> StoreItem? {
        try await read("reading an item") { connection in
            let rows = try await connection.checkedQuery(
                """
                SELECT kind, key, scope, sealed, expires_at, updated_at FROM items WHERE kind = \(kind) AND key = \(key)
                """,
                logger: Self.quiet)
            return try await Self.items(rows).first
        }
    }

    public func items(kind: String) async throws -> [StoreItem] {
        try await read("reading items") { connection in
            let rows = try await connection.checkedQuery(
                """
                SELECT kind, key, scope, sealed, expires_at, updated_at FROM items WHERE kind = \(kind)
                ORDER BY key COLLATE "C"
                """,
                logger: Self.quiet)
            return try await Self.items(rows)
        }
    }

    /// Removes and returns one item with one `DELETE … RETURNING`, so of any number of callers in any number of
    /// instances exactly one gets it.
    /// - Parameters:
    ///   - kind: The item's kind.
    ///   - key: Its key.
    /// - Returns: The item, or `nil` when there is none.
    /// - Throws: ``/CDRStore/StoreError`` (`.closed`, `.unavailable`, …).
    public func takeItem(kind: String, key: String) async throws -> StoreItem? {
        try await read("taking an item") { connection in
            let rows = try await connection.checkedQuery(
                """
                DELETE FROM items WHERE kind = \(kind) AND key = \(key)
                RETURNING kind, key, scope, sealed, expires_at, updated_at
                """,
                logger: Self.quiet)
            return try await Self.items(rows).first
        }
    }

    public func records(scope: String, after sequence: Int64, limit: Int) async throws -> [SealedRecord] {
        try await read("reading records") { connection in
            let rows = try await connection.checkedQuery(
                """
                SELECT sequence, record_key, sealed FROM records
                WHERE scope_id = (SELECT id FROM scopes WHERE name = \(scope)) AND sequence > \(sequence)
                ORDER BY sequence LIMIT \(Int64(max(0, limit)))
                """,
                logger: Self.quiet)
            var result: [SealedRecord] = []
            for try await (sequence, key, sealed) in rows.decode((Int64, ByteBuffer, ByteBuffer).self) {
                result.append(
                    SealedRecord(
                        sequence: sequence, recordKey: try RecordKey.decode(key),
                        sealed: Array(sealed.readableBytesView)))
            }
            return result
        }
    }

    public func recordCount(scope: String) async throws -> Int {
        try await read("counting records") { connection in
            let rows = try await connection.checkedQuery(
                "SELECT COUNT(*) FROM records WHERE scope_id = (SELECT id FROM scopes WHERE name = \(scope))",
                logger: Self.quiet)
            var total: Int64 = 0
            for try await count in rows.decode(Int64.self) { total = count }
            return Int(total)
        }
    }

    public func auditEntries(scope: String?, after sequence: Int64, limit: Int) async throws -> [AuditRow] {
        try await read("reading the audit trail") { connection in
            let rows = try await connection.checkedQuery(
                """
                SELECT sequence, at, scope, event, details FROM audit
                WHERE sequence > \(sequence) AND (\(scope)::text IS NULL OR scope = \(scope))
                ORDER BY sequence LIMIT \(Int64(max(0, limit)))
                """,
                logger: Self.quiet)
            var result: [AuditRow] = []
            for try await (sequence, at, scope, event, details) in rows.decode(
                (Int64, Int64, String?, String, ByteBuffer).self)
            {
                result.append(
                    AuditRow(
                        sequence: sequence, at: Self.date(at), scope: scope, event: event,
                        details: Array(details.readableBytesView)))
            }
            return result
        }
    }

    public func scopesWithoutKey() async throws -> [String] {
        try await read("finding scopes without a key") { connection in
            let rows = try await connection.checkedQuery(
                """
                SELECT scope FROM (
                    SELECT scope FROM items
                    UNION SELECT name AS scope FROM scopes
                    WHERE EXISTS (SELECT 1 FROM records WHERE records.scope_id = scopes.id)
                ) AS scoped
                WHERE NOT EXISTS (SELECT 1 FROM data_keys WHERE data_keys.scope = scoped.scope)
                ORDER BY scope COLLATE "C"
                """,
                logger: Self.quiet)
            var result: [String] = []
            for try await scope in rows.decode(String.self) { result.append(scope) }
            return result
        }
    }

    /// Runs `body` holding a transaction-scoped advisory lock (`pg_advisory_xact_lock`) named `name`, on a
    /// connection of the lock pool: one holder at a time among every instance on the database. The transaction
    /// holds nothing else; `body` writes through the other methods, so its writes are committed before the lock is
    /// released. When the instance dies, the server ends the transaction and releases the lock.
    /// - Parameters:
    ///   - name: The lock's name.
    ///   - body: The work to do under the lock.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; ``/CDRStore/StoreError`` `.conflict` when the lock was not granted within
    ///   ``Configuration/lockTimeout``, `.unavailable`, `.closed`.
    public func withExclusiveLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try checkOpen()
        let timeout = Self.milliseconds(configuration.lockTimeout)
        do {
            return try await withUnavailableTimeout {
                try await self.lockClient.withConnection { connection in
                    try await connection.run("BEGIN", logger: Self.quiet)
                    do {
                        try await connection.run(
                            "SET LOCAL lock_timeout = \(unescaped: String(timeout))", logger: Self.quiet)
                        try await connection.run(
                            "SELECT pg_advisory_xact_lock(hashtextextended(\(name), 0))", logger: Self.quiet)
                    } catch {
                        _ = try? await connection.run("ROLLBACK", logger: Self.quiet)
                        throw error
                    }
                    let result: T
                    do {
                        result = try await body()
                    } catch {
                        _ = try? await connection.run("ROLLBACK", logger: Self.quiet)
                        throw LockedWorkFailure(error: error)
                    }
                    // The transaction wrote nothing: whether it commits or the connection is gone, the lock is free.
                    _ = try? await connection.run("COMMIT", logger: Self.quiet)
                    return result
                }
            }
        } catch let failure as LockedWorkFailure {
            throw failure.error
        } catch {
            throw storeError(error, operation: "taking the lock \(name)")
        }
    }

    /// Closes both pools, after the calls in progress end; later calls throw `.closed`. Closing again does nothing.
    public func close() async throws {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        running.cancel()
        await running.value
        logger.debug("Closed the PostgreSQL store", metadata: ["cdr.store_url": .string(url.description)])
    }

    // MARK: Changes

    private static func apply(_ change: StoreChange, on connection: PostgresConnection) async throws {
        switch change {
        case .setMetadata(let name, let value):
            try await connection.run(
                """
                INSERT INTO metadata (name, value) VALUES (\(name), \(ByteBuffer(bytes: value)))
                ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value
                """,
                logger: quiet)
        case .putDataKey(let key):
            // A scope that already has a key keeps it: a concurrent writer made it first.
            try await connection.run(
                """
                INSERT INTO data_keys (scope, kek_id, wrapped, created_at)
                VALUES (\(key.scope), \(key.keyEncryptionKeyID), \(ByteBuffer(bytes: key.wrapped)), \(ms(key.createdAt)))
                ON CONFLICT (scope) DO NOTHING
                """,
                logger: quiet)
        case .rewrapDataKey(let key):
            try await connection.run(
                """
                UPDATE data_keys SET kek_id = \(key.keyEncryptionKeyID), wrapped = \(ByteBuffer(bytes: key.wrapped)),
                    created_at = \(ms(key.createdAt))
                WHERE scope = \(key.scope)
                """,
                logger: quiet)
        case .deleteDataKey(let scope):
            try await connection.run("DELETE FROM data_keys WHERE scope = \(scope)", logger: quiet)
        case .requireDataKey(let scope):
            // FOR SHARE holds the key row until the transaction ends: a deletion elsewhere waits for this write.
            let rows = try await connection.checkedQuery(
                "SELECT 1 FROM data_keys WHERE scope = \(scope) FOR SHARE", logger: quiet)
            var present = false
            for try await _ in rows.decode(Int32.self) { present = true }
            guard present else { throw StoreError.noDataKey(scope) }
        case .putItem(let item):
            try await connection.run(
                """
                INSERT INTO items (kind, key, scope, sealed, expires_at, updated_at)
                VALUES (\(item.kind), \(item.key), \(item.scope), \(ByteBuffer(bytes: item.sealed)),
                    \(item.expiresAt.map(ms)), \(ms(item.updatedAt)))
                ON CONFLICT (kind, key) DO UPDATE SET
                    scope = EXCLUDED.scope, sealed = EXCLUDED.sealed, expires_at = EXCLUDED.expires_at,
                    updated_at = EXCLUDED.updated_at
                """,
                logger: quiet)
        case .deleteItem(let kind, let key):
            try await connection.run("DELETE FROM items WHERE kind = \(kind) AND key = \(key)", logger: quiet)
        case .deleteScope(let scope):
            try await connection.run("DELETE FROM items WHERE scope = \(scope)", logger: quiet)
            try await connection.run(
                "DELETE FROM records WHERE scope_id = (SELECT id FROM scopes WHERE name = \(scope))", logger: quiet)
            try await connection.run("DELETE FROM scopes WHERE name = \(scope)", logger: quiet)
        case .putRecords(let scope, let records):
            try await putRecords(scope: scope, records: records, on: connection)
        case .appendAudit(let row):
            try await connection.run(
                """
                INSERT INTO audit (at, scope, event, details)
                VALUES (\(ms(row.at)), \(row.scope), \(row.event), \(ByteBuffer(bytes: row.details)))
                """,
                logger: quiet)
        case .recordJTI(let issuer, let jti, let expiresAt, let now, let capacity):
            // One issuer's check and insert run one at a time across instances.
            try await connection.run(
                "SELECT pg_advisory_xact_lock(hashtextextended(\("cdrkit replay " + issuer), 0))", logger: quiet)
            try await connection.run(
                "DELETE FROM replay WHERE issuer = \(issuer) AND expires_at <= \(ms(now))", logger: quiet)
            let rows = try await connection.checkedQuery(
                """
                SELECT EXISTS (SELECT 1 FROM replay WHERE issuer = \(issuer) AND jti = \(jti)),
                    (SELECT COUNT(*) FROM replay WHERE issuer = \(issuer))
                """,
                logger: quiet)
            var present = false
            var total: Int64 = 0
            for try await (exists, count) in rows.decode((Bool, Int64).self) {
                present = exists
                total = count
            }
            if present { throw StoreError(.conflict, reason: "the jti was already recorded for this issuer") }
            guard total < capacity else {
                throw StoreError(.capacityReached, reason: "the issuer has \(capacity) unexpired jti entries")
            }
            if expiresAt > now {
                try await connection.run(
                    "INSERT INTO replay (issuer, jti, expires_at) VALUES (\(issuer), \(jti), \(ms(expiresAt)))",
                    logger: quiet)
            }
        case .purgeExpired(let now):
            try await connection.run(
                "DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at <= \(ms(now))", logger: quiet)
            try await connection.run("DELETE FROM replay WHERE expires_at <= \(ms(now))", logger: quiet)
        }
    }

    /// Upserts records with `INSERT … SELECT FROM unnest(keys, values) … ON CONFLICT DO UPDATE`; a record already in
    /// the scope keeps its sequence number. A key given twice in one call is kept once, at its first place, with its
    /// last value (PostgreSQL refuses to update one row twice in a statement).
    private static func putRecords(scope: String, records: [SealedRecord], on connection: PostgresConnection)
        async throws
    {
        guard !records.isEmpty else { return }
        let scopeID = try await scopeID(scope, on: connection)
        var keys: [ByteBuffer] = []
        var values: [ByteBuffer] = []
        keys.reserveCapacity(min(records.count, recordsPerStatement))
        values.reserveCapacity(min(records.count, recordsPerStatement))
        var start = records.startIndex
        while start < records.endIndex {
            let end = min(start + recordsPerStatement, records.endIndex)
            keys.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            var positions: [String: Int] = [:]
            for record in records[start..<end] {
                if let position = positions[record.recordKey] {
                    values[position] = ByteBuffer(bytes: record.sealed)
                    continue
                }
                positions[record.recordKey] = keys.count
                keys.append(RecordKey.encode(record.recordKey))
                values.append(ByteBuffer(bytes: record.sealed))
            }
            try await connection.run(
                """
                INSERT INTO records (scope_id, record_key, sealed)
                SELECT \(scopeID), k, v FROM unnest(\(keys)::bytea[], \(values)::bytea[]) WITH ORDINALITY AS t(k, v, n)
                ORDER BY n
                ON CONFLICT (scope_id, record_key) DO UPDATE SET sealed = EXCLUDED.sealed
                """,
                logger: quiet)
            start = end
        }
    }

    /// The number of a scope in `scopes`, made when the scope has none (by whichever instance comes first).
    private static func scopeID(_ scope: String, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.checkedQuery(
            """
            INSERT INTO scopes (name) VALUES (\(scope))
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id
            """,
            logger: quiet)
        var id: Int64?
        for try await value in rows.decode(Int64.self) { id = value }
        guard let id else {
            throw StoreError(.backendFailure, reason: "the PostgreSQL store gave no number for a scope")
        }
        return id
    }

    // MARK: Connections

    /// Runs `body` in a transaction on a pooled connection; a serialization failure or a deadlock rolls it back
    /// and runs it again, up to ``Configuration/transactionRetries`` times.
    private func transaction<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try checkOpen()
        var attempt = 0
        while true {
            do {
                return try await withUnavailableTimeout {
                    try await self.client.withConnection { connection in
                        try await connection.inTransaction { try await body(connection) }
                    }
                }
            } catch let error as PSQLError where Self.isRetryable(error) && attempt < configuration.transactionRetries {
                attempt += 1
                logger.debug(
                    "A PostgreSQL transaction is tried again",
                    metadata: ["cdr.operation": .string(operation), "cdr.attempt": .stringConvertible(attempt)])
                try? await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 << min(attempt, 5)))))
            } catch {
                throw storeError(error, operation: operation)
            }
        }
    }

    /// Runs `body` on a pooled connection, outside a transaction.
    private func read<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try checkOpen()
        do {
            return try await withUnavailableTimeout { try await self.client.withConnection(body) }
        } catch {
            throw storeError(error, operation: operation)
        }
    }

    /// Runs `body`, failing with `.unavailable` when it has not ended within ``Configuration/unavailableTimeout``
    /// while the pool still has no connection (the database cannot be reached): the pool itself would wait for a
    /// minute before giving up.
    private func withUnavailableTimeout<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws
        -> T
    {
        let limit = configuration.unavailableTimeout
        return try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask {
                do {
                    try await Task.sleep(for: limit)
                } catch {
                    return .timerCancelled
                }
                return .timedOut
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .finished(let value):
                    group.cancelAll()
                    return value
                case .timerCancelled:
                    // The caller was cancelled: the call itself decides how it ends.
                    continue
                case .timedOut:
                    // Only a call still waiting for its first result counts as unreachable; a long write goes on.
                    if await Self.reachable(self.url) { continue }
                    group.cancelAll()
                    throw StoreError(
                        .unavailable,
                        reason: "the PostgreSQL store at \(url) could not be reached within \(limit)")
                }
            }
            throw StoreError(.backendFailure, reason: "the PostgreSQL store's call ended without a result")
        }
    }

    private enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case timedOut
        case timerCancelled
    }

    private struct LockedWorkFailure: Error {
        let error: any Error
    }

    /// Whether the server accepts a new connection (made apart from the pools, whose connections may all be busy).
    private static func reachable(_ url: PostgresURL) async -> Bool {
        guard let configuration = try? connectionConfiguration(url: url),
            let connection = try? await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet)
        else { return false }
        _ = try? await connection.close()
        return true
    }

    private func checkOpen() throws {
        if closed.withLock({ $0 }) {
            throw StoreError(.closed, reason: "the PostgreSQL store at \(url) was closed")
        }
    }

    // MARK: Schema

    /// Checks the version, then migrates in one transaction under an advisory lock, so instances that start
    /// together migrate once; the version is read again under the lock.
    private static func migrate(_ connection: PostgresConnection, url: PostgresURL, logger: Logger) async throws {
        try await connection.inTransaction {
            try await connection.run("SELECT pg_advisory_xact_lock(\(Schema.migrationLock))", logger: quiet)
            try await connection.run(
                "CREATE TABLE IF NOT EXISTS cdrkit_schema (version integer PRIMARY KEY, applied_at bigint NOT NULL)",
                logger: quiet)
            let rows = try await connection.checkedQuery(
                "SELECT COALESCE(MAX(version), 0) FROM cdrkit_schema", logger: quiet)
            var version = 0
            for try await value in rows.decode(Int32.self) { version = Int(value) }
            guard version <= schemaVersion else {
                throw StoreError(
                    .newerSchema,
                    reason: "the PostgreSQL store at \(url) has schema version \(version); this CDRKit reads up to "
                        + "\(schemaVersion)")
            }
            if version < schemaVersion {
                for target in (version + 1)...schemaVersion {
                    for statement in Schema.migrations[target - 1] {
                        try await connection.run(PostgresQuery(unsafeSQL: statement), logger: quiet)
                    }
                    try await connection.run(
                        "INSERT INTO cdrkit_schema (version, applied_at) VALUES (\(Int32(target)), \(ms(Date())))",
                        logger: quiet)
                    logger.debug(
                        "Migrated the PostgreSQL store",
                        metadata: [
                            "cdr.store_url": .string(url.description), "cdr.schema_version": .stringConvertible(target),
                        ])
                }
            }
        }
    }

    // MARK: Configuration

    private static func tls(url: PostgresURL) throws -> PostgresClient.Configuration.TLS {
        switch url.tlsMode {
        case .disable: return .disable
        case .prefer: return .prefer(try tlsConfiguration(url: url))
        default: return .require(try tlsConfiguration(url: url))
        }
    }

    private static func clientConfiguration(url: PostgresURL) throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: try tls(url: url))
        configuration.options.connectTimeout = url.connectTimeout
        configuration.options.tlsServerName = serverName(url)
        configuration.options.additionalStartupParameters = startupParameters(url)
        return configuration
    }

    static func connectionConfiguration(url: PostgresURL) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch url.tlsMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: try tlsConfiguration(url: url)))
        default: tls = .require(try NIOSSLContext(configuration: try tlsConfiguration(url: url)))
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: tls)
        configuration.options.connectTimeout = TimeAmount.seconds(url.connectTimeout.components.seconds)
        configuration.options.tlsServerName = serverName(url)
        configuration.options.additionalStartupParameters = startupParameters(url)
        return configuration
    }

    private static func tlsConfiguration(url: PostgresURL) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let path = url.rootCertificatePath {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw StoreError(.connectionRejected, reason: "the sslrootcert file \(path) cannot be read")
            }
            tls.trustRoots = .file(path)
        }
        switch url.tlsMode {
        case .disable, .prefer: tls.certificateVerification = .none
        case .require: tls.certificateVerification = url.rootCertificatePath == nil ? .none : .noHostnameVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        return tls
    }

    /// The name sent in TLS's SNI and checked against the certificate: the host, unless it is an IP address (SNI
    /// takes no address; the certificate is then checked against the address connected to).
    private static func serverName(_ url: PostgresURL) -> String? {
        let isAddress = url.host.contains(":") || url.host.split(separator: ".").allSatisfy { UInt8($0) != nil }
        return isAddress ? nil : url.host
    }

    private static func startupParameters(_ url: PostgresURL) -> [(String, String)] {
        // Every connection's session: UTC (no time is kept as a PostgreSQL time, but logs and defaults stay plain).
        var parameters = [("TimeZone", "UTC")]
        if let name = url.applicationName { parameters.append(("application_name", name)) }
        return parameters
    }

    // MARK: Values and errors

    static let quiet = Logger(label: "cdrkit.postgres.silent", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Whole milliseconds since 1970, rounded to the nearest.
    private static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    private static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    private static func dataKeys(_ rows: PostgresRowSequence) async throws -> [WrappedDataKey] {
        var result: [WrappedDataKey] = []
        for try await (scope, kek, wrapped, created) in rows.decode((String, String, ByteBuffer, Int64).self) {
            result.append(
                WrappedDataKey(
                    scope: scope, keyEncryptionKeyID: kek, wrapped: Array(wrapped.readableBytesView),
                    createdAt: date(created)))
        }
        return result
    }

    private static func items(_ rows: PostgresRowSequence) async throws -> [StoreItem] {
        var result: [StoreItem] = []
        for try await (kind, key, scope, sealed, expires, updated) in rows.decode(
            (String, String, String, ByteBuffer, Int64?, Int64).self)
        {
            result.append(
                StoreItem(
                    kind: kind, key: key, scope: scope, sealed: Array(sealed.readableBytesView),
                    expiresAt: expires.map(date), updatedAt: date(updated)))
        }
        return result
    }

    private static func isRetryable(_ error: PSQLError) -> Bool {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    private func storeError(_ error: any Error, operation: String) -> StoreError {
        if closed.withLock({ $0 }), !(error is StoreError) {
            return StoreError(.closed, reason: "the PostgreSQL store at \(url) was closed (\(operation))")
        }
        return Self.storeError(error, url: url, operation: operation)
    }

    /// Maps a failure to a ``/CDRStore/StoreError`` whose reason names the database (without its password), the
    /// operation and the server's SQLSTATE, never a value.
    static func storeError(_ error: any Error, url: PostgresURL, operation: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is CancellationError {
            return StoreError(.unavailable, reason: "\(operation) on the PostgreSQL store at \(url) was cancelled")
        }
        if let error = error as? PSQLError {
            return storeError(error, url: url, operation: operation)
        }
        let name = String(describing: type(of: error))
        if name.contains("ConnectionPoolError") {
            return StoreError(.unavailable, reason: "the PostgreSQL store at \(url) cannot be reached (\(operation))")
        }
        return StoreError(
            .backendFailure, reason: "\(operation) failed on the PostgreSQL store at \(url): \(name)")
    }

    private static func storeError(_ error: PSQLError, url: PostgresURL, operation: String) -> StoreError {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? "?"
            // A data exception's message (class 22) can quote the value it refused: it is left out.
            let message = state.hasPrefix("22") ? "" : error.serverInfo?[.message] ?? ""
            let code: StoreError.Code
            switch state {
            case "23505", "23P01", "40001", "40P01", "55P03": code = .conflict
            case "53100": code = .storageFull
            case "28000", "28P01", "42501": code = .connectionRejected
            case "57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006", "3D000":
                code = .unavailable
            default: code = state.hasPrefix("58") ? .ioFailure : .backendFailure
            }
            return StoreError(
                code,
                reason: "\(operation) failed on the PostgreSQL store at \(url): SQLSTATE \(state) \(message)")
        case .sslUnsupported:
            return StoreError(
                .connectionRejected,
                reason: "the PostgreSQL server at \(url) does not offer TLS, which sslmode \(url.tlsMode.rawValue) "
                    + "requires")
        case .failedToAddSSLHandler:
            return StoreError(.connectionRejected, reason: "TLS could not be set up for the PostgreSQL store at \(url)")
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError:
            return StoreError(
                .connectionRejected, reason: "the PostgreSQL server at \(url) refused the authentication")
        case .connectionError:
            if let underlying = error.underlying, String(reflecting: type(of: underlying)).contains("NIOSSL") {
                return StoreError(
                    .connectionRejected,
                    reason: "the TLS handshake with the PostgreSQL server at \(url) failed (\(operation)): "
                        + "\(type(of: underlying))")
            }
            return StoreError(.unavailable, reason: "the PostgreSQL store at \(url) cannot be reached (\(operation))")
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed, .queryCancelled:
            return StoreError(
                .unavailable, reason: "the connection to the PostgreSQL store at \(url) was lost (\(operation))")
        default:
            return StoreError(
                .backendFailure, reason: "\(operation) failed on the PostgreSQL store at \(url): \(error.code)")
        }
    }
}

// MARK: - Record keys

/// How a record key is kept in the `bytea` column: 32 lower-case hexadecimal digits (the keyed row names
/// `RecipientStore` makes) as their 16 bytes; any other key as its UTF-8 after a tag byte, `0x00`, or `0x01` with a
/// `0x00` after it where the result would otherwise be 16 bytes long, so no other key ever reads as 16 bytes.
enum RecordKey {
    static func encode(_ key: String) -> ByteBuffer {
        if let bytes = rowNameBytes(key) { return ByteBuffer(bytes: bytes) }
        var buffer = ByteBuffer()
        let text = Array(key.utf8)
        if text.count + 1 == 16 {
            buffer.writeInteger(UInt8(1))
            buffer.writeBytes(text)
            buffer.writeInteger(UInt8(0))
        } else {
            buffer.writeInteger(UInt8(0))
            buffer.writeBytes(text)
        }
        return buffer
    }

    static func decode(_ buffer: ByteBuffer) throws -> String {
        let bytes = buffer.readableBytesView
        if bytes.count == 16 { return hex(bytes) }
        guard let tag = bytes.first else {
            throw StoreError(.backendFailure, reason: "the PostgreSQL store returned an empty record key")
        }
        switch tag {
        case 0: return String(decoding: bytes.dropFirst(), as: UTF8.self)
        case 1 where bytes.count == 17: return String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self)
        default: throw StoreError(.backendFailure, reason: "the PostgreSQL store returned a malformed record key")
        }
    }
}

// MARK: - Schema

/// The schema's migrations: `migrations[n - 1]` takes a database from version `n - 1` to `n`. Never edit a shipped
/// one; add the next.
enum Schema {
    /// The advisory lock key of migrations (`cdrkit` in ASCII).
    static let migrationLock: Int64 = 0x6364_726B_6974

    static let migrations: [[String]] = [
        [
            "CREATE TABLE metadata (name text PRIMARY KEY, value bytea NOT NULL)",
            """
            CREATE TABLE data_keys (
                scope text PRIMARY KEY, kek_id text NOT NULL, wrapped bytea NOT NULL, created_at bigint NOT NULL
            )
            """,
            """
            CREATE TABLE items (
                kind text NOT NULL, key text NOT NULL, scope text NOT NULL, sealed bytea NOT NULL,
                expires_at bigint, updated_at bigint NOT NULL, PRIMARY KEY (kind, key)
            )
            """,
            "CREATE INDEX items_scope ON items (scope)",
            "CREATE INDEX items_expires_at ON items (expires_at) WHERE expires_at IS NOT NULL",
            "CREATE TABLE scopes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE)",
            """
            CREATE TABLE records (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, scope_id bigint NOT NULL,
                record_key bytea NOT NULL, sealed bytea NOT NULL, UNIQUE (scope_id, record_key)
            )
            """,
            "CREATE INDEX records_scope_sequence ON records (scope_id, sequence)",
            """
            CREATE TABLE audit (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at bigint NOT NULL, scope text,
                event text NOT NULL, details bytea NOT NULL
            )
            """,
            "CREATE INDEX audit_scope ON audit (scope, sequence)",
            """
            CREATE TABLE replay (
                issuer text NOT NULL, jti text NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (issuer, jti)
            )
            """,
        ]
    ]
}

// MARK: - Administration (tests and tools in this package)

extension PostgresStoreBackend {
    /// Runs one statement on a connection of its own to the URL's database (the maintenance work of tests and
    /// tools: making and dropping scratch databases, closing a database to connections).
    package static func administer(_ sql: String, on url: PostgresURL) async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try connectionConfiguration(url: url), id: 0, logger: quiet)
        } catch {
            throw storeError(error, url: url, operation: "connecting")
        }
        do {
            try await connection.run(PostgresQuery(unsafeSQL: sql), logger: quiet)
            _ = try? await connection.close()
        } catch {
            _ = try? await connection.close()
            throw storeError(error, url: url, operation: "administering")
        }
    }

    /// The rows of one query of text columns, on a connection of its own (for tests that look at the server's own
    /// views, such as `pg_stat_ssl`).
    package static func administrativeRows(_ sql: String, on url: PostgresURL) async throws -> [[String?]] {
        let connection = try await PostgresConnection.connect(
            configuration: try connectionConfiguration(url: url), id: 0, logger: quiet)
        do {
            let rows = try await connection.checkedQuery(PostgresQuery(unsafeSQL: sql), logger: quiet)
            var result: [[String?]] = []
            for try await row in rows {
                var values: [String?] = []
                for cell in row { values.append(try cell.decode(String?.self)) }
                result.append(values)
            }
            _ = try? await connection.close()
            return result
        } catch {
            _ = try? await connection.close()
            throw storeError(error, url: url, operation: "administering")
        }
    }
}

/// One connection of its own, for tests that play another session step by step (hold a row lock, then ask for
/// another).
package final class PostgresAdministrativeSession: Sendable {
    private let connection: PostgresConnection
    private let url: PostgresURL

    private init(connection: PostgresConnection, url: PostgresURL) {
        self.connection = connection
        self.url = url
    }

    /// Connects to the URL's database.
    package static func open(url: PostgresURL) async throws -> PostgresAdministrativeSession {
        let connection = try await PostgresConnection.connect(
            configuration: try PostgresStoreBackend.connectionConfiguration(url: url), id: 0,
            logger: PostgresStoreBackend.quiet)
        return PostgresAdministrativeSession(connection: connection, url: url)
    }

    /// Runs one statement.
    package func execute(_ sql: String) async throws {
        do {
            try await connection.run(PostgresQuery(unsafeSQL: sql), logger: PostgresStoreBackend.quiet)
        } catch {
            throw PostgresStoreBackend.storeError(error, url: url, operation: "administering")
        }
    }

    /// Closes the connection.
    package func close() async throws { try await connection.close() }
}

extension PostgresConnection {
    /// Runs one statement and reads its whole result, so it has finished (and any error has arrived) on return:
    /// `query` returns as soon as the first response comes, and a lock still being waited for would go unnoticed.
    fileprivate func run(_ query: PostgresQuery, logger: Logger) async throws {
        let rows = try await checkedQuery(query, logger: logger)
        for try await _ in rows {}
    }

    /// Runs `body` between `BEGIN` and `COMMIT`; any error rolls the transaction back and is thrown.
    fileprivate func inTransaction<T>(_ body: () async throws -> T) async throws -> T {
        try await run("BEGIN", logger: PostgresStoreBackend.quiet)
        do {
            let result = try await body()
            try await run("COMMIT", logger: PostgresStoreBackend.quiet)
            return result
        } catch {
            _ = try? await run("ROLLBACK", logger: PostgresStoreBackend.quiet)
            throw error
        }
    }

    /// `query`, refused at once on a connection that is already closed: postgres-nio 1.33 writes a query to a closed
    /// channel without ever failing it, so a `COMMIT` sent after the server ended the session (an administrator, a
    /// restart) would wait forever.
    fileprivate func checkedQuery(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        guard !isClosed else {
            throw StoreError(.unavailable, reason: "the connection to the PostgreSQL server was lost")
        }
        return try await self.query(query, logger: logger)
    }
}
