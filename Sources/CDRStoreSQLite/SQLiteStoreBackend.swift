public import CDRModels
public import CDRStore
import Foundation
public import Logging
import NIOCore
import SQLiteNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A ``/CDRStore/StoreBackend`` in one SQLite file: the embedded default backend.
///
/// The file is in write-ahead-log mode, so reads run on their own connections while a write is in progress. Writes
/// go through one writer connection, one transaction at a time; two backends (or two processes) on the same file
/// take turns through SQLite's own locks, waiting up to ``Configuration/busyTimeout``.
///
/// The file is created with mode 0600 (SQLite gives its `-wal` and `-shm` files the same mode). Its schema is
/// versioned in `PRAGMA user_version` and migrated on open, in one transaction; a file written by a newer CDRKit is
/// refused and left as it is. Times are kept as whole milliseconds since 1970.
///
/// ```swift
/// let backend = try await SQLiteStoreBackend.open(path: "/var/lib/recipient/store.sqlite")
/// defer { Task { try await backend.close() } }
/// ```
public final class SQLiteStoreBackend: StoreBackend {
    /// The schema version this backend writes (and the highest it opens).
    public static let schemaVersion = 2

    /// How the backend uses its file.
    public struct Configuration: Sendable, Hashable {
        /// How hard SQLite works to make a commit survive a power loss (`PRAGMA synchronous`).
        public enum Synchronous: String, Sendable, Hashable, CaseIterable {
            /// A commit may be lost on power loss (never on a crash of the process); the file stays consistent.
            case normal = "NORMAL"
            /// A commit is on disk when it returns.
            case full = "FULL"
            /// As ``full``, and the directory is synced too.
            case extra = "EXTRA"
        }

        /// How hard SQLite works to make a commit durable; ``Synchronous/full`` by default.
        ///
        /// In write-ahead-log mode ``Synchronous/full`` syncs the log at every commit, so a call that returned (a
        /// rotated refresh token, a deletion and its evidence) survives a power loss. ``Synchronous/normal`` syncs only
        /// at checkpoints: the file stays consistent, but the last commits before a power loss may be lost, which a
        /// store of records that can be collected again may accept.
        public var synchronous: Synchronous
        /// How many connections serve the read methods (at least one); 2 by default.
        public var readerCount: Int
        /// How long a call waits for another connection's lock (another backend or process on the same file)
        /// before failing; 5 seconds by default.
        public var busyTimeout: Duration
        /// The most pages the file may grow to (`PRAGMA max_page_count`), or `nil` for SQLite's own limit. A
        /// write that needs more fails with ``/CDRStore/StoreError/Code/storageFull``, as on a full disk.
        public var maximumPageCount: Int?

        /// Creates a configuration.
        /// - Parameters:
        ///   - synchronous: How hard SQLite works to make a commit durable.
        ///   - readerCount: How many connections serve the read methods (at least one is opened).
        ///   - busyTimeout: How long a call waits for another connection's lock.
        ///   - maximumPageCount: The most pages the file may grow to, or `nil`.
        public init(
            synchronous: Synchronous = .full,
            readerCount: Int = 2,
            busyTimeout: Duration = .seconds(5),
            maximumPageCount: Int? = nil
        ) {
            self.synchronous = synchronous
            self.readerCount = readerCount
            self.busyTimeout = busyTimeout
            self.maximumPageCount = maximumPageCount
        }
    }

    /// The path of the database file.
    public let path: String
    private let writer: ConnectionPool
    private let readers: ConnectionPool
    private let logger: Logger
    private let locks = NamedLocks()

    /// Rows per multi-row `INSERT` of records (two bound values each plus the scope, far below SQLite's limit).
    private static let recordsPerStatement = 1000

    /// The writer connection's page cache, in KiB (`PRAGMA cache_size`); readers keep SQLite's default.
    static let writerCacheKiB = 16_384

    /// WAL pages after which a commit checkpoints (`PRAGMA wal_autocheckpoint`).
    static let walAutocheckpointPages = 50_000

    private init(path: String, writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.path = path
        self.writer = ConnectionPool(path: path, connections: [writer])
        self.readers = ConnectionPool(path: path, connections: readers)
        self.logger = logger
    }

    /// Opens (creating it when missing) the store file at a path and migrates it to ``schemaVersion``.
    ///
    /// - Parameters:
    ///   - path: The database file. A new file is created with mode 0600, and its folder (mode 0700) when missing.
    ///   - configuration: How the backend uses the file.
    ///   - logger: Where the backend logs (paths and schema versions only); silent by default.
    /// - Returns: The open backend; call ``close()`` when done.
    /// - Throws: ``/CDRStore/StoreError``: `.newerSchema` when the file was written by a newer CDRKit (the file is
    ///   left untouched), `.corruptDatabase` when the file is not an SQLite database or is malformed, `.ioFailure`
    ///   when the file cannot be created, opened, read or written, `.backendFailure` otherwise.
    public static func open(
        path: String,
        configuration: Configuration = .init(),
        logger: Logger = .cdrDisabled
    ) async throws -> SQLiteStoreBackend {
        try createStoreFileIfMissing(path)
        let writer = try await connect(path: path, configuration: configuration, logger: logger)
        do {
            try await prepareWriter(writer, path: path, configuration: configuration, logger: logger)
        } catch {
            try? await writer.close()
            throw storeError(error, path: path, operation: "opening")
        }
        var readers: [SQLiteConnection] = []
        do {
            for _ in 0..<max(1, configuration.readerCount) {
                let reader = try await connect(path: path, configuration: configuration, logger: logger)
                readers.append(reader)
                _ = try await reader.query("PRAGMA query_only = ON")
            }
        } catch {
            for reader in readers { try? await reader.close() }
            try? await writer.close()
            throw storeError(error, path: path, operation: "opening a reader")
        }
        logger.debug("Opened the SQLite store", metadata: ["cdr.store_path": .string(path)])
        return SQLiteStoreBackend(path: path, writer: writer, readers: readers, logger: logger)
    }

    // MARK: StoreBackend

    /// Makes every change, in order, in one `BEGIN IMMEDIATE` transaction on the writer connection.
    /// - Parameter changes: The changes.
    /// - Throws: ``/CDRStore/StoreError``: `.conflict` for a replayed `jti`, `.capacityReached` for a full issuer
    ///   share, `.storageFull` when the disk or ``Configuration/maximumPageCount`` is reached, `.ioFailure`,
    ///   `.closed`; nothing of the call is kept then.
    public func apply(_ changes: [StoreChange]) async throws {
        try await writeTransaction("applying changes") { connection in
            for change in changes { try await Self.apply(change, on: connection) }
        }
    }

    public func metadata(_ name: String) async throws -> [UInt8]? {
        try await read("reading metadata") { connection in
            let rows = try await connection.query("SELECT value FROM metadata WHERE name = ?", [.text(name)])
            return try rows.first.map { try Row($0).bytes("value") }
        }
    }

    public func dataKey(scope: String) async throws -> WrappedDataKey? {
        try await read("reading a data key") { connection in
            let rows = try await connection.query(
                "SELECT scope, kek_id, wrapped, created_at FROM data_keys WHERE scope = ?",
                [.text(scope)]
            )
            return try rows.first.map { try Row($0).dataKey() }
        }
    }

    public func dataKeys() async throws -> [WrappedDataKey] {
        try await read("reading the data keys") { connection in
            let rows = try await connection.query(
                "SELECT scope, kek_id, wrapped, created_at FROM data_keys ORDER BY scope"
            )
            return try rows.map { try Row($0).dataKey() }
        }
    }

    public func item(kind: String, key: String) async throws -> StoreItem? {
        try await read("reading an item") { connection in
            let rows = try await connection.query(
                "SELECT kind, key, scope, sealed, expires_at, updated_at FROM items WHERE kind = ? AND key = ?",
                [.text(kind), .text(key)]
            )
            return try rows.first.map { try Row($0).item() }
        }
    }

    public func items(kind: String) async throws -> [StoreItem] {
        try await read("reading items") { connection in
            let rows = try await connection.query(
                "SELECT kind, key, scope, sealed, expires_at, updated_at FROM items WHERE kind = ? ORDER BY key",
                [.text(kind)]
            )
            return try rows.map { try Row($0).item() }
        }
    }

    /// Removes and returns one item with one `DELETE … RETURNING` statement on the writer connection, so of any
    /// number of callers (in this process or another on the same file) exactly one gets it.
    /// - Parameters:
    ///   - kind: The item's kind.
    ///   - key: Its key.
    /// - Returns: The item, or `nil` when there is none.
    /// - Throws: ``/CDRStore/StoreError`` (`.closed`, `.ioFailure`, …).
    public func takeItem(kind: String, key: String) async throws -> StoreItem? {
        try await withWriter("taking an item") { connection in
            let rows = try await connection.query(
                """
                DELETE FROM items WHERE kind = ? AND key = ?
                RETURNING kind, key, scope, sealed, expires_at, updated_at
                """,
                [.text(kind), .text(key)]
            )
            return try rows.first.map { try Row($0).item() }
        }
    }

    public func records(scope: String, after sequence: Int64, limit: Int) async throws -> [SealedRecord] {
        try await read("reading records") { connection in
            let rows = try await connection.query(
                """
                SELECT sequence, record_key, sealed FROM records
                WHERE scope_id = (SELECT id FROM scopes WHERE name = ?) AND sequence > ? ORDER BY sequence LIMIT ?
                """,
                [.text(scope), .integer(SQLiteInt64(sequence)), .integer(SQLiteInt64(max(0, limit)))]
            )
            return try rows.map { row in
                let row = Row(row)
                return SealedRecord(
                    sequence: try row.integer("sequence"),
                    recordKey: try row.recordKey(),
                    sealed: try row.bytes("sealed")
                )
            }
        }
    }

    public func recordCount(scope: String) async throws -> Int {
        try await read("counting records") { connection in
            let rows = try await connection.query(
                "SELECT COUNT(*) AS count FROM records WHERE scope_id = (SELECT id FROM scopes WHERE name = ?)",
                [.text(scope)]
            )
            return Int(try rows.first.map { try Row($0).integer("count") } ?? 0)
        }
    }

    public func auditEntries(scope: String?, after sequence: Int64, limit: Int) async throws -> [AuditRow] {
        try await read("reading the audit trail") { connection in
            let rows = try await connection.query(
                """
                SELECT sequence, at, scope, event, details FROM audit
                WHERE sequence > ?1 AND (?2 IS NULL OR scope = ?2) ORDER BY sequence LIMIT ?3
                """,
                [
                    .integer(SQLiteInt64(sequence)), scope.map { .text($0) } ?? .null,
                    .integer(SQLiteInt64(max(0, limit))),
                ]
            )
            return try rows.map { row in
                let row = Row(row)
                return AuditRow(
                    sequence: try row.integer("sequence"),
                    at: try row.date("at"),
                    scope: try row.optionalText("scope"),
                    event: try row.text("event"),
                    details: try row.bytes("details")
                )
            }
        }
    }

    public func scopesWithoutKey() async throws -> [String] {
        try await read("finding scopes without a key") { connection in
            let rows = try await connection.query(
                """
                SELECT scope FROM (
                    SELECT scope FROM items
                    UNION SELECT name AS scope FROM scopes
                    WHERE EXISTS (SELECT 1 FROM records WHERE records.scope_id = scopes.id)
                )
                WHERE scope NOT IN (SELECT scope FROM data_keys) ORDER BY scope
                """
            )
            return try rows.map { try Row($0).text("scope") }
        }
    }

    /// Runs `body` holding the lock `name` of this backend: within the process (instances on one SQLite file in
    /// several processes each refresh under their own lock).
    public func withExclusiveLock<T: Sendable>(_ name: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await locks.withLock(name, body)
    }

    /// Closes every connection, after the calls in progress end; later calls throw `.closed`. Closing again does
    /// nothing.
    public func close() async throws {
        await writer.close()
        await readers.close()
        logger.debug("Closed the SQLite store", metadata: ["cdr.store_path": .string(path)])
    }

    // MARK: Changes

    private static func apply(_ change: StoreChange, on connection: SQLiteConnection) async throws {
        switch change {
        case .setMetadata(let name, let value):
            try await connection.run(
                """
                INSERT INTO metadata (name, value) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """,
                [.text(name), .bytes(value)]
            )
        case .putDataKey(let key):
            // A scope that already has a key keeps it: a concurrent writer made it first.
            try await connection.run(
                """
                INSERT INTO data_keys (scope, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (scope) DO NOTHING
                """,
                [.text(key.scope), .text(key.keyEncryptionKeyID), .bytes(key.wrapped), .date(key.createdAt)]
            )
        case .rewrapDataKey(let key):
            try await connection.run(
                "UPDATE data_keys SET kek_id = ?, wrapped = ?, created_at = ? WHERE scope = ?",
                [.text(key.keyEncryptionKeyID), .bytes(key.wrapped), .date(key.createdAt), .text(key.scope)]
            )
        case .deleteDataKey(let scope):
            try await connection.run("DELETE FROM data_keys WHERE scope = ?", [.text(scope)])
        case .requireDataKey(let scope):
            let rows = try await connection.query(
                "SELECT 1 AS present FROM data_keys WHERE scope = ?", [.text(scope)])
            guard !rows.isEmpty else { throw StoreError.noDataKey(scope) }
        case .putItem(let item):
            try await connection.run(
                """
                INSERT INTO items (kind, key, scope, sealed, expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (kind, key) DO UPDATE SET
                    scope = excluded.scope, sealed = excluded.sealed, expires_at = excluded.expires_at,
                    updated_at = excluded.updated_at
                """,
                [
                    .text(item.kind), .text(item.key), .text(item.scope), .bytes(item.sealed),
                    item.expiresAt.map { .date($0) } ?? .null, .date(item.updatedAt),
                ]
            )
        case .deleteItem(let kind, let key):
            try await connection.run("DELETE FROM items WHERE kind = ? AND key = ?", [.text(kind), .text(key)])
        case .deleteScope(let scope):
            try await connection.run("DELETE FROM items WHERE scope = ?", [.text(scope)])
            try await connection.run(
                "DELETE FROM records WHERE scope_id = (SELECT id FROM scopes WHERE name = ?)", [.text(scope)])
            try await connection.run("DELETE FROM scopes WHERE name = ?", [.text(scope)])
        case .putRecords(let scope, let records):
            try await putRecords(scope: scope, records: records, on: connection)
        case .appendAudit(let row):
            try await connection.run(
                "INSERT INTO audit (at, scope, event, details) VALUES (?, ?, ?, ?)",
                [.date(row.at), row.scope.map { .text($0) } ?? .null, .text(row.event), .bytes(row.details)]
            )
        case .recordJTI(let issuer, let jti, let expiresAt, let now, let capacity):
            try await connection.run(
                "DELETE FROM replay WHERE issuer = ? AND expires_at <= ?",
                [.text(issuer), .date(now)]
            )
            let rows = try await connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM replay WHERE issuer = ?1 AND jti = ?2) AS present,
                    (SELECT COUNT(*) FROM replay WHERE issuer = ?1) AS total
                """,
                [.text(issuer), .text(jti)]
            )
            guard let row = rows.first.map(Row.init) else {
                throw StoreError(.backendFailure, reason: "the replay check of the SQLite store returned no row")
            }
            if try row.integer("present") != 0 {
                throw StoreError(.conflict, reason: "the jti was already recorded for this issuer")
            }
            guard try row.integer("total") < capacity else {
                throw StoreError(.capacityReached, reason: "the issuer has \(capacity) unexpired jti entries")
            }
            if expiresAt > now {
                try await connection.run(
                    "INSERT INTO replay (issuer, jti, expires_at) VALUES (?, ?, ?)",
                    [.text(issuer), .text(jti), .date(expiresAt)]
                )
            }
        case .purgeExpired(let now):
            try await connection.run(
                "DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at <= ?",
                [.date(now)]
            )
            try await connection.run("DELETE FROM replay WHERE expires_at <= ?", [.date(now)])
        }
    }

    /// Upserts records in multi-row statements; a record already in the scope keeps its sequence number. The scope's
    /// number (made on its first record) is bound once per statement (`?1`), each row's key and sealed value after it.
    private static func putRecords(scope: String, records: [SealedRecord], on connection: SQLiteConnection)
        async throws
    {
        guard !records.isEmpty else { return }
        let scopeID = try await scopeID(scope, on: connection)
        var start = records.startIndex
        while start < records.endIndex {
            let end = min(start + recordsPerStatement, records.endIndex)
            let chunk = records[start..<end]
            var binds: [SQLiteData] = [.integer(scopeID)]
            binds.reserveCapacity(1 + chunk.count * 2)
            for record in chunk {
                binds.append(.recordKey(record.recordKey))
                binds.append(.bytes(record.sealed))
            }
            try await connection.run(recordInsert(rows: chunk.count), binds)
            start = end
        }
    }

    /// The number of a scope in `scopes`, which is made when the scope has none.
    private static func scopeID(_ scope: String, on connection: SQLiteConnection) async throws -> SQLiteInt64 {
        var rows = try await connection.query("SELECT id FROM scopes WHERE name = ?", [.text(scope)])
        if rows.isEmpty {
            rows = try await connection.query("INSERT INTO scopes (name) VALUES (?) RETURNING id", [.text(scope)])
        }
        guard let row = rows.first else {
            throw StoreError(.backendFailure, reason: "the SQLite store gave no number for a scope")
        }
        return SQLiteInt64(try Row(row).integer("id"))
    }

    /// `INSERT … VALUES (?1, ?2, ?3), (?1, ?4, ?5), … ON CONFLICT … DO UPDATE` for `rows` rows.
    private static func recordInsert(rows: Int) -> String {
        var sql = "INSERT INTO records (scope_id, record_key, sealed) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * 20 + 96)
        for row in 0..<rows {
            if row > 0 { sql += ", " }
            sql += "(?1, ?\(2 + 2 * row), ?\(3 + 2 * row))"
        }
        sql += " ON CONFLICT (scope_id, record_key) DO UPDATE SET sealed = excluded.sealed"
        return sql
    }

    // MARK: Connections

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on the writer; rolls back on any error.
    private func writeTransaction<T>(
        _ operation: String,
        _ body: (SQLiteConnection) async throws -> T
    ) async throws -> T {
        try await withWriter(operation) { connection in
            try await connection.run("BEGIN IMMEDIATE")
            do {
                let result = try await body(connection)
                try await connection.run("COMMIT")
                return result
            } catch {
                // A full disk may already have rolled the transaction back; then ROLLBACK fails and that is fine.
                try? await connection.run("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` on the writer connection, which serves one caller at a time.
    private func withWriter<T>(_ operation: String, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await writer.acquire()
        do {
            let result = try await body(connection)
            await writer.release(connection)
            return result
        } catch {
            await writer.release(connection)
            throw Self.storeError(error, path: path, operation: operation)
        }
    }

    /// Runs `body` on a reader connection.
    private func read<T>(_ operation: String, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await readers.acquire()
        do {
            let result = try await body(connection)
            await readers.release(connection)
            return result
        } catch {
            await readers.release(connection)
            throw Self.storeError(error, path: path, operation: operation)
        }
    }

    private static func connect(
        path: String,
        configuration: Configuration,
        logger: Logger
    ) async throws -> SQLiteConnection {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw storeError(error, path: path, operation: "opening")
        }
        do {
            // Replaces sqlite-nio's busy handler, which waits forever.
            try await connection.run("PRAGMA busy_timeout = \(milliseconds(configuration.busyTimeout))")
            try await connection.run("PRAGMA foreign_keys = ON")
        } catch {
            try? await connection.close()
            throw storeError(error, path: path, operation: "opening")
        }
        return connection
    }

    /// Checks the schema version before anything can write to the file, then sets the writer up and migrates.
    private static func prepareWriter(
        _ connection: SQLiteConnection,
        path: String,
        configuration: Configuration,
        logger: Logger
    ) async throws {
        // Reading the version is the first read of the file: a file of garbage fails here with SQLITE_NOTADB.
        let version = try await userVersion(connection)
        try checkVersion(version, path: path)
        let mode = try await connection.query("PRAGMA journal_mode = WAL")
        guard let first = mode.first, try Row(first).text("journal_mode").lowercased() == "wal" else {
            throw StoreError(.backendFailure, reason: "the SQLite store at \(path) could not use write-ahead logging")
        }
        try await connection.run("PRAGMA synchronous = \(configuration.synchronous.rawValue)")
        // The writer's page cache: record keys are keyed hashes, so a batch inserts at random places in the
        // (scope_id, record_key) index; a cache larger than SQLite's 2 MiB default keeps more of it between commits.
        try await connection.run("PRAGMA cache_size = -\(writerCacheKiB)")
        // Checkpoint every ~200 MiB of log instead of SQLite's ~4 MiB: record keys are keyed hashes, so a batch of
        // records dirties about one index page per record, and the default checkpointed after nearly every batch,
        // copying (and syncing) each index page again for every batch. The log is cut back to 64 MiB after a reset.
        _ = try await connection.query("PRAGMA wal_autocheckpoint = \(walAutocheckpointPages)")
        _ = try await connection.query("PRAGMA journal_size_limit = \(64 * 1024 * 1024)")
        if let pages = configuration.maximumPageCount {
            _ = try await connection.query("PRAGMA max_page_count = \(max(1, pages))")
        }
        try await migrate(connection, path: path, logger: logger)
    }

    private static func migrate(_ connection: SQLiteConnection, path: String, logger: Logger) async throws {
        guard try await userVersion(connection) < schemaVersion else { return }
        try await connection.run("BEGIN IMMEDIATE")
        do {
            // Read again under the write lock: another process may have migrated the file meanwhile.
            let version = try await userVersion(connection)
            try checkVersion(version, path: path)
            if version < schemaVersion {
                for target in (version + 1)...schemaVersion {
                    for statement in Schema.migrations[target - 1] { try await connection.run(statement) }
                    logger.debug(
                        "Migrated the SQLite store",
                        metadata: ["cdr.store_path": .string(path), "cdr.schema_version": .stringConvertible(target)]
                    )
                }
                try await connection.run("PRAGMA user_version = \(schemaVersion)")
            }
            try await connection.run("COMMIT")
        } catch {
            try? await connection.run("ROLLBACK")
            throw error
        }
    }

    private static func userVersion(_ connection: SQLiteConnection) async throws -> Int {
        let rows = try await connection.query("PRAGMA user_version")
        guard let first = rows.first else { return 0 }
        return Int(try Row(first).integer("user_version"))
    }

    private static func checkVersion(_ version: Int, path: String) throws {
        guard version <= schemaVersion else {
            throw StoreError(
                .newerSchema,
                reason:
                    "the SQLite store at \(path) has schema version \(version); this CDRKit reads up to \(schemaVersion)"
            )
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    // MARK: Errors

    /// Maps a failure to a ``/CDRStore/StoreError`` whose reason names the file and the operation, never a value.
    static func storeError(_ error: any Error, path: String, operation: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? SQLiteError else {
            return StoreError(
                .backendFailure,
                reason: "\(operation) failed on the SQLite store at \(path): \(type(of: error))"
            )
        }
        let code = code(for: error.reason)
        let reason =
            switch code {
            case .storageFull: "the SQLite store at \(path) is full (\(operation)); the change was rolled back"
            case .corruptDatabase:
                "the file at \(path) is not an SQLite database or is malformed (\(operation)): \(error.reason)"
            case .ioFailure: "the operating system refused \(operation) on the SQLite store at \(path): \(error.reason)"
            case .conflict: "\(operation) on the SQLite store at \(path) broke a constraint: \(error.reason)"
            default: "\(operation) failed on the SQLite store at \(path): \(error.reason): \(error.message)"
            }
        return StoreError(code, reason: reason)
    }

    private static func code(for reason: SQLiteError.Reason) -> StoreError.Code {
        switch reason {
        case .full:
            return .storageFull
        case .notADatabase, .corrupt, .corruptIndex, .corruptSequenceSchema, .corruptVirtualTable:
            return .corruptDatabase
        case .ioError, .ioErrorFailedRead, .ioErrorIncompleteRead, .ioErrorFailedWrite, .ioErrorFailedSync,
            .ioErrorFailedDirSync, .ioErrorFailedTruncate, .ioErrorFailedStat, .ioErrorFailedUnlock,
            .ioErrorFailedReadLock, .ioErrorFailedDelete, .ioErrorNoMemory, .ioErrorFailedAccess,
            .ioErrorFailedLockCheck, .ioErrorFailedAdvisoryLock, .ioErrorFailedClose, .ioErrorFailedSharedMemOpen,
            .ioErrorFailedSharedMemSize, .ioErrorFailedSharedMemMap, .ioErrorFailedDeleteNonexistent,
            .ioErrorFailedMemoryMap, .ioErrorCantFindTempdir, .ioErrorCygwinPath, .ioErrorBadDataChecksum,
            .ioErrorCorruptedFilesystem, .cantOpen, .cantOpenDirectory, .cantOpenInvalidPath, .cantOpenCygwinPath,
            .cantOpenUnfollowedSymlink, .permission, .readOnly, .readonlyInRecovery, .readonlyCantLock,
            .readonlyInRollback, .readonlyBackingMoved, .readonlyDirectory:
            return .ioFailure
        case .constraint, .constraintCheckFailed, .constraintCommitHookFailed, .constraintForeignKeyFailed,
            .constraintUserFunctionFailed, .constraintNotNullFailed, .constraintPrimaryKeyFailed,
            .constraintTriggerFailed, .constraintUniqueFailed, .constraintVirtualTableFailed,
            .constraintUniqueRowIDFailed, .constraintUpdateTriggerDeletedRow, .constraintStrictDataTypeFailed:
            return .conflict
        default:
            return .backendFailure
        }
    }
}

/// Creates the file with mode 0600 when it does not exist (and its folder, mode 0700, when that is missing), so
/// SQLite (and its `-wal` and `-shm` files, which take the database file's mode) never create it with the process's
/// default mode.
private func createStoreFileIfMissing(_ path: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    if !FileManager.default.fileExists(atPath: folder) {
        do {
            try FileManager.default.createDirectory(
                atPath: folder,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw StoreError(.ioFailure, reason: "the folder of the SQLite store at \(path) could not be created")
        }
    }
    let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
    if descriptor >= 0 {
        _ = close(descriptor)
        return
    }
    let failure = errno
    guard failure == EEXIST else {
        throw StoreError(
            .ioFailure,
            reason: "the SQLite store at \(path) could not be created: \(String(cString: strerror(failure)))"
        )
    }
}

// MARK: - Schema

/// The schema's migrations: `migrations[n - 1]` takes a file from version `n - 1` to `n`. Never edit a shipped one;
/// add the next.
enum Schema {
    static let migrations: [[String]] = [
        [
            "CREATE TABLE metadata (name TEXT PRIMARY KEY NOT NULL, value BLOB)",
            """
            CREATE TABLE data_keys (
                scope TEXT PRIMARY KEY NOT NULL, kek_id TEXT NOT NULL, wrapped BLOB, created_at INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE items (
                kind TEXT NOT NULL, key TEXT NOT NULL, scope TEXT NOT NULL, sealed BLOB,
                expires_at INTEGER, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, key)
            )
            """,
            "CREATE INDEX items_scope ON items (scope)",
            "CREATE INDEX items_expires_at ON items (expires_at) WHERE expires_at IS NOT NULL",
            """
            CREATE TABLE records (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, record_key TEXT NOT NULL,
                sealed BLOB, UNIQUE (scope, record_key)
            )
            """,
            "CREATE INDEX records_scope_sequence ON records (scope, sequence)",
            """
            CREATE TABLE audit (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, scope TEXT, event TEXT NOT NULL,
                details BLOB
            )
            """,
            "CREATE INDEX audit_scope ON audit (scope, sequence)",
            """
            CREATE TABLE replay (
                issuer TEXT NOT NULL, jti TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (issuer, jti)
            )
            """,
        ],
        // Version 2: records name their scope by a number (`scopes`) and keep a keyed row name of 32 hexadecimal
        // digits as its 16 bytes, so the (scope, row name) index, which every new record lands at a random place in,
        // is a quarter of its former size. The sequence numbers stay as they were.
        [
            "CREATE TABLE scopes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
            "INSERT INTO scopes (name) SELECT DISTINCT scope FROM records ORDER BY scope",
            """
            CREATE TABLE records_v2 (
                sequence INTEGER PRIMARY KEY, scope_id INTEGER NOT NULL, record_key BLOB NOT NULL, sealed BLOB,
                UNIQUE (scope_id, record_key)
            )
            """,
            """
            INSERT INTO records_v2 (sequence, scope_id, record_key, sealed)
            SELECT records.sequence, scopes.id,
                CASE WHEN length(records.record_key) = 32 AND records.record_key NOT GLOB '*[^0-9a-f]*'
                    THEN unhex(records.record_key) ELSE records.record_key END,
                records.sealed
            FROM records JOIN scopes ON scopes.name = records.scope ORDER BY records.sequence
            """,
            "DROP TABLE records",
            "ALTER TABLE records_v2 RENAME TO records",
            // Index entries hold the row's sequence number, so within a scope they are in the order saved.
            "CREATE INDEX records_scope ON records (scope_id)",
        ],
    ]
}

// MARK: - Pool

/// Hands a fixed set of connections to one caller each, in turn; closing waits for the calls in progress.
private actor ConnectionPool {
    private let path: String
    private let all: [SQLiteConnection]
    private var idle: [SQLiteConnection]
    private var waiters: [CheckedContinuation<SQLiteConnection, any Error>] = []
    private var isClosed = false
    private var drained: CheckedContinuation<Void, Never>?

    init(path: String, connections: [SQLiteConnection]) {
        self.path = path
        self.all = connections
        self.idle = connections
    }

    func acquire() async throws -> SQLiteConnection {
        guard !isClosed else { throw closedError }
        if let connection = idle.popLast() { return connection }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    func release(_ connection: SQLiteConnection) {
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
            return
        }
        idle.append(connection)
        if isClosed, idle.count == all.count, let drained {
            self.drained = nil
            drained.resume()
        }
    }

    func close() async {
        guard !isClosed else { return }
        isClosed = true
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume(throwing: closedError) }
        if idle.count < all.count {
            await withCheckedContinuation { drained = $0 }
        }
        idle = []
        for connection in all { try? await connection.close() }
    }

    private var closedError: StoreError {
        StoreError(.closed, reason: "the SQLite store at \(path) was closed")
    }
}

// MARK: - Values

extension SQLiteConnection {
    /// Runs one statement, ignoring any rows.
    fileprivate func run(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await query(sql, binds)
    }
}

extension SQLiteData {
    fileprivate static func bytes(_ bytes: [UInt8]) -> SQLiteData { .blob(ByteBuffer(bytes: bytes)) }

    /// A record key as the `records` table keeps it: 32 lower-case hexadecimal digits (the keyed row names
    /// `RecipientStore` makes) as their 16 bytes, any other key as text (SQLite never finds a text equal to a blob).
    fileprivate static func recordKey(_ key: String) -> SQLiteData {
        guard let bytes = rowNameBytes(key) else { return .text(key) }
        return .blob(ByteBuffer(bytes: bytes))
    }

    /// Whole milliseconds since 1970, rounded to the nearest.
    fileprivate static func date(_ date: Date) -> SQLiteData {
        .integer(SQLiteInt64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}

/// Reads typed columns from a row; a missing or mistyped column is a `.backendFailure`.
private struct Row {
    let row: SQLiteRow

    init(_ row: SQLiteRow) { self.row = row }

    func text(_ name: String) throws -> String {
        guard let value = row.column(name)?.string, row.column(name)?.isNull == false else { throw missing(name) }
        return value
    }

    func optionalText(_ name: String) throws -> String? {
        guard let data = row.column(name) else { throw missing(name) }
        return data.isNull ? nil : data.string
    }

    func integer(_ name: String) throws -> Int64 {
        guard let data = row.column(name), case .integer(let value) = data else { throw missing(name) }
        return Int64(value)
    }

    func bytes(_ name: String) throws -> [UInt8] {
        guard let data = row.column(name) else { throw missing(name) }
        switch data {
        case .blob(let buffer): return Array(buffer.readableBytesView)
        case .null: return []  // SQLite binds an empty blob as NULL
        default: throw missing(name)
        }
    }

    func date(_ name: String) throws -> Date {
        Date(timeIntervalSince1970: Double(try integer(name)) / 1000)
    }

    func optionalDate(_ name: String) throws -> Date? {
        guard let data = row.column(name) else { throw missing(name) }
        return data.isNull ? nil : try date(name)
    }

    /// A record key kept as 16 bytes (read back as their 32 hexadecimal digits) or as text.
    func recordKey() throws -> String {
        guard let data = row.column("record_key") else { throw missing("record_key") }
        switch data {
        case .blob(let buffer): return hex(buffer.readableBytesView)
        case .text(let key): return key
        default: throw missing("record_key")
        }
    }

    func dataKey() throws -> WrappedDataKey {
        WrappedDataKey(
            scope: try text("scope"),
            keyEncryptionKeyID: try text("kek_id"),
            wrapped: try bytes("wrapped"),
            createdAt: try date("created_at")
        )
    }

    func item() throws -> StoreItem {
        StoreItem(
            kind: try text("kind"),
            key: try text("key"),
            scope: try text("scope"),
            sealed: try bytes("sealed"),
            expiresAt: try optionalDate("expires_at"),
            updatedAt: try date("updated_at")
        )
    }

    private func missing(_ name: String) -> StoreError {
        StoreError(.backendFailure, reason: "the SQLite store returned no usable \(name) column")
    }
}
