import CDRAccountData
import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

/// An ended scope stays ended: a save that comes after the scope's deletion (a sync racing a revocation) keeps
/// nothing and makes no new data key, also after the store is reopened.
@Suite("RecipientStore: an ended scope keeps nothing again", .timeLimit(.minutes(2)))
struct EndedScopeTests {
    @Test("saving records or a checkpoint into a deleted scope is keyDestroyed, before and after reopening")
    func endedStaysEnded() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let key = LocalKeyEncryptionKey.random()
            let scope = RecordSealingTests.scope
            let other = DataScope.arrangement(holderBrandID: "bank", arrangementID: "arr-2")
            let first = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            try await first.save([RecordSealingTests.transaction(1)], in: scope)
            let evidence = try await first.destroy(scope)
            #expect(evidence.verified)
            let error = await #expect(throws: StoreError.self) {
                try await first.save([RecordSealingTests.transaction(2)], in: scope)
            }
            #expect(error?.code == .keyDestroyed)
            let checkpoint = SyncCheckpoint(
                account: AccountKey(rawValue: "acc-1"), collectedThrough: Date(), collectedAt: Date(),
                lastRecordCount: 1)
            await #expect(throws: StoreError.self) { try await first.saveCheckpoint(checkpoint, in: scope) }
            try await first.save([RecordSealingTests.transaction(3)], in: other)  // other scopes are not affected
            try await first.close()

            let second = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            let again = await #expect(throws: StoreError.self) {
                try await second.save([RecordSealingTests.transaction(4)], in: scope)
            }
            #expect(again?.code == .keyDestroyed)
            #expect(try await second.count(in: scope) == 0)
            #expect(try await second.count(in: other) == 1)
            try await second.close()
        }
    }
}
