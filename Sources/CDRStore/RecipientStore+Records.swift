import CDRAccountData
import Crypto
import Foundation

extension RecipientStore: RecordStore {
    static let recordKind = "record"

    /// Seals each record under the scope's data key and keeps the batch in one transaction. A record saved again (the
    /// same account, transaction, payee or payment) replaces the earlier copy and keeps its place.
    ///
    /// A large batch is sealed in slices on several tasks at once; the rows reach the backend in the order given.
    /// - Throws: ``StoreError``; nothing of the batch is kept then (`.keyDestroyed` when the scope has ended, also
    ///   when it ended while the batch was being sealed).
    public func save(_ records: [StoredRecord], in scope: DataScope) async throws {
        guard !records.isEmpty else { return }
        try await keep(try await prepare(records, in: scope, parallel: true))
    }

    /// Seals the records under the scope's data key (made on first use) without keeping them: the batch holds only
    /// their rows, for ``keep(_:)``.
    ///
    /// The batch is sealed on one task, off the store's actor: a ``RecordWriter`` prepares batches in the background
    /// while the caller collects, and leaves the other cores to the collection. (``save(_:in:)``, which a caller
    /// waits for, seals a large batch in slices on several tasks.)
    /// - Throws: ``StoreError`` `.invalidData` when a record cannot be encoded, `.keyDestroyed` when the scope has
    ///   ended, or the key-encryption key's error.
    public func prepare(_ records: [StoredRecord], in scope: DataScope) async throws -> PreparedRecords {
        try await prepare(records, in: scope, parallel: false)
    }

    private func prepare(_ records: [StoredRecord], in scope: DataScope, parallel: Bool) async throws
        -> PreparedRecords
    {
        let name = scope.description
        guard !records.isEmpty else {
            return PreparedRecords(scope: scope, count: 0, content: .sealed(by: self, rows: []))
        }
        guard let key = try await dataKey(scope: name, create: true) else {
            throw StoreError(.keyUnavailable, reason: "no data key could be made for \(name)")
        }
        let rows = try await RecordSealer(dataKey: key, scope: name, encoder: encoder).seal(records, parallel: parallel)
        return PreparedRecords(scope: scope, count: rows.count, content: .sealed(by: self, rows: rows))
    }

    /// Keeps a batch this store sealed, in one transaction, if the scope's data key is still there (a scope that
    /// ended after the batch was sealed keeps nothing of it); a batch of plain records is saved.
    /// - Throws: ``StoreError`` `.keyDestroyed` when the scope has ended, `.invalidData` for a batch another store
    ///   sealed, or the backend's error; nothing of the batch is kept then.
    public func keep(_ batch: PreparedRecords) async throws {
        switch batch.content {
        case .records(let records):
            try await save(records, in: batch.scope)
        case .sealed(let sealer, let rows):
            guard sealer === self else {
                throw StoreError(.invalidData, reason: "a batch sealed by another store cannot be kept here")
            }
            guard !rows.isEmpty else { return }
            let name = batch.scope.description
            try await backend.apply([.requireDataKey(scope: name), .putRecords(scope: name, records: rows)])
        }
    }

    /// The scope's records, in the order they were first saved.
    /// - Throws: ``StoreError`` `.tampered` when a row fails authentication (for this scope only), `.keyDestroyed`.
    public func records(in scope: DataScope) async throws -> [StoredRecord] {
        var all: [StoredRecord] = []
        try await forEachRecord(in: scope) { all.append($0) }
        return all
    }

    /// Calls `body` with each of the scope's records, a page at a time, so memory stays flat however many there are.
    /// - Parameters:
    ///   - scope: The arrangement or connection.
    ///   - pageSize: Rows read at once.
    ///   - body: What to do with each record.
    /// - Throws: ``StoreError``, or what `body` throws.
    public func forEachRecord(
        in scope: DataScope, pageSize: Int = 1000, _ body: (StoredRecord) throws -> Void
    ) async throws {
        let name = scope.description
        var after: Int64 = 0
        var key: SymmetricKey?
        while true {
            let page = try await backend.records(scope: name, after: after, limit: pageSize)
            guard let last = page.last else { return }
            if key == nil {
                key = try await dataKey(scope: name, create: false)
                guard key != nil else {
                    throw StoreError(.keyDestroyed, reason: "the data key of \(name) was destroyed")
                }
            }
            for row in page {
                let plain = try unseal(
                    row.sealed, with: key!, scope: name, kind: Self.recordKind, rowKey: row.recordKey)
                try body(try decode(StoredRecord.self, from: plain, kind: Self.recordKind, scope: name))
            }
            after = last.sequence
        }
    }

    /// How many records the scope has.
    public func count(in scope: DataScope) async throws -> Int {
        try await backend.recordCount(scope: scope.description)
    }

    /// Destroys the scope's key, then deletes its records and items (``destroy(_:)``).
    public func deleteAll(in scope: DataScope) async throws -> (records: Int, keyDestroyed: Bool) {
        let evidence = try await destroy(scope)
        return (evidence.recordsDeleted, evidence.keyDestroyedAt != nil)
    }

    /// A key derived from the scope's data key that names records (so a row's key tells nothing of the record).
    static func recordNamingKey(_ dataKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: dataKey, info: Data("cdrkit record names".utf8), outputByteCount: 32)
    }

    /// The keyed hash of what makes a record the same record when it is collected again.
    static func recordKey(for record: StoredRecord, naming: SymmetricKey) -> String {
        var identity: [UInt8] = []
        return RecordSealer.recordKey(for: record, naming: HMAC<SHA256>(key: naming), identity: &identity)
    }
}

/// Seals a batch of records of one scope: the row key (a keyed hash of the record's identity), the JSON encoding and
/// the AES-GCM seal under the scope's data key, bound by the additional authenticated data to scope, kind and row key
/// (the same bytes as ``RecipientStore/aad(scope:kind:key:)``).
struct RecordSealer: Sendable {
    /// Below this many records a batch is sealed on the calling task.
    static let parallelThreshold = 256
    /// Where batches prepared in the background are sealed (threads of its own, not Swift's cooperative ones).
    static let background = DispatchQueue(label: "cdrkit.store.sealing", qos: .utility, attributes: .concurrent)

    let dataKey: SymmetricKey
    /// The keyed hash that names records, keyed once (each record's name starts from a copy of it).
    let naming: HMAC<SHA256>
    let scope: String
    let encoder: JSONEncoder
    /// `cdrkit.v1 NUL <scope> NUL record NUL`: the additional authenticated data before the row key.
    let aadPrefix: [UInt8]

    init(dataKey: SymmetricKey, scope: String, encoder: JSONEncoder) {
        self.dataKey = dataKey
        self.naming = HMAC<SHA256>(key: RecipientStore.recordNamingKey(dataKey))
        self.scope = scope
        self.encoder = encoder
        self.aadPrefix = RecipientStore.aad(scope: scope, kind: RecipientStore.recordKind, key: "")
    }

    /// Seals the records off the caller's actor; when `parallel` and the batch is large, in slices on as many tasks
    /// as there are processors.
    /// - Parameters:
    ///   - records: The records.
    ///   - parallel: Whether a large batch is sealed in slices on several tasks.
    /// - Returns: Their rows, in the same order.
    /// - Throws: ``StoreError`` `.invalidData` when a record cannot be encoded or sealed.
    func seal(_ records: [StoredRecord], parallel: Bool) async throws -> [SealedRecord] {
        guard parallel else {
            // Off Swift's cooperative threads, which the collection's own tasks run on: a batch sealed there holds
            // one of them for its whole length, and the collection then waits for a thread while a core is idle.
            return try await withCheckedThrowingContinuation { continuation in
                Self.background.async { continuation.resume(with: Result { try self.seal(records[...]) }) }
            }
        }
        let slices = min(
            ProcessInfo.processInfo.activeProcessorCount, max(1, records.count / Self.parallelThreshold))
        guard slices > 1 else { return try seal(records[...]) }
        let size = (records.count + slices - 1) / slices
        return try await withThrowingTaskGroup(of: (Int, [SealedRecord]).self) { group in
            for index in 0..<slices {
                let slice = records[min(records.count, index * size)..<min(records.count, (index + 1) * size)]
                group.addTask { (index, try self.seal(slice)) }
            }
            var sealed = [[SealedRecord]](repeating: [], count: slices)
            for try await (index, rows) in group { sealed[index] = rows }
            var rows: [SealedRecord] = []
            rows.reserveCapacity(records.count)
            for part in sealed { rows.append(contentsOf: part) }
            return rows
        }
    }

    /// Seals a slice on the calling task.
    func seal(_ records: ArraySlice<StoredRecord>) throws -> [SealedRecord] {
        var rows: [SealedRecord] = []
        rows.reserveCapacity(records.count)
        var identity: [UInt8] = []
        var aad = aadPrefix
        for record in records {
            let rowKey = Self.recordKey(for: record, naming: naming, identity: &identity)
            aad.removeSubrange(aadPrefix.count...)
            aad.append(contentsOf: rowKey.utf8)
            let plain: [UInt8]
            do {
                plain = try Self.encode(record, fallback: encoder)
            } catch {
                throw StoreError(.invalidData, reason: "a \(RecipientStore.recordKind) could not be encoded")
            }
            rows.append(SealedRecord(recordKey: rowKey, sealed: try seal(plain, aad: aad)))
        }
        return rows
    }

    /// The record's JSON from ``RecordJSONEncoder``, or from `fallback` (the store's `JSONEncoder`) for a record
    /// that encodes in a way it does not follow; both read back with the store's `JSONDecoder`.
    static func encode(_ record: StoredRecord, fallback: JSONEncoder) throws -> [UInt8] {
        do {
            return try RecordJSONEncoder.encode(record)
        } catch is RecordJSONEncoder.Unsupported {
            return Array(try fallback.encode(record))
        }
    }

    private func seal(_ plain: [UInt8], aad: [UInt8]) throws -> [UInt8] {
        do {
            guard let combined = try AES.GCM.seal(plain, using: dataKey, authenticating: aad).combined else {
                throw StoreError(.invalidData, reason: "sealing failed")
            }
            return Array(combined)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.invalidData, reason: "sealing a \(RecipientStore.recordKind) of \(scope) failed")
        }
    }

    /// The keyed hash of what makes a record the same record when it is collected again (NUL-separated fields, as
    /// they have always been); `identity` is scratch space reused across records.
    static func recordKey(for record: StoredRecord, naming: HMAC<SHA256>, identity: inout [UInt8]) -> String {
        identity.removeAll(keepingCapacity: true)
        func field(_ text: String) {
            identity.append(0)
            identity.append(contentsOf: text.utf8)
        }
        switch record {
        case .account(let account):
            identity.append(contentsOf: "account".utf8)
            field(account.id.rawValue)
        case .balance(let balance):
            identity.append(contentsOf: "balance".utf8)
            field(balance.accountID.rawValue)
        case .transaction(let transaction):
            identity.append(contentsOf: "transaction".utf8)
            field(transaction.accountID.rawValue)
            field(transaction.id)
        case .payee(let payee):
            identity.append(contentsOf: "payee".utf8)
            field(payee.id)
        case .regularPayment(let payment):
            identity.append(contentsOf: "payment".utf8)
            field(payment.kind.rawValue)
            field(payment.accountID.rawValue)
            field(payment.id)
        }
        var hash = naming
        hash.update(data: identity)
        let code = hash.finalize()
        return code.withUnsafeBytes { hex($0.prefix(16)) }
    }
}

/// Lower-case hexadecimal of bytes.
package func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits: StaticString = "0123456789abcdef"
    var out: [UInt8] = []
    out.reserveCapacity(bytes.underestimatedCount * 2)
    digits.withUTF8Buffer { digits in
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// The bytes a row name of 32 lower-case hexadecimal digits (the keyed names the store makes) stands for, or `nil`
/// for any other text: backends keep such names as their 16 bytes and read them back with ``hex(_:)``.
package func rowNameBytes(_ name: String) -> [UInt8]? {
    guard name.utf8.count == 32 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16)
    var high: UInt8?
    for character in name.utf8 {
        let nibble: UInt8
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
        default: return nil
        }
        if let first = high {
            bytes.append(first << 4 | nibble)
            high = nil
        } else {
            high = nibble
        }
    }
    return bytes
}
