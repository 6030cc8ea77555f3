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

/// A save that holds a scope's data key from before the scope ended (another store on the same file ended it, or a
/// task of this store while the batch was being sealed) keeps nothing: the write itself checks that the key is
/// still there.
@Suite("RecipientStore: rows sealed before the scope ended are not kept", .timeLimit(.minutes(2)))
struct SealedBeforeTheEndTests {
    @Test("a batch prepared before the scope ended is refused by keep, and nothing of it is kept")
    func aPreparedBatchOfAnEndedScopeIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: folder.appendingPathComponent("s.sqlite").path),
                keyEncryptionKey: LocalKeyEncryptionKey.random())
            let scope = RecordSealingTests.scope
            try await store.save([RecordSealingTests.transaction(1)], in: scope)
            let batch = try await store.prepare(
                [RecordSealingTests.transaction(2), RecordSealingTests.transaction(3)], in: scope)
            #expect(batch.count == 2)
            _ = try await store.destroy(scope)

            let error = await #expect(throws: StoreError.self) { try await store.keep(batch) }
            #expect(error?.code == .keyDestroyed)
            #expect(try await store.count(in: scope) == 0)
            #expect(try await store.backend.scopesWithoutKey().isEmpty)
            try await store.close()
        }
    }

    @Test("a store whose cached key another store destroyed keeps no record and no checkpoint of that scope")
    func aCachedKeyOfAnEndedScopeKeepsNothing() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("s.sqlite").path
            let key = LocalKeyEncryptionKey.random()
            let syncing = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            let revoking = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            let scope = RecordSealingTests.scope
            try await syncing.save([RecordSealingTests.transaction(1)], in: scope)  // the key is now cached
            #expect(try await revoking.destroy(scope).verified)

            let records = await #expect(throws: StoreError.self) {
                try await syncing.save([RecordSealingTests.transaction(2)], in: scope)
            }
            #expect(records?.code == .keyDestroyed)
            let checkpoint = SyncCheckpoint(
                account: AccountKey(rawValue: "acc-1"), collectedThrough: Date(), collectedAt: Date(),
                lastRecordCount: 1)
            let item = await #expect(throws: StoreError.self) {
                try await syncing.saveCheckpoint(checkpoint, in: scope)
            }
            #expect(item?.code == .keyDestroyed)
            #expect(try await revoking.count(in: scope) == 0)
            #expect(try await revoking.backend.scopesWithoutKey().isEmpty)
            try await syncing.close()
            try await revoking.close()
        }
    }

    @Test("a batch one store prepared is refused by another store's keep")
    func aBatchOfAnotherStoreIsRefused() async throws {
        let first = RecipientStore.ephemeral()
        let second = RecipientStore.ephemeral()
        let batch = try await first.prepare([RecordSealingTests.transaction(1)], in: RecordSealingTests.scope)
        let error = await #expect(throws: StoreError.self) { try await second.keep(batch) }
        #expect(error?.code == .invalidData)
        #expect(try await second.count(in: RecordSealingTests.scope) == 0)
        let plain = EncryptedRecordStore()
        await #expect(throws: StoreError.self) { try await plain.keep(batch) }
        #expect(await plain.count(in: RecordSealingTests.scope) == 0)
    }
}
