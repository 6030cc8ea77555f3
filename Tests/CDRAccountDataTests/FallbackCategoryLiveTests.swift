import CDRAccountData
import CDRAuth
import CDRBanking
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import Testing

/// A token source whose arrangement has ended, as `TokenManager` is after a revocation.
struct RevokedTokens: AccessTokenProvider {
    func accessToken() async throws -> String {
        throw AuthorizationError(.arrangementRevoked, reason: "arrangement arr-1 was revoked by the data holder")
    }
    func accessToken(afterRejecting rejected: String) async throws -> String { try await accessToken() }
}

/// Failures a real transport reports against the mock holder reach the fallback as categories: a refused connection
/// and a request timeout are outages, a token source without tokens is a missing arrangement.
@Suite("Fallback on transport failures and ended arrangements, against the mock holder", .timeLimit(.minutes(5)))
struct FallbackCategoryLiveTests {
    /// `url` with its port replaced.
    static func url(_ text: String, port: Int) throws -> URL {
        var components = try #require(URLComponents(string: text))
        components.port = port
        return try #require(components.url)
    }

    /// The chain a client uses (interaction id, bearer, retry), with short backoffs so the test stays quick.
    static func chain(_ harness: CDRHarness, tokens: any AccessTokenProvider) -> MiddlewareTransport {
        MiddlewareTransport(
            harness.base,
            middlewares: [
                InteractionIDMiddleware(), BearerTokenMiddleware(provider: tokens),
                RetryMiddleware(policy: .init(maximumAttempts: 2, initialBackoff: .milliseconds(20))),
            ])
    }

    /// A CDR source for the harness's arrangement, reading through `transport` from the given base URLs.
    static func cdrSource(
        _ harness: CDRHarness, resourceBaseURL: URL, publicBaseURL: URL, transport: any HTTPTransport,
        requestTimeout: Duration? = nil
    ) -> CDRAccountDataSource {
        let banking = BankingClient(
            configuration: .init(
                resourceBaseURL: resourceBaseURL, publicBaseURL: publicBaseURL, holderBrandID: CDRHarness.brand,
                requestTimeout: requestTimeout),
            context: .unattended(authenticatedAt: Date()), transport: transport)
        return CDRAccountDataSource(
            holderBrandID: CDRHarness.brand, arrangementID: harness.grant.arrangementID, banking: banking,
            registry: harness.registry)
    }

    @Test("a holder port that refuses connections falls back to DDC as an outage")
    func refusedConnection() async throws {
        try await CDRHarness.run { harness in
            let ddc = try await harness.connectDDC()
            try await withClosedLoopbackPort { port in
                let cdr = Self.cdrSource(
                    harness, resourceBaseURL: try Self.url(harness.endpoints.resourceBaseURL, port: port),
                    publicBaseURL: try Self.url(harness.endpoints.publicResourceBaseURL, port: port),
                    transport: Self.chain(harness, tokens: FixedAccessTokenProvider(harness.grant.accessToken)))

                let thrown = await #expect(throws: TransportError.self) { try await cdr.accounts() }
                #expect(thrown?.code == .connectFailed)
                #expect(thrown?.category == .outage)

                let fallback = FallbackAccountDataSource(cdr: cdr, ddc: ddc, policy: .preferCDR)
                let accounts = try await fallback.accounts()
                #expect(accounts.count == harness.datasetAccounts.count)
                #expect(accounts.allSatisfy { $0.provenance.method == .ddc })
                let decision = try #require(fallback.lastDecision)
                #expect(decision.servedBy == ddc.descriptor)
                #expect(decision.skipped.map(\.reason) == [.outage])

                let cdrOnly = FallbackAccountDataSource(cdr: cdr, ddc: ddc, policy: .cdrOnly)
                let error = await #expect(throws: AccountDataError.self) { try await cdrOnly.accounts() }
                #expect(error?.code == .outage)
                #expect(error?.category == .outage)
                #expect((error?.attempts.first?.error as? TransportError)?.code == .connectFailed)
            }
        }
    }

    @Test("a holder slower than the request timeout falls back to DDC as an outage")
    func requestTimeout() async throws {
        try await CDRHarness.run { harness in
            let ddc = try await harness.connectDDC()
            let cdr = Self.cdrSource(
                harness, resourceBaseURL: try #require(URL(string: harness.endpoints.resourceBaseURL)),
                publicBaseURL: try #require(URL(string: harness.endpoints.publicResourceBaseURL)),
                transport: Self.chain(harness, tokens: FixedAccessTokenProvider(harness.grant.accessToken)),
                requestTimeout: .milliseconds(300))
            // Served in time before the fault, so the timeout below is the latency's doing.
            let before = try await cdr.accounts()
            #expect(before.count == harness.datasetAccounts.count)
            harness.holder.faults.inject(.latency(.seconds(2)), on: .resources, times: nil)

            let thrown = await #expect(throws: TransportError.self) { try await cdr.accounts() }
            #expect(thrown?.code == .timeout)
            #expect(thrown?.category == .outage)

            let fallback = FallbackAccountDataSource(cdr: cdr, ddc: ddc, policy: .preferCDR)
            let accounts = try await fallback.accounts()
            #expect(accounts.map(\.id) == before.map(\.id))
            #expect(accounts.allSatisfy { $0.provenance.method == .ddc })
            #expect(fallback.lastDecision?.servedBy == ddc.descriptor)
            #expect(fallback.lastDecision?.skipped.map(\.reason) == [.outage])
            harness.holder.faults.reset()
        }
    }

    @Test("no tokens after revocation: the CDR source throws missingArrangement keeping the AuthorizationError")
    func revokedTokens() async throws {
        try await CDRHarness.run { harness in
            let cdr = Self.cdrSource(
                harness, resourceBaseURL: try #require(URL(string: harness.endpoints.resourceBaseURL)),
                publicBaseURL: try #require(URL(string: harness.endpoints.publicResourceBaseURL)),
                transport: Self.chain(harness, tokens: RevokedTokens()))

            let error = await #expect(throws: AccountDataError.self) { try await cdr.accounts() }
            #expect(error?.code == .missingArrangement)
            #expect(error?.category == .consentRequired)
            #expect((error?.underlying as? AuthorizationError)?.code == .arrangementRevoked)
            for call in ["balances", "payees", "regularPayments", "transactions"] {
                let thrown = await #expect(throws: AccountDataError.self, "\(call)") {
                    switch call {
                    case "balances": _ = try await cdr.balances()
                    case "payees": _ = try await cdr.payees()
                    case "regularPayments": _ = try await cdr.regularPayments()
                    default: _ = try await cdr.transactions(of: AccountKey(rawValue: "k"), in: nil).collect()
                    }
                }
                #expect(thrown?.code == .missingArrangement, "\(call)")
                #expect(thrown?.underlying is AuthorizationError, "\(call)")
            }

            let fallback = FallbackAccountDataSource(cdr: cdr, ddc: try await harness.connectDDC())
            let accounts = try await fallback.accounts()
            #expect(accounts.allSatisfy { $0.provenance.method == .ddc })
            #expect(fallback.lastDecision?.skipped.map(\.reason) == [.missingArrangement])
        }
    }
}
