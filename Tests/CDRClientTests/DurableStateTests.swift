import CDRAccountData
import CDRAuth
import CDRClient
import CDRStore
import CDRTesting
import Foundation
import Testing

/// What a recipient keeps survives a restart: a consent started before it completes after it, and an account keeps
/// its key. Each "restart" closes the SQLite store and opens a new `CDRClient` over the same file and key.
@Suite("Durable state across a restart: pending authorisations, account identities", .timeLimit(.minutes(5)))
struct DurableStateTests {
    /// Runs `body` with the path of an SQLite file in a new temporary folder (removed afterwards) and a key for it.
    static func withStoreFile(_ body: (String, LocalKeyEncryptionKey) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdr-restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(folder.appendingPathComponent("recipient.sqlite").path, LocalKeyEncryptionKey.random())
    }

    /// A second client over the world's holder, as a restarted process would make it: the same configuration with a
    /// new store on the same file.
    static func restartedClient(_ world: MockWorld, store: RecipientStore) async throws -> HolderClient {
        var configuration = world.client.configuration
        configuration.store = store
        let client = CDRClient(configuration: configuration, transport: world.base)
        return try await client.connect(brand: world.brand)
    }

    @Test("a PAR made before a restart completes after it; the replayed callback is then refused with .unknownState")
    func pendingAuthorizationSurvivesARestart() async throws {
        try await Self.withStoreFile { path, key in
            let first = try await RecipientStore.sqlite(path: path, keyEncryptionKey: key)
            try await withMockDataHolder(MockWorld.Options(consent: nil, store: first)) { world in
                let redirect = try await world.holderClient.startAuthorization(MockWorld.Options.standardConsent)
                let callback = try await world.callbackURL(for: redirect)
                #expect(await world.holderClient.connection.pendingAuthorizationCount == nil)
                try await first.close()

                let second = try await RecipientStore.sqlite(path: path, keyEncryptionKey: key)
                let bank = try await Self.restartedClient(world, store: second)
                #expect(bank.registration.clientId == world.registration.clientId)
                let arrangement = try await bank.completeAuthorization(
                    callbackURL: callback, expectedState: redirect.state)
                #expect(try await bank.arrangement(id: arrangement.id)?.state == .authorised)
                // The consent's ID token is kept with the arrangement, for checking refreshed ones after a restart.
                let record = try #require(
                    try await second.tokenStore(holderBrandID: world.brand.id).load(arrangementID: arrangement.id))
                #expect(record.originalIDToken?.subject == arrangement.subject)
                #expect(record.originalIDToken?.claims["nonce"] != nil)
                #expect(
                    try await second.arrangements(holderBrandID: world.brand.id).map(\.arrangement.id) == [
                        arrangement.id
                    ])
                #expect(try await second.backend.items(kind: "pending").isEmpty)
                do {
                    _ = try await bank.completeAuthorization(callbackURL: callback, expectedState: redirect.state)
                    Issue.record("the replayed callback completed a second time")
                } catch let error as AuthorizationError {
                    #expect(error.code == .unknownState)
                }
                try await second.close()
            }
        }
    }

    @Test("the same account has the same AccountKey after a restart, and its identities go when the arrangement ends")
    func accountIdentitiesSurviveARestart() async throws {
        try await Self.withStoreFile { path, key in
            let first = try await RecipientStore.sqlite(path: path, keyEncryptionKey: key)
            try await withMockDataHolder(MockWorld.Options(store: first)) { world in
                let arrangement = try world.arrangement
                let before = try await world.holderClient.accountData(for: arrangement).accounts()
                #expect(!before.isEmpty)
                let learnt = try await world.holderClient.registry(for: arrangement.id)
                #expect(await learnt.identities.count == before.count)
                #expect(await learnt.revision >= before.count)
                try await first.close()

                let second = try await RecipientStore.sqlite(path: path, keyEncryptionKey: key)
                let bank = try await Self.restartedClient(world, store: second)
                let restored = try await bank.registry(for: arrangement.id)
                #expect(await restored.identities == learnt.identities)
                #expect(await restored.revision == 0)
                let after = try await bank.accountData(for: arrangement).accounts()
                let keysBefore = Dictionary(uniqueKeysWithValues: before.map { ($0.sourceAccountID, $0.id) })
                let keysAfter = Dictionary(uniqueKeysWithValues: after.map { ($0.sourceAccountID, $0.id) })
                #expect(keysAfter == keysBefore)
                // A registry that did not restore would have made new keys for the same accounts.
                let fresh = AccountIdentityRegistry()
                let freshKey = await fresh.identify(
                    AccountFingerprint(displayName: after[0].displayName), method: .cdr,
                    sourceAccountID: after[0].sourceAccountID)
                #expect(freshKey != keysBefore[after[0].sourceAccountID])

                let itemKey = "\(world.brand.id)/\(arrangement.id)"
                #expect(try await second.backend.item(kind: "identities", key: itemKey) != nil)
                _ = try await bank.revokeArrangement(id: arrangement.id)
                #expect(try await second.backend.item(kind: "identities", key: itemKey) == nil)
                try await second.close()
            }
        }
    }
}
