// The Swift block(s) of the CDRTesting catalog (Sources/CDRTesting/Docs.docc/CDRTesting.md), between `// sample:`
// and `// end sample` markers (`Scripts/check-doc-samples.py` checks that they are the same). The example test runs
// with this target's tests, against a real mock holder.
import CDRClient
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

// sample: Sources/CDRTesting/Docs.docc/CDRTesting.md#2
@Suite("My app against the mock data holder", .timeLimit(.minutes(5)))
struct AccountsTests {
    @Test("Every consented account is read, with its provenance")
    func readsAccounts() async throws {
        var options = MockWorld.Options()
        options.accountsPerCustomer = 4
        try await withMockDataHolder(options) { world in
            let arrangement = try world.arrangement
            let accounts = try await world.holderClient.accountData(for: arrangement).accounts()
            #expect(accounts.count == 4)
            #expect(accounts.allSatisfy { $0.provenance.cdr?.arrangementID == arrangement.id })
        }
    }
}
// end sample

func testingCatalogRecording() {
    // sample: Sources/CDRTesting/Docs.docc/CDRTesting.md#3
    let transport = RecordingTransport { _ in TransportResponse(status: .ok, body: Data(#"{"data":{}}"#.utf8)) }
    // … run the code under test over `transport` …
    let sent = transport.requests(pathSuffix: "/banking/accounts")
    // end sample
    _ = sent
}
