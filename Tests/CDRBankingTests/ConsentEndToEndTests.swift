import CDRAuth
import CDRBanking
import CDRClient
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// The real consent flow (discovery, DCR, PAR, the headless consent page, the JARM callback and the token
/// exchange), built by `withMockDataHolder`, with the arrangement's `TokenManager` as the banking client's token
/// source.
@Suite("End to end: consent, token manager and banking client", .timeLimit(.minutes(5)))
struct ConsentEndToEndTests {
    @Test(
        "An authorised arrangement's token manager drives the banking client over mutual TLS", .timeLimit(.minutes(5)))
    func consentThenBanking() async throws {
        // Register → discovery → SSA → DCR, then PAR, the headless consent page for two accounts, the JARM callback
        // and the token exchange: the kit's world.
        let options = MockWorld.Options(consentedAccounts: 2, productID: "sp-banking")
        try await withMockDataHolder(options) { world in
            let holder = try world.holder
            let customer = try #require(holder.dataset.customer(id: world.customer))
            let consented = Array(holder.dataset.accounts(of: customer).prefix(2))
            let arrangement = try world.arrangement

            // The banking client, with the arrangement's token manager as the token source.
            let manager = await world.holderClient.connection.tokenManager(for: arrangement.id)
            let bankingTransport = MiddlewareTransport(
                world.recording, middlewares: [InteractionIDMiddleware(), BearerTokenMiddleware(provider: manager)])
            let banking = BankingClient(
                configuration: .init(
                    resourceBaseURL: try #require(URL(string: world.endpoints.resourceBaseURL)),
                    publicBaseURL: try #require(URL(string: world.endpoints.publicResourceBaseURL))),
                context: .unattended(authenticatedAt: LiveBanking.authenticationTime), transport: bankingTransport)
            let recording = world.recording

            let accounts = try await banking.accounts().collect()
            #expect(accounts == consented.map { .current($0.v3()) })
            let transactions = try await banking.transactions(accountID: consented[0].id).pages
                .reduce(into: 0) { count, page in count += page.records.count }
            #expect(transactions > 0)
            // The consent did not include the customer scope.
            let error = await #expect(throws: DataHolderError.self) { _ = try await banking.customer() }
            #expect(error?.code == .forbidden)
            #expect(error?.urn == "urn:au-cds:error:cds-all:Authorisation/InvalidConsent")

            let token = try await manager.accessToken()
            let sent = recording.requests
            #expect(sent.count >= 3, "accounts, transactions and customer were sent")
            let allCarryToken = sent.allSatisfy { $0.headerFields[.authorization] == "Bearer " + token }
            #expect(allCarryToken, "every call carried the token manager's access token")
            #expect(sent.allSatisfy { $0.security == .mutualTLS && $0.headerFields[.fapiAuthDate] != nil })
            let leaks = error.map { allText(of: $0).contains(token) } ?? true
            #expect(!leaks)
        }
    }
}
