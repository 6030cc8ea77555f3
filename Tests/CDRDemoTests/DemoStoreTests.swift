import CDRClient
import CDRDemo
import CDRMockData
import CDRMockHolder
import CDRStore
import Foundation
import Testing

@Suite("cdr-demo on an SQLite store: reuse across runs, --revoke, and nothing readable in the files")
struct DemoStoreTests {
    static let dataset = MockDataset.Configuration(
        customerCount: 1, accountsPerCustomer: 2, transactionsPerAccount: 300)

    static func withFolder(_ body: (URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cdr-demo-store-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(folder)
    }

    @Test(
        "A second run reuses the registration and the arrangement and reads from the checkpoints; --revoke ends it",
        .timeLimit(.minutes(5)))
    func twoRunsThenRevoke() async throws {
        try await Self.withFolder { folder in
            let storage = DemoOptions.Storage.sqlite(path: folder.appendingPathComponent("store.sqlite"))
            let first = try await Demo.run(DemoOptions(holder: .embedded(Self.dataset), storage: storage))
            #expect(!first.storage.registrationReused && !first.storage.arrangementReused)
            #expect(first.deletion == nil)
            #expect(first.transactions.count > 0)
            #expect(first.storage.recordsKept == first.accounts.count * 2 + first.transactions.count)
            #expect(first.storage.checkpoints.allSatisfy { $0.previousThrough == nil })

            let second = try await Demo.run(DemoOptions(holder: .embedded(Self.dataset), storage: storage))
            #expect(second.storage.registrationReused)
            #expect(second.storage.arrangementReused)
            #expect(second.holder.clientID == first.holder.clientID)
            #expect(second.consent.arrangementID == first.consent.arrangementID)
            // The same accounts under the same keys, each read from where the first run stopped.
            #expect(Set(second.accounts.map(\.key)) == Set(first.accounts.map(\.key)))
            #expect(second.storage.checkpoints.count == second.accounts.count)
            #expect(second.storage.checkpoints.allSatisfy { $0.previousThrough != nil })
            #expect(second.transactions.count < first.transactions.count)
            // Each account is read from a week before its newest kept transaction; nothing is kept twice, and the
            // mock's history has nothing newer, so the store did not grow.
            for (checkpoint, earlier) in zip(
                second.storage.checkpoints.sorted { $0.account < $1.account },
                first.storage.checkpoints.sorted { $0.account < $1.account })
            {
                let newest = try #require(checkpoint.previousThrough)
                #expect(checkpoint.from == max(newest.addingTimeInterval(-7 * 86_400), earlier.from))
            }
            #expect(second.storage.newTransactionsKept == 0)
            #expect(second.storage.recordsKept == first.storage.recordsKept)
            #expect(DemoReport.text(second).contains("reused (no consent)"))

            let third = try await Demo.run(
                DemoOptions(holder: .embedded(Self.dataset), storage: storage, revoke: true))
            #expect(third.storage.arrangementReused)
            let deletion = try #require(third.deletion)
            #expect(deletion.arrangementID == first.consent.arrangementID)
            #expect(deletion.keyDestroyed && deletion.recordsRemaining == 0 && !deletion.tokensRemaining)
            #expect(deletion.recordsDeleted == third.storage.recordsKept)
            #expect(deletion.verified)
            #expect(deletion.evidence?.isEmpty == false)
            let names = deletion.auditTrail.map { $0.split(separator: " ").dropFirst(2).first.map(String.init) ?? "" }
            #expect(names.first == "consent.given")
            #expect(names.filter { $0 == "collection" }.count >= 3)
            #expect(Array(names.suffix(3)) == ["consent.withdrawn", "deletion.key-destroyed", "deletion"])
            let text = DemoReport.text(third)
            #expect(text.contains("evidence: ") && text.contains("audit trail of the arrangement"))

            // A fourth run starts again with a new consent, on the same registration.
            let fourth = try await Demo.run(DemoOptions(holder: .embedded(Self.dataset), storage: storage))
            #expect(fourth.storage.registrationReused && !fourth.storage.arrangementReused)
            #expect(fourth.consent.arrangementID != first.consent.arrangementID)
        }
    }

    @Test("Canaries: the store's files hold no token, no JWT, no account name or number, no transaction text")
    func canaries() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite")
            try await MockDataHolder(configuration: .init(dataset: Self.dataset)).withRunning { holder in
                let result = try await Demo.run(DemoOptions(holder: .running(holder), storage: .sqlite(path: path)))
                // Reopen and write again, so the write-ahead log holds pages too while the files are read.
                let store = try await RecipientStore.sqlite(
                    path: path.path,
                    keyEncryptionKey: try LocalKeyEncryptionKey.file(at: folder.appendingPathComponent("kek")))
                let tokens = store.tokenStore(holderBrandID: result.holder.brandID)
                let record = try #require(try await tokens.load(arrangementID: result.consent.arrangementID))
                try await tokens.save(record)
                let set = try #require(record.tokens)
                let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                    .filter { $0.hasPrefix("store.sqlite") }
                #expect(files.contains("store.sqlite-wal"))
                let bytes = try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) }

                let customer = try #require(holder.dataset.customer(id: "customer-1"))
                var canaries: [String] = [set.accessToken, "eyJ"]
                if let refresh = set.refreshToken { canaries.append(refresh) }
                for account in holder.dataset.accounts(of: customer) {
                    canaries += [account.displayName, account.maskedNumber]
                    if let number = account.accountNumber { canaries.append(number) }
                    let range = holder.dataset.transactionIndices(
                        of: account, from: result.transactions.from, through: result.transactions.to)
                    for index in range.prefix(50) {
                        let description = holder.dataset.transaction(of: account, at: index).description
                        if description.count >= 8 { canaries.append(description) }
                    }
                }
                for canary in canaries {
                    let needle = Data(canary.utf8)
                    #expect(
                        bytes.allSatisfy { $0.range(of: needle) == nil },
                        "a canary of \(canary.count) characters is readable in the store's files")
                }
                try await store.close()
            }
        }
    }
}
