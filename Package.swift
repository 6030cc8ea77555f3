// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "CDRKit",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "CDRModels", targets: ["CDRModels"]),
        .library(name: "CDRJOSE", targets: ["CDRJOSE"]),
        .library(name: "CDRTesting", targets: ["CDRTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Codable CDS payloads. Foundation only.
        .target(name: "CDRModels"),
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
        // Test support shipped to users: TestPKI (and later RecordingTransport, withMockDataHolder).
        .target(
            name: "CDRTesting",
            dependencies: [
                "CDRJOSE",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
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
