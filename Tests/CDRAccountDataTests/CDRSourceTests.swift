import CDRAccountData
import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import Foundation
import Testing

@Suite("CDR account-data source against the mock holder over mTLS", .timeLimit(.minutes(5)))
struct CDRSourceTests {
    @Test("accounts map from listBankingAccounts v3 with provenance; v2 when pinned")
    func accounts() async throws {
        for version in [3, 2] {
            var versions = VersionPreferences()
            versions.restrict("listBankingAccounts", to: version...version)
            try await CDRHarness.run(versions: versions) { harness in
                let accounts = try await harness.cdr.accounts()
                let expected = harness.datasetAccounts
                #expect(accounts.count == expected.count)
                #expect(accounts.map(\.sourceAccountID) == expected.map(\.id))
                #expect(accounts.map(\.displayName) == expected.map(\.displayName))
                #expect(accounts.map(\.maskedNumber) == expected.map(\.maskedNumber))
                if version == 3 {
                    // v2 has no BUY_NOW_PAY_LATER category; the mock reports such accounts as PERS_LOANS there.
                    #expect(accounts.map(\.category.rawValue) == expected.map(\.productCategory.rawValue))
                }
                #expect(Set(accounts.map(\.id)).count == accounts.count)
                for account in accounts { harness.expectCDR(account.provenance, version: version) }
                // Listing again keeps every key.
                let again = try await harness.cdr.accounts()
                #expect(again.map(\.id) == accounts.map(\.id))
            }
        }
    }

    @Test("transactions stream every record of the period, each with provenance and the account's key")
    func transactions() async throws {
        for version in [2, 1] {
            var versions = VersionPreferences()
            versions.restrict("listBankingTransactions", to: version...version)
            try await CDRHarness.run(versions: versions) { harness in
                let accounts = try await harness.cdr.accounts()
                let account = try #require(accounts.first)
                var seen = Set<String>()
                var amounts: [Decimal] = []
                for try await transaction in harness.cdr.transactions(of: account.id, in: harness.wholeHistory) {
                    #expect(transaction.accountID == account.id)
                    harness.expectCDR(transaction.provenance, version: version)
                    seen.insert(transaction.id)
                    amounts.append(transaction.amount)
                }
                let mock = try #require(harness.datasetAccounts.first)
                let expected = (0..<300).map { harness.holder.dataset.transaction(of: mock, at: $0) }
                #expect(seen.count == 300)
                #expect(seen == Set(expected.map(\.id)))
                #expect(amounts == expected.map(\.amount))
            }
        }
    }

    @Test("balances, payees and regular payments carry provenance and known account keys")
    func otherRecords() async throws {
        try await CDRHarness.run { harness in
            let keys = Set(try await harness.cdr.accounts().map(\.id))
            let balances = try await harness.cdr.balances()
            #expect(balances.count == keys.count)
            for balance in balances {
                #expect(keys.contains(balance.accountID))
                harness.expectCDR(balance.provenance, version: 2)
            }
            for payee in try await harness.cdr.payees() { harness.expectCDR(payee.provenance, version: 2) }
            let payments = try await harness.cdr.regularPayments()
            for payment in payments {
                #expect(keys.contains(payment.accountID))
                #expect(payment.provenance.method == .cdr)
            }
        }
    }

    @Test("no arrangement: every call is a typed missingArrangement error and nothing is sent")
    func missingArrangement() async throws {
        try await CDRHarness.run { harness in
            let source = CDRAccountDataSource(
                holderBrandID: CDRHarness.brand, arrangementID: nil, banking: harness.banking)
            let error = await #expect(throws: AccountDataError.self) { try await source.accounts() }
            #expect(error?.code == .missingArrangement)
            let streamError = await #expect(throws: AccountDataError.self) {
                _ = try await source.transactions(of: AccountKey(rawValue: "x"), in: nil).collect()
            }
            #expect(streamError?.code == .missingArrangement)
            #expect(FallbackAccountDataSource.reason(for: error!) == .missingArrangement)
        }
    }

    @Test("an account the arrangement does not share is missingAccount")
    func missingAccount() async throws {
        try await CDRHarness.run { harness in
            _ = try await harness.cdr.accounts()
            let error = await #expect(throws: AccountDataError.self) {
                _ = try await harness.cdr.transactions(of: AccountKey(rawValue: "acct-unknown"), in: nil).collect()
            }
            #expect(error?.code == .missingAccount)
        }
    }
}
