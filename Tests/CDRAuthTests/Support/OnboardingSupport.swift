import CDRAuth
import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

/// A software product added to a running mock holder's Register, with the onboarding clients wired to a recording
/// transport over real (mutual) TLS.
struct Onboarding: Sendable {
    let holder: MockDataHolder
    let endpoints: MockDataHolder.Endpoints
    let product: SoftwareProductIdentity
    /// Records every exchange with the holder (and its Register).
    let transport: RecordingTransport
    let timeSource: any TimeSource

    /// The mock Register's location.
    var registerConfiguration: RegisterClient.Configuration {
        RegisterClient.Configuration(
            publicBaseURL: URL(string: endpoints.publicBaseURL)!, secureBaseURL: URL(string: endpoints.secureBaseURL)!,
            tokenURL: URL(string: endpoints.registerTokenURL)!)
    }

    func registerClient() -> RegisterClient {
        RegisterClient(
            product: product, configuration: registerConfiguration, transport: transport, timeSource: timeSource)
    }

    func discovery() -> DiscoveryClient { DiscoveryClient(transport: transport) }

    func discover() async throws -> HolderMetadata { try await discovery().discover(issuer: endpoints.issuer) }

    func registrationClient(_ metadata: HolderMetadata, product: SoftwareProductIdentity? = nil)
        -> HolderRegistrationClient
    {
        HolderRegistrationClient(
            holder: metadata, product: product ?? self.product, transport: transport, timeSource: timeSource)
    }

    /// Discovery, SSA and registration, as a recipient onboards with a new holder.
    func onboard() async throws -> RegistrationProperties {
        let metadata = try await discover()
        return try await registrationClient(metadata).register(using: registerClient())
    }

    /// Runs `body` against a running mock holder with a product `productID` on its Register.
    /// - Parameters:
    ///   - productID: The software product id.
    ///   - signing: The product key's algorithm.
    ///   - encryption: A JARM decryption key to publish and register with.
    ///   - redirectURIs: The identity's redirect URIs; the first of the Register's by default.
    ///   - timeSource: The clock of both the holder and the clients.
    static func run<T: Sendable>(
        productID: String = "sp-onboard", signing: JWSAlgorithm = .ps256, encryption: DecryptionKey? = nil,
        redirectURIs: [String]? = nil, timeSource: (any TimeSource)? = nil,
        _ body: (Onboarding) async throws -> T
    ) async throws -> T {
        var options = MockWorld.Options(consent: nil)
        if let timeSource { options.holderConfiguration.timeSource = timeSource }
        return try await withMockDataHolder(options) { world in
            let product = try await world.registerProduct(
                id: productID, signing: signing, decryptionKey: encryption, redirectURIs: redirectURIs)
            return try await body(
                Onboarding(
                    holder: try world.holder, endpoints: world.endpoints, product: product, transport: world.recording,
                    timeSource: timeSource ?? SystemTimeSource()))
        }
    }

    /// The redirect URIs the Register knows for a product.
    static func registerRedirectURIs(_ productID: String) -> [String] {
        MockWorld.registeredRedirectURIs(of: productID)
    }
}

// MARK: Secrets

/// Every secret a recording saw: client assertions, registration request JWTs, bearer tokens, access tokens and
/// SSAs.
func secrets(in transport: RecordingTransport) -> [String] {
    var found: [String] = []
    for exchange in transport.exchanges {
        let request = exchange.request
        if let authorization = request.headerFields[.authorization], authorization.hasPrefix("Bearer ") {
            found.append(String(authorization.dropFirst("Bearer ".count)))
        }
        if let body = request.body, let text = String(data: body, encoding: .utf8) {
            if request.headerFields[.contentType] == "application/jwt" { found.append(text) }
            if let form = FormEncoding.decode(text), let assertion = form["client_assertion"] {
                found.append(assertion)
            }
        }
        guard let response = exchange.response else { continue }
        let text = String(decoding: response.body, as: UTF8.self)
        if request.url.path.hasSuffix("/ssa") { found.append(text.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            for name in ["access_token", "software_statement"] {
                if let value = object[name] as? String { found.append(value) }
            }
        }
    }
    return found.filter { $0.count >= 16 }
}

/// Expects that neither the description nor the dump of `error` contains a secret the transport saw.
func expectNoSecrets(
    _ error: any Error, _ transport: RecordingTransport, sourceLocation: SourceLocation = #_sourceLocation
) {
    let all = secrets(in: transport)
    #expect(!all.isEmpty, "the recording saw no secrets to look for", sourceLocation: sourceLocation)
    var dumped = ""
    dump(error, to: &dumped)
    for text in [String(describing: error), String(reflecting: error), dumped] {
        for secret in all {
            #expect(!text.contains(secret), "an error text contains a secret", sourceLocation: sourceLocation)
            // Also the JWT's signature alone (a truncated secret would still leak it).
            if let signature = secret.split(separator: ".").last, signature.count >= 16 {
                #expect(!text.contains(signature), "an error text contains a signature", sourceLocation: sourceLocation)
            }
        }
    }
}

// MARK: Canned responses

/// A JSON response.
func jsonResponse(
    _ object: Any, status: HTTPResponse.Status = .ok, headers: [(HTTPField.Name, String)] = []
) throws -> TransportResponse {
    var fields = HTTPFields()
    fields[.contentType] = "application/json"
    for (name, value) in headers { fields[name] = value }
    return TransportResponse(
        status: status, headerFields: fields, body: try JSONSerialization.data(withJSONObject: object))
}

/// A discovery document that passes every check, for an issuer on a made-up host.
func sampleDiscoveryDocument(issuer: String = "https://holder.example") -> [String: Any] {
    let secure = "https://mtls.holder.example"
    let signing = ["PS256", "ES256"]
    return [
        "issuer": issuer,
        "authorization_endpoint": "https://holder.example/authorise",
        "token_endpoint": "https://holder.example/token",
        "jwks_uri": "https://holder.example/jwks",
        "registration_endpoint": "https://holder.example/register",
        "pushed_authorization_request_endpoint": "https://holder.example/par",
        "require_pushed_authorization_requests": true,
        "introspection_endpoint": "https://holder.example/introspect",
        "revocation_endpoint": "https://holder.example/revoke",
        "userinfo_endpoint": "https://holder.example/userinfo",
        "cdr_arrangement_revocation_endpoint": "https://holder.example/arrangements/revoke",
        "mtls_endpoint_aliases": [
            "token_endpoint": secure + "/token", "registration_endpoint": secure + "/register",
            "pushed_authorization_request_endpoint": secure + "/par", "revocation_endpoint": secure + "/revoke",
            "introspection_endpoint": secure + "/introspect", "userinfo_endpoint": secure + "/userinfo",
            "cdr_arrangement_revocation_endpoint": secure + "/arrangements/revoke",
        ],
        "acr_values_supported": ["urn:cds.au:cdr:2", "urn:cds.au:cdr:3"],
        "claims_supported": ["sub", "acr", "sharing_duration"],
        "scopes_supported": ["openid", "profile", "bank:accounts.basic:read", "cdr:registration"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["jwt"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": signing,
        "request_object_signing_alg_values_supported": signing,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": signing,
        "authorization_signing_alg_values_supported": signing,
        "authorization_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256"],
        "authorization_encryption_enc_values_supported": ["A256GCM", "A128CBC-HS256"],
        "tls_client_certificate_bound_access_tokens": true,
    ]
}

/// A transport that serves `document` as the discovery document and answers 404 to anything else.
func discoveryTransport(_ document: [String: Any]) -> RecordingTransport {
    let body = try? JSONSerialization.data(withJSONObject: document)
    return RecordingTransport { request in
        guard request.url.path.hasSuffix("/.well-known/openid-configuration"), let body else {
            return TransportResponse(status: .notFound)
        }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return TransportResponse(status: .ok, headerFields: fields, body: body)
    }
}

/// The metadata `document` decodes to, checked by discovery.
func sampleMetadata(_ document: [String: Any] = sampleDiscoveryDocument()) async throws -> HolderMetadata {
    try await DiscoveryClient(transport: discoveryTransport(document)).discover(
        issuer: document["issuer"] as? String ?? "https://holder.example")
}
