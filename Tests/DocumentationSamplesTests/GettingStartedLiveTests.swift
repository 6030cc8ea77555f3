import CDRClient
import CDRJOSE
import CDRMockData
import CDRMockHolder
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// The Getting started article's steps do not only compile: run against the mock holder, they do what the article
/// says (data with provenance, DDC serving during an outage, revocation deleting what was kept).
@Suite("Getting started samples, run against the mock holder", .timeLimit(.minutes(2)))
struct GettingStartedLiveTests {
    @Test("Data, the DDC fallback during an outage and revocation, as the article runs them")
    func articleSteps() async throws {
        let dataset = MockDataset.Configuration(customerCount: 1, accountsPerCustomer: 2, transactionsPerAccount: 5)
        try await MockDataHolder(configuration: .init(dataset: dataset)).withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            let redirectURI = "https://adr.example.com/cdr/callback"
            let key = try SigningKey.generate(.ps256, keyID: "docs-sig")
            holder.register.add(
                .init(
                    id: "sp-docs", brandID: "brand-docs", name: "Docs", redirectURIs: [redirectURI],
                    jwks: JWKS(keys: [key.publicJWK])))
            let store = EncryptedRecordStore()
            let configuration = CDRClient.Configuration(
                product: SoftwareProductIdentity(
                    softwareProductID: "sp-docs", brandID: "brand-docs", signingKey: key, redirectURIs: [redirectURI]),
                identity: try holder.pki.clientIdentity(), cdrCertificateAuthority: try holder.pki.trustRoots,
                publicTrustRoots: try holder.pki.trustRoots,
                register: .init(
                    publicBaseURL: try #require(URL(string: endpoints.publicBaseURL)),
                    secureBaseURL: try #require(URL(string: endpoints.secureBaseURL)),
                    tokenURL: try #require(URL(string: endpoints.registerTokenURL))),
                recordStore: store, retry: .init(initialBackoff: .milliseconds(10)))
            try await CDRClient.withClient(configuration: configuration) { cdr in
                let bank = try await cdr.connect(holderBrandID: holder.configuration.brand.id)
                // The browser leg, headless: the mock consents for customer-1 and redirects to the callback.
                let session = ExampleSession()
                let callbackURL = try await Self.consent(bank, cdr: cdr, session: session)
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

    /// Runs the article's consent step and follows the holder's redirect as the customer's browser would.
    private static func consent(_ bank: HolderClient, cdr: CDRClient, session: ExampleSession) async throws -> URL {
        let redirect = try await gettingStartedStartAuthorization(bank: bank, session: session)
        let url = try #require(URL(string: redirect.url.absoluteString + "&mock_customer=customer-1"))
        let answer = try await cdr.transport.send(TransportRequest(method: .get, url: url, security: .publicTLS))
        try #require(answer.status.code == 302)
        return try #require(answer.headerFields[.location].flatMap(URL.init(string:)))
    }
}
