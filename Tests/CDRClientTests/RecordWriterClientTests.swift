import CDRAccountData
import CDRClient
import CDRTesting
import Foundation
import Testing

/// `HolderClient.withRecordWriter(of:)` against the mock holder: an arrangement's transactions, written page by
/// page, are kept in the client's record store; a refused batch is `storeFailed`; without a store nothing is kept.
@Suite("HolderClient.withRecordWriter", .timeLimit(.minutes(5)))
struct RecordWriterClientTests {
    /// Refuses every save.
    actor RefusingStore: RecordStore {
        struct DiskFull: Error {}
        func save(_ records: [StoredRecord], in scope: DataScope) async throws { throw DiskFull() }
        func records(in scope: DataScope) async throws -> [StoredRecord] { [] }
        func count(in scope: DataScope) async throws -> Int { 0 }
        func deleteAll(in scope: DataScope) async throws -> (records: Int, keyDestroyed: Bool) { (0, false) }
    }

    static func identity(_ record: StoredRecord) -> String {
        guard case .transaction(let transaction) = record else { return "not a transaction" }
        return "\(transaction.accountID.rawValue)/\(transaction.id)/\(transaction.amount)"
    }

    /// Consents for customer-1, then writes every transaction of each of its accounts, page by page.
    static func writeTransactions(with store: (any RecordStore)?) async throws -> (kept: Int, fetched: [StoredRecord]) {
        let options = MockWorld.Options(consent: nil, productID: "sp-client", signing: .ps256, recordStore: store)
        return try await withMockDataHolder(options) { world in
            let bank = world.holderClient
            let arrangement = try await world.consent(
                AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(30)),
                customer: "customer-1", at: bank)
            let source = await bank.accountData(for: arrangement)
            var fetched: [StoredRecord] = []
            let kept = try await bank.withRecordWriter(of: arrangement.id, batchSize: 7) { writer in
                for account in try await source.accounts() {
                    let next = source.transactions(of: account.id, in: DateInterval(start: .distantPast, end: Date()))
                        .makePageReader()
                    while let page = try await next() {
                        fetched += page.map(StoredRecord.transaction)
                        try await writer.write(page.map(StoredRecord.transaction))
                    }
                }
            }
            if let store {
                // Compared by what the records are (the store keeps times to the millisecond).
                let keptIDs = try await store.records(in: bank.scope(of: arrangement.id)).map(Self.identity)
                #expect(keptIDs == fetched.map(Self.identity))
            }
            return (kept, fetched)
        }
    }

    @Test("every transaction fetched is kept, in the order fetched")
    func keeps() async throws {
        let (kept, fetched) = try await Self.writeTransactions(with: EncryptedRecordStore())
        #expect(fetched.count > 7)
        #expect(kept == fetched.count)
    }

    @Test("a batch the store refuses is storeFailed")
    func refused() async throws {
        let error = await #expect(throws: CDRClientError.self) {
            _ = try await Self.writeTransactions(with: RefusingStore())
        }
        #expect(error?.code == .storeFailed)
    }

    @Test("without a record store the transactions are fetched and nothing is kept")
    func noStore() async throws {
        let (kept, fetched) = try await Self.writeTransactions(with: nil)
        #expect(fetched.count > 7)
        #expect(kept == 0)
    }
}
