public import CDRModels
import Crypto
public import Foundation
public import Logging

/// Everything a recipient keeps, on one ``StoreBackend``, with envelope encryption.
///
/// - Every arrangement and DDC connection (every ``DataScope``) has its own AES-256-GCM data key; the store's own
///   items (registrations, pending authorisations) share one more. A data key is kept only wrapped by the
///   ``KeyEncryptionKeyProvider``, bound to its scope.
/// - Every value (tokens, records, pending authorisations, checkpoints, identities) is sealed under its scope's key
///   before it reaches the backend. The additional authenticated data names the scope, the kind and the row's key, so
///   a row moved to another scope or row, altered or truncated fails with ``StoreError/Code/tampered``, for that
///   scope only.
/// - Ending a scope destroys its key first (its rows can never be read again, even if the process stops right then),
///   then deletes its rows, and returns ``DeletionEvidence``, which the audit trail keeps too.
/// - The audit trail (``AuditEntry``) records consents, collections and deletions; it holds no secret and no data.
///
/// Open one per process with ``open(backend:keyEncryptionKey:logger:now:)`` and share it; it is an actor, and the
/// backends let several processes share one database.
public actor RecipientStore {
    /// The backend.
    public nonisolated let backend: any StoreBackend
    /// The id of the key-encryption key in use.
    public private(set) var keyEncryptionKeyID: String
    private var keyEncryptionKey: any KeyEncryptionKeyProvider
    private var dataKeys: [String: SymmetricKey] = [:]
    private var creating: [String: Task<SymmetricKey, any Error>] = [:]
    let now: @Sendable () -> Date
    let logger: Logger
    let encoder: JSONEncoder
    let decoder: JSONDecoder

    static let keyCheckName = "kek.check"
    static let keyIDName = "kek.id"
    static let keyCheckContext = Array("cdrkit key check".utf8)

    private init(
        backend: any StoreBackend, keyEncryptionKey: any KeyEncryptionKeyProvider, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.backend = backend
        self.keyEncryptionKey = keyEncryptionKey
        self.keyEncryptionKeyID = keyEncryptionKey.keyID
        self.logger = logger
        self.now = now
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        self.encoder = encoder
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        self.decoder = decoder
    }

    /// Opens the store on a backend: checks that the key-encryption key is the store's (or makes it the store's
    /// when the store is new), then finishes any deletion a stopped process left half done.
    /// - Parameters:
    ///   - backend: The backend (SQLite, PostgreSQL or memory).
    ///   - keyEncryptionKey: The key-encryption key.
    ///   - logger: Logs scopes and counts, never a secret; silent by default.
    ///   - now: The clock for timestamps.
    /// - Returns: The store.
    /// - Throws: ``StoreError`` `.wrongKey` when the key is not the one the store was created with (nothing is written
    ///   then), `.keyUnavailable`, or the backend's error.
    public static func open(
        backend: any StoreBackend, keyEncryptionKey: any KeyEncryptionKeyProvider, logger: Logger = .cdrDisabled,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> RecipientStore {
        let store = RecipientStore(backend: backend, keyEncryptionKey: keyEncryptionKey, logger: logger, now: now)
        try await store.checkKeyEncryptionKey()
        try await store.finishInterruptedDeletions()
        return store
    }

    /// A new, empty store in memory with a random key-encryption key: nothing outlives the process. It is the
    /// default of `CDRClient.Configuration`.
    /// - Parameter logger: Logs scopes and counts; silent by default.
    /// - Returns: The store.
    public static func ephemeral(logger: Logger = .cdrDisabled) -> RecipientStore {
        // A new in-memory backend has no key check to compare with and no half-done deletion to finish.
        RecipientStore(
            backend: InMemoryStoreBackend(), keyEncryptionKey: LocalKeyEncryptionKey.random(), logger: logger,
            now: { Date() })
    }

    /// Closes the backend.
    public func close() async throws { try await backend.close() }

    // MARK: Keys

    private func checkKeyEncryptionKey() async throws {
        if let check = try await backend.metadata(Self.keyCheckName) {
            let storedID = try await backend.metadata(Self.keyIDName).map { String(decoding: $0, as: UTF8.self) }
            do {
                _ = try await keyEncryptionKey.unwrap(check, context: Self.keyCheckContext)
            } catch let error as StoreError where error.code == .wrongKey {
                throw StoreError(
                    .wrongKey,
                    reason: "the key-encryption key \(keyEncryptionKey.keyID) is not this store's "
                        + "(\(storedID ?? "unknown")); nothing was written")
            }
            return
        }
        let check = try await keyEncryptionKey.wrap(Self.randomBytes(), context: Self.keyCheckContext)
        try await backend.apply([
            .setMetadata(name: Self.keyCheckName, value: check),
            .setMetadata(name: Self.keyIDName, value: Array(keyEncryptionKey.keyID.utf8)),
        ])
    }

    private func finishInterruptedDeletions() async throws {
        for scope in try await backend.scopesWithoutKey() {
            let records = try await backend.recordCount(scope: scope)
            try await backend.apply([
                .deleteScope(scope: scope),
                try auditRow(
                    .deletionCompleted(
                        DeletionEvidence(
                            scope: scope, keyDestroyedAt: nil, rowsDeletedAt: now(), recordsDeleted: records,
                            verified: true)), scope: scope),
            ])
            logger.notice(
                "Store finished a deletion a stopped process began", metadata: ["cdr.scope": "\(scope)"])
        }
    }

    static func keyContext(_ scope: String) -> [UInt8] { Array("cdrkit data key\u{0}\(scope)".utf8) }

    static func randomBytes(_ count: Int = 32) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }

    /// The scope's data key; made (and stored, wrapped) when `create` and there is none.
    func dataKey(scope: String, create: Bool) async throws -> SymmetricKey? {
        if let key = dataKeys[scope] { return key }
        if let stored = try await backend.dataKey(scope: scope) { return try await remember(stored) }
        guard create else { return nil }
        if let pending = creating[scope] { return try await pending.value }
        let task = Task { try await self.makeDataKey(scope: scope) }
        creating[scope] = task
        defer { creating[scope] = nil }
        return try await task.value
    }

    private func makeDataKey(scope: String) async throws -> SymmetricKey {
        // An ended scope stays ended: nothing is kept for it again, even by a save that raced its ending.
        if try await hasEnded(scope) {
            throw StoreError(.keyDestroyed, reason: "\(scope) has ended; nothing more is kept for it")
        }
        let wrapped = try await keyEncryptionKey.wrap(Self.randomBytes(), context: Self.keyContext(scope))
        try await backend.apply([
            .putDataKey(
                WrappedDataKey(
                    scope: scope, keyEncryptionKeyID: keyEncryptionKey.keyID, wrapped: wrapped, createdAt: now()))
        ])
        // Another writer may have made the scope's key first; the stored one is the key.
        guard let stored = try await backend.dataKey(scope: scope) else {
            throw StoreError(.keyDestroyed, reason: "the data key of \(scope) was deleted while it was being made")
        }
        return try await remember(stored)
    }

    private func remember(_ stored: WrappedDataKey) async throws -> SymmetricKey {
        let bytes: [UInt8]
        do {
            bytes = try await keyEncryptionKey.unwrap(stored.wrapped, context: Self.keyContext(stored.scope))
        } catch let error as StoreError where error.code == .wrongKey {
            throw StoreError(
                .tampered,
                reason: "the data key of \(stored.scope) does not open under \(keyEncryptionKey.keyID) "
                    + "(wrapped under \(stored.keyEncryptionKeyID)): altered or moved")
        }
        guard bytes.count == 32 else {
            throw StoreError(.tampered, reason: "the data key of \(stored.scope) has the wrong length")
        }
        let key = SymmetricKey(data: bytes)
        dataKeys[stored.scope] = key
        return key
    }

    /// Re-wraps every data key under a new key-encryption key, in one transaction; no token or record is
    /// re-encrypted. From then on the store opens only with the new key.
    /// - Parameter newKey: The new key-encryption key.
    /// - Returns: How many data keys were re-wrapped.
    /// - Throws: ``StoreError`` from either key or the backend; then nothing changed and the old key still opens the
    ///   store.
    @discardableResult
    public func rotateKeyEncryptionKey(to newKey: any KeyEncryptionKeyProvider) async throws -> Int {
        var changes: [StoreChange] = []
        let keys = try await backend.dataKeys()
        for stored in keys {
            let context = Self.keyContext(stored.scope)
            let bytes = try await keyEncryptionKey.unwrap(stored.wrapped, context: context)
            var rewrapped = stored
            rewrapped.wrapped = try await newKey.wrap(bytes, context: context)
            rewrapped.keyEncryptionKeyID = newKey.keyID
            changes.append(.rewrapDataKey(rewrapped))
        }
        let check = try await newKey.wrap(Self.randomBytes(), context: Self.keyCheckContext)
        changes.append(.setMetadata(name: Self.keyCheckName, value: check))
        changes.append(.setMetadata(name: Self.keyIDName, value: Array(newKey.keyID.utf8)))
        let previous = keyEncryptionKey.keyID
        changes.append(
            try auditRow(.keyRotated(from: previous, to: newKey.keyID, dataKeys: keys.count), scope: nil))
        try await backend.apply(changes)
        keyEncryptionKey = newKey
        keyEncryptionKeyID = newKey.keyID
        logger.notice(
            "Store key-encryption key rotated",
            metadata: [
                "cdr.kek_from": "\(previous)", "cdr.kek_to": "\(newKey.keyID)", "cdr.data_keys": "\(keys.count)",
            ])
        return keys.count
    }

    // MARK: Sealing

    static func aad(scope: String, kind: String, key: String) -> [UInt8] {
        Array("cdrkit.v1\u{0}\(scope)\u{0}\(kind)\u{0}\(key)".utf8)
    }

    func seal(_ plain: [UInt8], with key: SymmetricKey, scope: String, kind: String, rowKey: String) throws -> [UInt8] {
        do {
            let box = try AES.GCM.seal(
                plain, using: key, authenticating: Self.aad(scope: scope, kind: kind, key: rowKey))
            guard let combined = box.combined else { throw StoreError(.invalidData, reason: "sealing failed") }
            return Array(combined)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.invalidData, reason: "sealing a \(kind) of \(scope) failed")
        }
    }

    func unseal(_ sealed: [UInt8], with key: SymmetricKey, scope: String, kind: String, rowKey: String) throws
        -> [UInt8]
    {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(
                try AES.GCM.open(box, using: key, authenticating: Self.aad(scope: scope, kind: kind, key: rowKey)))
        } catch {
            throw StoreError(
                .tampered, reason: "a \(kind) row of \(scope) failed authentication (altered, truncated or moved)")
        }
    }

    func encode<Value: Encodable>(_ value: Value, kind: String) throws -> [UInt8] {
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw StoreError(.invalidData, reason: "a \(kind) could not be encoded")
        }
    }

    func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], kind: String, scope: String) throws -> Value
    {
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw StoreError(.invalidData, reason: "a \(kind) of \(scope) could not be decoded")
        }
    }

    // MARK: Items

    /// Seals and stores an item, with an audit entry in the same transaction when given; refused with
    /// `.keyDestroyed` (nothing kept) when the scope ended while it was being sealed.
    func putItem<Value: Encodable>(
        _ value: Value, kind: String, key: String, scope: String, expiresAt: Date? = nil, audit: AuditEvent? = nil
    ) async throws {
        // The key must still be there when the row is written: a scope that ended meanwhile keeps nothing.
        var changes: [StoreChange] = [
            .requireDataKey(scope: scope),
            .putItem(try await sealedItem(value, kind: kind, key: key, scope: scope, expiresAt: expiresAt)),
        ]
        if let audit { changes.append(try auditRow(audit, scope: scope)) }
        try await backend.apply(changes)
    }

    /// Seals an item under its scope's data key (made on first use), ready for a transaction.
    func sealedItem<Value: Encodable>(
        _ value: Value, kind: String, key: String, scope: String, expiresAt: Date? = nil
    ) async throws -> StoreItem {
        guard let dataKey = try await dataKey(scope: scope, create: true) else {
            throw StoreError(.keyUnavailable, reason: "no data key could be made for \(scope)")
        }
        let sealed = try seal(encode(value, kind: kind), with: dataKey, scope: scope, kind: kind, rowKey: key)
        return StoreItem(kind: kind, key: key, scope: scope, sealed: sealed, expiresAt: expiresAt, updatedAt: now())
    }

    /// Reads and opens an item, or `nil`.
    func item<Value: Decodable>(_ type: Value.Type, kind: String, key: String) async throws -> Value? {
        guard let item = try await backend.item(kind: kind, key: key) else { return nil }
        return try await open(type, item)
    }

    /// Opens an item read from the backend.
    func open<Value: Decodable>(_ type: Value.Type, _ item: StoreItem) async throws -> Value {
        guard let dataKey = try await dataKey(scope: item.scope, create: false) else {
            throw StoreError(.keyDestroyed, reason: "the data key of \(item.scope) was destroyed")
        }
        let plain = try unseal(item.sealed, with: dataKey, scope: item.scope, kind: item.kind, rowKey: item.key)
        return try decode(type, from: plain, kind: item.kind, scope: item.scope)
    }

    /// Every item of a kind, opened; an item that fails to open is reported, not skipped.
    func items<Value: Decodable>(_ type: Value.Type, kind: String) async throws -> [Result<Value, StoreError>] {
        var values: [Result<Value, StoreError>] = []
        for item in try await backend.items(kind: kind) {
            do {
                values.append(.success(try await open(type, item)))
            } catch let error as StoreError {
                values.append(.failure(error))
            }
        }
        return values
    }

    func deleteItem(kind: String, key: String, audit: AuditEvent? = nil, scope: String? = nil) async throws {
        var changes: [StoreChange] = [.deleteItem(kind: kind, key: key)]
        if let audit { changes.append(try auditRow(audit, scope: scope)) }
        try await backend.apply(changes)
    }

    // MARK: Ending a scope

    /// Ends a scope: destroys its data key first, then deletes its items and records, and records the evidence.
    ///
    /// When the process stops between the two steps, the rows left can never be read (their key is gone), and the
    /// next ``open(backend:keyEncryptionKey:logger:now:)`` deletes them.
    /// - Parameter scope: The arrangement or connection.
    /// - Returns: The evidence (also in the audit trail).
    /// - Throws: The backend's error.
    public func destroy(_ scope: DataScope) async throws -> DeletionEvidence {
        try await destroy(scope: scope.description)
    }

    /// Drops a scope's data key from this store's memory (another instance on the same database ended the scope and
    /// destroyed its key): it is never used again here, and a later use reads the database again.
    func forgetDataKey(scope: String) { dataKeys[scope] = nil }

    /// Whether this store holds a scope's data key in memory (for tests of the instances that share a database).
    package func holdsDataKey(scope: String) -> Bool { dataKeys[scope] != nil }

    /// Ends a scope; `alongWith` is applied in the same transaction as the key's destruction (for example the
    /// tombstone of the arrangement that ended), so the two cannot come apart in a crash.
    ///
    /// A scope already ended (no key, no rows, and a deletion in the audit trail) returns that deletion's evidence
    /// and changes nothing, so ending twice (the token layer's tombstone, then the facade's deletion) reports the
    /// one deletion that happened.
    func destroy(scope: String, alongWith changes: [StoreChange] = []) async throws -> DeletionEvidence {
        let records = try await backend.recordCount(scope: scope)
        let hadKey = try await backend.dataKey(scope: scope) != nil
        if !hadKey, records == 0, let earlier = try await lastDeletion(of: scope) {
            if !changes.isEmpty { try await backend.apply(changes) }
            dataKeys[scope] = nil
            return earlier
        }
        var evidence = DeletionEvidence(
            scope: scope, keyDestroyedAt: nil, rowsDeletedAt: nil, recordsDeleted: records, verified: false)
        if hadKey {
            let at = now()
            evidence.keyDestroyedAt = at
            try await backend.apply(
                changes + [
                    .deleteDataKey(scope: scope), try auditRow(.keyDestroyed(scope: scope, at: at), scope: scope),
                ])
        } else if !changes.isEmpty {
            try await backend.apply(changes)
        }
        dataKeys[scope] = nil
        evidence.rowsDeletedAt = now()
        let remainingKey = try await backend.dataKey(scope: scope)
        evidence.verified = remainingKey == nil
        try await backend.apply([.deleteScope(scope: scope)])
        let left = try await backend.recordCount(scope: scope)
        evidence.verified = evidence.verified && left == 0
        try await backend.apply([try auditRow(.deletionCompleted(evidence), scope: scope)])
        logger.info(
            "Store scope deleted",
            metadata: [
                "cdr.scope": "\(scope)", "cdr.records": "\(records)", "cdr.key_destroyed": "\(hadKey)",
            ])
        return evidence
    }

    /// Whether the audit trail records the destruction of the scope's key or the scope's deletion.
    private func hasEnded(_ scope: String) async throws -> Bool {
        var ended = false
        try await forEachAuditRow(of: scope) { row in
            ended = row.event == "deletion" || row.event == "deletion.key-destroyed"
            return !ended
        }
        return ended
    }

    /// The evidence of the newest completed deletion of a scope, from the audit trail.
    private func lastDeletion(of scope: String) async throws -> DeletionEvidence? {
        var found: DeletionEvidence?
        try await forEachAuditRow(of: scope) { row in
            if row.event == "deletion",
                case .deletionCompleted(let evidence) = try decode(
                    AuditEvent.self, from: row.details, kind: "audit", scope: scope)
            {
                found = evidence
            }
            return true
        }
        return found
    }

    /// Calls `body` with the scope's audit rows in order, a page at a time, until it returns `false`.
    private func forEachAuditRow(of scope: String, _ body: (AuditRow) throws -> Bool) async throws {
        var after: Int64 = 0
        while true {
            let page = try await backend.auditEntries(scope: scope, after: after, limit: 1_000)
            guard let last = page.last else { return }
            for row in page where try !body(row) { return }
            after = last.sequence
        }
    }

    // MARK: Audit

    func auditRow(_ event: AuditEvent, scope: String?) throws -> StoreChange {
        .appendAudit(AuditRow(at: now(), scope: scope, event: event.name, details: try encode(event, kind: "audit")))
    }

    /// Appends an event to the audit trail.
    /// - Parameters:
    ///   - event: The event.
    ///   - scope: The arrangement or connection it concerns.
    /// - Throws: The backend's error.
    public func record(_ event: AuditEvent, scope: DataScope? = nil) async throws {
        try await backend.apply([try auditRow(event, scope: scope?.description)])
    }

    /// The audit trail, oldest first.
    /// - Parameters:
    ///   - scope: Only this arrangement's or connection's entries, or `nil` for all.
    ///   - sequence: Only entries after this one (0 for all).
    ///   - limit: The most to return.
    /// - Returns: The entries.
    /// - Throws: The backend's error, or `.invalidData` for an entry that cannot be read.
    public func auditTrail(for scope: DataScope? = nil, after sequence: Int64 = 0, limit: Int = 10_000) async throws
        -> [AuditEntry]
    {
        try await backend.auditEntries(scope: scope?.description, after: sequence, limit: limit).map { row in
            AuditEntry(
                sequence: row.sequence, at: row.at, scope: row.scope,
                event: try decode(AuditEvent.self, from: row.details, kind: "audit entry", scope: row.scope ?? "store"))
        }
    }
}
