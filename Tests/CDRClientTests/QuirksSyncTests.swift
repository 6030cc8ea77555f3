import CDRAuth
import CDRBanking
import CDRClient
import CDRMockHolder
import CDRModels
import CDRTesting
import Foundation
import Testing

/// A sync through `CDRClient` against the real mock holder (mutual TLS on loopback) serving every data quirk it can:
/// every record is kept, the client reports each injected quirk once, and the data-quality report counts them.
@Suite("Every quirk switched on: a sync through CDRClient keeps every record", .timeLimit(.minutes(5)))
struct QuirksSyncTests {
    /// One quirk occurrence as the client saw it or the mock wrote it.
    struct Occurrence: Hashable, CustomStringConvertible {
        var interactionID: String
        var path: String
        var quirk: DataQuirk
        var description: String { "\(quirk) at \(path) in \(interactionID)" }
    }

    static func pattern(_ path: String) -> String {
        path.replacing(/\[[0-9]+\]/, with: "[*]")
    }

    static func occurrences(_ diagnostics: [DecodingDiagnostic], _ interactionID: String?) -> [Occurrence] {
        diagnostics.map { Occurrence(interactionID: interactionID ?? "", path: $0.fieldPath, quirk: $0.quirk) }
    }

    @Test func everyRecordIsKeptAndEveryQuirkReportedOnce() async throws {
        let options = MockWorld.Options(
            holderConfiguration: .init(
                dataset: .init(customerCount: 1, accountsPerCustomer: 4, transactionsPerAccount: 400)),
            consent: nil, productID: "sp-quirks", store: .ephemeral(), recordStore: nil)
        try await withMockDataHolder(options) { world in try await Self.syncWithEveryQuirk(world) }
    }

    /// The test's body, a function of its own (as a closure it crashes the 6.3.1 compiler's SendNonSendable pass).
    static func syncWithEveryQuirk(_ world: MockWorld) async throws {
        do {
            let holder = try world.holder
            let bank = world.holderClient
            let arrangement = try await world.consent(
                AuthorizationRequest(scopes: CDRScope.allBanking, sharingDuration: .days(30)), at: bank)
            // What a clean holder lists, to compare with.
            let banking = await bank.banking(for: arrangement)
            let cleanProducts = try await banking.products().collect().map { product in
                switch product {
                case .current(let value): value.productId.rawValue
                case .previous(let value): value.productId.rawValue
                }
            }
            #expect(!cleanProducts.isEmpty)
            holder.faults.quirks = Set(MockFaults.injectableQuirks)
            holder.faults.clearInjectedQuirks()
            let dataset = holder.dataset
            let customer = try #require(dataset.customers.first)
            let accounts = dataset.accounts(of: customer)

            // Transactions: the SDK's resumable sync, into the store.
            let results = try await bank.syncTransactions(of: arrangement, in: try world.wholeHistory)
            #expect(results.count == accounts.count)
            #expect(
                results.reduce(0) { $0 + $1.records } == accounts.reduce(0) { $0 + dataset.transactionCount(of: $1) })
            let injectedBySync = holder.faults.injectedQuirks()
            #expect(injectedBySync.contains { $0.operation == "listBankingTransactions" })
            holder.faults.clearInjectedQuirks()

            // Everything else through the arrangement's banking client, collecting what each response reported.
            var seen: [Occurrence] = []
            var accountCount = 0
            for try await page in banking.accounts().pages {
                accountCount += page.records.count
                seen += Self.occurrences(page.diagnostics, page.interactionID)
            }
            #expect(accountCount == accounts.count)
            var payeeCount = 0
            for try await page in banking.payees().pages {
                payeeCount += page.records.count
                seen += Self.occurrences(page.diagnostics, page.interactionID)
                for payee in page.records {
                    let detail = try await banking.payee(id: payee.payeeId.rawValue)
                    seen += Self.occurrences(detail.diagnostics, detail.interactionID)
                }
            }
            #expect(payeeCount == dataset.payees(of: customer).count)
            var scheduled = 0
            for try await page in banking.scheduledPayments().pages {
                scheduled += page.records.count
                seen += Self.occurrences(page.diagnostics, page.interactionID)
            }
            #expect(scheduled == accounts.reduce(0) { $0 + dataset.scheduledPayments(of: $1).count })
            for try await page in banking.balances().pages {
                #expect(page.records.count == accounts.count)
                seen += Self.occurrences(page.diagnostics, page.interactionID)
            }
            for account in accounts {
                let detail = try await banking.account(id: account.id)
                seen += Self.occurrences(detail.diagnostics, detail.interactionID)
            }
            var productCount = 0
            for try await page in banking.products().pages {
                productCount += page.records.count
                seen += Self.occurrences(page.diagnostics, page.interactionID)
            }
            #expect(productCount == cleanProducts.count)
            for product in cleanProducts {
                let detail = try await banking.product(id: product)
                seen += Self.occurrences(detail.diagnostics, detail.interactionID)
            }
            let person = try await banking.customer()
            seen += Self.occurrences(person.diagnostics, person.interactionID)
            let details = try await banking.customerDetail()
            seen += Self.occurrences(details.diagnostics, details.interactionID)

            // Each quirk the mock wrote outside the transactions is reported once, in the response that carried it.
            let injectedHere = holder.faults.injectedQuirks()
            let written = injectedHere.map {
                Occurrence(interactionID: $0.interactionID ?? "", path: $0.path, quirk: $0.quirk)
            }
            #expect(!written.contains { $0.interactionID.isEmpty })
            let onlySeen = seen.filter { !written.contains($0) }.prefix(5)
            let onlyWritten = written.filter { !seen.contains($0) }.prefix(5)
            #expect(onlySeen.isEmpty && onlyWritten.isEmpty, "reported only: \(onlySeen); written only: \(onlyWritten)")
            #expect(seen.count == written.count && Set(seen).count == seen.count)
            let injected = injectedBySync + injectedHere
            #expect(injected.count > 1_000)
            #expect(Set(injected.map(\.quirk)) == Set(MockFaults.injectableQuirks))

            // The report counts every occurrence, transactions included, per operation, field and quirk.
            let report = world.client.dataQualityReport
            var wanted: [String: Int] = [:]
            for quirk in injected {
                wanted["\(quirk.operation) \(Self.pattern(quirk.path)) \(quirk.quirk)", default: 0] += 1
            }
            var counted: [String: Int] = [:]
            for entry in report.entries {
                counted["\(entry.operation) \(entry.path) \(entry.quirk)", default: 0] += entry.count
            }
            #expect(counted == wanted)
            #expect(report.totalCount == injected.count)
            let interactionIDs = Set(injected.compactMap(\.interactionID))
            for entry in report.entries {
                #expect(entry.holderBrandID == world.brand.id)
                #expect(entry.outcome != .recordLeftOut && !entry.isExpected)
                #expect(!entry.exampleInteractionIDs.isEmpty && entry.exampleInteractionIDs.count <= 3)
                #expect(entry.exampleInteractionIDs.allSatisfy(interactionIDs.contains))
                #expect(entry.firstSeen <= entry.lastSeen)
            }
            #expect(report.entries.contains { $0.operation == "listBankingTransactions" })
        }
    }
}
