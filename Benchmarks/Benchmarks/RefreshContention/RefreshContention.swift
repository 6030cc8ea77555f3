import Benchmark
import CDRAuth
import CDRClient
import CDRTesting
import Foundation

/// What it costs when many callers find one access token expired at once, and how many token requests reach the
/// holder.
///
/// Each iteration expires the stored access token of one arrangement (the in-process mock holder's, consented once),
/// then 100 callers ask their instance's `TokenManager` for an access token at once; every caller must get the one
/// new token. Side by side:
///
/// - `1 instance × 100 callers, in memory`: one `CDRClient` on an in-memory store (the floor: the manager lets one
///   refresh run and the others wait for it);
/// - `1 instance × 100 callers, PostgreSQL`: the same on a PostgreSQL store (the refresh also takes the database's
///   advisory lock and re-reads the tokens under it);
/// - `2 instances × 50 callers, PostgreSQL`: two `CDRClient`s, each on a store of its own (its own pool) on one
///   database, as two processes behind a load balancer.
///
/// The PostgreSQL ones run only when `CDRKIT_POSTGRES_URL` names a server (a new database each). `holder requests`
/// is the custom metric: token requests the holder received per iteration (the target is 1).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .custom("holder requests", polarity: .prefersSmaller)],
        warmupIterations: 1,
        maxDuration: .seconds(120),
        maxIterations: 30
    )
    for setup in Setup.allCases where setup == .memory || PostgresTestServer.url != nil {
        Benchmark("refresh: \(setup.rawValue)") { benchmark in
            try await Contention.run(setup, benchmark: benchmark)
        }
    }
}

enum Setup: String, CaseIterable {
    case memory = "1 instance × 100 callers, in memory"
    case onePostgres = "1 instance × 100 callers, PostgreSQL"
    case twoPostgres = "2 instances × 50 callers, PostgreSQL"
}

enum Contention {
    static func run(_ setup: Setup, benchmark: Benchmark) async throws {
        let scratch = setup == .memory ? nil : try await PostgresTestServer.makeScratchDatabase()
        let key = LocalKeyEncryptionKey.random()
        let store: RecipientStore =
            if let scratch {
                try await RecipientStore.postgres(url: scratch, keyEncryptionKey: key)
            } else {
                .ephemeral()
            }
        try await withMockDataHolder(MockWorld.Options(store: store)) { world in
            let arrangement = try world.arrangement
            var managers = [await world.holderClient.connection.tokenManager(for: arrangement.id)]
            var recordings = [world.recording]
            var second: RecipientStore?
            if setup == .twoPostgres, let scratch {
                let other = try await RecipientStore.postgres(url: scratch, keyEncryptionKey: key)
                var configuration = world.client.configuration
                configuration.store = other
                let recording = RecordingTransport(recording: world.base)
                let bank = try await CDRClient(configuration: configuration, transport: recording)
                    .connect(brand: world.brand)
                managers.append(await bank.connection.tokenManager(for: arrangement.id))
                recordings.append(recording)
                second = other
            }
            let tokens = store.tokenStore(holderBrandID: world.brand.id)
            for _ in benchmark.scaledIterations {
                var record = try await tokens.load(arrangementID: arrangement.id)
                record?.tokens?.accessTokenExpiresAt = Date().addingTimeInterval(-60)
                if let record { try await tokens.save(record) }
                let before = refreshRequests(recordings)
                let callers = managers
                benchmark.startMeasurement()
                let handedOut = try await withThrowingTaskGroup(of: String.self) { group in
                    for caller in 0..<100 {
                        let manager = callers[caller % callers.count]
                        group.addTask { try await manager.accessToken() }
                    }
                    return try await group.reduce(into: Set<String>()) { $0.insert($1) }
                }
                benchmark.stopMeasurement()
                precondition(handedOut.count == 1, "callers got \(handedOut.count) different tokens")
                benchmark.measurement(
                    .custom("holder requests", polarity: .prefersSmaller), refreshRequests(recordings) - before)
            }
            try await second?.close()
        }
        try await store.close()
        if let scratch { try await PostgresTestServer.dropScratchDatabase(scratch) }
    }

    static func refreshRequests(_ recordings: [RecordingTransport]) -> Int {
        recordings.reduce(0) { $0 + $1.requests.filter { $0.operation == "refresh" }.count }
    }
}
