import CDRClient
import CDRMockHolder
import CDRTesting
import Foundation
import Synchronization
import Testing

/// The kit's world (a mock holder with its DDC provider, a `CDRClient` over mutual TLS, a consented arrangement of
/// `customer-1`) plus that customer's DDC connection with a finished capture job.
private struct FallbackWorld: Sendable {
    let world: MockWorld
    let holder: MockDataHolder
    let arrangement: Arrangement
    let wholeHistory: DateInterval
    let ddc: DDCClient
    let connection: DDCConnectionID
    let job: DDCJobID

    var bank: HolderClient { world.holderClient }

    static func run(_ body: @Sendable (FallbackWorld) async throws -> Void) async throws {
        var options = MockWorld.Options()
        options.customers = 1
        options.accountsPerCustomer = 3
        options.transactionsPerAccount = 40
        try await withMockDataHolder(options) { world in
            let holder = try world.holder
            let provider = holder.ddc
            provider.mfa = .oneTimeCode
            let ddc = world.client.ddc(try await world.ddcProvider())
            let connection = try await ddc.createConnection(
                institutionID: provider.institutionID,
                credentials: DDCCredentials(username: "customer-1", password: provider.password(for: "customer-1")))
            let job = try await ddc.runJob(connection: connection) { _ in
                .oneTimeCode(provider.lastOneTimeCode(for: connection.rawValue) ?? "")
            }
            try await body(
                FallbackWorld(
                    world: world, holder: holder, arrangement: try world.arrangement,
                    wholeHistory: try world.wholeHistory, ddc: ddc, connection: connection, job: job))
        }
    }

    func expectCDR(_ provenance: Provenance, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(provenance.method == .cdr, sourceLocation: sourceLocation)
        #expect(provenance.cdr?.arrangementID == arrangement.id, sourceLocation: sourceLocation)
        #expect(provenance.cdr?.holderBrandID == bank.brand.id, sourceLocation: sourceLocation)
        #expect(provenance.ddc == nil, sourceLocation: sourceLocation)
    }

    func expectDDC(_ provenance: Provenance, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(provenance.method == .ddc, sourceLocation: sourceLocation)
        #expect(provenance.ddc?.providerID == "mock-aggregator", sourceLocation: sourceLocation)
        #expect(provenance.ddc?.connectionID == connection.rawValue, sourceLocation: sourceLocation)
        #expect(provenance.ddc?.jobID == job.rawValue, sourceLocation: sourceLocation)
        #expect(provenance.cdr == nil, sourceLocation: sourceLocation)
    }
}

@Suite(
    "HolderClient.accountData(for:fallback:policy:): the CDR→DDC source against the mock holder",
    .timeLimit(.minutes(5)))
struct HolderClientFallbackTests {
    @Test("CDR serves; in an outage DDC serves the same accounts and transactions with DDC provenance; then CDR again")
    func outageAndBack() async throws {
        try await FallbackWorld.run { world in
            let decisions = DecisionLog()
            let source = await world.bank.accountData(
                for: world.arrangement, fallback: .ddc(world.ddc, connection: world.connection, job: world.job),
                policy: .preferCDR, onDecision: { decisions.append($0) })

            let before = try await source.accounts()
            #expect(before.count == 3)
            for account in before { world.expectCDR(account.provenance) }
            #expect(source.lastDecision?.servedBy?.method == .cdr)
            #expect(source.lastDecision?.skipped.isEmpty == true)

            world.holder.faults.outage = .unavailable
            let during = try await source.accounts()
            // The two sources share the arrangement's identity registry: an account keeps its key.
            #expect(during.map(\.id) == before.map(\.id))
            for account in during { world.expectDDC(account.provenance) }
            let decision = try #require(source.lastDecision)
            #expect(decision.servedBy?.method == .ddc)
            #expect(decision.skipped.map(\.reason) == [.outage])
            let account = try #require(before.first)
            let captured = try await source.transactions(of: account.id, in: world.wholeHistory).collect()
            #expect(captured.count == 40)
            for transaction in captured {
                #expect(transaction.accountID == account.id)
                world.expectDDC(transaction.provenance)
            }

            world.holder.faults.outage = nil
            let after = try await source.transactions(of: account.id, in: world.wholeHistory).collect()
            #expect(after.count == 40)
            for transaction in after { world.expectCDR(transaction.provenance) }
            #expect(after.map(\.amount).sorted() == captured.map(\.amount).sorted())
            #expect(source.lastDecision?.skipped.isEmpty == true)
            // Every request's decision reached the callback: accounts twice, transactions twice.
            #expect(decisions.all.map { $0.servedBy?.method } == [.cdr, .ddc, .ddc, .cdr])
        }
    }

    @Test("The policy is the caller's: cdrOnly fails in an outage, ddcOnly reads DDC while CDR is healthy")
    func policyIsHonoured() async throws {
        try await FallbackWorld.run { world in
            let fallback = AccountDataFallback.ddc(world.ddc, connection: world.connection, job: world.job)
            let ddcOnly = await world.bank.accountData(for: world.arrangement, fallback: fallback, policy: .ddcOnly)
            let captured = try await ddcOnly.accounts()
            #expect(captured.count == 3)
            for account in captured { world.expectDDC(account.provenance) }

            let cdrOnly = await world.bank.accountData(for: world.arrangement, fallback: fallback, policy: .cdrOnly)
            // Learnt through DDC first, the accounts keep the same keys when CDR serves them.
            #expect(try await cdrOnly.accounts().map(\.id) == captured.map(\.id))
            world.holder.faults.outage = .unavailable
            let error = await #expect(throws: AccountDataError.self) { try await cdrOnly.accounts() }
            #expect(error?.attempts.map(\.reason) == [.outage])
            #expect(cdrOnly.lastDecision?.servedBy == nil)
        }
    }

    @Test("Without a DDC connection the fallback has nothing to serve: both attempts are reported")
    func noConnection() async throws {
        try await FallbackWorld.run { world in
            let source = await world.bank.accountData(
                for: world.arrangement, fallback: .ddc(world.ddc, connection: nil, job: nil))
            world.holder.faults.outage = .unavailable
            let error = await #expect(throws: AccountDataError.self) { try await source.accounts() }
            #expect(error?.attempts.map(\.reason) == [.outage, .missingArrangement])
        }
    }
}

/// The decisions a fallback source reported, in order.
private final class DecisionLog: Sendable {
    private let decisions = Mutex<[SourceDecision]>([])

    func append(_ decision: SourceDecision) { decisions.withLock { $0.append(decision) } }

    var all: [SourceDecision] { decisions.withLock { $0 } }
}
