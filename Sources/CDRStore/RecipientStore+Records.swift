import CDRAccountData
import Crypto
import Foundation

extension RecipientStore: RecordStore {
    static let recordKind = "record"

    /// Seals each record under the scope's data key and keeps the batch in one transaction. A record saved again (the
    /// same account, transaction, payee or payment) replaces the earlier copy and keeps its place.
    /// - Throws: ``StoreError``; nothing of the batch is kept then.
    public func save(_ records: [StoredRecord], in scope: DataScope) async throws {
        guard !records.isEmpty else { return }
        let name = scope.description
        guard let key = try await dataKey(scope: name, create: true) else { return }
        let naming = Self.recordNamingKey(key)
        var rows: [SealedRecord] = []
        rows.reserveCapacity(records.count)
        for record in records {
            let rowKey = Self.recordKey(for: record, naming: naming)
            let sealed = try seal(
                encode(record, kind: Self.recordKind), with: key, scope: name, kind: Self.recordKind, rowKey: rowKey)
            rows.append(SealedRecord(recordKey: rowKey, sealed: sealed))
        }
        try await backend.apply([.putRecords(scope: name, records: rows)])
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
        let identity: String
        switch record {
        case .account(let account): identity = "account\u{0}\(account.id.rawValue)"
        case .balance(let balance): identity = "balance\u{0}\(balance.accountID.rawValue)"
        case .transaction(let transaction):
            identity = "transaction\u{0}\(transaction.accountID.rawValue)\u{0}\(transaction.id)"
        case .payee(let payee): identity = "payee\u{0}\(payee.id)"
        case .regularPayment(let payment):
            identity = "payment\u{0}\(payment.kind.rawValue)\u{0}\(payment.accountID.rawValue)\u{0}\(payment.id)"
        }
        let code = HMAC<SHA256>.authenticationCode(for: Data(identity.utf8), using: naming)
        return hex(code.prefix(16))
    }
}

/// Lower-case hexadecimal of bytes.
func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
