import AsyncHTTPClient
import Benchmark
import CDRMockData
import CDRMockHolder
import CDRTesting
import Foundation
import NIOCore
import NIOHTTP1

/// Pages per second the mock data holder serves: one page of 1,000 transactions (the largest page size), fetched
/// over mutual TLS on loopback by one keep-alive connection, decoded nowhere (the client only drains the body).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .cpuTotal, .peakMemoryResident],
        maxDuration: .seconds(15),
        maxIterations: 500
    )

    Benchmark("Mock holder: one 1,000-transaction page over mTLS (v2)") { benchmark in
        let configuration = MockDataHolder.Configuration(
            dataset: .init(customerCount: 1, accountsPerCustomer: 1, transactionsPerAccount: 20_000))
        let holder = try MockDataHolder(configuration: configuration)
        try await holder.withRunning { holder in
            let endpoints = try require(holder.endpoints)
            let grant = try holder.makeGrant(boundTo: try holder.pki.client.thumbprint(), lifetime: .seconds(3600))
            let client = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: .init(tlsConfiguration: try holder.pki.makeClientTLSConfiguration()))
            var request = HTTPClientRequest(
                url: endpoints.resourceBaseURL + "/banking/accounts/\(grant.accountIDs[0])/transactions"
                    + "?oldest-time=2000-01-01T00:00:00Z&page-size=1000&page=3")
            request.headers.add(name: "authorization", value: "Bearer \(grant.accessToken)")
            request.headers.add(name: "x-v", value: "2")
            request.headers.add(name: "x-fapi-auth-date", value: "Sat, 21 Nov 2026 10:00:00 GMT")
            // One warm-up request opens the connection (the only TLS handshake).
            let warm = try await client.execute(request, timeout: .seconds(30))
            precondition(warm.status == .ok, "warm-up failed: \(warm.status)")
            _ = try await warm.body.collect(upTo: 16 << 20)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let response = try await client.execute(request, timeout: .seconds(30))
                blackHole(try await response.body.collect(upTo: 16 << 20))
            }
            benchmark.stopMeasurement()
            try await client.shutdown()
        }
    }
}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw BenchmarkSetupError() }
    return value
}

private struct BenchmarkSetupError: Error {}
