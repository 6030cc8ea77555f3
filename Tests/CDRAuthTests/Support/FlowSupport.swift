import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

@testable import CDRAuth

/// A recipient wired to a running mock holder: a recording transport (interaction ids and retries in front of the
/// real AsyncHTTPClient transport) and a registered ``DataHolderConnection``.
struct FlowHarness: Sendable {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    /// Records every request that reaches the network (below the retry middleware).
    let recording: RecordingTransport
    /// What the SDK is given: interaction ids and retries in front of `recording`.
    let transport: any HTTPTransport
    let product: SoftwareProductIdentity
    let connection: DataHolderConnection
    let store: InMemoryTokenStore

    /// Runs `body` with a fresh holder, a registered recipient and a connection.
    static func run(
        holder configuration: MockDataHolder.Configuration = .init(),
        connection adjust: @Sendable (inout DataHolderConnection.Configuration) -> Void = { _ in },
        retry: RetryMiddleware.Policy = .init(initialBackoff: .milliseconds(10)),
        recipientBaseURI: String? = nil,
        pki: TestPKI? = nil,
        _ body: @Sendable (FlowHarness) async throws -> Void
    ) async throws {
        try await MockDataHolder(configuration: configuration, pki: pki).withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            let transportConfiguration = AsyncHTTPClientTransport.Configuration(
                mutualTLS: .init(identity: try holder.pki.clientIdentity(), trustRoots: try holder.pki.trustRoots),
                publicTrustRoots: try holder.pki.trustRoots, requestTimeout: .seconds(30))
            try await AsyncHTTPClientTransport.withTransport(configuration: transportConfiguration) { base in
                let recording = RecordingTransport(recording: base)
                let transport = MiddlewareTransport(
                    recording, middlewares: [InteractionIDMiddleware(), RetryMiddleware(policy: retry)])
                let product = try registerProduct(in: holder, recipientBaseURI: recipientBaseURI)
                let metadata = try await DiscoveryClient(transport: transport).discover(issuer: endpoints.issuer)
                let register = RegisterClient(
                    product: product,
                    configuration: .init(
                        publicBaseURL: try #require(URL(string: endpoints.publicBaseURL)),
                        secureBaseURL: try #require(URL(string: endpoints.secureBaseURL)),
                        tokenURL: try #require(URL(string: endpoints.registerTokenURL))),
                    transport: transport)
                let registration = try await HolderRegistrationClient(holder: metadata, product: product, transport: transport)
                    .register(using: register)
                var settings = try DataHolderConnection.Configuration(
                    product: product, registration: registration, metadata: metadata)
                adjust(&settings)
                let store = InMemoryTokenStore()
                let connection = try DataHolderConnection(configuration: settings, transport: transport, tokenStore: store)
                recording.reset()
                try await body(
                    FlowHarness(
                        holder: holder, endpoints: endpoints, recording: recording, transport: transport,
                        product: product, connection: connection, store: store))
            }
        }
    }

    static func registerProduct(
        in holder: MockDataHolder, id: String = "sp-flow", recipientBaseURI: String? = nil
    ) throws -> SoftwareProductIdentity {
        let key = try SigningKey.generate(.ps256, keyID: id + "-sig")
        let redirect = "https://recipient.example/\(id)/callback"
        holder.register.add(
            .init(
                id: id, brandID: "brand-" + id, name: "Flow Test \(id)", redirectURIs: [redirect],
                jwks: JWKS(keys: [key.publicJWK]), recipientBaseURI: recipientBaseURI))
        return SoftwareProductIdentity(
            softwareProductID: id, brandID: "brand-" + id, signingKey: key, redirectURIs: [redirect])
    }

    /// The browser leg, headless: follows the authorisation URL with the mock's auto-consent and returns the JARM
    /// `response` from the 302 back to the recipient.
    func consent(
        _ redirect: AuthorizationRedirect, customer: String = "customer-1", accounts: [String]? = nil, deny: Bool = false
    ) async throws -> String {
        var extra = [("mock_customer", customer)]
        if let accounts { extra.append(("mock_accounts", accounts.joined(separator: ","))) }
        if deny { extra.append(("mock_deny", "1")) }
        let url = try #require(URL(string: redirect.url.absoluteString + "&" + FormEncoding.encode(extra)))
        let answer = try await transport.send(TransportRequest(method: .get, url: url, security: .publicTLS))
        try #require(answer.status.code == 302, "authorise answered \(answer.status.code)")
        let location = try #require(answer.headerFields[.location])
        let items = try #require(URLComponents(string: location)?.queryItems)
        return try #require(items.first { $0.name == "response" }?.value)
    }

    /// PAR → consent → callback: an authorised arrangement.
    func authorise(_ request: AuthorizationRequest = .standard, customer: String = "customer-1") async throws -> Arrangement {
        let redirect = try await connection.startAuthorization(request)
        let response = try await consent(redirect, customer: customer)
        return try await connection.completeAuthorization(response: response, expectedState: redirect.state)
    }

    /// GET /banking/accounts with a bearer token.
    func listAccounts(token: String) async throws -> TransportResponse {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer " + token
        fields[.cdsVersion] = "3"
        fields[.cdsMinimumVersion] = "2"
        fields[.fapiAuthDate] = HTTPDate.format(Date())
        return try await transport.send(
            TransportRequest(
                method: .get, url: try #require(URL(string: endpoints.resourceBaseURL + "/banking/accounts")),
                headerFields: fields, operation: "listBankingAccounts"))
    }

    /// The requests that reached the network whose path ends with `suffix`.
    func sent(_ suffix: String) -> Int { recording.requests(pathSuffix: suffix).count }
}

extension AuthorizationRequest {
    static let standard = AuthorizationRequest(
        scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90))
}

/// An error as `description` and `debugDescription` together (for secret-leak checks).
func allText(of error: any Error) -> String { "\(error) \(String(reflecting: error))" }
