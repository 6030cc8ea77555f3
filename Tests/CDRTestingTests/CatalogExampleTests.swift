import CDRAccountData
import CDRAuth
import CDRClient
import CDRTesting
import Foundation
import Testing

// The example of Sources/CDRTesting/Docs.docc/CDRTesting.md, compiled and run; `catalogShowsThisCode` keeps the two
// identical.

@Suite("My app against the mock data holder", .timeLimit(.minutes(2)))
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

@Suite("The CDRTesting catalog's example")
struct CatalogExampleTests {
    @Test("The catalog shows the code of AccountsTests, line for line")
    func catalogShowsThisCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let catalog = try String(
            contentsOf: root.appendingPathComponent("Sources/CDRTesting/Docs.docc/CDRTesting.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let start = try #require(catalog.range(of: "@Suite(\"My app against the mock data holder\""))
        let end = try #require(catalog.range(of: "\n```", range: start.upperBound..<catalog.endIndex))
        let example = String(catalog[start.lowerBound..<end.lowerBound])
        #expect(example.split(separator: "\n").count > 10)
        #expect(source.contains(example), "the catalog's example differs from AccountsTests in this file")
    }
}
