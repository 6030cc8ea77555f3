import Benchmark
import CDRAccountData
import CDRBanking
import CDRMockHolder
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation

/// One arrangement's whole transaction history synced from the mock holder over mutual TLS on loopback, through
/// the SDK's full path: `CDRAccountDataSource` → `BankingClient` (paged walk, 1,000 per page, lenient decoding,
/// duplicate window) → interaction id, bearer token and retry middleware → AsyncHTTPClient. Each record is mapped
/// into the domain model with its provenance and then dropped, as a streaming sync would store it and move on.
///
/// The same sync at 10,000 and 1,000,000 transactions: peak resident memory should stay flat (the 1,000,000 peak
/// within 1.5x of the 10,000 one), because only one page is held at a time. `transactions/s` is the custom metric.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .custom("transactions/s", polarity: .prefersLarger)],
        warmupIterations: 0,
        maxDuration: .seconds(600),
        maxIterations: 1
    )

    for count in [10_000, 1_000_000] {
        Benchmark("Sync one arrangement: \(count.formatted()) transactions over mTLS") { benchmark in
            let synced = try await sync(transactions: count, benchmark: benchmark)
            precondition(synced == count, "synced \(synced) of \(count)")
        }
    }
}

/// A token provider that hands out the mock grant's access token.
struct GrantToken: AccessTokenProvider {
    let token: String
    func accessToken() async throws -> String { token }
    func accessToken(afterRejecting rejected: String) async throws -> String { token }
}

func sync(transactions count: Int, benchmark: Benchmark) async throws -> Int {
    let history = Duration.seconds(365 * 86_400)
    let configuration = MockDataHolder.Configuration(
        dataset: .init(customerCount: 1, accountsPerCustomer: 1, transactionsPerAccount: count, history: history),
        accessTokenLifetime: .seconds(3_600), maximumPageSize: 1_000)
    return try await MockDataHolder(configuration: configuration).withRunning { holder in
        guard let endpoints = holder.endpoints else { throw SetupError() }
        let grant = try holder.makeGrant(boundTo: try holder.pki.client.thumbprint(), lifetime: .seconds(3_600))
        let transportConfiguration = AsyncHTTPClientTransport.Configuration(
            mutualTLS: .init(identity: try holder.pki.clientIdentity(), trustRoots: try holder.pki.trustRoots),
            publicTrustRoots: try holder.pki.trustRoots, requestTimeout: .seconds(60))
        return try await AsyncHTTPClientTransport.withTransport(configuration: transportConfiguration) { base in
            let transport = MiddlewareTransport.standard(
                base, accessTokens: GrantToken(token: grant.accessToken))
            guard let resources = URL(string: endpoints.resourceBaseURL),
                let publicResources = URL(string: endpoints.publicResourceBaseURL)
            else { throw SetupError() }
            let banking = BankingClient(
                configuration: .init(
                    resourceBaseURL: resources, publicBaseURL: publicResources, holderBrandID: "mock", pageSize: 1_000),
                context: .unattended(authenticatedAt: Date()), transport: transport)
            let source = CDRAccountDataSource(
                holderBrandID: "mock", arrangementID: grant.arrangementID, banking: banking)
            guard let account = try await source.accounts().first else { throw SetupError() }
            let end = holder.dataset.configuration.referenceDate.addingTimeInterval(1)
            let period = DateInterval(
                start: end.addingTimeInterval(-Double(history.components.seconds) - 86_400), end: end)
            let clock = ContinuousClock()
            let started = clock.now
            benchmark.startMeasurement()
            var synced = 0
            for try await transaction in source.transactions(of: account.id, in: period) {
                blackHole(transaction)
                synced += 1
            }
            benchmark.stopMeasurement()
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(.custom("transactions/s", polarity: .prefersLarger), Int(Double(synced) / seconds))
            return synced
        }
    }
}

struct SetupError: Error {}
