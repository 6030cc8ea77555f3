import CDRAuth
import CDRTesting
import Foundation
import Synchronization
import Testing

/// Issue 15: when the store refuses the refreshed token set (a full disk), a holder that rotates refresh tokens has
/// already retired the stored one; the manager keeps the new set, unused, and saves it first on the next call.
@Suite("TokenManager when saving a refreshed set fails")
struct TokenManagerFailedSaveTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// A token store whose saves fail while ``failing`` is set, as on a full disk.
    final class FailingStore: TokenStore {
        let inner = InMemoryTokenStore()
        let failing = Mutex(false)

        struct DiskFull: Error {}

        func save(_ record: ArrangementRecord) async throws {
            if failing.withLock({ $0 }) { throw DiskFull() }
            await inner.save(record)
        }

        func load(arrangementID: String) async throws -> ArrangementRecord? {
            await inner.load(arrangementID: arrangementID)
        }

        func delete(arrangementID: String) async throws -> Bool {
            await inner.delete(arrangementID: arrangementID)
        }
    }

    /// A holder's refresh grant that rotates: each refresh retires the refresh token presented and issues the next.
    final class RotatingGrant: Sendable {
        struct RetiredToken: Error {}

        private let state = Mutex((live: "refresh-1", issued: 1))

        var exchanges: Int { state.withLock { $0.issued - 1 } }

        func refresh(_ current: TokenSet) throws -> TokenSet {
            try state.withLock { state in
                guard current.refreshToken == state.live else { throw RetiredToken() }
                state.issued += 1
                state.live = "refresh-\(state.issued)"
                var next = current
                next.accessToken = "access-\(state.issued)"
                next.accessTokenExpiresAt = TokenManagerFailedSaveTests.start.addingTimeInterval(600)
                next.refreshToken = state.live
                return next
            }
        }
    }

    static func seed(_ store: FailingStore) async throws {
        let arrangement = Arrangement(
            id: "arr-1", holderIssuer: "https://holder.example", clientID: "client-1", subject: "sub-1",
            scopes: ["openid", "bank:accounts.basic:read"], sharingExpiresAt: start.addingTimeInterval(86_400 * 90),
            authorisedAt: start)
        try await store.save(
            ArrangementRecord(
                arrangement: arrangement,
                tokens: TokenSet(
                    accessToken: "access-1", accessTokenExpiresAt: start, refreshToken: "refresh-1",
                    sharingExpiresAt: start.addingTimeInterval(86_400 * 90), scopes: arrangement.scopes, idToken: nil)))
    }

    static func manager(_ store: FailingStore, _ grant: RotatingGrant) -> TokenManager {
        TokenManager(
            arrangementID: "arr-1", tokenStore: store, clock: ManualTimeSource(start),
            refresh: { current, _ in try grant.refresh(current) })
    }

    @Test("the caller gets the store's error, not the token; the next call saves the kept set and uses no dead token")
    func keptAndSavedOnTheNextCall() async throws {
        let store = FailingStore()
        try await Self.seed(store)
        let grant = RotatingGrant()
        let manager = Self.manager(store, grant)

        store.failing.withLock { $0 = true }
        await #expect(throws: FailingStore.DiskFull.self) { _ = try await manager.accessToken() }
        #expect(grant.exchanges == 1)
        #expect(try await store.load(arrangementID: "arr-1")?.tokens?.refreshToken == "refresh-1")

        // Still failing: the kept set cannot be saved, so it is not handed out either.
        await #expect(throws: FailingStore.DiskFull.self) { _ = try await manager.accessToken() }
        #expect(grant.exchanges == 1)

        store.failing.withLock { $0 = false }
        #expect(try await manager.accessToken() == "access-2")
        #expect(grant.exchanges == 1)
        let stored = try await store.load(arrangementID: "arr-1")?.tokens
        #expect(stored?.accessToken == "access-2")
        #expect(stored?.refreshToken == "refresh-2")
        // And the next refresh presents the live token.
        #expect(try await manager.refresh().refreshToken == "refresh-3")
    }

    @Test("a kept set is dropped when the store moved on (an amendment saved other tokens meanwhile)")
    func droppedWhenTheStoreMovedOn() async throws {
        let store = FailingStore()
        try await Self.seed(store)
        let grant = RotatingGrant()
        let manager = Self.manager(store, grant)

        store.failing.withLock { $0 = true }
        await #expect(throws: FailingStore.DiskFull.self) { _ = try await manager.accessToken() }
        store.failing.withLock { $0 = false }
        var amended = try #require(try await store.load(arrangementID: "arr-1"))
        amended.tokens?.accessToken = "access-amended"
        amended.tokens?.accessTokenExpiresAt = Self.start.addingTimeInterval(600)
        amended.tokens?.refreshToken = "refresh-amended"
        try await store.save(amended)

        #expect(try await manager.accessToken() == "access-amended")
        #expect(try await store.load(arrangementID: "arr-1")?.tokens?.refreshToken == "refresh-amended")
    }
}
