import CDRJOSE
import CDRMockData
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

@testable import CDRMockHolder

/// ``MockHolderControl`` in-process and remote: each operation has the same effect on a running holder, the remote
/// one over real mutual TLS to the administration routes.
@Suite(.timeLimit(.minutes(3)))
struct AdministrationTests {
    /// Which conformance drives the holder.
    enum Mode: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case inProcess, remote
        var testDescription: String { rawValue }
    }

    static let smallData = MockDataHolder.Configuration(
        dataset: .init(customerCount: 2, accountsPerCustomer: 2, transactionsPerAccount: 5))

    /// Runs `body` with a running holder, a mutual-TLS transport to it and the control of `mode`.
    static func withControl(
        _ mode: Mode,
        _ body: (MockDataHolder, any MockHolderControl, AsyncHTTPClientTransport) async throws -> Void
    ) async throws {
        try await MockDataHolder.withRunning(smallData) { holder in
            let endpoints = try #require(holder.endpoints)
            let publicBaseURL = try #require(URL(string: endpoints.publicBaseURL))
            try await holder.withTransport { transport in
                let control: any MockHolderControl =
                    switch mode {
                    case .inProcess: holder
                    case .remote: MockHolderAdministrationClient(publicBaseURL: publicBaseURL, transport: transport)
                    }
                try await body(holder, control, transport)
            }
        }
    }

    /// Sends a request to `url` and returns the answer.
    static func send(
        _ transport: some HTTPTransport, _ method: HTTPRequest.Method, _ url: String, body: String? = nil,
        security: EndpointSecurity = .mutualTLS
    ) async throws -> TransportResponse {
        var fields = HTTPFields()
        if body != nil { fields[.contentType] = "application/json" }
        return try await transport.send(
            TransportRequest(
                method: method, url: try #require(URL(string: url)), headerFields: fields,
                body: body.map { Data($0.utf8) },
                security: security))
    }

    /// The `status` that `/discovery/status` reports.
    static func discoveryStatus(_ transport: some HTTPTransport, _ endpoints: MockDataHolder.Endpoints) async throws
        -> String?
    {
        var fields = HTTPFields()
        fields[.cdsVersion] = "1"
        let answer = try await transport.send(
            TransportRequest(
                method: .get, url: try #require(URL(string: endpoints.publicResourceBaseURL + "/discovery/status")),
                headerFields: fields, security: .publicTLS))
        #expect(answer.status == .ok)
        let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        return (json?["data"] as? [String: Any])?["status"] as? String
    }

    /// The first error code of a CDS error list.
    static func firstErrorCode(_ answer: TransportResponse) -> String? {
        let json = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        return (json?["errors"] as? [[String: Any]])?.first?["code"] as? String
    }

    // MARK: Same effect in-process and remote

    @Test(arguments: Mode.allCases)
    func endpointsAreTheHoldersBaseURLs(mode: Mode) async throws {
        try await Self.withControl(mode) { holder, control, _ in
            let first = try await control.endpoints()
            #expect(first == holder.endpoints)
            // Asked twice (the remote client remembers the answer): the same.
            let second = try await control.endpoints()
            #expect(second == first)
        }
    }

    @Test func inProcessEndpointsThrowWhenTheHolderIsNotRunning() async throws {
        let holder = try MockDataHolder(configuration: Self.smallData)
        let error = await #expect(throws: MockHolderError.self) { _ = try await holder.endpoints() }
        #expect(error?.code == .stopped)
    }

    @Test(arguments: Mode.allCases)
    func setOutageSwitchesTheStatus(mode: Mode) async throws {
        try await Self.withControl(mode) { holder, control, transport in
            let endpoints = try #require(holder.endpoints)
            #expect(try await Self.discoveryStatus(transport, endpoints) == "OK")

            try await control.setOutage(.unavailable)
            #expect(holder.faults.outage == .unavailable)
            #expect(try await Self.discoveryStatus(transport, endpoints) == "UNAVAILABLE")

            try await control.setOutage(.partialFailure(pathPrefixes: ["/cds-au/v1/banking/accounts"]))
            #expect(holder.faults.outage == .partialFailure(pathPrefixes: ["/cds-au/v1/banking/accounts"]))
            #expect(try await Self.discoveryStatus(transport, endpoints) == "PARTIAL_FAILURE")

            let start = Date(timeIntervalSince1970: 1_893_456_000)
            try await control.setOutage(.scheduled(start: start, duration: .seconds(5400)))
            #expect(holder.faults.outage == .scheduled(start: start, duration: .seconds(5400)))

            try await control.setOutage(nil)
            #expect(holder.faults.outage == nil)
            #expect(try await Self.discoveryStatus(transport, endpoints) == "OK")
        }
    }

    @Test(arguments: Mode.allCases)
    func ddcSettingsAndSecretsMatchTheProvider(mode: Mode) async throws {
        try await Self.withControl(mode) { holder, control, _ in
            let settings = try await control.ddcSettings()
            #expect(settings.apiKey == holder.ddc.apiKey)
            #expect(settings.institutionID == holder.ddc.institutionID)
            #expect(settings.institutionName == holder.ddc.institutionName)
            // Identifiers that need percent-encoding in a path reach the holder unchanged.
            for customerID in ["customer-1", "customer-2", "customer 3/é?#%"] {
                #expect(try await control.ddcPassword(for: customerID) == holder.ddc.password(for: customerID))
                #expect(
                    try await control.ddcSecurityAnswer(for: customerID) == holder.ddc.securityAnswer(for: customerID))
            }
        }
    }

    @Test(arguments: Mode.allCases)
    func setDDCMFASwitchesTheProvider(mode: Mode) async throws {
        try await Self.withControl(mode) { holder, control, _ in
            for requirement in [MockDDCProvider.MFARequirement.oneTimeCode, .securityQuestion, .none] {
                try await control.setDDCMFA(requirement)
                #expect(holder.ddc.mfa == requirement)
            }
        }
    }

    @Test(arguments: Mode.allCases)
    func oneTimeCodeIsTheLastCodeSent(mode: Mode) async throws {
        try await Self.withControl(mode) { holder, control, _ in
            try await control.setDDCMFA(.oneTimeCode)
            let ddc = holder.ddc
            let connection = try ddc.createConnection(
                institutionID: ddc.institutionID, username: "customer-1", password: ddc.password(for: "customer-1"))
            #expect(try await control.ddcOneTimeCode(for: connection) == nil)

            let job = try ddc.startJob(connectionID: connection)
            #expect(try ddc.readJob(job.id).status == .awaitingInput)
            let sent = try #require(ddc.lastOneTimeCode(for: connection))
            #expect(try await control.ddcOneTimeCode(for: connection) == sent)
            #expect(try await control.ddcOneTimeCode(for: "conn_unknown") == nil)
        }
    }

    @Test(arguments: Mode.allCases)
    func addSoftwareProductRegistersIt(mode: Mode) async throws {
        try await Self.withControl(mode) { holder, control, _ in
            let key = try SigningKey.generate(.ps256, keyID: "sp-admin-sig")
            let product = MockRegister.SoftwareProduct(
                id: "sp-admin", brandID: "brand-admin", name: "Administration Test",
                redirectURIs: ["https://recipient.example/callback"], jwks: JWKS(keys: [key.publicJWK]),
                recipientBaseURI: "https://recipient.example")
            try await control.addSoftwareProduct(product)
            #expect(holder.register.softwareProduct(id: "sp-admin") == product)

            var incomplete = product
            incomplete.id = "sp-incomplete"
            incomplete.redirectURIs = []
            let error = await #expect(throws: MockHolderError.self) { try await control.addSoftwareProduct(incomplete) }
            let expected: MockHolderError.Code = mode == .remote ? .administrationFailed : .invalidConfiguration
            #expect(error?.code == expected)
            #expect(holder.register.softwareProduct(id: "sp-incomplete") == nil)
        }
    }

    // MARK: The routes

    @Test func publicEndpointsRouteAnswersTheBaseURLsOnly() async throws {
        try await Self.withControl(.remote) { holder, _, transport in
            let endpoints = try #require(holder.endpoints)
            let answer = try await Self.send(
                transport, .get, endpoints.publicBaseURL + "/mock-admin/endpoints", security: .publicTLS)
            #expect(answer.status == .ok)
            #expect(try JSONDecoder().decode(MockDataHolder.Endpoints.self, from: answer.body) == endpoints)
            let keys = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
            #expect(Set(keys?.keys.map { $0 } ?? []) == ["publicBaseURL", "secureBaseURL"])
        }
    }

    @Test func secureRoutesRefuseAConnectionWithoutAClientCertificate() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let endpoints = try #require(holder.endpoints)
            let publicOnly = AsyncHTTPClientTransport.Configuration(
                publicTrustRoots: try holder.pki.trustRoots, requestTimeout: .seconds(30))
            try await AsyncHTTPClientTransport.withTransport(configuration: publicOnly) { transport in
                for path in [
                    "/mock-admin/ddc/settings", "/mock-admin/ddc/customers/customer-1/password",
                    "/mock-admin/ddc/customers/customer-1/security-answer",
                    "/mock-admin/ddc/connections/conn_x/one-time-code",
                ] {
                    let error = await #expect(throws: TransportError.self) {
                        _ = try await Self.send(transport, .get, endpoints.secureBaseURL + path, security: .publicTLS)
                    }
                    #expect(error?.code == .clientCertificateRejected)
                }
                let error = await #expect(throws: TransportError.self) {
                    _ = try await Self.send(
                        transport, .put, endpoints.secureBaseURL + "/mock-admin/outage",
                        body: #"{"kind":"unavailable"}"#,
                        security: .publicTLS)
                }
                #expect(error?.code == .clientCertificateRejected)
                #expect(holder.faults.outage == nil)

                // The secure routes are not served on the public listener.
                let answer = try await Self.send(
                    transport, .get, endpoints.publicBaseURL + "/mock-admin/ddc/settings", security: .publicTLS)
                #expect(answer.status == .notFound)
                let leaked230 = String(decoding: answer.body, as: UTF8.self).contains(holder.ddc.apiKey)
                #expect(!leaked230, "a secret or customer datum is readable")

                // A client on this transport finds the endpoints, then fails clearly, without the secret.
                let client = MockHolderAdministrationClient(
                    publicBaseURL: try #require(URL(string: endpoints.publicBaseURL)), transport: transport)
                #expect(try await client.endpoints() == endpoints)
                let clientError = await #expect(throws: MockHolderError.self) { _ = try await client.ddcSettings() }
                #expect(clientError?.code == .administrationFailed)
                #expect(clientError?.underlying is TransportError)
                let text = clientError.map { "\($0) \(String(reflecting: $0))" } ?? ""
                #expect(text.contains("ddcSettings"))
                let leaked241 = text.contains(holder.ddc.apiKey)
                #expect(!leaked241, "a secret or customer datum is readable")
            }
        }
    }

    @Test func badInputIsAnswered400WithTheStandardErrorList() async throws {
        try await Self.withControl(.remote) { holder, _, transport in
            let secure = try #require(holder.endpoints).secureBaseURL
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.put, "/mock-admin/outage", "not json"),
                (.put, "/mock-admin/outage", ""),
                (.put, "/mock-admin/outage", #"{"kind":"sideways"}"#),
                (.put, "/mock-admin/outage", #"{"kind":"partialFailure","pathPrefixes":["no-slash"]}"#),
                (.put, "/mock-admin/outage", #"{"kind":"scheduled","start":1e300,"durationSeconds":1e300}"#),
                (.put, "/mock-admin/outage", #"{"kind":"scheduled","start":1893456000,"durationSeconds":-1}"#),
                (.put, "/mock-admin/ddc/mfa", #"{"requirement":"fingerprint"}"#),
                (.put, "/mock-admin/ddc/mfa", "[]"),
                (.post, "/mock-admin/software-products", #"{"id":"sp-x"}"#),
                (.post, "/mock-admin/software-products", "{"),
                (.put, "/mock-admin/quirks", #"{"quirks":["sideways"]}"#),
                (.put, "/mock-admin/quirks", #"{"quirks":["dateTimeInDateField","unusableValue"]}"#),
                (.put, "/mock-admin/quirks", #"{"quirks":["ignoredField"]}"#),
                (.put, "/mock-admin/quirks", #"{"quirks":"dateTimeInDateField"}"#),
                (.put, "/mock-admin/quirks", "{}"),
            ]
            for (method, path, body) in cases {
                let answer = try await Self.send(transport, method, secure + path, body: body)
                #expect(answer.status == .badRequest, "\(method) \(path) \(body)")
                #expect(Self.firstErrorCode(answer) == CDSErrorCode.fieldInvalid.rawValue, "\(method) \(path) \(body)")
            }
            #expect(holder.faults.outage == nil)
            #expect(holder.ddc.mfa == .none)
            #expect(holder.register.softwareProduct(id: "sp-x") == nil)
            #expect(holder.faults.quirks.isEmpty)
        }
    }

    @Test func answersCarryingSecretsAreNotStored() async throws {
        try await Self.withControl(.remote) { holder, _, transport in
            let secure = try #require(holder.endpoints).secureBaseURL
            for path in [
                "/mock-admin/ddc/settings", "/mock-admin/ddc/customers/customer-1/password",
                "/mock-admin/ddc/customers/customer-1/security-answer",
                "/mock-admin/ddc/connections/conn_unknown/one-time-code",
            ] {
                let answer = try await Self.send(transport, .get, secure + path)
                #expect(answer.headerFields[.cacheControl] == "no-store", "\(path)")
            }
            let missing = try await Self.send(
                transport, .get, secure + "/mock-admin/ddc/connections/conn_x/one-time-code")
            #expect(missing.status == .notFound)
            #expect(Self.firstErrorCode(missing) == CDSErrorCode.resourceNotFound.rawValue)
        }
    }

    @Test func injectedFaultsDoNotReachTheAdministrationRoutes() async throws {
        try await Self.withControl(.remote) { holder, control, _ in
            holder.faults.inject(.serverError(status: 503, retryAfter: nil), on: .all, times: nil)
            holder.faults.inject(.throttle(retryAfter: 1), on: .pathPrefix("/mock-admin"), times: nil)
            #expect(try await control.endpoints() == holder.endpoints)
            try await control.setOutage(.unavailable)
            #expect(holder.faults.outage == .unavailable)
            #expect(try await control.ddcSettings().apiKey == holder.ddc.apiKey)
        }
    }

    @Test func theWrittenIdentityFileDrivesTheHolder() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdr-admin-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try holder.writeConnectionFiles(to: folder)
            let identity = try String(contentsOf: folder.appendingPathComponent("identity.pem"), encoding: .utf8)
            let certificate = try String(contentsOf: folder.appendingPathComponent("client.pem"), encoding: .utf8)
            let key = try String(contentsOf: folder.appendingPathComponent("client-key.pem"), encoding: .utf8)
            #expect(identity.hasPrefix(certificate))
            #expect(identity.contains(key))
            for name in ["identity.pem", "client-key.pem"] {
                let attributes = try FileManager.default.attributesOfItem(
                    atPath: folder.appendingPathComponent(name).path)
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(name)")
            }

            let oneFile = ClientIdentity(certificateChainPEM: identity, privateKeyPEM: identity)
            try await holder.withTransport(identity: oneFile) { transport in
                let endpoints = try #require(holder.endpoints)
                let client = MockHolderAdministrationClient(
                    publicBaseURL: try #require(URL(string: endpoints.publicBaseURL)), transport: transport)
                #expect(try await client.ddcSettings().institutionID == holder.ddc.institutionID)
            }
        }
    }

    // MARK: Secrets

    @Test func ddcSettingsNeverShowTheAPIKey() throws {
        let secret = "ddc_test_0123456789abcdef"
        let settings = MockDDCSettings(apiKey: secret, institutionID: "au-mock-bank", institutionName: "Mock Bank")
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [
            settings.description, String(describing: settings), String(reflecting: settings), "\(settings)", dumped,
            String(describing: [settings]), String(describing: Optional(settings)),
        ] {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains("0123456789abcdef"))
        }
        #expect(settings.description.contains("au-mock-bank"))
        // The wire form carries it, and it round-trips.
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(MockDDCSettings.self, from: data) == settings)
    }
}
