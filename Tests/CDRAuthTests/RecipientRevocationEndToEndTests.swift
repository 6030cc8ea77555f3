import CDRAuth
import CDRAuthHummingbird
import CDRJOSE
import CDRMockHolder
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@Suite("RecipientRevocation: the mock data holder revokes through the adapter", .timeLimit(.minutes(5)))
struct RecipientRevocationEndToEndTests {
    @Test("Holder-initiated revocation reaches the receiver and the holder gets 204", .timeLimit(.minutes(2)))
    func holderRevokes() async throws {
        try await MockDataHolder.withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            let transportConfiguration = AsyncHTTPClientTransport.Configuration(
                mutualTLS: .init(identity: try holder.pki.clientIdentity(), trustRoots: try holder.pki.trustRoots),
                publicTrustRoots: try holder.pki.trustRoots)
            try await AsyncHTTPClientTransport.withTransport(configuration: transportConfiguration) { transport in
                let responder = LateBoundResponder()
                let app = Application(
                    responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    logger: Logger(label: "test-recipient", factory: { _ in SwiftLogNoOpLogHandler() }))
                try await app.test(.live) { client in
                    let port = try #require(client.port)
                    let recipientBaseURI = "http://127.0.0.1:\(port)"
                    let holderBrandID = holder.configuration.brand.id
                    let directory = HolderJWKSDirectory(
                        jwksURLs: [holderBrandID: try #require(URL(string: endpoints.issuer + "/jwks"))]
                    ) { url in
                        let response = try await transport.send(
                            TransportRequest(method: .get, url: url, security: .publicTLS, operation: "holderJWKS"))
                        guard response.status == .ok else { throw JOSEError(.jwksFetchFailed) }
                        return response.body
                    }
                    let receiver = RecordingRevocationReceiver(arrangements: [:])
                    let endpoint = ArrangementRevocationEndpoint(
                        configuration: .init(recipientBaseURI: recipientBaseURI), holderKeys: directory,
                        receiver: receiver)
                    let router = Router()
                    router.addArrangementRevocationRoute(endpoint)
                    responder.install(router)

                    let recipient = try ConsentingRecipient(
                        holder: holder, transport: transport, recipientBaseURI: recipientBaseURI)
                    let arrangementID = try await recipient.consent()
                    receiver.add(arrangementID: arrangementID, holderBrandID: holderBrandID)

                    // The holder's call must be answered 204, or revokeArrangement throws.
                    try await holder.revokeArrangement(id: arrangementID, notifyRecipient: true)
                    #expect(receiver.received.map(\.arrangementID) == [arrangementID])
                    #expect(receiver.received.first?.holderBrandID == holderBrandID)
                    #expect(holder.arrangement(id: arrangementID)?.isActive == false)

                    // Told again, the recipient answers 422 (already revoked), which the holder reports.
                    await #expect(throws: MockHolderError.self) {
                        try await holder.revokeArrangement(id: arrangementID, notifyRecipient: true)
                    }
                    #expect(receiver.received.count == 2)

                    // The live server answers other methods with 405.
                    let get = try await client.execute(uri: "/arrangements/revoke", method: .get)
                    #expect(get.status == .methodNotAllowed)
                }
            }
        }
    }
}

/// Serves a router installed after the server is bound: the endpoint's audience contains the port.
final class LateBoundResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    private let responder = Mutex<RouterResponder<BasicRequestContext>?>(nil)

    func install(_ router: Router<BasicRequestContext>) {
        let built = router.buildResponder()
        responder.withLock { $0 = built }
    }

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        guard let responder = responder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
        return try await responder.respond(to: request, context: context)
    }
}

/// A software product with a RecipientBaseUri that registers with the mock holder and obtains an arrangement
/// through the whole consent flow (an arrangement made with `makeGrant` belongs to no registered client, so the
/// holder would have no RecipientBaseUri to notify).
struct ConsentingRecipient {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    let transport: AsyncHTTPClientTransport
    let key: SigningKey
    let productID = "sp-revocation"
    let brandID = "brand-sp-revocation"
    let redirectURI = "https://recipient.example/revocation/callback"

    init(holder: MockDataHolder, transport: AsyncHTTPClientTransport, recipientBaseURI: String) throws {
        self.holder = holder
        self.endpoints = try #require(holder.endpoints)
        self.transport = transport
        self.key = try SigningKey.generate(.ps256, keyID: "sp-revocation-sig")
        holder.register.add(
            .init(
                id: productID, brandID: brandID, name: "Revocation Test App", redirectURIs: [redirectURI],
                jwks: JWKS(keys: [key.publicJWK]), recipientBaseURI: recipientBaseURI))
    }

    /// Register token → SSA → DCR → PAR → authorise → token; returns the `cdr_arrangement_id`.
    func consent() async throws -> String {
        let registerAssertion = try await ClientAssertionBuilder(
            clientID: productID, audience: endpoints.registerTokenURL, signingKey: key
        ).makeAssertion()
        let registerToken =
            try await json(
                send(
                    .post, endpoints.registerTokenURL,
                    form: [
                        ("grant_type", "client_credentials"), ("scope", "cdr-register:read"), ("client_id", productID),
                        ("client_assertion_type", ClientAssertionBuilder.assertionType),
                        ("client_assertion", registerAssertion),
                    ]), expecting: .ok)["access_token"] as? String
        var ssaHeaders = HTTPFields()
        ssaHeaders[.authorization] = "Bearer " + (try #require(registerToken))
        ssaHeaders[.cdsVersion] = "4"
        let ssa = try await send(
            .get,
            endpoints.registerSecureBaseURL
                + "/all/data-recipients/brands/\(brandID)/software-products/\(productID)/ssa",
            headers: ssaHeaders)
        try #require(ssa.status == .ok, "SSA: \(ssa.status)")

        let registration = try await RegistrationRequestBuilder(
            softwareProductID: productID, audience: endpoints.issuer,
            softwareStatement: String(decoding: ssa.body, as: UTF8.self), redirectURIs: [redirectURI]
        ).sign(with: key)
        var jwtHeaders = HTTPFields()
        jwtHeaders[.contentType] = "application/jwt"
        let registered = try await send(
            .post, endpoints.secureBaseURL + "/register", headers: jwtHeaders, body: Data(registration.utf8))
        let clientID = try #require(try json(registered, expecting: .created)["client_id"] as? String)

        let pkce = PKCE.generate()
        let state = "state-" + UUID().uuidString
        let requestObject = try await RequestObject(
            clientID: clientID, audience: endpoints.issuer, redirectURI: redirectURI,
            scopes: ["openid", "bank:accounts.basic:read"], state: state, nonce: "nonce-" + UUID().uuidString,
            pkce: pkce, claims: CDRClaims(sharingDuration: 7_776_000)
        ).sign(with: key)
        let pushed = try await send(
            .post, endpoints.secureBaseURL + "/par",
            form: [("request", requestObject)] + (try await clientAuthentication(clientID)))
        let requestURI = try #require(try json(pushed, expecting: .created)["request_uri"] as? String)

        let query = FormEncoding.encode([
            ("client_id", clientID), ("request_uri", requestURI), ("mock_customer", "customer-1"),
        ])
        let authorised = try await send(
            .get, endpoints.publicBaseURL + "/authorise?" + query, security: .publicTLS)
        try #require(authorised.status == .found, "authorise: \(authorised.status)")
        let location = try #require(authorised.headerFields[.location])
        let jarm = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "response" }?.value)
        let holderKeys = try JWKS(
            jsonData: try await send(.get, endpoints.publicBaseURL + "/jwks", security: .publicTLS).body)
        let code = try await JARMValidator(
            configuration: .init(issuer: endpoints.issuer, clientID: clientID), keys: holderKeys
        ).validate(jarm, expectedState: state).code

        let tokens = try await send(
            .post, endpoints.secureBaseURL + "/token",
            form: [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
                ("code_verifier", pkce.verifier),
            ] + (try await clientAuthentication(clientID)))
        return try #require(try json(tokens, expecting: .ok)["cdr_arrangement_id"] as? String)
    }

    private func clientAuthentication(_ clientID: String) async throws -> [(String, String)] {
        let assertion = try await ClientAssertionBuilder(
            clientID: clientID, audience: endpoints.issuer, signingKey: key
        ).makeAssertion()
        return [
            ("client_id", clientID), ("client_assertion_type", ClientAssertionBuilder.assertionType),
            ("client_assertion", assertion),
        ]
    }

    private func send(
        _ method: HTTPRequest.Method, _ url: String, headers: HTTPFields = [:], body: Data? = nil,
        form: [(String, String)]? = nil, security: EndpointSecurity = .mutualTLS
    ) async throws -> TransportResponse {
        var fields = headers
        var content = body
        if let form {
            fields[.contentType] = FormEncoding.mediaType
            content = FormEncoding.body(form)
        }
        return try await transport.send(
            TransportRequest(
                method: method, url: try #require(URL(string: url)), headerFields: fields, body: content,
                security: security))
    }

    private func json(_ response: TransportResponse, expecting status: HTTPResponse.Status) throws -> [String: Any] {
        try #require(
            response.status == status, "\(response.status): \(String(decoding: response.body, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }
}
