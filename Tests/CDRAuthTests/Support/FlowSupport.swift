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

/// A recipient wired to a mock world (`withMockDataHolder`, no consent yet): a ``DataHolderConnection`` built from the
/// world's product, registration and metadata over interaction ids and retries in front of the world's recording.
struct FlowHarness: Sendable {
    let world: MockWorld
    let holder: MockDataHolder
    /// Records every request that reaches the network (below the retry middleware).
    var recording: RecordingTransport { world.recording }
    /// What the SDK is given: interaction ids and retries in front of `recording`.
    let transport: any HTTPTransport
    let connection: DataHolderConnection
    let store: InMemoryTokenStore

    var endpoints: MockDataHolder.Endpoints { world.endpoints }
    var product: SoftwareProductIdentity { world.product }

    /// Runs `body` with a fresh holder, a registered recipient and a connection.
    static func run(
        holder configuration: MockDataHolder.Configuration = .init(),
        connection adjust: @Sendable (inout DataHolderConnection.Configuration) -> Void = { _ in },
        retry: RetryMiddleware.Policy = .init(initialBackoff: .milliseconds(10)),
        recipientBaseURI: String? = nil,
        pki: TestPKI? = nil,
        _ body: @Sendable (FlowHarness) async throws -> Void
    ) async throws {
        var options = MockWorld.Options(
            holderConfiguration: configuration, consent: nil, productID: "sp-flow", signing: .ps256,
            recipientBaseURI: recipientBaseURI)
        if let pki { options.holder = .holder(try MockDataHolder(configuration: configuration, pki: pki)) }
        try await withMockDataHolder(options) { world in
            let transport = MiddlewareTransport(
                world.recording, middlewares: [InteractionIDMiddleware(), RetryMiddleware(policy: retry)])
            var settings = try DataHolderConnection.Configuration(
                product: world.product, registration: world.registration, metadata: world.metadata)
            adjust(&settings)
            let store = InMemoryTokenStore()
            let connection = try DataHolderConnection(configuration: settings, transport: transport, tokenStore: store)
            try await body(
                FlowHarness(
                    world: world, holder: try world.holder, transport: transport, connection: connection, store: store))
        }
    }

    /// The browser leg, headless: the mock's auto-consent answers the authorisation URL; returns the JARM
    /// `response` from the 302 back to the recipient.
    func consent(
        _ redirect: AuthorizationRedirect, customer: String = "customer-1", accounts: [String]? = nil,
        deny: Bool = false
    ) async throws -> String {
        try await world.authorizationResponse(for: redirect, customer: customer, accounts: accounts, deny: deny)
    }

    /// PAR → consent → callback: an authorised arrangement.
    func authorise(_ request: AuthorizationRequest = .standard, customer: String = "customer-1") async throws
        -> Arrangement
    {
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
    static let standard = MockWorld.Options.standardConsent
}

/// An error as `description` and `debugDescription` together (for secret-leak checks).
func allText(of error: any Error) -> String { "\(error) \(String(reflecting: error))" }
