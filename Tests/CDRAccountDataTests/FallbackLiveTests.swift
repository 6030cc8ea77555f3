import CDRAccountData
import CDRBanking
import CDRDDC
import CDRMockData
import CDRMockHolder
import CDRModels
import Foundation
import Testing

@Suite("DDC source and fallback decisions against the mock holder and its DDC provider", .timeLimit(.minutes(5)))
struct FallbackLiveTests {
    @Test("DDC source: the same customer's accounts and transactions, each record with DDC provenance")
    func ddcSource() async throws {
        try await CDRHarness.run { harness in
            let ddc = try await harness.connectDDC()
            let accounts = try await ddc.accounts()
            #expect(accounts.map(\.displayName) == harness.datasetAccounts.map(\.displayName))
            for account in accounts { harness.expectDDC(account.provenance, source: ddc) }
            let balances = try await ddc.balances()
            #expect(balances.count == accounts.count)
            let first = try #require(accounts.first)
            var count = 0
            for try await transaction in ddc.transactions(of: first.id, in: harness.wholeHistory) {
                harness.expectDDC(transaction.provenance, source: ddc)
                #expect(transaction.accountID == first.id)
                count += 1
            }
            #expect(count == 300)
            let error = await #expect(throws: AccountDataError.self) { try await ddc.payees() }
            #expect(error?.code == .notOffered)
        }
    }

    @Test("an account keeps its key when the source changes from CDR to DDC")
    func identityAcrossSources() async throws {
        try await CDRHarness.run { harness in
            let cdrAccounts = try await harness.cdr.accounts()
            let ddcAccounts = try await harness.connectDDC().accounts()
            #expect(cdrAccounts.count == ddcAccounts.count)
            #expect(ddcAccounts.map(\.id) == cdrAccounts.map(\.id))
            #expect(Set(ddcAccounts.map(\.sourceAccountID)).isDisjoint(with: cdrAccounts.map(\.sourceAccountID)))
        }
    }

    @Test("outage at the holder: preferCDR serves the same accounts and transactions through DDC, and says why")
    func outageFallsBack() async throws {
        try await CDRHarness.run { harness in
            let ddc = try await harness.connectDDC()
            let source = FallbackAccountDataSource(cdr: harness.cdr, ddc: ddc, policy: .preferCDR)
            let before = try await source.accounts()
            #expect(!before.isEmpty)
            #expect(before.allSatisfy { $0.provenance.method == .cdr })
            harness.holder.faults.outage = .unavailable
            let during = try await source.accounts()
            #expect(during.map(\.id) == before.map(\.id))
            for account in during { harness.expectDDC(account.provenance, source: ddc) }
            let decision = try #require(source.lastDecision)
            #expect(decision.servedBy?.method == .ddc)
            #expect(decision.skipped.map(\.reason) == [.outage])
            let account = try #require(before.first)
            let transactions = try await source.transactions(of: account.id, in: harness.wholeHistory).collect()
            #expect(transactions.count == 300)
            #expect(transactions.allSatisfy { $0.provenance.method == .ddc && $0.accountID == account.id })
            #expect(source.lastDecision?.skipped.map(\.reason) == [.outage])
            harness.holder.faults.outage = nil
            let after = try await source.transactions(of: account.id, in: harness.wholeHistory).collect()
            #expect(after.allSatisfy { $0.provenance.method == .cdr })
            // The provider has its own transaction ids; the records are the same money movements.
            #expect(after.map(\.amount) == transactions.map(\.amount))
        }
    }

    @Test("an arrangement the holder refuses (401) falls back as missingArrangement")
    func refusedArrangement() async throws {
        try await CDRHarness.run(accessToken: "not-a-token") { harness in
            let source = FallbackAccountDataSource(cdr: harness.cdr, ddc: try await harness.connectDDC())
            let accounts = try await source.accounts()
            #expect(!accounts.isEmpty)
            #expect(accounts.allSatisfy { $0.provenance.method == .ddc })
            #expect(source.lastDecision?.skipped.map(\.reason) == [.missingArrangement])
        }
    }

    @Test("an account not shared under CDR is served through DDC as missingAccounts")
    func missingAccounts() async throws {
        try await CDRHarness.run(sharedAccounts: 1) { harness in
            let ddc = try await harness.connectDDC()
            let source = FallbackAccountDataSource(cdr: harness.cdr, ddc: ddc)
            let shared = try await harness.cdr.accounts()
            #expect(shared.count == 1)
            let all = try await ddc.accounts()
            let unshared = try #require(all.first { $0.id != shared[0].id })
            let transactions = try await source.transactions(of: unshared.id, in: harness.wholeHistory).collect()
            #expect(transactions.count == 300)
            #expect(transactions.allSatisfy { $0.provenance.method == .ddc })
            #expect(source.lastDecision?.skipped.map(\.reason) == [.missingAccounts])
            let sharedTransactions = try await source.transactions(of: shared[0].id, in: harness.wholeHistory).collect()
            #expect(!sharedTransactions.isEmpty)
            #expect(sharedTransactions.allSatisfy { $0.provenance.method == .cdr })
        }
    }

    @Test("server errors at the holder fall back as error; cdrOnly throws instead")
    func serverErrors() async throws {
        try await CDRHarness.run { harness in
            let ddc = try await harness.connectDDC()
            harness.holder.faults.inject(.serverError(status: 500, retryAfter: nil), on: .resources, times: nil)
            let preferCDR = FallbackAccountDataSource(cdr: harness.cdr, ddc: ddc, policy: .preferCDR)
            #expect(try await preferCDR.balances().allSatisfy { $0.provenance.method == .ddc })
            #expect(preferCDR.lastDecision?.skipped.map(\.reason) == [.error])
            let cdrOnly = FallbackAccountDataSource(cdr: harness.cdr, ddc: ddc, policy: .cdrOnly)
            let error = await #expect(throws: AccountDataError.self) { try await cdrOnly.balances() }
            #expect(error?.code == .sourceFailed)
            #expect((error?.attempts.first?.error as? DataHolderError)?.status == 500)
        }
    }

    @Test("ddcOnly uses DDC while CDR is healthy; both down gives both attempts")
    func ddcOnlyAndBothDown() async throws {
        try await CDRHarness.run { harness in
            let ddc = try await harness.connectDDC()
            let ddcOnly = FallbackAccountDataSource(cdr: harness.cdr, ddc: ddc, policy: .ddcOnly)
            #expect(try await ddcOnly.accounts().allSatisfy { $0.provenance.method == .ddc })
            harness.holder.faults.outage = .unavailable
            let broken = FallbackAccountDataSource(
                cdr: harness.cdr, ddc: DDCAccountDataSource(client: harness.ddcClient, connection: nil, job: nil))
            let error = await #expect(throws: AccountDataError.self) { try await broken.accounts() }
            #expect(error?.attempts.map(\.reason) == [.outage, .missingArrangement])
            #expect(broken.lastDecision?.servedBy == nil)
        }
    }
}
