import Benchmark
import CDRAuth
import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes

/// One complete consent on loopback against the mock data holder over mutual TLS: PAR, the (headless) browser leg,
/// the JARM callback, the token exchange with ID token validation, and the first resource call. Onboarding (SSA and
/// DCR) happens once, before the measurement; the holder's JWKS is fetched by the warm-up flow and cached.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .custom("TLS handshakes per flow")],
        maxDuration: .seconds(20),
        maxIterations: 200
    )

    Benchmark("Consent flow: PAR to first resource call (mTLS, loopback)") { benchmark in
        try await MockDataHolder.withRunning(.init()) { holder in
            let endpoints = try require(holder.endpoints)
            let configuration = AsyncHTTPClientTransport.Configuration(
                mutualTLS: .init(identity: try holder.pki.clientIdentity(), trustRoots: try holder.pki.trustRoots),
                publicTrustRoots: try holder.pki.trustRoots)
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { base in
                let transport = MiddlewareTransport.standard(base)
                let harness = try await ConsentHarness.make(holder: holder, endpoints: endpoints, transport: transport)
                _ = try await harness.consentAndFirstCall()  // warm-up: connections open, JWKS cached
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    let before = holder.completedHandshakes.total
                    blackHole(try await harness.consentAndFirstCall())
                    benchmark.measurement(.custom("TLS handshakes per flow"), holder.completedHandshakes.total - before)
                }
                benchmark.stopMeasurement()
            }
        }
    }
}

struct ConsentHarness {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    let transport: any HTTPTransport
    let connection: DataHolderConnection

    static func make(holder: MockDataHolder, endpoints: MockDataHolder.Endpoints, transport: any HTTPTransport)
        async throws -> ConsentHarness
    {
        let key = try SigningKey.generate(.ps256, keyID: "bench-sig")
        let redirect = "https://recipient.example/bench/callback"
        holder.register.add(
            .init(
                id: "sp-bench", brandID: "brand-bench", name: "Benchmark", redirectURIs: [redirect],
                jwks: JWKS(keys: [key.publicJWK]), recipientBaseURI: nil))
        let product = SoftwareProductIdentity(
            softwareProductID: "sp-bench", brandID: "brand-bench", signingKey: key, redirectURIs: [redirect])
        let metadata = try await DiscoveryClient(transport: transport).discover(issuer: endpoints.issuer)
        let register = RegisterClient(
            product: product,
            configuration: .init(
                publicBaseURL: try require(URL(string: endpoints.publicBaseURL)),
                secureBaseURL: try require(URL(string: endpoints.secureBaseURL)),
                tokenURL: try require(URL(string: endpoints.registerTokenURL))),
            transport: transport)
        let registration = try await HolderRegistrationClient(holder: metadata, product: product, transport: transport)
            .register(using: register)
        let connection = try DataHolderConnection(
            configuration: .init(product: product, registration: registration, metadata: metadata), transport: transport
        )
        return ConsentHarness(holder: holder, endpoints: endpoints, transport: transport, connection: connection)
    }

    /// PAR → authorise (headless) → callback → token → GET /banking/accounts; returns the status.
    func consentAndFirstCall() async throws -> Int {
        let redirect = try await connection.startAuthorization(
            AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))
        let browser = try await transport.send(
            TransportRequest(
                method: .get, url: try require(URL(string: redirect.url.absoluteString + "&mock_customer=customer-1")),
                security: .publicTLS))
        let location = try require(browser.headerFields[.location])
        let response = try require(URLComponents(string: location)?.queryItems?.first { $0.name == "response" }?.value)
        let arrangement = try await connection.completeAuthorization(response: response, expectedState: redirect.state)
        let token = try await connection.tokenManager(for: arrangement.id).accessToken()
        var fields = HTTPFields()
        fields[.authorization] = "Bearer " + token
        fields[.cdsVersion] = "3"
        fields[.fapiAuthDate] = HTTPDate.format(Date())
        let accounts = try await transport.send(
            TransportRequest(
                method: .get, url: try require(URL(string: endpoints.resourceBaseURL + "/banking/accounts")),
                headerFields: fields))
        guard accounts.status.code == 200 else { throw BenchmarkSetupError() }
        return accounts.status.code
    }
}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw BenchmarkSetupError() }
    return value
}

private struct BenchmarkSetupError: Error {}
