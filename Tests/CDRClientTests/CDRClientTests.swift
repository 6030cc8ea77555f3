import CDRAccountData
import CDRAuth
import CDRBanking
import CDRClient
import CDRDDC
import CDRJOSE
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

/// A mock world without consent: the `CDRClient` of a product registered at the Register, over real mutual TLS, and
/// the holder client it connected with `connect(holderBrandID:)`.
struct ClientHarness: Sendable {
    let world: MockWorld
    let holder: MockDataHolder
    let store: EncryptedRecordStore?

    var cdr: CDRClient { world.client }
    var endpoints: MockDataHolder.Endpoints { world.endpoints }
    var brandID: String { world.brand.id }

    static func run(
        keepsRecords: Bool = true, _ body: @Sendable (ClientHarness) async throws -> Void
    ) async throws {
        let store = keepsRecords ? EncryptedRecordStore() : nil
        let options = MockWorld.Options(consent: nil, productID: "sp-client", signing: .ps256, recordStore: store)
        try await withMockDataHolder(options) { world in
            try await body(ClientHarness(world: world, holder: try world.holder, store: store))
        }
    }

    /// The browser leg, headless: the mock consents for `customer` and redirects to the callback.
    func consent(_ bank: HolderClient, customer: String = "customer-1") async throws -> Arrangement {
        try await world.consent(
            AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(30)),
            customer: customer, at: bank)
    }

    /// The dataset's accounts of a customer.
    func datasetAccounts(of customer: String = "customer-1") -> [MockAccount] {
        guard let found = holder.dataset.customer(id: customer) else { return [] }
        return holder.dataset.accounts(of: found)
    }
}

@Suite("CDRClient: the facade against the mock holder over mutual TLS", .timeLimit(.minutes(5)))
struct CDRClientTests {
    @Test("The Register lists the holder brand with its endpoints")
    func holderBrands() async throws {
        try await ClientHarness.run { harness in
            let brands = try await harness.cdr.holderBrands()
            let brand = try #require(brands.first { $0.id == harness.brandID })
            #expect(brand.issuer == harness.endpoints.issuer)
            #expect(brand.resourceBaseURL.absoluteString == harness.endpoints.resourceBaseURL)
            #expect(brand.publicBaseURL.absoluteString == harness.endpoints.publicResourceBaseURL)
        }
    }

    @Test("An unknown brand is holderNotFound, before anything is registered")
    func unknownBrand() async throws {
        try await ClientHarness.run { harness in
            let error = await #expect(throws: CDRClientError.self) {
                _ = try await harness.cdr.connect(holderBrandID: "no-such-brand")
            }
            #expect(error?.code == .holderNotFound)
        }
    }

    @Test("A brand whose base URI is not https is refused")
    func invalidBrand() throws {
        let error = #expect(throws: CDRClientError.self) {
            _ = try HolderBrand(
                id: "b", name: "B", issuer: "https://b.example", resourceBaseURI: "http://b.example",
                publicBaseURI: "https://b.example")
        }
        #expect(error?.code == .invalidHolder)
    }

    @Test("connect → consent → accounts and transactions with provenance, equal to the holder's data")
    func consentAndData() async throws {
        try await ClientHarness.run { harness in
            let bank = harness.world.holderClient
            #expect(!bank.registration.clientId.isEmpty)
            let arrangement = try await harness.consent(bank)
            let source = await bank.accountData(for: arrangement)
            let accounts = try await source.accounts()
            let expected = harness.datasetAccounts()
            #expect(Set(accounts.map(\.sourceAccountID)) == Set(expected.map(\.id)))
            for account in accounts {
                #expect(account.provenance.method == .cdr)
                #expect(account.provenance.cdr?.arrangementID == arrangement.id)
                #expect(account.provenance.cdr?.holderBrandID == harness.brandID)
                #expect(account.provenance.cdr?.interactionID?.isEmpty == false)
            }
            let first = try #require(accounts.first)
            let transactions = try await source.transactions(of: first.id, in: nil).collect()
            #expect(!transactions.isEmpty)
            #expect(
                transactions.allSatisfy {
                    $0.accountID == first.id && $0.provenance.cdr?.arrangementID == arrangement.id
                })
            // The banking client answers with the newest version by default.
            let banking = await bank.banking(for: arrangement)
            let page = try await banking.accounts().pages.first { _ in true }
            #expect(page?.version == 3)
        }
    }

    @Test("Reconnecting with a kept registration reuses the client_id and still authorises")
    func reconnect() async throws {
        try await ClientHarness.run { harness in
            let first = harness.world.holderClient
            let again = try await harness.cdr.connect(holderBrandID: harness.brandID, registration: first.registration)
            #expect(again.registration.clientId == first.registration.clientId)
            let arrangement = try await harness.consent(again)
            #expect(try await again.arrangement(id: arrangement.id)?.state.allowsDataAccess == true)
        }
    }

    @Test("Revocation deletes tokens, kept records (and their key) and the identities; data calls are refused after")
    func revokeDeletes() async throws {
        try await ClientHarness.run { harness in
            let store = try #require(harness.store)
            let bank = harness.world.holderClient
            let arrangement = try await harness.consent(bank)
            let other = try await harness.consent(bank, customer: "customer-2")
            let source = await bank.accountData(for: arrangement)
            let accounts = try await source.accounts()
            #expect(try await bank.keep(accounts.map(StoredRecord.account), of: arrangement.id))
            let otherAccounts = try await bank.accountData(for: other).accounts()
            try await bank.keep(otherAccounts.map(StoredRecord.account), of: other.id)
            #expect(await store.count(in: bank.scope(of: arrangement.id)) == accounts.count)

            let deletion = try await bank.revokeArrangement(id: arrangement.id)
            #expect(deletion.recordsDeleted == accounts.count)
            #expect(deletion.keyDestroyed)
            #expect(deletion.identitiesForgotten)
            #expect(deletion.arrangement?.tokensDeleted == true)
            #expect(deletion.arrangement?.holderConfirmed == true)
            #expect(await store.count(in: bank.scope(of: arrangement.id)) == 0)
            #expect(await store.sealedBatches(in: bank.scope(of: arrangement.id)).isEmpty)
            let record = try await harness.cdr.configuration.tokenStore(for: harness.brandID).load(
                arrangementID: arrangement.id)
            #expect(record?.tokens == nil)
            #expect(record?.arrangement.state.isTerminal == true)
            #expect(harness.holder.arrangement(id: arrangement.id)?.isActive == false)
            let error = await #expect(throws: (any Error).self) { _ = try await source.accounts() }
            #expect(error.map(FallbackAccountDataSource.reason(for:)) == .missingArrangement)
            // The other customer's arrangement and records are untouched.
            #expect(await store.count(in: bank.scope(of: other.id)) == otherAccounts.count)
            #expect(try await bank.accountData(for: other).accounts().count == otherAccounts.count)
        }
    }

    @Test("A holder's revocation through the receiver deletes the data; another brand's is refused")
    func holderRevocation() async throws {
        try await ClientHarness.run { harness in
            let store = try #require(harness.store)
            let bank = harness.world.holderClient
            let arrangement = try await harness.consent(bank)
            let accounts = try await bank.accountData(for: arrangement).accounts()
            try await bank.keep(accounts.map(StoredRecord.account), of: arrangement.id)

            let foreign = ArrangementRevocation(
                arrangementID: arrangement.id, holderBrandID: "other-brand", receivedAt: Date())
            #expect(try await bank.revokeArrangement(foreign) == false)
            #expect(await store.count(in: bank.scope(of: arrangement.id)) == accounts.count)

            let genuine = ArrangementRevocation(
                arrangementID: arrangement.id, holderBrandID: harness.brandID, receivedAt: Date())
            #expect(try await bank.revokeArrangement(genuine))
            #expect(await store.count(in: bank.scope(of: arrangement.id)) == 0)
            #expect(
                try await harness.cdr.configuration.tokenStore(for: harness.brandID).load(
                    arrangementID: arrangement.id)?.tokens == nil)
            // Already ended: nothing more to delete.
            #expect(try await bank.holderRevokedArrangement(id: arrangement.id) == nil)
        }
    }

    @Test("Without a record store nothing is kept, and revocation still deletes the tokens")
    func nothingKeptByDefault() async throws {
        try await ClientHarness.run(keepsRecords: false) { harness in
            let bank = harness.world.holderClient
            let arrangement = try await harness.consent(bank)
            let accounts = try await bank.accountData(for: arrangement).accounts()
            #expect(try await bank.keep(accounts.map(StoredRecord.account), of: arrangement.id) == false)
            let deletion = try await bank.revokeArrangement(id: arrangement.id)
            #expect(deletion.recordsDeleted == 0)
            // The arrangement's data key (which sealed its tokens in the store) is destroyed all the same.
            #expect(deletion.keyDestroyed)
            #expect(deletion.evidence?.verified == true)
            #expect(deletion.arrangement?.tokensDeleted == true)
        }
    }

    @Test("Ending a DDC connection deletes it at the provider and the records kept for it")
    func endDDCConnection() async throws {
        try await ClientHarness.run { harness in
            let store = try #require(harness.store)
            let provider = harness.holder.ddc
            provider.mfa = .none
            let client = harness.cdr.ddc(
                DDCProviderConfiguration(
                    providerID: "mock-aggregator", baseURL: try #require(URL(string: harness.endpoints.ddcBaseURL)),
                    apiKey: provider.apiKey, pollInterval: .milliseconds(5)))
            let connection = try await client.createConnection(
                institutionID: provider.institutionID,
                credentials: DDCCredentials(username: "customer-1", password: provider.password(for: "customer-1")))
            let job = try await client.runJob(connection: connection) { _ in .oneTimeCode("") }
            let source = DDCAccountDataSource(client: client, connection: connection, job: job)
            let accounts = try await source.accounts()
            let scope = DataScope.ddcConnection(providerID: "mock-aggregator", connectionID: connection.rawValue)
            try await harness.cdr.keep(accounts.map(StoredRecord.account), in: scope)
            #expect(provider.connectionIDs.contains(connection.rawValue))

            let deletion = try await harness.cdr.endConnection(connection, at: client)
            #expect(deletion.recordsDeleted == accounts.count)
            #expect(deletion.providerConfirmed == true)
            #expect(!provider.connectionIDs.contains(connection.rawValue))
            #expect(await store.count(in: scope) == 0)
        }
    }
}

@Suite("EncryptedRecordStore")
struct EncryptedRecordStoreTests {
    static func transaction(_ id: String, description: String) -> Transaction {
        Transaction(
            id: id, accountID: AccountKey(rawValue: "acct-1"), status: .posted, description: description,
            amount: Decimal(string: "-12.34")!, currency: "AUD", date: Date(timeIntervalSince1970: 1_767_225_600),
            reference: "ref-" + id, merchantName: nil, merchantCategoryCode: nil,
            provenance: .cdr(
                .init(holderBrandID: "bank", arrangementID: "arr-1", version: 2, interactionID: "i-1"),
                fetchedAt: Date(timeIntervalSince1970: 1_767_225_600)))
    }

    @Test("Records round-trip in order; nothing of them is readable in the sealed bytes")
    func roundTripSealed() async throws {
        let store = EncryptedRecordStore()
        let scope = DataScope.arrangement(holderBrandID: "bank", arrangementID: "arr-1")
        let batch1 = [StoredRecord.transaction(Self.transaction("t1", description: "COFFEE AT THE CORNER"))]
        let batch2 = [StoredRecord.transaction(Self.transaction("t2", description: "RENT NOVEMBER"))]
        try await store.save(batch1, in: scope)
        try await store.save(batch2, in: scope)
        #expect(try await store.records(in: scope) == batch1 + batch2)
        #expect(await store.count(in: scope) == 2)
        let sealed = await store.sealedBatches(in: scope)
        #expect(sealed.count == 2)
        for bytes in sealed {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(
                !text.contains("COFFEE") && !text.contains("RENT") && !text.contains("arr-1") && !text.contains("ref-"))
        }
    }

    @Test("Scopes are kept apart and deleted one at a time")
    func scopesApart() async throws {
        let store = EncryptedRecordStore()
        let first = DataScope.arrangement(holderBrandID: "bank", arrangementID: "arr-1")
        let second = DataScope.ddcConnection(providerID: "agg", connectionID: "conn-1")
        try await store.save([.transaction(Self.transaction("a", description: "A"))], in: first)
        try await store.save(
            [
                .transaction(Self.transaction("b", description: "B")),
                .transaction(Self.transaction("c", description: "C")),
            ],
            in: second)
        let deleted = await store.deleteAll(in: first)
        #expect(deleted.records == 1 && deleted.keyDestroyed)
        #expect(try await store.records(in: first).isEmpty)
        #expect(try await store.records(in: second).count == 2)
        #expect(await store.scopes == [second])
        let again = await store.deleteAll(in: first)
        #expect(again.records == 0 && !again.keyDestroyed)
    }

    @Test("An empty batch keeps nothing and creates no key")
    func emptyBatch() async throws {
        let store = EncryptedRecordStore()
        let scope = DataScope.arrangement(holderBrandID: "bank", arrangementID: "arr-1")
        try await store.save([], in: scope)
        #expect(await store.scopes.isEmpty)
    }
}
