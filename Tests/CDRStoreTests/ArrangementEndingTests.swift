import CDRAccountData
import CDRAuth
import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

@Suite("However an arrangement ends, its tombstone destroys its data key in the same transaction")
struct ArrangementEndingTests {
    @Test(
        "A tombstone saved by the token layer alone (a refused refresh, the holder's revocation) ends the scope",
        arguments: [RevocationInitiator.holder, .consumer])
    func tombstoneEndsTheScope(initiator: RevocationInitiator) async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let kek = LocalKeyEncryptionKey.random()
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
            let tokens = store.tokenStore(holderBrandID: "bank")
            var record = RecipientStoreFailingDiskTests.arrangement("a")
            let other = RecipientStoreFailingDiskTests.arrangement("b")
            let scope = DataScope.arrangement(holderBrandID: "bank", arrangementID: "a")
            let otherScope = DataScope.arrangement(holderBrandID: "bank", arrangementID: "b")
            try await tokens.save(record)
            try await tokens.save(other)
            try await store.save(RecipientStoreFailingDiskTests.accounts(3, of: "a"), in: scope)
            try await store.save(RecipientStoreFailingDiskTests.accounts(2, of: "b"), in: otherScope)

            record.arrangement = try record.arrangement.applying(.revoked(by: initiator), at: Date())
            record.tokens = nil
            try await tokens.save(record)

            #expect(try await store.count(in: scope) == 0)
            #expect(try await store.backend.dataKey(scope: scope.description) == nil)
            #expect(try await tokens.load(arrangementID: "a")?.arrangement.state == .revoked(by: initiator))
            let names = try await store.auditTrail(for: scope).map(\.event.name)
            #expect(names == ["consent.withdrawn", "deletion.key-destroyed", "deletion"])
            guard case .consentWithdrawn(_, _, let channel) = try await store.auditTrail(for: scope).first?.event
            else {
                Issue.record("no withdrawal entry")
                return
            }
            #expect(channel == (initiator == .holder ? .holder : .recipient))

            // Ending it again (the facade's deletion after the token layer's) reports the same deletion, adds
            // nothing to the trail, and the other arrangement is untouched.
            let again = try await store.destroy(scope)
            #expect(again.keyDestroyedAt != nil && again.recordsDeleted == 3 && again.verified)
            try await tokens.save(record)
            #expect(try await store.auditTrail(for: scope).count == 3)
            #expect(try await store.count(in: otherScope) == 2)
            #expect(try await tokens.load(arrangementID: "b")?.tokens != nil)
            try await store.close()

            // After a restart nothing of it comes back.
            let reopened = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
            #expect(try await reopened.count(in: scope) == 0)
            #expect(try await reopened.records(in: otherScope).count == 2)
            try await reopened.close()
        }
    }

    @Test("An expired arrangement's tombstone is recorded as expired")
    func expiry() async throws {
        let store = RecipientStore.ephemeral()
        let tokens = store.tokenStore(holderBrandID: "bank")
        var record = RecipientStoreFailingDiskTests.arrangement("e")
        try await tokens.save(record)
        record.arrangement = try record.arrangement.applying(.expired, at: Date())
        record.tokens = nil
        try await tokens.save(record)
        let trail = try await store.auditTrail(for: .arrangement(holderBrandID: "bank", arrangementID: "e"))
        #expect(trail.first?.event.name == "consent.expired")
    }
}
