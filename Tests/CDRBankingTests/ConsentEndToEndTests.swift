import CDRAuth
import CDRBanking
import CDRJOSE
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

/// The real consent flow (discovery, DCR, PAR, the headless consent page, the JARM callback and the token
/// exchange) with the arrangement's `TokenManager` as the banking client's token source. Adapted from the
/// `FlowHarness` of CDRAuthTests.
@Suite("End to end: consent, token manager and banking client", .timeLimit(.minutes(5)))
struct ConsentEndToEndTests {
    @Test(
        "An authorised arrangement's token manager drives the banking client over mutual TLS", .timeLimit(.minutes(2)))
    func consentThenBanking() async throws {
        try await MockDataHolder(configuration: .init()).withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            let configuration = AsyncHTTPClientTransport.Configuration(
                mutualTLS: .init(identity: try holder.pki.clientIdentity(), trustRoots: try holder.pki.trustRoots),
                publicTrustRoots: try holder.pki.trustRoots, requestTimeout: .seconds(30))
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { base in
                let recording = RecordingTransport(recording: base)
                let authTransport = MiddlewareTransport(recording, middlewares: [InteractionIDMiddleware()])

                // Register a software product with the mock Register and the holder.
                let key = try SigningKey.generate(.ps256, keyID: "sp-banking-sig")
                let redirect = "https://recipient.example/banking/callback"
                holder.register.add(
                    .init(
                        id: "sp-banking", brandID: "brand-sp-banking", name: "Banking Test", redirectURIs: [redirect],
                        jwks: JWKS(keys: [key.publicJWK])))
                let product = SoftwareProductIdentity(
                    softwareProductID: "sp-banking", brandID: "brand-sp-banking", signingKey: key,
                    redirectURIs: [redirect])
                let metadata = try await DiscoveryClient(transport: authTransport).discover(issuer: endpoints.issuer)
                let register = RegisterClient(
                    product: product,
                    configuration: .init(
                        publicBaseURL: try #require(URL(string: endpoints.publicBaseURL)),
                        secureBaseURL: try #require(URL(string: endpoints.secureBaseURL)),
                        tokenURL: try #require(URL(string: endpoints.registerTokenURL))),
                    transport: authTransport)
                let registration = try await HolderRegistrationClient(
                    holder: metadata, product: product, transport: authTransport
                ).register(using: register)
                let connection = try DataHolderConnection(
                    configuration: try .init(product: product, registration: registration, metadata: metadata),
                    transport: authTransport, tokenStore: InMemoryTokenStore())

                // Consent: PAR, the headless consent page for two accounts, the JARM callback, the token exchange.
                let customer = try #require(holder.dataset.customers.first)
                let consented = Array(holder.dataset.accounts(of: customer).prefix(2))
                let request = AuthorizationRequest(
                    scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90))
                let authorization = try await connection.startAuthorization(request)
                let extra = [
                    ("mock_customer", customer.id), ("mock_accounts", consented.map(\.id).joined(separator: ",")),
                ]
                let consentURL = try #require(
                    URL(string: authorization.url.absoluteString + "&" + FormEncoding.encode(extra)))
                let answer = try await authTransport.send(
                    TransportRequest(method: .get, url: consentURL, security: .publicTLS))
                try #require(answer.status.code == 302)
                let location = try #require(answer.headerFields[.location])
                let response = try #require(
                    URLComponents(string: location)?.queryItems?.first { $0.name == "response" }?.value)
                let arrangement = try await connection.completeAuthorization(
                    response: response, expectedState: authorization.state)

                // The banking client, with the arrangement's token manager as the token source.
                let manager = await connection.tokenManager(for: arrangement.id)
                let bankingTransport = MiddlewareTransport(
                    recording, middlewares: [InteractionIDMiddleware(), BearerTokenMiddleware(provider: manager)])
                let banking = BankingClient(
                    configuration: .init(
                        resourceBaseURL: try #require(URL(string: endpoints.resourceBaseURL)),
                        publicBaseURL: try #require(URL(string: endpoints.publicResourceBaseURL))),
                    context: .unattended(authenticatedAt: LiveBanking.authenticationTime), transport: bankingTransport)
                recording.reset()

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
                let allCarryToken = sent.allSatisfy { $0.headerFields[.authorization] == "Bearer " + token }
                #expect(allCarryToken, "every call carried the token manager's access token")
                #expect(sent.allSatisfy { $0.security == .mutualTLS && $0.headerFields[.fapiAuthDate] != nil })
                let leaks = error.map { allText(of: $0).contains(token) } ?? true
                #expect(!leaks)
            }
        }
    }
}
