import CDRAccountData
import CDRBanking
import CDRDDC
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import Testing

/// A running mock holder, a transport for it, a grant for `customer-1` and a CDR source over it.
struct CDRHarness: Sendable {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    let base: any HTTPTransport
    let grant: MockGrant
    let banking: BankingClient
    let registry: AccountIdentityRegistry
    let cdr: CDRAccountDataSource
    let ddcClient: DDCClient

    static let brand = "mock-bank"

    /// Runs `body` with a fresh holder (4 accounts of 300 transactions by default).
    static func run(
        dataset: MockDataset.Configuration = .init(
            customerCount: 2, accountsPerCustomer: 4, transactionsPerAccount: 300),
        versions: VersionPreferences = VersionPreferences(),
        sharedAccounts: Int? = nil,
        accessToken: String? = nil,
        _ body: @Sendable (CDRHarness) async throws -> Void
    ) async throws {
        let options = MockWorld.Options(holderConfiguration: .init(dataset: dataset), consent: nil)
        try await withMockDataHolder(options) { world in
            let holder = try world.holder
            let owned = try world.accountIDs(of: "customer-1")
            let grant = try world.makeGrant(
                accountIDs: sharedAccounts.map { Array(owned.prefix($0)) }, lifetime: .seconds(600))
            let transport = MiddlewareTransport(
                world.base,
                middlewares: [
                    InteractionIDMiddleware(),
                    BearerTokenMiddleware(provider: FixedAccessTokenProvider(accessToken ?? grant.accessToken)),
                ])
            let banking = BankingClient(
                configuration: .init(
                    resourceBaseURL: try #require(URL(string: world.endpoints.resourceBaseURL)),
                    publicBaseURL: try #require(URL(string: world.endpoints.publicResourceBaseURL)),
                    holderBrandID: brand, versions: versions, pageSize: 100),
                context: .unattended(authenticatedAt: Date()), transport: transport)
            let registry = AccountIdentityRegistry()
            let cdr = CDRAccountDataSource(
                holderBrandID: brand, arrangementID: grant.arrangementID, banking: banking, registry: registry)
            let ddcClient = DDCClient(
                configuration: try await world.ddcProvider(),
                transport: MiddlewareTransport(world.base, middlewares: [InteractionIDMiddleware()]))
            try await body(
                CDRHarness(
                    holder: holder, endpoints: world.endpoints, base: world.base, grant: grant, banking: banking,
                    registry: registry, cdr: cdr, ddcClient: ddcClient))
        }
    }

    /// Connects `customer-1` at the mock provider (answering a one-time code), runs a capture job and returns a DDC
    /// source sharing the CDR source's identity registry.
    func connectDDC() async throws -> DDCAccountDataSource {
        holder.ddc.mfa = .oneTimeCode
        let connection = try await ddcClient.createConnection(
            institutionID: holder.ddc.institutionID,
            credentials: DDCCredentials(username: "customer-1", password: holder.ddc.password(for: "customer-1")))
        let provider = holder.ddc
        let job = try await ddcClient.runJob(connection: connection) { _ in
            .oneTimeCode(provider.lastOneTimeCode(for: connection.rawValue) ?? "")
        }
        return DDCAccountDataSource(client: ddcClient, connection: connection, job: job, registry: registry)
    }

    /// Checks DDC provenance.
    func expectDDC(
        _ provenance: Provenance, source: DDCAccountDataSource, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(provenance.method == .ddc, sourceLocation: sourceLocation)
        #expect(provenance.ddc?.providerID == "mock-aggregator", sourceLocation: sourceLocation)
        #expect(provenance.ddc?.connectionID == source.connection?.rawValue, sourceLocation: sourceLocation)
        #expect(provenance.ddc?.jobID == source.job?.rawValue, sourceLocation: sourceLocation)
        #expect(provenance.cdr == nil, sourceLocation: sourceLocation)
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
