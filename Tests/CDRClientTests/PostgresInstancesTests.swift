import CDRAccountData
import CDRAuth
import CDRClient
import CDRModels
import CDRStore
import CDRTesting
import Foundation
import Testing

/// Several instances of a recipient on one PostgreSQL database and one mock holder: each instance is a `CDRClient`
/// with a `RecipientStore` of its own (its own connection pool, locks and key cache) over the same database and
/// key-encryption key, as processes behind a load balancer are.
@Suite(
    "Many instances on one PostgreSQL database",
    .enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.howToRun)),
    .timeLimit(.minutes(5)))
struct PostgresInstancesTests {
    /// A second instance: the world's configuration with a store of its own on the same database, over a transport
    /// that records what it sends.
    static func instance(_ world: MockWorld, store: RecipientStore) async throws -> (HolderClient, RecordingTransport) {
        var configuration = world.client.configuration
        configuration.store = store
        let recording = RecordingTransport(recording: world.base)
        let client = CDRClient(configuration: configuration, transport: recording)
        return (try await client.connect(brand: world.brand), recording)
    }

    /// Runs `body` with instance A (the world's client, on a PostgreSQL store) and the database's URL and key.
    static func withInstances(
        consent: AuthorizationRequest? = MockWorld.Options.standardConsent,
        _ body: @Sendable (MockWorld, PostgresURL, LocalKeyEncryptionKey) async throws -> Void
    ) async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let key = LocalKeyEncryptionKey.random()
            let store = try await RecipientStore.postgres(url: url, keyEncryptionKey: key)
            do {
                try await withMockDataHolder(MockWorld.Options(consent: consent, store: store)) { world in
                    try await body(world, url, key)
                }
            } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
        }
    }

    @Test(
        "the database going away mid-sync: a typed error, nothing committed lost, and the next sync completes exactly")
    func databaseOutageMidSync() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let store = try await RecipientStore.postgres(
                url: url, configuration: .init(unavailableTimeout: .seconds(2)),
                keyEncryptionKey: LocalKeyEncryptionKey.random())
            var options = MockWorld.Options(store: store, recordStore: store)
            options.accountsPerCustomer = 3
            options.transactionsPerAccount = 2_000
            do {
                try await withMockDataHolder(options) { world in
                    let arrangement = try world.arrangement
                    let period = try world.wholeHistory
                    // Once the first account's checkpoint is saved, the database stops taking connections (and
                    // drops the ones it has).
                    let outage = Task<Void, any Error>.detached {
                        while try await store.backend.items(kind: "checkpoint").isEmpty {
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        try await PostgresTestServer.setConnectionsAllowed(false, to: url)
                    }
                    let error = await #expect(throws: (any Error).self) {
                        try await world.holderClient.syncTransactions(of: arrangement, in: period)
                    }
                    #expect(
                        (error as? any CDRCategorizedError)?.category == .serverFailure, "\(String(describing: error))")
                    try await outage.value
                    try await PostgresTestServer.setConnectionsAllowed(true, to: url)
                    let results = try await world.holderClient.syncTransactions(of: arrangement, in: period)
                    #expect(results.first?.resumed == true)
                    #expect(try await store.count(in: world.holderClient.scope(of: arrangement.id)) == 3 * 2_000)
                }
            } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
        }
    }

    static func refreshRequests(_ recordings: [RecordingTransport]) -> Int {
        recordings.reduce(0) { $0 + $1.requests.filter { $0.operation == "refresh" }.count }
    }

    @Test("2 instances × 50 callers of an expired access token: one token request at the holder, one new token for all")
    func refreshUnderContention() async throws {
        try await Self.withInstances { world, url, key in
            let arrangement = try world.arrangement
            let storeB = try await RecipientStore.postgres(url: url, keyEncryptionKey: key)
            let (bankB, recordingB) = try await Self.instance(world, store: storeB)
            // The stored access token expires (as it would with time): every caller must refresh first.
            let tokens = world.client.configuration.store.tokenStore(holderBrandID: world.brand.id)
            var record = try #require(try await tokens.load(arrangementID: arrangement.id))
            let expired = try #require(record.tokens?.accessToken)
            record.tokens?.accessTokenExpiresAt = Date().addingTimeInterval(-60)
            try await tokens.save(record)
            let before = Self.refreshRequests([world.recording, recordingB])

            let managers = [
                await world.holderClient.connection.tokenManager(for: arrangement.id),
                await bankB.connection.tokenManager(for: arrangement.id),
            ]
            let handedOut = try await withThrowingTaskGroup(of: String.self) { group in
                for caller in 0..<100 {
                    let manager = managers[caller % 2]
                    group.addTask { try await manager.accessToken() }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(handedOut.count == 100)
            #expect(Set(handedOut).count == 1)
            #expect(handedOut.first != expired)
            #expect(Self.refreshRequests([world.recording, recordingB]) - before == 1)
            #expect(await managers[0].refreshCount + managers[1].refreshCount == 1)
            // The new token is the stored one, and it works at the holder from either instance.
            #expect(try await tokens.load(arrangementID: arrangement.id)?.tokens?.accessToken == handedOut.first)
            #expect(try await !bankB.accountData(for: arrangement).accounts().isEmpty)
            try await storeB.close()
        }
    }

    @Test("a consent pushed on A completes on B; the replayed callback is refused on either instance")
    func consentAcrossInstances() async throws {
        try await Self.withInstances(consent: nil) { world, url, key in
            let storeB = try await RecipientStore.postgres(url: url, keyEncryptionKey: key)
            let (bankB, _) = try await Self.instance(world, store: storeB)
            let redirect = try await world.holderClient.startAuthorization(MockWorld.Options.standardConsent)
            let callback = try await world.callbackURL(for: redirect)
            let arrangement = try await bankB.completeAuthorization(
                callbackURL: callback, expectedState: redirect.state)
            #expect(try await world.holderClient.arrangement(id: arrangement.id)?.state == .authorised)
            #expect(try await !world.holderClient.accountData(for: arrangement).accounts().isEmpty)
            for bank in [bankB, world.holderClient] {
                let error = await #expect(throws: AuthorizationError.self) {
                    _ = try await bank.completeAuthorization(callbackURL: callback, expectedState: redirect.state)
                }
                #expect(error?.code == .unknownState)
            }
            try await storeB.close()
        }
    }

    @Test(
        "a holder's revocation received by A: B refuses the next data call without calling the holder, and has no token"
    )
    func revocationAcrossInstances() async throws {
        try await Self.withInstances { world, url, key in
            let arrangement = try world.arrangement
            let storeB = try await RecipientStore.postgres(url: url, keyEncryptionKey: key)
            let (bankB, recordingB) = try await Self.instance(world, store: storeB)
            let dataB = await bankB.accountData(for: arrangement)
            #expect(try await !dataB.accounts().isEmpty)
            let scopeB = bankB.scope(of: arrangement.id).description
            #expect(await storeB.holdsDataKey(scope: scopeB), "B sealed the accounts' identities under the key")

            // The holder revokes; its call to /arrangements/revoke reaches instance A.
            try await world.holder.revokeArrangement(id: arrangement.id, notifyRecipient: false)
            let deletion = try await world.holderClient.holderRevokedArrangement(id: arrangement.id)
            #expect(deletion?.keyDestroyed == true)

            let sentBefore = recordingB.requests.count
            let error = await #expect(throws: (any Error).self) { _ = try await dataB.accounts() }
            #expect((error as? any CDRCategorizedError)?.category == .consentRequired, "\(String(describing: error))")
            #expect(recordingB.requests.count == sentBefore, "B called the holder for a revoked arrangement")
            let record = try await storeB.tokenStore(holderBrandID: world.brand.id).load(arrangementID: arrangement.id)
            #expect(record?.tokens == nil)
            #expect(record?.arrangement.state == .revoked(by: .holder))
            #expect(try await storeB.count(in: bankB.scope(of: arrangement.id)) == 0)
            #expect(await !storeB.holdsDataKey(scope: scopeB), "B still holds the destroyed data key")
            try await storeB.close()
        }
    }
}
