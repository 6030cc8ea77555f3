import CDRAccountData
import Foundation
import Synchronization
import Testing

/// Snapshots, revisions and persistence of an `AccountIdentityRegistry`.
@Suite("Account identity snapshots: restoring, revisions, persistence")
struct AccountIdentitySnapshotTests {
    static let everyday = AccountFingerprint(maskedNumber: "xxxx 1234", displayName: "Everyday")

    /// Identities kept in memory, counting loads and saves.
    final class CountingPersistence: AccountIdentityPersistence {
        let kept: Mutex<(identities: [AccountIdentity], loads: Int, saves: Int)>
        init(_ identities: [AccountIdentity] = []) { kept = Mutex((identities, 0, 0)) }
        func loadIdentities() async throws -> [AccountIdentity] {
            kept.withLock { state in
                state.loads += 1
                return state.identities
            }
        }
        func saveIdentities(_ identities: [AccountIdentity]) async throws {
            kept.withLock { state in
                state.identities = identities
                state.saves += 1
            }
        }
        var loads: Int { kept.withLock { $0.loads } }
        var saves: Int { kept.withLock { $0.saves } }
        var identities: [AccountIdentity] { kept.withLock { $0.identities } }
    }

    @Test("a registry restored from another's identities gives the same keys, and its revision starts at 0")
    func restoring() async throws {
        let first = AccountIdentityRegistry()
        let key = await first.identify(Self.everyday, method: .cdr, sourceAccountID: "cdr-1")
        let encoded = try JSONEncoder().encode(await first.identities)
        let restored = AccountIdentityRegistry(
            restoring: try JSONDecoder().decode([AccountIdentity].self, from: encoded))
        #expect(await restored.revision == 0)
        #expect(await restored.identify(Self.everyday, method: .cdr, sourceAccountID: "cdr-1") == key)
        #expect(await restored.revision == 0)
        #expect(await restored.identities == first.identities)
    }

    @Test("the revision changes when identify learns something, and only then")
    func revision() async {
        let registry = AccountIdentityRegistry()
        _ = await registry.identify(Self.everyday, method: .cdr, sourceAccountID: "cdr-1")
        #expect(await registry.revision == 1)
        _ = await registry.identify(Self.everyday, method: .cdr, sourceAccountID: "cdr-1")
        #expect(await registry.revision == 1)
        // The same account from DDC binds a source id.
        _ = await registry.identify(
            AccountFingerprint(accountNumber: "9876 1234", displayName: "everyday"), method: .ddc,
            sourceAccountID: "ddc-1")
        #expect(await registry.revision == 2)
        #expect(await registry.identities.first?.fingerprint.accountNumber == "9876 1234")
        // A category learnt later completes the fingerprint.
        _ = await registry.identify(
            AccountFingerprint(maskedNumber: "xxxx 1234", displayName: "Everyday", category: .transactionAndSavings),
            method: .cdr, sourceAccountID: "cdr-1")
        #expect(await registry.revision == 3)
        #expect(await registry.identities.count == 1)
    }

    @Test("with a persistence, 20 concurrent restores load once, and saves happen only when the revision changed")
    func persistence() async throws {
        let seed = AccountIdentityRegistry()
        let key = await seed.identify(Self.everyday, method: .cdr, sourceAccountID: "cdr-1")
        let persistence = CountingPersistence(await seed.identities)
        let registry = AccountIdentityRegistry(persistence: persistence)
        await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { try await registry.restoreIfNeeded() } }
        }
        #expect(persistence.loads == 1)
        #expect(await registry.identify(Self.everyday, method: .cdr, sourceAccountID: "cdr-1") == key)
        try await registry.saveIfChanged()
        #expect(persistence.saves == 0)
        _ = await registry.identify(
            AccountFingerprint(maskedNumber: "xxxx 9999", displayName: "Saver"), method: .cdr, sourceAccountID: "cdr-2")
        try await registry.saveIfChanged()
        try await registry.saveIfChanged()
        #expect(persistence.saves == 1)
        #expect(persistence.identities.map(\.sourceIDs) == [[.cdr: "cdr-1"], [.cdr: "cdr-2"]])
    }

    @Test("after removeAll the registry is empty and saves nothing more")
    func removeAllStopsSaving() async throws {
        let persistence = CountingPersistence()
        let registry = AccountIdentityRegistry(persistence: persistence)
        try await registry.restoreIfNeeded()
        _ = await registry.identify(Self.everyday, method: .cdr, sourceAccountID: "cdr-1")
        try await registry.saveIfChanged()
        #expect(persistence.saves == 1)
        await registry.removeAll()
        _ = await registry.identify(Self.everyday, method: .ddc, sourceAccountID: "ddc-1")
        try await registry.saveIfChanged()
        #expect(persistence.saves == 1)
        #expect(await registry.identities.count == 1)
    }
}
