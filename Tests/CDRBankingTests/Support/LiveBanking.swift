import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// A banking client's world against a running mock holder over real mutual TLS on loopback: a grant bound to the
/// holder's client certificate, a recording transport just above the network (so the headers actually sent can be
/// checked) and the middleware a recipient puts in front of it.
struct LiveBanking: Sendable {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    /// Every request that reached the network, with the bearer token the middleware attached.
    let recording: RecordingTransport
    /// What the client is given: interaction ids and the bearer token in front of `recording`.
    let transport: any HTTPTransport
    let grant: MockGrant
    let customer: MockCustomer
    /// The accounts of the grant, in the holder's order.
    let accounts: [MockAccount]
    /// When the customer last authenticated (whole seconds, so it survives the IMF-fixdate).
    let authenticatedAt: Date

    static let authenticationTime = Date(timeIntervalSince1970: 1_767_225_600)  // Thu, 01 Jan 2026 00:00:00 GMT

    /// Runs `body` with a fresh holder, a grant and a transport.
    /// - Parameters:
    ///   - configuration: The holder's set-up.
    ///   - accountIDs: The consented accounts (indices into the first customer's); all when `nil`.
    ///   - scopes: The granted scopes.
    ///   - token: Overrides the token the middleware attaches (an unknown token).
    ///   - middlewares: Middleware between the bearer-token middleware and the network.
    static func run(
        holder configuration: MockDataHolder.Configuration = .init(),
        accounts accountIndices: [Int]? = nil,
        scopes: [String] = MockRegister.allReadScopes,
        token: String? = nil,
        middlewares: @Sendable (MockDataHolder) -> [any TransportMiddleware] = { _ in [] },
        _ body: @Sendable (LiveBanking) async throws -> Void
    ) async throws {
        try await withMockDataHolder(MockWorld.Options(holderConfiguration: configuration, consent: nil)) { world in
            let holder = try world.holder
            let customer = try #require(holder.dataset.customers.first)
            let owned = holder.dataset.accounts(of: customer)
            let chosen = accountIndices.map { $0.map { owned[$0] } } ?? owned
            let grant = try world.makeGrant(customer: customer.id, accountIDs: chosen.map(\.id), scopes: scopes)
            let transport = MiddlewareTransport(
                world.recording,
                middlewares: [
                    InteractionIDMiddleware(),
                    BearerTokenMiddleware(provider: FixedAccessTokenProvider(token ?? grant.accessToken)),
                ] + middlewares(holder))
            try await body(
                LiveBanking(
                    holder: holder, endpoints: world.endpoints, recording: world.recording, transport: transport,
                    grant: grant, customer: customer, accounts: chosen, authenticatedAt: authenticationTime))
        }
    }

    /// A client of the holder.
    func client(
        versions: VersionPreferences = VersionPreferences(), context: CallContext? = nil, pageSize: Int? = nil,
        pagination: PaginationPolicy = PaginationPolicy(), decodingMode: CDRDecoder.Mode = .lenient,
        quirks: HolderQuirks? = nil, dataQuality: (any DataQualityObserver)? = nil
    ) throws -> BankingClient {
        BankingClient(
            configuration: .init(
                resourceBaseURL: try #require(URL(string: endpoints.resourceBaseURL)),
                publicBaseURL: try #require(URL(string: endpoints.publicResourceBaseURL)),
                holderBrandID: holder.configuration.brand.id, versions: versions, pageSize: pageSize,
                pagination: pagination, decodingMode: decodingMode, quirks: quirks),
            context: context ?? .unattended(authenticatedAt: authenticatedAt), transport: transport,
            dataQuality: dataQuality)
    }

    /// Whether `request` carries the grant's token (compared here so that a failure never prints the token).
    func carriesGrantToken(_ request: TransportRequest) -> Bool {
        request.headerFields[.authorization] == "Bearer " + grant.accessToken
    }
}

/// A client over a fake transport (no network): the base URL is `https://holder.example/cds-au/v1`.
func fakeClient(
    _ transport: any HTTPTransport, versions: VersionPreferences = VersionPreferences(), pageSize: Int? = nil,
    pagination: PaginationPolicy = PaginationPolicy(),
    context: CallContext = .unattended(authenticatedAt: LiveBanking.authenticationTime)
) -> BankingClient {
    BankingClient(
        configuration: .init(
            resourceBaseURL: URL(string: "https://holder.example/cds-au/v1")!,
            publicBaseURL: URL(string: "https://public.holder.example/cds-au/v1")!, versions: versions,
            pageSize: pageSize, pagination: pagination),
        context: context, transport: transport)
}

/// An error's `description` and `debugDescription` together (for secret-leak checks).
func allText(of error: any Error) -> String { "\(error) \(String(reflecting: error))" }

/// The value of `x-v` and `x-min-v` on a request.
func versionHeaders(_ request: TransportRequest) -> (xv: String?, xminv: String?) {
    (request.headerFields[.cdsVersion], request.headerFields[.cdsMinimumVersion])
}
