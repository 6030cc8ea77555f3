import CDRAccountData
import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import Testing

/// A token provider that hands out a mock grant's access token.
struct GrantToken: AccessTokenProvider {
    let token: String
    func accessToken() async throws -> String { token }
    func accessToken(afterRejecting rejected: String) async throws -> String { token }
}

/// A running mock holder, a transport for it, a grant for `customer-1` and a CDR source over it.
struct CDRHarness: Sendable {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    let base: any HTTPTransport
    let grant: MockGrant
    let banking: BankingClient
    let registry: AccountIdentityRegistry
    let cdr: CDRAccountDataSource

    static let brand = "mock-bank"

    /// Runs `body` with a fresh holder (4 accounts of 300 transactions by default).
    static func run(
        dataset: MockDataset.Configuration = .init(
            customerCount: 2, accountsPerCustomer: 4, transactionsPerAccount: 300),
        versions: VersionPreferences = VersionPreferences(),
        _ body: @Sendable (CDRHarness) async throws -> Void
    ) async throws {
        try await MockDataHolder(configuration: .init(dataset: dataset)).withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            let configuration = AsyncHTTPClientTransport.Configuration(
                mutualTLS: .init(identity: try holder.pki.clientIdentity(), trustRoots: try holder.pki.trustRoots),
                publicTrustRoots: try holder.pki.trustRoots, requestTimeout: .seconds(30))
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { base in
                let grant = try holder.makeGrant(
                    customerID: "customer-1", boundTo: try holder.pki.client.thumbprint(), lifetime: .seconds(600))
                let transport = MiddlewareTransport(
                    base,
                    middlewares: [
                        InteractionIDMiddleware(), BearerTokenMiddleware(provider: GrantToken(token: grant.accessToken)),
                    ])
                let banking = BankingClient(
                    configuration: .init(
                        resourceBaseURL: try #require(URL(string: endpoints.resourceBaseURL)),
                        publicBaseURL: try #require(URL(string: endpoints.publicResourceBaseURL)),
                        holderBrandID: brand, versions: versions, pageSize: 100),
                    context: .unattended(authenticatedAt: Date()), transport: transport)
                let registry = AccountIdentityRegistry()
                let cdr = CDRAccountDataSource(
                    holderBrandID: brand, arrangementID: grant.arrangementID, banking: banking, registry: registry)
                try await body(
                    CDRHarness(
                        holder: holder, endpoints: endpoints, base: base, grant: grant, banking: banking,
                        registry: registry, cdr: cdr))
            }
        }
    }

    /// The dataset's accounts of `customer-1`.
    var datasetAccounts: [MockAccount] {
        guard let customer = holder.dataset.customer(id: "customer-1") else { return [] }
        return holder.dataset.accounts(of: customer)
    }

    /// The whole history of the dataset as a period.
    var wholeHistory: DateInterval {
        let end = holder.dataset.configuration.referenceDate.addingTimeInterval(1)
        let span = Double(holder.dataset.configuration.history.components.seconds) + 86_400
        return DateInterval(start: end.addingTimeInterval(-span), end: end)
    }

    /// Checks CDR provenance.
    func expectCDR(_ provenance: Provenance, version: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(provenance.method == .cdr, sourceLocation: sourceLocation)
        #expect(provenance.cdr?.holderBrandID == Self.brand, sourceLocation: sourceLocation)
        #expect(provenance.cdr?.arrangementID == grant.arrangementID, sourceLocation: sourceLocation)
        #expect(provenance.cdr?.version == version, sourceLocation: sourceLocation)
        #expect(provenance.cdr?.interactionID?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(provenance.ddc == nil, sourceLocation: sourceLocation)
        #expect(abs(provenance.fetchedAt.timeIntervalSinceNow) < 600, sourceLocation: sourceLocation)
    }
}
