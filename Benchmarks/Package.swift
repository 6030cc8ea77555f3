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
        )
    ]
)
