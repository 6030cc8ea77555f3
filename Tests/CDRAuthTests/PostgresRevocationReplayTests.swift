import CDRAuth
import CDRClient
import CDRTesting
import Foundation
import HTTPTypes
import InMemoryLogging
import Testing

/// The revocation endpoint's `jti`s in a PostgreSQL store: a holder's token accepted by one instance is refused by
/// another instance on the same database, also when both receive it at once.
@Suite(
    "RecipientRevocation: jti replay across instances on PostgreSQL",
    .enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.howToRun)),
    .timeLimit(.minutes(3)))
struct PostgresRevocationReplayTests {
    @Test("a request accepted by instance A is refused as a replay by instance B; of two at once, one is accepted")
    func replayRefusedAcrossInstances() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let key = LocalKeyEncryptionKey.random()
            let storeA = try await RecipientStore.postgres(url: url, keyEncryptionKey: key)
            let storeB = try await RecipientStore.postgres(url: url, keyEncryptionKey: key)
            let instanceA = RevocationFixture(replayStore: storeA.replayStore())
            let instanceB = RevocationFixture(replayStore: storeB.replayStore())
            let request = try await instanceA.validRequest()
            #expect(await instanceA.endpoint.handle(request).status == .noContent)
            let replay = await instanceB.endpoint.handle(request)
            #expect(replay.status == .unauthorized)
            #expect(instanceB.logs.entries.last?.metadata["cdr.reason"] == "replayedToken")
            #expect(instanceB.receiver.received.isEmpty)

            // Both instances receive one new request at the same moment: exactly one accepts it.
            instanceA.receiver.add(
                arrangementID: RevocationFixture.arrangementID, holderBrandID: RevocationFixture.brandID)
            let fresh = try await instanceA.validRequest()
            async let first = instanceA.endpoint.handle(fresh).status
            async let second = instanceB.endpoint.handle(fresh).status
            let statuses = await [first, second]
            #expect(statuses.filter { $0 == .noContent }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .unauthorized }.count == 1, "\(statuses)")
            try await storeA.close()
            try await storeB.close()
        }
    }
}
