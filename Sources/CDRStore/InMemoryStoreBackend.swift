import Foundation

/// A ``StoreBackend`` in process memory, for tests and for recipients who keep nothing across restarts.
///
/// It behaves as the database backends do (one transaction per call, atomic ``apply(_:)``, exactly-once
/// ``takeItem(kind:key:)``) and passes the same conformance suite.
public actor InMemoryStoreBackend: StoreBackend {
    /// The schema version (the in-memory layout has no migrations).
    public static let schemaVersion = 1

    private struct State {
        var metadata: [String: [UInt8]] = [:]
        var dataKeys: [String: WrappedDataKey] = [:]
        var items: [String: [String: StoreItem]] = [:]
        var records: [String: [String: SealedRecord]] = [:]
        var audit: [AuditRow] = []
        var jtis: [String: [String: Date]] = [:]
        var nextRecordSequence: Int64 = 1
    }

    private var state = State()
    private var closed = false
    private let locks = NamedLocks()

    /// Creates an empty backend.
    public init() {}

    public func apply(_ changes: [StoreChange]) throws {
        try checkOpen()
        // Only the data-key and replay changes can fail. A first pass makes them on copies of those two small maps,
        // so a failure leaves everything as it was; the second pass then makes the rest in place, copying no
        // scope's records (a batch costs what it holds, not what the scope holds).
        var dataKeys = state.dataKeys
        var jtis = state.jtis
        for change in changes { try Self.check(change, dataKeys: &dataKeys, jtis: &jtis) }
        state.dataKeys = dataKeys
        state.jtis = jtis
        for change in changes {
            switch change {
            case .setMetadata(let name, let value):
                state.metadata[name] = value
            case .putItem(let item):
                state.items[item.kind, default: [:]][item.key] = item
            case .deleteItem(let kind, let key):
                state.items[kind]?[key] = nil
            case .deleteScope(let scope):
                for kind in state.items.keys {
                    state.items[kind] = state.items[kind]?.filter { $0.value.scope != scope }
                }
                state.records[scope] = nil
            case .putRecords(let scope, let records):
                for record in records {
                    if state.records[scope, default: [:]][record.recordKey] != nil {
                        state.records[scope]?[record.recordKey]?.sealed = record.sealed
                    } else {
                        var row = record
                        row.sequence = state.nextRecordSequence
                        state.nextRecordSequence += 1
                        state.records[scope, default: [:]][record.recordKey] = row
                    }
                }
            case .appendAudit(var row):
                row.sequence = Int64(state.audit.count + 1)
                state.audit.append(row)
            case .purgeExpired(let now):
                for kind in state.items.keys {
                    state.items[kind] = state.items[kind]?.filter { item in
                        item.value.expiresAt.map { $0 > now } ?? true
                    }
                }
            case .putDataKey, .rewrapDataKey, .deleteDataKey, .requireDataKey, .recordJTI:
                break  // made by the first pass
            }
        }
    }

    /// Makes a change's part in the data keys and the replay entries, or throws what the change throws.
    private static func check(
        _ change: StoreChange, dataKeys: inout [String: WrappedDataKey], jtis: inout [String: [String: Date]]
    ) throws {
        switch change {
        case .putDataKey(let key):
            if dataKeys[key.scope] == nil { dataKeys[key.scope] = key }
        case .rewrapDataKey(let key):
            if dataKeys[key.scope] != nil { dataKeys[key.scope] = key }
        case .deleteDataKey(let scope):
            dataKeys[scope] = nil
        case .requireDataKey(let scope):
            guard dataKeys[scope] != nil else { throw StoreError.noDataKey(scope) }
        case .recordJTI(let issuer, let jti, let expiresAt, let now, let capacity):
            var entries = (jtis[issuer] ?? [:]).filter { $0.value > now }
            if entries[jti] != nil {
                throw StoreError(.conflict, reason: "the jti was already recorded for this issuer")
            }
            guard entries.count < capacity else {
                throw StoreError(.capacityReached, reason: "the issuer has \(capacity) unexpired jti entries")
            }
            if expiresAt > now { entries[jti] = expiresAt }
            jtis[issuer] = entries
        case .purgeExpired(let now):
            for issuer in jtis.keys { jtis[issuer] = jtis[issuer]?.filter { $0.value > now } }
        case .setMetadata, .putItem, .deleteItem, .deleteScope, .putRecords, .appendAudit:
            break
        }
    }

    public func metadata(_ name: String) throws -> [UInt8]? {
        try checkOpen()
        return state.metadata[name]
    }

    public func dataKey(scope: String) throws -> WrappedDataKey? {
        try checkOpen()
        return state.dataKeys[scope]
    }

    public func dataKeys() throws -> [WrappedDataKey] {
        try checkOpen()
        return state.dataKeys.values.sorted { $0.scope < $1.scope }
    }

    public func item(kind: String, key: String) throws -> StoreItem? {
        try checkOpen()
        return state.items[kind]?[key]
    }

    public func items(kind: String) throws -> [StoreItem] {
        try checkOpen()
        return (state.items[kind] ?? [:]).values.sorted { $0.key < $1.key }
    }

    public func takeItem(kind: String, key: String) throws -> StoreItem? {
        try checkOpen()
        return state.items[kind]?.removeValue(forKey: key)
    }

    public func records(scope: String, after sequence: Int64, limit: Int) throws -> [SealedRecord] {
        try checkOpen()
        let rows = (state.records[scope] ?? [:]).values.filter { $0.sequence > sequence }
        return Array(rows.sorted { $0.sequence < $1.sequence }.prefix(max(0, limit)))
    }

    public func recordCount(scope: String) throws -> Int {
        try checkOpen()
        return state.records[scope]?.count ?? 0
    }

    public func auditEntries(scope: String?, after sequence: Int64, limit: Int) throws -> [AuditRow] {
        try checkOpen()
        let rows = state.audit.lazy.filter { $0.sequence > sequence && (scope == nil || $0.scope == scope) }
        return Array(rows.prefix(max(0, limit)))
    }

    public func scopesWithoutKey() throws -> [String] {
        try checkOpen()
        var scopes = Set(state.records.filter { !$0.value.isEmpty }.keys)
        for kind in state.items.values { for item in kind.values { scopes.insert(item.scope) } }
        return scopes.filter { state.dataKeys[$0] == nil }.sorted()
    }

    /// Runs `body` holding the lock `name` of this backend (one process).
    public nonisolated func withExclusiveLock<T: Sendable>(
        _ name: String, _ body: @escaping @Sendable () async throws -> T
    )
        async throws -> T
    {
        try await locks.withLock(name, body)
    }

    public func close() {
        closed = true
    }

    private func checkOpen() throws {
        guard !closed else { throw StoreError(.closed, reason: "the in-memory store backend was closed") }
    }
}
