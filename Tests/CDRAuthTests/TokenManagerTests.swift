import CDRAuth
import CDRJOSE
import CDRTesting
import Foundation
import Synchronization
import Testing

/// The token manager on its own: a store, a clock and a refresh function, no connection or holder.
@Suite("TokenManager over a store and a refresh function")
struct TokenManagerTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// An arrangement whose access token expires `expiresIn` seconds after `start`.
    static func seed(_ store: InMemoryTokenStore, expiresIn: TimeInterval, refreshToken: String? = "refresh-1") async {
        let arrangement = Arrangement(
            id: "arr-1", holderIssuer: "https://holder.example", clientID: "client-1", subject: "sub-1",
            scopes: ["openid", "bank:accounts.basic:read"], sharingExpiresAt: start.addingTimeInterval(86_400 * 90),
            authorisedAt: start)
        let tokens = TokenSet(
            accessToken: "access-1", accessTokenExpiresAt: start.addingTimeInterval(expiresIn),
            refreshToken: refreshToken, sharingExpiresAt: start.addingTimeInterval(86_400 * 90),
            scopes: arrangement.scopes, idToken: nil)
        await store.save(ArrangementRecord(arrangement: arrangement, tokens: tokens))
    }

    /// A manager whose refresh function only counts its calls (and changes nothing), and how many it had.
    static func countingManager(_ store: InMemoryTokenStore) -> (TokenManager, calls: @Sendable () -> Int) {
        let calls = RefreshCounter()
        let manager = TokenManager(
            arrangementID: "arr-1", tokenStore: store, clock: ManualTimeSource(start),
            refresh: { current, _ in
                calls.increment()
                return current
            })
        return (manager, { calls.count })
    }

    @Test("A fresh token is handed out without calling the refresh function")
    func freshToken() async throws {
        let store = InMemoryTokenStore()
        await Self.seed(store, expiresIn: 600)
        let (manager, calls) = Self.countingManager(store)
        #expect(try await manager.accessToken() == "access-1")
        #expect(calls() == 0)
    }

    @Test("50 concurrent callers of a token inside the leeway cause one refresh, saved before anyone gets it")
    func oneRefreshForManyCallers() async throws {
        let store = InMemoryTokenStore()
        await Self.seed(store, expiresIn: 10)
        let calls = Mutex(0)
        let manager = TokenManager(
            arrangementID: "arr-1", tokenStore: store, clock: ManualTimeSource(Self.start),
            policy: .init(refreshLeeway: 30),
            refresh: { current, _ in
                let count = calls.withLock { value in
                    value += 1
                    return value
                }
                try await Task.sleep(for: .milliseconds(20))
                var next = current
                next.accessToken = "access-\(count + 1)"
                next.accessTokenExpiresAt = Self.start.addingTimeInterval(600)
                return next
            })
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await manager.accessToken() } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(calls.withLock { $0 } == 1)
        #expect(Set(tokens) == ["access-2"])
        #expect(await store.load(arrangementID: "arr-1")?.tokens?.accessToken == "access-2")
        #expect(await manager.refreshCount == 1)
    }

    @Test("invalid_grant ends the arrangement as revoked by the holder and deletes its tokens")
    func invalidGrantEndsIt() async throws {
        let store = InMemoryTokenStore()
        await Self.seed(store, expiresIn: 0)
        let manager = TokenManager(
            arrangementID: "arr-1", tokenStore: store, clock: ManualTimeSource(Self.start),
            refresh: { _, _ in
                throw AuthorizationError(
                    .tokenRequestRejected, status: 400, oauthError: AuthorizationErrorResponse(error: "invalid_grant"))
            })
        await #expect {
            _ = try await manager.accessToken()
        } throws: { error in
            (error as? AuthorizationError)?.code == .arrangementRevoked
        }
        let record = try #require(await store.load(arrangementID: "arr-1"))
        #expect(record.tokens == nil)
        #expect(record.arrangement.state == .revoked(by: .holder))
        #expect(record.arrangement.subject == nil)
    }

    @Test("A once-off arrangement (no refresh token) expires instead of refreshing")
    func onceOffExpires() async throws {
        let store = InMemoryTokenStore()
        await Self.seed(store, expiresIn: 0, refreshToken: nil)
        let (manager, calls) = Self.countingManager(store)
        await #expect {
            _ = try await manager.accessToken()
        } throws: { error in
            (error as? AuthorizationError)?.code == .arrangementExpired
        }
        #expect(calls() == 0)
        #expect(await store.load(arrangementID: "arr-1")?.arrangement.state == .expired)
    }
}

/// Counts calls across tasks.
private final class RefreshCounter: Sendable {
    private let value = Mutex(0)

    func increment() { value.withLock { $0 += 1 } }

    var count: Int { value.withLock { $0 } }
}
