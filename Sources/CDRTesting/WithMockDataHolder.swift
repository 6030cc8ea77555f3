import CDRAuth
import CDRClient
import CDRJOSE
import CDRMockHolder
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation

/// Runs `body` in a mock world: a running mock data holder, a transport for it, a software product registered on
/// its Register, a `CDRClient`, a connected `HolderClient` and a consented arrangement.
///
/// The holder is stopped, the transport shut down (and a holder process started for the world terminated) when
/// `body` returns or throws.
///
/// ```swift
/// try await withMockDataHolder { world in
///     let accounts = try await world.holderClient.accountData(for: try world.arrangement).accounts()
///     #expect(accounts.count == 3)
/// }
/// ```
/// - Parameters:
///   - options: Which holder, data, customer and consent; see ``MockWorld/Options``.
///   - body: The test.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws, or what stopped the world from being built (the holder did not start, the
///   Register, discovery, DCR or the consent failed).
public func withMockDataHolder<Result: Sendable>(
    _ options: MockWorld.Options = MockWorld.Options(), _ body: (MockWorld) async throws -> Result
) async throws -> Result {
    switch options.holder {
    case .inProcess:
        let holder = try MockDataHolder(configuration: options.holderConfiguration)
        return try await holder.withRunning { try await MockWorld.build(options, holder: $0, body) }
    case .holder(let holder):
        return try await holder.withRunning { try await MockWorld.build(options, holder: $0, body) }
    case .remote(let publicBaseURL, let folder):
        return try await MockWorld.build(options, remote: publicBaseURL, files: folder, body)
    case .executable(let executable):
        return try await MockHolderProcess.withRunning(
            executable, dataset: options.holderConfiguration.dataset,
            stateDirectory: options.holderConfiguration.stateDirectory
        ) {
            try await MockWorld.build(options, remote: $0.publicBaseURL, files: $0.folder, body)
        }
    }
}

extension MockWorld {
    /// The world over a holder in this process.
    static func build<Result: Sendable>(
        _ options: Options, holder: MockDataHolder, _ body: (MockWorld) async throws -> Result
    ) async throws -> Result {
        let trust = try holder.pki.trustRoots
        let transport = try holder.transportConfiguration(requestTimeout: options.requestTimeout)
        var accounts: [String]?
        if let count = options.consentedAccounts {
            guard let customer = holder.dataset.customer(id: options.customer) else {
                throw MockHolderError(.invalidConfiguration, reason: "no customer \(options.customer) in the data set")
            }
            accounts = Array(holder.dataset.accounts(of: customer).prefix(count).map(\.id))
        }
        let plan = Plan(
            options: options, control: holder, inProcess: holder, endpoints: try await holder.endpoints(),
            identity: try holder.pki.clientIdentity(), trust: trust, transport: transport, accounts: accounts)
        return try await plan.run { world in
            options.faults?(holder.faults)
            return try await body(world)
        }
    }

    /// The world over a `cdr-mock-holder` in another process.
    static func build<Result: Sendable>(
        _ options: Options, remote publicBaseURL: URL, files folder: URL, _ body: (MockWorld) async throws -> Result
    ) async throws -> Result {
        guard options.faults == nil else {
            throw MockHolderError(
                .invalidConfiguration, reason: "faults can only be switched on a holder in this process")
        }
        guard options.consentedAccounts == nil else {
            throw MockHolderError(
                .invalidConfiguration,
                reason: "consentedAccounts needs the holder's data set (a holder in this process)")
        }
        let caPEM = try String(contentsOf: folder.appendingPathComponent("ca.pem"), encoding: .utf8)
        let identity = try ClientIdentity(
            combinedPEM: try String(contentsOf: folder.appendingPathComponent("identity.pem"), encoding: .utf8))
        let trust = TrustRoots.certificates(pem: caPEM)
        let transport = AsyncHTTPClientTransport.Configuration.mockHolder(
            identity: identity, trust: trust, requestTimeout: options.requestTimeout)
        return try await AsyncHTTPClientTransport.withTransport(configuration: transport) { base in
            let control = MockHolderAdministrationClient(publicBaseURL: publicBaseURL, transport: base)
            let endpoints = try await control.endpoints()
            let plan = Plan(
                options: options, control: control, inProcess: nil, endpoints: endpoints, identity: identity,
                trust: trust, transport: transport, accounts: nil)
            return try await plan.run(body)
        }
    }

    /// A world not yet connected: only the parts needed to connect.
    private struct Plan: Sendable {
        var options: Options
        var control: any MockHolderControl
        var inProcess: MockDataHolder?
        var endpoints: MockDataHolder.Endpoints
        var identity: ClientIdentity
        var trust: TrustRoots
        var transport: AsyncHTTPClientTransport.Configuration
        var accounts: [String]?

        func run<Result: Sendable>(_ body: (MockWorld) async throws -> Result) async throws -> Result {
            try await AsyncHTTPClientTransport.withTransport(configuration: transport) { base in
                let recording = RecordingTransport(recording: base)
                let product = try await MockWorld.registerProduct(
                    id: options.productID, signing: options.signing, decryptionKey: nil,
                    recipientBaseURI: options.recipientBaseURI, redirectURIs: nil, at: control)
                let register = RegisterClient.Configuration(
                    publicBaseURL: try url(endpoints.publicBaseURL), secureBaseURL: try url(endpoints.secureBaseURL),
                    tokenURL: try url(endpoints.registerTokenURL))
                let client = CDRClient(
                    configuration: CDRClient.Configuration(
                        product: product, identity: identity, cdrCertificateAuthority: trust, publicTrustRoots: trust,
                        register: register,
                        store: options.store, tokenStore: options.tokenStore, recordStore: options.recordStore,
                        retry: options.retry,
                        requestTimeout: options.requestTimeout),
                    transport: recording)
                guard let brand = try await client.holderBrands().first(where: { $0.issuer == endpoints.issuer })
                else {
                    throw MockHolderError(
                        .invalidConfiguration, reason: "the Register lists no brand with issuer \(endpoints.issuer)")
                }
                let holderClient = try await client.connect(holderBrandID: brand.id)
                // Discovered (and checked) while connecting: not fetched again.
                let metadata = holderClient.connection.configuration.metadata
                var world = MockWorld(
                    options: options, endpoints: endpoints, control: control, inProcessHolder: inProcess,
                    transportConfiguration: transport, base: base, recording: recording, product: product,
                    client: client, brand: brand, metadata: metadata, holderClient: holderClient)
                if let request = options.consent {
                    world.consented = try await world.consent(request, accounts: accounts)
                }
                recording.reset()
                return try await body(world)
            }
        }

        private func url(_ string: String) throws -> URL {
            guard let url = URL(string: string) else {
                throw MockHolderError(.invalidConfiguration, reason: "\(string) is not a URL")
            }
            return url
        }
    }
}
