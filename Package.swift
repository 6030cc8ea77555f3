// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "CDRKit",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "CDRModels", targets: ["CDRModels"]),
        .library(name: "CDRJOSE", targets: ["CDRJOSE"]),
        .library(name: "CDRTransport", targets: ["CDRTransport"]),
        .library(name: "CDRTransportAsyncHTTPClient", targets: ["CDRTransportAsyncHTTPClient"]),
        .library(name: "CDRAuth", targets: ["CDRAuth"]),
        .library(name: "CDRAuthHummingbird", targets: ["CDRAuthHummingbird"]),
        .library(name: "CDRBanking", targets: ["CDRBanking"]),
        .library(name: "CDRDDC", targets: ["CDRDDC"]),
        .library(name: "CDRAccountData", targets: ["CDRAccountData"]),
        .library(name: "CDRStore", targets: ["CDRStore"]),
        .library(name: "CDRStoreSQLite", targets: ["CDRStoreSQLite"]),
        .library(name: "CDRStorePostgres", targets: ["CDRStorePostgres"]),
        .library(name: "CDRClient", targets: ["CDRClient"]),
        .library(name: "CDRTestPKI", targets: ["CDRTestPKI"]),
        .library(name: "CDRTesting", targets: ["CDRTesting"]),
        .library(name: "CDRMockData", targets: ["CDRMockData"]),
        .library(name: "CDRMockHolder", targets: ["CDRMockHolder"]),
        .executable(name: "cdr-mock-holder", targets: ["cdr-mock-holder"]),
        .executable(name: "cdr-demo", targets: ["cdr-demo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // Codable CDS payloads, the shared failure category and the silent logger. Foundation and swift-log only.
        .target(name: "CDRModels", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // JWS (PS256/ES256), JWE, JWK/JWKS, PKCE, JWT builders and validators.
        .target(
            name: "CDRJOSE",
            dependencies: [
                "CDRModels",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTPTransport seam, CDS headers, the standard middleware chain.
        .target(
            name: "CDRTransport",
            dependencies: [
                "CDRModels",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The production transport: AsyncHTTPClient with mutual TLS and public TLS.
        .target(
            name: "CDRTransportAsyncHTTPClient",
            dependencies: [
                "CDRTransport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Discovery, Register, DCR, PAR, JARM, tokens, arrangements, the recipient's revocation endpoint.
        .target(
            name: "CDRAuth",
            dependencies: [
                "CDRModels",
                "CDRJOSE",
                "CDRTransport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The recipient's /arrangements/revoke as a Hummingbird route.
        .target(
            name: "CDRAuthHummingbird",
            dependencies: [
                "CDRAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Typed clients for every CDS banking and common operation, pagination, traffic budgets.
        .target(
            name: "CDRBanking",
            dependencies: [
                "CDRModels",
                "CDRTransport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The quirks registry that ships with the package (HolderQuirksRegistry.bundled).
            resources: [.copy("Resources/holder-quirks.json")]
        ),
        // Digital Data Capture: a credential-based capture provider's connections, jobs and MFA.
        .target(
            name: "CDRDDC",
            dependencies: [
                "CDRModels",
                "CDRTransport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One account-data model and interface over CDR and DDC, with a fallback policy and provenance.
        .target(
            name: "CDRAccountData",
            dependencies: [
                "CDRModels",
                "CDRAuth",
                "CDRBanking",
                "CDRDDC",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What a recipient keeps: store protocols, envelope encryption with data keys per arrangement or connection,
        // key-encryption key providers, the audit trail, and an in-memory backend.
        .target(
            name: "CDRStore",
            dependencies: [
                "CDRModels",
                "CDRJOSE",
                "CDRAuth",
                "CDRDDC",
                "CDRAccountData",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The embedded default backend: one SQLite file (vendored SQLite), WAL, versioned migrations.
        .target(
            name: "CDRStoreSQLite",
            dependencies: [
                "CDRStore",
                "CDRModels",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The backend for many instances: PostgreSQL through postgres-nio's connection pool, versioned migrations,
        // TLS to the database, advisory locks held by a transaction.
        .target(
            name: "CDRStorePostgres",
            dependencies: [
                "CDRStore",
                "CDRModels",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The facade: one client that wires transport, Register, holders, consent, banking, DDC and deletion.
        .target(
            name: "CDRClient",
            dependencies: [
                "CDRModels",
                "CDRJOSE",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                "CDRAuth",
                "CDRBanking",
                "CDRDDC",
                "CDRAccountData",
                "CDRStore",
                "CDRStoreSQLite",
                "CDRStorePostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A throw-away test PKI (CA, server and client leaves) minted at run time, below the mock holder.
        .target(
            name: "CDRTestPKI",
            dependencies: [
                "CDRJOSE",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Test support shipped to users: withMockDataHolder (the mock world), RecordingTransport, ManualTimeSource.
        .target(
            name: "CDRTesting",
            dependencies: [
                "CDRTestPKI",
                "CDRStorePostgres",
                "CDRMockHolder",
                "CDRMockData",
                "CDRClient",
                "CDRAuth",
                "CDRDDC",
                "CDRJOSE",
                "CDRModels",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Deterministic, lazily generated banking data (customers, accounts, transactions, payments, products).
        .target(name: "CDRMockData", dependencies: ["CDRModels"]),
        // The mock data holder: Register, security profile and every CDS endpoint over real (m)TLS.
        .target(
            name: "CDRMockHolder",
            dependencies: [
                "CDRModels",
                "CDRJOSE",
                "CDRMockData",
                "CDRTestPKI",
                "CDRTransport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "cdr-mock-holder",
            dependencies: [
                "CDRMockHolder",
                "CDRMockData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The demo's main path, as a library so a test can run it in-process.
        .target(
            name: "CDRDemo",
            dependencies: [
                "CDRClient",
                "CDRModels",
                "CDRJOSE",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                "CDRAuth",
                "CDRBanking",
                "CDRDDC",
                "CDRAccountData",
                "CDRMockHolder",
                "CDRMockData",
                "CDRTesting",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Samples/cdr-demo/CDRDemo"
        ),
        // `swift run cdr-demo`: the whole mission on the embedded mock holder.
        .executableTarget(
            name: "cdr-demo",
            dependencies: [
                "CDRDemo",
                "CDRMockData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Samples/cdr-demo/cdr-demo"
        ),
        // Used only by CDRClientTests (not a product): a recipient process that refreshes one arrangement in a loop on
        // an SQLite store, for the SIGKILL durability test.
        .executableTarget(
            name: "CDRStoreCrashProbe",
            dependencies: [
                "CDRClient", "CDRAccountData", "CDRAuth", "CDRBanking", "CDRJOSE", "CDRStore", "CDRTransport",
                "CDRTransportAsyncHTTPClient",
            ],
            path: "Tests/CDRStoreCrashProbe"
        ),
        .testTarget(
            name: "CDRClientTests",
            dependencies: [
                "CDRStoreCrashProbe",
                "CDRClient",
                "CDRAccountData",
                "CDRAuth",
                "CDRBanking",
                "CDRDDC",
                "CDRJOSE",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                "CDRMockHolder",
                "CDRMockData",
                "CDRTesting",
                "CDRModels",
                "CDRStore",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The Swift blocks of README.md and of every DocC article, compiled (Scripts/check-doc-samples.py keeps them
        // the same as the documents); each file imports only what its document's blocks import. The Getting started
        // steps also run against the mock holder.
        .testTarget(
            name: "DocumentationSamplesTests",
            dependencies: [
                "CDRClient",
                "CDRTestPKI",
                "CDRAccountData",
                "CDRAuth",
                "CDRAuthHummingbird",
                "CDRBanking",
                "CDRDDC",
                "CDRJOSE",
                "CDRMockData",
                "CDRMockHolder",
                "CDRModels",
                "CDRTesting",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "CDRDemoTests",
            dependencies: [
                "CDRDemo",
                "CDRClient",
                "CDRAccountData",
                "CDRMockHolder",
                "CDRMockData",
                "CDRTesting",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CDRMockDataTests",
            dependencies: ["CDRMockData", "CDRModels"]
        ),
        .testTarget(
            name: "CDRMockHolderTests",
            dependencies: [
                "CDRMockHolder",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                "CDRMockData",
                "CDRModels",
                "CDRJOSE",
                "CDRTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "CDRTransportTests",
            dependencies: [
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                "CDRMockHolder",
                "CDRTesting",
                "CDRModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CDRAuthTests",
            dependencies: [
                "CDRAuth",
                "CDRAuthHummingbird",
                "CDRClient",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                "CDRMockHolder",
                "CDRTesting",
                "CDRModels",
                "CDRJOSE",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "CDRBankingTests",
            dependencies: [
                "CDRBanking",
                "CDRClient",
                "CDRAuth",
                "CDRTransport",
                "CDRMockHolder",
                "CDRMockData",
                "CDRTesting",
                "CDRModels",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "CDRDDCTests",
            dependencies: [
                "CDRDDC",
                "CDRTransport",
                "CDRMockHolder",
                "CDRMockData",
                "CDRTesting",
                "CDRModels",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CDRAccountDataTests",
            dependencies: [
                "CDRAccountData",
                "CDRBanking",
                "CDRDDC",
                "CDRAuth",
                "CDRTransport",
                "CDRMockHolder",
                "CDRMockData",
                "CDRTesting",
                "CDRModels",
            ]
        ),
        .testTarget(
            name: "CDRTestingTests",
            dependencies: [
                "CDRTesting",
                "CDRClient",
                "CDRAccountData",
                "CDRAuth",
                "CDRMockHolder",
                "CDRModels",
                "CDRTransport",
                "CDRTransportAsyncHTTPClient",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The backend conformance suite (every StoreBackend) and the SQLite backend's own tests.
        .testTarget(
            name: "CDRStoreTests",
            dependencies: [
                "CDRStore",
                "CDRTesting",
                .product(name: "InMemoryLogging", package: "swift-log"),
                "CDRAccountData",
                "CDRAuth",
                "CDRJOSE",
                "CDRStoreSQLite",
                "CDRStorePostgres",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "CDRModelsTests",
            dependencies: ["CDRModels"]
        ),
        .testTarget(
            name: "CDRJOSETests",
            dependencies: [
                "CDRJOSE",
                "CDRTesting",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ]
)

// Settings shared by every target.
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ])
    target.swiftSettings = settings
}
