// swift-tools-version:6.2
import PackageDescription

// Benchmarks live in their own package so that their dependencies never reach CDRKit's users.
// Run from this folder: `swift package benchmark` (see README.md).
let package = Package(
    name: "CDRKitBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "CDRKit", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "ModelDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CDRModels", package: "CDRKit"),
            ],
            path: "Benchmarks/ModelDecoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MockHolderServing",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CDRMockHolder", package: "CDRKit"),
                .product(name: "CDRMockData", package: "CDRKit"),
                .product(name: "CDRTesting", package: "CDRKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/MockHolderServing",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ConsentFlow",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CDRAuth", package: "CDRKit"),
                .product(name: "CDRJOSE", package: "CDRKit"),
                .product(name: "CDRMockHolder", package: "CDRKit"),
                .product(name: "CDRTesting", package: "CDRKit"),
                .product(name: "CDRTransport", package: "CDRKit"),
                .product(name: "CDRTransportAsyncHTTPClient", package: "CDRKit"),
                .product(name: "CDRModels", package: "CDRKit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Benchmarks/ConsentFlow",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TransactionSync",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CDRAccountData", package: "CDRKit"),
                .product(name: "CDRBanking", package: "CDRKit"),
                .product(name: "CDRMockHolder", package: "CDRKit"),
                .product(name: "CDRTesting", package: "CDRKit"),
                .product(name: "CDRTransport", package: "CDRKit"),
                .product(name: "CDRTransportAsyncHTTPClient", package: "CDRKit"),
            ],
            path: "Benchmarks/TransactionSync",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StoreSync",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CDRAccountData", package: "CDRKit"),
                .product(name: "CDRBanking", package: "CDRKit"),
                .product(name: "CDRMockHolder", package: "CDRKit"),
                .product(name: "CDRStore", package: "CDRKit"),
                .product(name: "CDRStoreSQLite", package: "CDRKit"),
                .product(name: "CDRClient", package: "CDRKit"),
                .product(name: "CDRTesting", package: "CDRKit"),
                .product(name: "CDRTransport", package: "CDRKit"),
                .product(name: "CDRTransportAsyncHTTPClient", package: "CDRKit"),
            ],
            path: "Benchmarks/StoreSync",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RefreshContention",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CDRClient", package: "CDRKit"),
                .product(name: "CDRTesting", package: "CDRKit"),
                .product(name: "CDRAuth", package: "CDRKit"),
            ],
            path: "Benchmarks/RefreshContention",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
