import CDRJOSE
import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

/// The `ReplayStore` contract, over `ReplayCache` and the `RecipientStore` on both backends.
@Suite("Replay stores: replays refused, issuers apart, expiry, capacity")
struct ReplayStoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func withReplayStore(
        _ host: DurableStateHost, capacityPerIssuer: Int = 100, _ body: (any ReplayStore) async throws -> Void
    ) async throws {
        try await withRecipientStore(for: host) { store in
            try await body(
                store?.replayStore(capacityPerIssuer: capacityPerIssuer)
                    ?? ReplayCache(capacityPerIssuer: capacityPerIssuer))
        }
    }

    static func code(_ body: () async throws -> Void) async -> JOSEError.Code? {
        do {
            try await body()
            return nil
        } catch let error as JOSEError {
            return error.code
        } catch {
            Issue.record("unexpected error type \(type(of: error))")
            return nil
        }
    }

    @Test("a jti recorded once is refused the second time with .replayedToken", arguments: DurableStateHost.allCases)
    func replayRefused(_ host: DurableStateHost) async throws {
        try await Self.withReplayStore(host) { store in
            let expiry = Self.start.addingTimeInterval(300)
            try await store.record(jti: "jti-1", issuer: "brand-a", expiresAt: expiry, now: Self.start)
            #expect(
                await Self.code {
                    try await store.record(jti: "jti-1", issuer: "brand-a", expiresAt: expiry, now: Self.start)
                } == .replayedToken)
            try await store.record(jti: "jti-2", issuer: "brand-a", expiresAt: expiry, now: Self.start)
        }
    }

    @Test("one issuer's jti does not block the same jti of another issuer", arguments: DurableStateHost.allCases)
    func issuersApart(_ host: DurableStateHost) async throws {
        try await Self.withReplayStore(host) { store in
            let expiry = Self.start.addingTimeInterval(300)
            try await store.record(jti: "shared", issuer: "brand-a", expiresAt: expiry, now: Self.start)
            try await store.record(jti: "shared", issuer: "brand-b", expiresAt: expiry, now: Self.start)
            #expect(
                await Self.code {
                    try await store.record(jti: "shared", issuer: "brand-b", expiresAt: expiry, now: Self.start)
                } == .replayedToken)
        }
    }

    @Test("once its token expired a jti is forgotten and can be recorded again", arguments: DurableStateHost.allCases)
    func expiryFrees(_ host: DurableStateHost) async throws {
        try await Self.withReplayStore(host) { store in
            try await store.record(
                jti: "jti-1", issuer: "brand-a", expiresAt: Self.start.addingTimeInterval(60), now: Self.start)
            let before = Self.start.addingTimeInterval(59)
            #expect(
                await Self.code {
                    try await store.record(
                        jti: "jti-1", issuer: "brand-a", expiresAt: before.addingTimeInterval(60), now: before)
                } == .replayedToken)
            let after = Self.start.addingTimeInterval(61)
            try await store.record(
                jti: "jti-1", issuer: "brand-a", expiresAt: after.addingTimeInterval(60), now: after)
        }
    }

    @Test(
        "a full issuer share refuses with .replayCacheFull, leaves other issuers alone, and frees on expiry",
        arguments: DurableStateHost.allCases)
    func capacity(_ host: DurableStateHost) async throws {
        try await Self.withReplayStore(host, capacityPerIssuer: 2) { store in
            let expiry = Self.start.addingTimeInterval(60)
            try await store.record(jti: "1", issuer: "brand-a", expiresAt: expiry, now: Self.start)
            try await store.record(jti: "2", issuer: "brand-a", expiresAt: expiry, now: Self.start)
            #expect(
                await Self.code {
                    try await store.record(jti: "3", issuer: "brand-a", expiresAt: expiry, now: Self.start)
                } == .replayCacheFull)
            try await store.record(jti: "3", issuer: "brand-b", expiresAt: expiry, now: Self.start)
            let later = Self.start.addingTimeInterval(61)
            try await store.record(jti: "3", issuer: "brand-a", expiresAt: later.addingTimeInterval(60), now: later)
        }
    }

    @Test("an empty jti or one over 256 bytes is .invalidClaim", arguments: DurableStateHost.allCases)
    func jtiLength(_ host: DurableStateHost) async throws {
        try await Self.withReplayStore(host) { store in
            let expiry = Self.start.addingTimeInterval(60)
            for jti in ["", String(repeating: "j", count: ReplayCache.maximumJTILength + 1)] {
                #expect(
                    await Self.code {
                        try await store.record(jti: jti, issuer: "brand-a", expiresAt: expiry, now: Self.start)
                    } == .invalidClaim)
            }
            try await store.record(
                jti: String(repeating: "j", count: ReplayCache.maximumJTILength), issuer: "brand-a",
                expiresAt: expiry, now: Self.start)
        }
    }

    @Test("a jti recorded through one SQLite store is refused by another store on the same file, also after reopening")
    func sharedAndDurable() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let key = LocalKeyEncryptionKey.random()
            let expiry = Date().addingTimeInterval(300)
            let one = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            let two = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            try await one.replayStore().record(jti: "jti-1", issuer: "brand-a", expiresAt: expiry, now: Date())
            #expect(
                await Self.code {
                    try await two.replayStore().record(jti: "jti-1", issuer: "brand-a", expiresAt: expiry, now: Date())
                } == .replayedToken)
            try await one.close()
            try await two.close()
            let reopened = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            #expect(
                await Self.code {
                    try await reopened.replayStore().record(
                        jti: "jti-1", issuer: "brand-a", expiresAt: expiry, now: Date())
                } == .replayedToken)
            try await reopened.close()
        }
    }
}
