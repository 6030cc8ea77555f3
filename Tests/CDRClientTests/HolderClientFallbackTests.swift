import CDRClient
import CDRJOSE
import CDRMockData
import CDRMockHolder
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// A running mock holder with its DDC provider, a `CDRClient` over mutual TLS, a consented arrangement of
/// `customer-1` and that customer's DDC connection with a finished capture job.
private struct FallbackWorld: Sendable {
    let holder: MockDataHolder
    let cdr: CDRClient
    let bank: HolderClient
    let arrangement: Arrangement
    let ddc: DDCClient
    let connection: DDCConnectionID
    let job: DDCJobID

    static let redirectURI = "https://recipient.example/cdr/callback"

    static func run(_ body: @Sendable (FallbackWorld) async throws -> Void) async throws {
        let dataset = MockDataset.Configuration(customerCount: 1, accountsPerCustomer: 3, transactionsPerAccount: 40)
        try await MockDataHolder(configuration: .init(dataset: dataset)).withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            let key = try SigningKey.generate(.ps256, keyID: "fallback-test-sig")
            holder.register.add(
                .init(
                    id: "sp-fallback", brandID: "brand-fallback", name: "Fallback test", redirectURIs: [redirectURI],
                    jwks: JWKS(keys: [key.publicJWK])))
            let configuration = CDRClient.Configuration(
                product: SoftwareProductIdentity(
                    softwareProductID: "sp-fallback", brandID: "brand-fallback", signingKey: key,
                    redirectURIs: [redirectURI]),
                identity: try holder.pki.clientIdentity(), cdrCertificateAuthority: try holder.pki.trustRoots,
                publicTrustRoots: try holder.pki.trustRoots,
                register: .init(
                    publicBaseURL: try #require(URL(string: endpoints.publicBaseURL)),
                    secureBaseURL: try #require(URL(string: endpoints.secureBaseURL)),
                    tokenURL: try #require(URL(string: endpoints.registerTokenURL))),
                retry: .init(initialBackoff: .milliseconds(10)), requestTimeout: .seconds(30))
            try await CDRClient.withClient(configuration: configuration) { cdr in
                let bank = try await cdr.connect(holderBrandID: holder.configuration.brand.id)
                let arrangement = try await consent(bank, cdr: cdr)
                let provider = holder.ddc
                provider.mfa = .oneTimeCode
                let ddc = cdr.ddc(
                    DDCProviderConfiguration(
                        providerID: "mock-aggregator", baseURL: try #require(URL(string: endpoints.ddcBaseURL)),
                        apiKey: provider.apiKey, pollInterval: .milliseconds(5)))
                let connection = try await ddc.createConnection(
                    institutionID: provider.institutionID,
                    credentials: DDCCredentials(username: "customer-1", password: provider.password(for: "customer-1")))
                let job = try await ddc.runJob(connection: connection) { _ in
                    .oneTimeCode(provider.lastOneTimeCode(for: connection.rawValue) ?? "")
                }
                try await body(
                    FallbackWorld(
                        holder: holder, cdr: cdr, bank: bank, arrangement: arrangement, ddc: ddc,
                        connection: connection,
                        job: job))
            }
        }
    }

    /// The browser leg, headless: the mock consents for `customer-1` and redirects to the callback.
    private static func consent(_ bank: HolderClient, cdr: CDRClient) async throws -> Arrangement {
        let redirect = try await bank.startAuthorization(
            AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(30)))
        let url = try #require(URL(string: redirect.url.absoluteString + "&mock_customer=customer-1"))
        let answer = try await cdr.transport.send(TransportRequest(method: .get, url: url, security: .publicTLS))
        try #require(answer.status.code == 302)
        let callback = try #require(answer.headerFields[.location].flatMap(URL.init(string:)))
        return try await bank.completeAuthorization(callbackURL: callback, expectedState: redirect.state)
    }

    /// The dataset's whole history (CDR's default window is shorter).
    var wholeHistory: DateInterval {
        let end = holder.dataset.configuration.referenceDate.addingTimeInterval(1)
        let span = Double(holder.dataset.configuration.history.components.seconds) + 86_400
        return DateInterval(start: end.addingTimeInterval(-span), end: end)
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
    .timeLimit(.minutes(2)))
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
