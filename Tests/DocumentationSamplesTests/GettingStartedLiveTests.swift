import CDRClient
import CDRMockHolder
import CDRTesting
import Foundation
import Testing

/// The Getting started article's steps do not only compile: run against the mock holder, they do what the article
/// says (data with provenance, DDC serving during an outage, revocation deleting what was kept).
@Suite("Getting started samples, run against the mock holder", .timeLimit(.minutes(5)))
struct GettingStartedLiveTests {
    @Test("Data, the DDC fallback during an outage and revocation, as the article runs them")
    func articleSteps() async throws {
        let store = EncryptedRecordStore()
        var options = MockWorld.Options()
        options.customers = 1
        options.accountsPerCustomer = 2
        options.transactionsPerAccount = 5
        options.consent = nil  // the article's own consent step runs below
        options.recordStore = store
        try await withMockDataHolder(options) { world in
            let holder = try world.holder
            let endpoints = world.endpoints
            let cdr = world.client
            let bank = world.holderClient
            // The browser leg, headless: the mock consents for customer-1 and redirects to the callback.
            let session = ExampleSession()
            let redirect = try await gettingStartedStartAuthorization(bank: bank, session: session)
            let callbackURL = try await world.callbackURL(for: redirect)
            let arrangement = try await gettingStartedCompleteAuthorization(
                bank: bank, session: session, callbackURL: callbackURL)

            try await gettingStartedData(bank: bank, arrangement: arrangement)

            let provider = holder.ddc
            provider.mfa = .none
            holder.faults.outage = .unavailable
            try await gettingStartedFallback(
                cdr: cdr, bank: bank, arrangement: arrangement,
                providerURL: try #require(URL(string: endpoints.ddcBaseURL)), providerAPIKey: provider.apiKey,
                institutionID: provider.institutionID, username: "customer-1",
                password: provider.password(for: "customer-1"),
                askTheCustomer: { _ in
                    Issue.record("no challenge expected without MFA"); return ""
                })
            holder.faults.outage = nil
            // During the outage DDC served the accounts, so they were kept under the connection's scope only.
            let connectionID = try #require(provider.connectionIDs.first)
            let ddcScope = DataScope.ddcConnection(providerID: "acme-capture", connectionID: connectionID)
            #expect(await store.count(in: ddcScope) == 2)
            #expect(await store.count(in: bank.scope(of: arrangement.id)) == 0)

            try await bank.keep(
                try await bank.accountData(for: arrangement).accounts().map(StoredRecord.account),
                of: arrangement.id)
            #expect(await store.count(in: bank.scope(of: arrangement.id)) == 2)
            try await gettingStartedRevocation(bank: bank, arrangement: arrangement)
            #expect(holder.arrangement(id: arrangement.id)?.isActive == false)
            #expect(await store.count(in: bank.scope(of: arrangement.id)) == 0)
        }
    }
}
