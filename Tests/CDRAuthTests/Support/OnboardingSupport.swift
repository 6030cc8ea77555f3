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
        var configuration = MockDataHolder.Configuration()
        if let timeSource { configuration.timeSource = timeSource }
        let clock = timeSource ?? SystemTimeSource()
        return try await MockDataHolder.withRunning(configuration) { holder in
            let endpoints = try #require(holder.endpoints)
            let key = try SigningKey.generate(signing, keyID: productID + "-sig")
            var jwks = JWKS(keys: [key.publicJWK])
            if let encryption { jwks.keys.append(encryption.publicJWK) }
            let registered = Self.registerRedirectURIs(productID)
            holder.register.add(
                .init(
                    id: productID, brandID: "brand-" + productID, name: "Onboarding \(productID)",
                    redirectURIs: registered, jwks: jwks))
            let product = SoftwareProductIdentity(
                softwareProductID: productID, brandID: "brand-" + productID, signingKey: key,
                decryptionKey: encryption, redirectURIs: redirectURIs ?? [registered[0]])
            return try await holder.withTransport { base in
                try await body(
                    Onboarding(
                        holder: holder, endpoints: endpoints, product: product,
                        transport: RecordingTransport(recording: base), timeSource: clock))
            }
        }
    }

    /// The redirect URIs the Register knows for a product.
    static func registerRedirectURIs(_ productID: String) -> [String] {
        ["https://recipient.example/\(productID)/callback", "https://recipient.example/\(productID)/second"]
    }
}

// MARK: Secrets

/// Expects that neither the description nor the dump of `error` contains a secret the transport saw.
func expectNoSecrets(
    _ error: any Error, _ transport: RecordingTransport, sourceLocation: SourceLocation = #_sourceLocation
) {
    let all = transport.secrets
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
