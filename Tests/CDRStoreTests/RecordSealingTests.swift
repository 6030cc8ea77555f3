import CDRAccountData
import CDRStore
import CDRStoreSQLite
import Crypto
import Foundation
import Testing

/// The record path of `RecipientStore`: the rows it writes keep the schema-1 format (row key, additional
/// authenticated data, sealed JSON), checked against an independent reading of that format, and large batches (sealed
/// in slices on several tasks) keep their order and their upsert semantics.
@Suite("RecipientStore records: the sealed format and large batches on SQLite", .timeLimit(.minutes(5)))
struct RecordSealingTests {
    static let scope = DataScope.arrangement(holderBrandID: "bank", arrangementID: "arr-1")
    static let provenance = Provenance.cdr(
        .init(holderBrandID: "bank", arrangementID: "arr-1", version: 2), fetchedAt: Date(timeIntervalSince1970: 1_000))

    static func transaction(_ index: Int, amount: Decimal = -12.5) -> StoredRecord {
        .transaction(
            Transaction(
                id: "txn-\(index)", accountID: AccountKey(rawValue: "acc-1"), status: .posted,
                description: "Coffee \(index)", amount: amount, date: Date(timeIntervalSince1970: Double(index) * 60),
                reference: "ref \(index)", merchantName: "Cafe", provenance: provenance))
    }

    static func mixedRecords(_ count: Int) -> [StoredRecord] {
        (0..<count).map { index in
            switch index % 4 {
            case 0:
                .account(
                    Account(
                        id: AccountKey(rawValue: "acc-\(index)"), sourceAccountID: "src-\(index)",
                        displayName: "Everyday \(index)", maskedNumber: "xxxx 1234", category: .transactionAndSavings,
                        productName: "Everyday", provenance: provenance))
            case 1:
                .payee(
                    Payee(id: "payee-\(index)", nickname: "Landlord \(index)", kind: "DOMESTIC", provenance: provenance)
                )
            default: transaction(index)
            }
        }
    }

    static func withStore<R>(
        _ body: (RecipientStore, SQLiteStoreBackend, LocalKeyEncryptionKey) async throws -> R
    ) async throws -> R {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "record-sealing-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        let backend = try await SQLiteStoreBackend.open(path: folder.appendingPathComponent("store.sqlite").path)
        let kek = LocalKeyEncryptionKey.random()
        let store = try await RecipientStore.open(backend: backend, keyEncryptionKey: kek)
        do {
            let result = try await body(store, backend, kek)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    @Test("every row has the schema-1 row key and opens with AES-GCM under the scope+kind+row-key AAD")
    func rowsKeepTheSchemaOneFormat() async throws {
        try await Self.withStore { store, backend, kek in
            let records = Self.mixedRecords(600)  // above the size sealed in slices
            try await store.save(records, in: Self.scope)
            let name = Self.scope.description
            let wrapped = try #require(try await backend.dataKey(scope: name))
            let dataKey = SymmetricKey(
                data: try kek.unwrap(wrapped.wrapped, context: Array("cdrkit data key\u{0}\(name)".utf8)))
            let naming = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: dataKey, info: Data("cdrkit record names".utf8), outputByteCount: 32)
            let rows = try await backend.records(scope: name, after: 0, limit: 10_000)
            #expect(rows.count == records.count)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .millisecondsSince1970
            for (record, row) in zip(records, rows) {
                let identity: String
                switch record {
                case .account(let account): identity = "account\u{0}\(account.id.rawValue)"
                case .payee(let payee): identity = "payee\u{0}\(payee.id)"
                case .transaction(let transaction):
                    identity = "transaction\u{0}\(transaction.accountID.rawValue)\u{0}\(transaction.id)"
                default: Issue.record("unexpected record kind"); continue
                }
                let code = HMAC<SHA256>.authenticationCode(for: Data(identity.utf8), using: naming)
                let expectedKey = code.prefix(16).map { String(format: "%02x", $0) }.joined()
                #expect(row.recordKey == expectedKey)
                let aad = Array("cdrkit.v1\u{0}\(name)\u{0}record\u{0}\(row.recordKey)".utf8)
                let plain = try AES.GCM.open(
                    AES.GCM.SealedBox(combined: row.sealed), using: dataKey, authenticating: aad)
                #expect(try decoder.decode(StoredRecord.self, from: plain) == record)
                // The same bytes under another kind do not open: the kind is bound.
                let otherKind = Array("cdrkit.v1\u{0}\(name)\u{0}token\u{0}\(row.recordKey)".utf8)
                #expect(throws: (any Error).self) {
                    try AES.GCM.open(AES.GCM.SealedBox(combined: row.sealed), using: dataKey, authenticating: otherKind)
                }
            }
        }
    }

    @Test("a batch of 5,000 reads back in the order saved; saving part of it again replaces in place")
    func largeBatchesKeepOrderAndUpsert() async throws {
        try await Self.withStore { store, _, _ in
            let records = Self.mixedRecords(5_000)
            try await store.save(records, in: Self.scope)
            #expect(try await store.records(in: Self.scope) == records)
            // Saving 1,000 of the transactions again with new amounts replaces them and keeps their places.
            var changed = records
            var again: [StoredRecord] = []
            for index in stride(from: 2, to: 4_000, by: 4) {
                changed[index] = Self.transaction(index, amount: 99)
                again.append(changed[index])
            }
            try await store.save(again, in: Self.scope)
            #expect(try await store.count(in: Self.scope) == records.count)
            #expect(try await store.records(in: Self.scope) == changed)
        }
    }

    @Test("a row of a large batch moved to another row key fails authentication for its scope")
    func movedRowOfALargeBatchIsTampered() async throws {
        try await Self.withStore { store, backend, _ in
            try await store.save(Self.mixedRecords(1_000), in: Self.scope)
            let name = Self.scope.description
            let rows = try await backend.records(scope: name, after: 0, limit: 2)
            try #require(rows.count == 2)
            // Row 0's sealed value under row 1's key.
            try await backend.apply([
                .putRecords(scope: name, records: [SealedRecord(recordKey: rows[1].recordKey, sealed: rows[0].sealed)])
            ])
            do {
                _ = try await store.records(in: Self.scope)
                Issue.record("a moved row was read")
            } catch let error as StoreError {
                #expect(error.code == .tampered)
            }
        }
    }
}
