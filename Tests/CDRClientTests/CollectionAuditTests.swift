import CDRAccountData
import CDRAuth
import CDRBanking
import CDRClient
import CDRStore
import CDRTesting
import Foundation
import Testing

@Suite("The audit trail: consent, each collection and the deletion, against the mock holder", .timeLimit(.minutes(5)))
struct CollectionAuditTests {
    @Test("Every data response is one collection entry with its operation, count and interaction id; no secret")
    func collectionsAreAudited() async throws {
        try await ClientHarness.run { harness in
            let bank = harness.world.holderClient
            let arrangement = try await harness.consent(bank)
            let source = await bank.accountData(for: arrangement)
            let accounts = try await source.accounts()
            let first = try #require(accounts.first)
            let transactions = try await source.transactions(of: first.id, in: nil).collect()
            let tokens = try #require(
                try await harness.cdr.configuration.tokenStore(for: harness.brandID).load(
                    arrangementID: arrangement.id)?.tokens)

            let trail = try await bank.auditTrail(of: arrangement.id)
            #expect(trail.first?.event.name == "consent.given")
            let collections = trail.compactMap { entry -> CollectionSummary? in
                guard case .collected(let summary) = entry.event else { return nil }
                return summary
            }
            let listed = collections.filter { $0.operation == "listBankingAccounts" }
            #expect(listed.map(\.recordCount).reduce(0, +) == accounts.count)
            let walked = collections.filter { $0.operation == "listBankingTransactions" }
            #expect(!walked.isEmpty)
            #expect(walked.map(\.recordCount).reduce(0, +) == transactions.count)
            #expect(collections.allSatisfy { $0.source == harness.brandID && $0.method == "cdr" })
            // Each entry names the interaction id its records carry in their provenance.
            let served = Set(
                (accounts.map(\.provenance) + transactions.map(\.provenance)).compactMap { $0.cdr?.interactionID })
            let audited = Set(collections.flatMap(\.interactionIDs))
            #expect(!served.isEmpty && served.isSubset(of: audited))
            // Entries are in order and name no secret and no data.
            #expect(zip(trail, trail.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
            let text = trail.map(\.description).joined(separator: "\n")
            let leaked45 = text.contains(tokens.accessToken)
            #expect(!leaked45, "a secret or customer datum is readable")
            if let refresh = tokens.refreshToken {
                let leaked = text.contains(refresh)
                #expect(!leaked, "a secret is readable")
            }
            for transaction in transactions.prefix(20) where transaction.description.count > 6 {
                let leaked48 = text.contains(transaction.description)
                #expect(!leaked48, "a secret or customer datum is readable")
            }
            let leaked50 = text.contains(first.displayName)
            #expect(!leaked50, "a secret or customer datum is readable")

            // Revocation adds the withdrawal and the deletion's evidence; the trail outlives the data.
            let deletion = try await bank.revokeArrangement(id: arrangement.id)
            let after = try await bank.auditTrail(of: arrangement.id).map(\.event.name)
            #expect(Array(after.suffix(3)) == ["consent.withdrawn", "deletion.key-destroyed", "deletion"])
            #expect(deletion.evidence?.verified == true)
        }
    }

    @Test("Public calls (status, products) are not collections of customer data")
    func publicCallsAreNotAudited() async throws {
        try await ClientHarness.run { harness in
            let bank = harness.world.holderClient
            let arrangement = try await harness.consent(bank)
            let banking = await bank.banking(for: arrangement)
            _ = try await banking.status()
            let trail = try await bank.auditTrail(of: arrangement.id)
            #expect(trail.map(\.event.name) == ["consent.given"])
        }
    }
}
