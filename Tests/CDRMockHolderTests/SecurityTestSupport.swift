import AsyncHTTPClient
import CDRJOSE
import CDRMockHolder
import CDRTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A data recipient's software product driving the holder's security profile with the CDRJOSE builders.
struct TestRecipient: Sendable {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    let http: TestHTTPClient
    let key: SigningKey
    let productID: String
    let brandID: String
    let redirectURI: String
    let decryptionKey: DecryptionKey?
    var clientID: String = ""
    var timeSource: any TimeSource = SystemTimeSource()

    /// Adds a software product (PS256 key, optional JARM encryption key) to the holder's Register.
    static func make(
        holder: MockDataHolder, http: TestHTTPClient, productID: String = "sp-budget", encryption: DecryptionKey? = nil,
        recipientBaseURI: String? = nil, timeSource: any TimeSource = SystemTimeSource()
    ) throws -> TestRecipient {
        let endpoints = try #require(holder.endpoints)
        let key = try SigningKey.generate(.ps256, keyID: productID + "-sig")
        var jwks = JWKS(keys: [key.publicJWK])
        if let encryption { jwks.keys.append(encryption.publicJWK) }
        let brandID = "brand-" + productID
        let redirectURI = "https://recipient.example/\(productID)/callback"
        holder.register.add(
            .init(
                id: productID, brandID: brandID, name: "Budget App \(productID)",
                redirectURIs: [redirectURI, "https://recipient.example/\(productID)/other"], jwks: jwks,
                recipientBaseURI: recipientBaseURI))
        return TestRecipient(
            holder: holder, endpoints: endpoints, http: http, key: key, productID: productID, brandID: brandID,
            redirectURI: redirectURI, decryptionKey: encryption, timeSource: timeSource)
    }

    // MARK: Register and DCR

    func registerToken() async throws -> String {
        let assertion = try await ClientAssertionBuilder(
            clientID: productID, audience: endpoints.registerTokenURL, signingKey: key, timeSource: timeSource
        ).makeAssertion()
        let answer = try await http.form(
            endpoints.registerTokenURL,
            [
                ("grant_type", "client_credentials"), ("scope", "cdr-register:read"), ("client_id", productID),
                ("client_assertion_type", ClientAssertionBuilder.assertionType), ("client_assertion", assertion),
            ])
        try #require(answer.status == 200, "Register token: \(answer.status) \(answer.text)")
        return try #require(try answer.json()["access_token"] as? String)
    }

    func softwareStatement() async throws -> String {
        let token = try await registerToken()
        let url =
            endpoints.registerSecureBaseURL
            + "/all/data-recipients/brands/\(brandID)/software-products/\(productID)/ssa"
        let answer = try await http.send(.GET, url, headers: [("authorization", "Bearer " + token), ("x-v", "4")])
        try #require(answer.status == 200, "SSA: \(answer.status) \(answer.text)")
        return answer.text
    }

    func registrationBuilder(ssa: String) -> RegistrationRequestBuilder {
        var builder = RegistrationRequestBuilder(
            softwareProductID: productID, audience: endpoints.issuer, softwareStatement: ssa,
            redirectURIs: [redirectURI])
        if decryptionKey != nil {
            builder.authorizationEncryptedResponseAlgorithm = .rsaOAEP256
            builder.authorizationEncryptedResponseEncryption = .a256GCM
        }
        return builder
    }

    func postRegistration(_ jwt: String) async throws -> HTTPAnswer {
        try await http.send(
            .POST, endpoints.secureBaseURL + "/register", headers: [("content-type", "application/jwt")],
            body: Data(jwt.utf8))
    }

    /// SSA → DCR; returns the recipient with its `client_id`.
    func registered() async throws -> TestRecipient {
        let ssa = try await softwareStatement()
        let jwt = try await registrationBuilder(ssa: ssa).sign(with: key, timeSource: timeSource)
        let answer = try await postRegistration(jwt)
        try #require(answer.status == 201, "DCR: \(answer.status) \(answer.text)")
        var copy = self
        copy.clientID = try #require(try answer.json()["client_id"] as? String)
        return copy
    }

    // MARK: Client authentication

    func clientAuthentication(audience: String? = nil) async throws -> [(String, String)] {
        let assertion = try await ClientAssertionBuilder(
            clientID: clientID, audience: audience ?? endpoints.issuer, signingKey: key, timeSource: timeSource
        ).makeAssertion()
        return [
            ("client_id", clientID), ("client_assertion_type", ClientAssertionBuilder.assertionType),
            ("client_assertion", assertion),
        ]
    }

    func post(_ path: String, _ parameters: [(String, String)], using client: TestHTTPClient? = nil) async throws
        -> HTTPAnswer
    {
        try await (client ?? http).form(endpoints.secureBaseURL + path, parameters + clientAuthentication())
    }

    // MARK: Consent

    /// One consent's secrets, kept by the recipient between PAR and the token exchange.
    struct Flow: Sendable {
        var pkce = PKCE.generate()
        var state = "state-" + UUID().uuidString
        var nonce = "nonce-" + UUID().uuidString
        var claims = CDRClaims(sharingDuration: 7_776_000)
        var scopes = ["openid", "profile", "bank:accounts.basic:read", "bank:transactions:read"]
    }

    func requestObject(_ flow: Flow, redirectURI: String? = nil) -> RequestObject {
        RequestObject(
            clientID: clientID, audience: endpoints.issuer, redirectURI: redirectURI ?? self.redirectURI,
            scopes: flow.scopes, state: flow.state, nonce: flow.nonce, pkce: flow.pkce, claims: flow.claims)
    }

    /// A request object built from `flow`, changed by `change`, and signed.
    func signedRequestObject(_ flow: Flow, _ change: (inout JWTClaims) -> Void = { _ in }) async throws -> String {
        var claims = try requestObject(flow).makeClaims(now: timeSource.now())
        change(&claims)
        return try await JWSSigner(key: key).sign(claims, type: RequestObject.mediaType)
    }

    func par(_ requestObject: String) async throws -> HTTPAnswer {
        try await post("/par", [("request", requestObject)])
    }

    func pushedRequestURI(_ flow: Flow) async throws -> String {
        let answer = try await par(try await signedRequestObject(flow))
        try #require(answer.status == 201, "PAR: \(answer.status) \(answer.text)")
        return try #require(try answer.json()["request_uri"] as? String)
    }

    /// `GET /authorise` without following the redirect.
    func authorise(requestURI: String, extra: [(String, String)] = [("mock_customer", "customer-1")]) async throws
        -> HTTPAnswer
    {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let query = ([("client_id", clientID), ("request_uri", requestURI)] + extra).map {
            "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return try await Self.withoutRedirects(pki: holder.pki) { client in
            try await client.send(.GET, endpoints.publicBaseURL + "/authorise?" + query)
        }
    }

    /// The `response` parameter of a 302 from the authorisation endpoint.
    static func jarmResponse(of answer: HTTPAnswer) throws -> String {
        try #require(answer.status == 302, "authorise: \(answer.status) \(answer.text)")
        let location = try #require(answer.header("location"))
        let items = try #require(URLComponents(string: location)?.queryItems)
        return try #require(items.first { $0.name == "response" }?.value)
    }

    func holderJWKS() async throws -> JWKS {
        let answer = try await http.send(.GET, endpoints.publicBaseURL + "/jwks")
        return try JWKS(jsonData: answer.body)
    }

    func jarmValidator() async throws -> JARMValidator {
        let decrypter = decryptionKey.map { JWEDecrypter(keys: [$0]) }
        return JARMValidator(
            configuration: .init(issuer: endpoints.issuer, clientID: clientID, decrypter: decrypter),
            keys: try await holderJWKS())
    }

    func idTokenValidator() async throws -> IDTokenValidator {
        IDTokenValidator(
            configuration: .init(issuer: endpoints.issuer, clientID: clientID, acceptedACRValues: ["urn:cds.au:cdr:2"]),
            keys: try await holderJWKS())
    }

    /// PAR → headless authorise → JARM validated → the code.
    func authorisationCode(_ flow: Flow, extra: [(String, String)] = [("mock_customer", "customer-1")]) async throws
        -> String
    {
        let requestURI = try await pushedRequestURI(flow)
        let response = try Self.jarmResponse(of: try await authorise(requestURI: requestURI, extra: extra))
        return try await jarmValidator().validate(response, expectedState: flow.state).code
    }

    func exchange(code: String, verifier: String, redirectURI: String? = nil, using client: TestHTTPClient? = nil)
        async throws -> HTTPAnswer
    {
        try await post(
            "/token",
            [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI ?? self.redirectURI),
                ("code_verifier", verifier),
            ], using: client)
    }

    /// The whole consent: PAR → authorise → token; returns the token response.
    func consent(_ flow: Flow = Flow()) async throws -> [String: Any] {
        let code = try await authorisationCode(flow)
        let answer = try await exchange(code: code, verifier: flow.pkce.verifier)
        try #require(answer.status == 200, "token: \(answer.status) \(answer.text)")
        return try answer.json()
    }

    /// Runs `body` with a client that does not follow redirects and presents no certificate (a browser).
    static func withoutRedirects<T: Sendable>(pki: TestPKI, _ body: (TestHTTPClient) async throws -> T) async throws
        -> T
    {
        try await TestHTTPClient.run(TestHTTPClient(browserTrusting: pki), body)
    }
}

extension TestHTTPClient {
    /// A browser-like client: trusts the holder's CA, presents no certificate, does not follow redirects.
    init(browserTrusting pki: TestPKI) throws {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try pki.makeClientTLSConfigurationWithoutIdentity())
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
