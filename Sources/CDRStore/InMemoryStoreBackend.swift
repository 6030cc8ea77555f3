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

    /// Creates an empty backend.
    public init() {}

    public func apply(_ changes: [StoreChange]) throws {
        try checkOpen()
        var next = state
        for change in changes {
            switch change {
            case .setMetadata(let name, let value):
                next.metadata[name] = value
            case .putDataKey(let key):
                if next.dataKeys[key.scope] == nil { next.dataKeys[key.scope] = key }
            case .rewrapDataKey(let key):
                if next.dataKeys[key.scope] != nil { next.dataKeys[key.scope] = key }
            case .deleteDataKey(let scope):
                next.dataKeys[scope] = nil
            case .putItem(let item):
                next.items[item.kind, default: [:]][item.key] = item
            case .deleteItem(let kind, let key):
                next.items[kind]?[key] = nil
            case .deleteScope(let scope):
                for kind in next.items.keys { next.items[kind] = next.items[kind]?.filter { $0.value.scope != scope } }
                next.records[scope] = nil
            case .putRecords(let scope, let records):
                var rows = next.records[scope] ?? [:]
                for record in records {
                    if var existing = rows[record.recordKey] {
                        existing.sealed = record.sealed
                        rows[record.recordKey] = existing
                    } else {
                        var row = record
                        row.sequence = next.nextRecordSequence
                        next.nextRecordSequence += 1
                        rows[record.recordKey] = row
                    }
                }
                next.records[scope] = rows
            case .appendAudit(var row):
                row.sequence = Int64(next.audit.count + 1)
                next.audit.append(row)
            case .recordJTI(let issuer, let jti, let expiresAt, let now, let capacity):
                var entries = (next.jtis[issuer] ?? [:]).filter { $0.value > now }
                if entries[jti] != nil {
                    throw StoreError(.conflict, reason: "the jti was already recorded for this issuer")
                }
                guard entries.count < capacity else {
                    throw StoreError(.capacityReached, reason: "the issuer has \(capacity) unexpired jti entries")
                }
                if expiresAt > now { entries[jti] = expiresAt }
                next.jtis[issuer] = entries
            case .purgeExpired(let now):
                for kind in next.items.keys {
                    next.items[kind] = next.items[kind]?.filter { item in item.value.expiresAt.map { $0 > now } ?? true
                    }
                }
                for issuer in next.jtis.keys { next.jtis[issuer] = next.jtis[issuer]?.filter { $0.value > now } }
            }
        }
        state = next
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

    public func close() {
        closed = true
    }

    private func checkOpen() throws {
        guard !closed else { throw StoreError(.closed, reason: "the in-memory store backend was closed") }
    }
}
