import CDRAuth
import CDRJOSE
import CDRModels
import Foundation
import HTTPTypes
import InMemoryLogging
import Logging
import Testing

/// The endpoint's `jti`s go to the `ReplayStore` it is given: shared stores refuse replays across endpoints (a
/// restart, or another server instance), and a store that fails is a 503, never an accepted token.
@Suite("RecipientRevocation: the endpoint's replay store")
struct RecipientRevocationReplayStoreTests {
    /// A replay store whose database is down.
    struct FailingReplayStore: ReplayStore {
        struct Unavailable: Error {}
        func record(jti: String, issuer: String, expiresAt: Date, now: Date) async throws { throw Unavailable() }
    }

    @Test("a request accepted by one endpoint is refused as a replay by another that shares its replay store")
    func sharedStoreRefusesReplays() async throws {
        let shared = ReplayCache()
        let before = RevocationFixture(replayStore: shared)
        let request = try await before.validRequest()
        #expect(await before.endpoint.handle(request).status == .noContent)
        let after = RevocationFixture(replayStore: shared)
        let replay = await after.endpoint.handle(request)
        #expect(replay.status == .unauthorized)
        #expect(after.logs.entries.last?.metadata["cdr.reason"] == "replayedToken")
        #expect(after.receiver.received.isEmpty)
        // Without the shared store the second endpoint would have accepted it.
        let unshared = RevocationFixture()
        #expect(await unshared.endpoint.handle(request).status == .noContent)
    }

    @Test("a replay store that fails is answered 503 Service/Unavailable and the receiver is not called")
    func failingStore() async throws {
        let fixture = RevocationFixture(replayStore: FailingReplayStore())
        let response = await fixture.endpoint.handle(try await fixture.validRequest())
        #expect(response.status == .serviceUnavailable)
        #expect(response.firstCode == .serviceUnavailable)
        #expect(fixture.receiver.received.isEmpty)
        #expect(fixture.logs.entries.last?.metadata["cdr.reason"] == "replayStoreFailed(Unavailable)")
    }
}
