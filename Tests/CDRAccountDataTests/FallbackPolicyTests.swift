import CDRAccountData
import CDRAuth
import CDRBanking
import CDRModels
import Foundation
import Synchronization
import Testing

/// A source whose answers the test scripts: records or an error, counting the calls it gets.
final class ScriptedSource: AccountDataSource {
    let descriptor: DataSourceDescriptor
    let failure: (any Error)?
    let calls = Mutex(0)

    init(_ method: AccessMethod, failing failure: (any Error)? = nil) {
        self.descriptor = DataSourceDescriptor(method: method, name: "scripted-\(method)")
        self.failure = failure
    }

    var provenance: Provenance {
        descriptor.method == .cdr
            ? .cdr(.init(holderBrandID: "b", arrangementID: "a", version: 3), fetchedAt: Date())
            : .ddc(.init(providerID: "p", connectionID: "c", jobID: "j"), fetchedAt: Date())
    }

    func answer<T>(_ value: T) throws -> T {
        calls.withLock { $0 += 1 }
        if let failure { throw failure }
        return value
    }

    func accounts() async throws -> [Account] {
        try answer([
            Account(
                id: AccountKey(rawValue: "k1"), sourceAccountID: "s1", displayName: "Everyday", maskedNumber: "xx12",
                category: .transactionAndSavings, productName: "Everyday", provenance: provenance)
        ])
    }
    func balances() async throws -> [Balance] {
        try answer([Balance(accountID: AccountKey(rawValue: "k1"), current: 1, available: 1, provenance: provenance)])
    }
    func transactions(of account: AccountKey, in period: DateInterval?) -> AccountDataStream<Transaction> {
        let provenance = self.provenance
        return AccountDataStream { [self] in
            var sent = false
            return {
                if sent { return nil }
                sent = true
                return try self.answer([
                    Transaction(
                        id: "t1", accountID: account, status: .posted, description: "x", amount: -1, date: Date(),
                        provenance: provenance)
                ])
            }
        }
    }
    func payees() async throws -> [Payee] { try answer([]) }
    func regularPayments() async throws -> [RegularPayment] { try answer([]) }
}

@Suite("Fallback policy decisions")
struct FallbackPolicyTests {
    static let outage = DataHolderError(
        .unavailable, status: 503, errors: [.init(code: .serviceUnavailable, title: "Service Unavailable", detail: "")])
    static let revoked = DataHolderError(
        .forbidden, status: 403, errors: [.init(code: .revokedConsent, title: "Consent Revoked", detail: "")])

    @Test(
        "preferCDR falls back to DDC for each reason and says why",
        arguments: [
            (Self.outage as any Error, FallbackReason.outage),
            (Self.revoked, .missingArrangement),
            (AuthorizationError(.arrangementExpired), .missingArrangement),
            (AccountDataError(.missingArrangement, reason: "none"), .missingArrangement),
            (AccountDataError(.missingAccount, reason: "not shared"), .missingAccounts),
            (DataHolderError(.serverError, status: 500), .error),
        ])
    func fallsBack(error: any Error, reason: FallbackReason) async throws {
        let cdr = ScriptedSource(.cdr, failing: error)
        let ddc = ScriptedSource(.ddc)
        let source = FallbackAccountDataSource(cdr: cdr, ddc: ddc, policy: .preferCDR)
        let accounts = try await source.accounts()
        #expect(accounts.allSatisfy { $0.provenance.method == .ddc })
        let decision = try #require(source.lastDecision)
        #expect(decision.servedBy == ddc.descriptor)
        #expect(decision.skipped.map(\.reason) == [reason])
        #expect(decision.skipped.map(\.source) == [cdr.descriptor])
        let transactions = try await source.transactions(of: AccountKey(rawValue: "k1"), in: nil).collect()
        #expect(transactions.map(\.provenance.method) == [.ddc])
        #expect(source.lastDecision?.servedBy == ddc.descriptor)
    }

    @Test("CDR serving: DDC is never called")
    func cdrServes() async throws {
        let cdr = ScriptedSource(.cdr)
        let ddc = ScriptedSource(.ddc)
        let source = FallbackAccountDataSource(cdr: cdr, ddc: ddc)
        _ = try await source.accounts()
        _ = try await source.balances()
        _ = try await source.transactions(of: AccountKey(rawValue: "k1"), in: nil).collect()
        #expect(ddc.calls.withLock { $0 } == 0)
        #expect(source.decisions.count == 3)
        #expect(source.decisions.allSatisfy { $0.servedBy == cdr.descriptor && $0.skipped.isEmpty })
    }

    @Test("cdrOnly never uses DDC: the outage is thrown as a typed error with the attempt")
    func cdrOnly() async throws {
        let ddc = ScriptedSource(.ddc)
        let source = FallbackAccountDataSource(
            cdr: ScriptedSource(.cdr, failing: Self.outage), ddc: ddc, policy: .cdrOnly)
        let error = await #expect(throws: AccountDataError.self) { try await source.accounts() }
        #expect(error?.code == .outage)
        #expect(error?.attempts.map(\.reason) == [.outage])
        #expect(ddc.calls.withLock { $0 } == 0)
        #expect(source.lastDecision?.servedBy == nil)
    }

    @Test("ddcOnly never calls CDR")
    func ddcOnly() async throws {
        let cdr = ScriptedSource(.cdr)
        let source = FallbackAccountDataSource(cdr: cdr, ddc: ScriptedSource(.ddc), policy: .ddcOnly)
        #expect(try await source.accounts().allSatisfy { $0.provenance.method == .ddc })
        #expect(cdr.calls.withLock { $0 } == 0)
    }

    @Test("a reason the policy does not name is thrown, not fallen back on")
    func narrowPolicy() async throws {
        let ddc = ScriptedSource(.ddc)
        let policy = FallbackPolicy(order: [.cdr, .ddc], fallsBackOn: [.outage])
        let source = FallbackAccountDataSource(
            cdr: ScriptedSource(.cdr, failing: Self.revoked), ddc: ddc, policy: policy)
        let error = await #expect(throws: AccountDataError.self) { try await source.accounts() }
        #expect(error?.code == .missingArrangement)
        #expect(ddc.calls.withLock { $0 } == 0)
    }

    @Test("both sources failing: the error lists both attempts")
    func bothFail() async throws {
        let source = FallbackAccountDataSource(
            cdr: ScriptedSource(.cdr, failing: Self.outage),
            ddc: ScriptedSource(.ddc, failing: AccountDataError(.missingConnection, reason: "no connection")))
        let error = await #expect(throws: AccountDataError.self) {
            _ = try await source.transactions(of: AccountKey(rawValue: "k1"), in: nil).collect()
        }
        #expect(error?.attempts.map(\.reason) == [.outage, .missingArrangement])
        #expect(source.lastDecision?.servedBy == nil)
    }
}
