import CDRAuth
import CDRJOSE
import CDRMockHolder
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

@Suite("Discovery", .timeLimit(.minutes(5)))
struct DiscoveryTests {
    // MARK: Live against the mock holder

    @Test("discovers the mock holder: endpoints on the secure listener, algorithms chosen", .timeLimit(.minutes(5)))
    func discoversMockHolder() async throws {
        try await Onboarding.run { onboarding in
            let metadata = try await onboarding.discover()
            let endpoints = try metadata.endpoints
            let secure = onboarding.endpoints.secureBaseURL
            #expect(metadata.issuer == onboarding.endpoints.issuer)
            #expect(endpoints.token.absoluteString == secure + "/token")
            #expect(endpoints.registration?.absoluteString == secure + "/register")
            #expect(endpoints.pushedAuthorizationRequest?.absoluteString == secure + "/par")
            #expect(endpoints.arrangementRevocation?.absoluteString == secure + "/arrangements/revoke")
            #expect(endpoints.authorization.absoluteString == onboarding.endpoints.publicBaseURL + "/authorise")
            #expect(metadata.preferredIDTokenSigningAlgorithm == .ps256)
            #expect(metadata.preferredAuthorizationSigningAlgorithm == .ps256)
            #expect(metadata.requestObjectSigningAlgorithm(for: onboarding.product.signingKey) == .ps256)
            #expect(metadata.preferredJARMEncryption(for: nil) == nil)
            let key = try DecryptionKey.generate(.rsaOAEP256)
            #expect(
                metadata.preferredJARMEncryption(for: key)
                    == JARMEncryptionChoice(algorithm: .rsaOAEP256, contentEncryption: .a256GCM))
            #expect(metadata.preferredACR() == "urn:cds.au:cdr:3")
            #expect(metadata.preferredACR(from: ["urn:cds.au:cdr:4", "urn:cds.au:cdr:2"]) == "urn:cds.au:cdr:2")

            let requests = onboarding.transport.requests
            #expect(requests.count == 1)
            #expect(requests.first?.security == .publicTLS)
            #expect(requests.first?.url.absoluteString == onboarding.endpoints.discoveryURL)
        }
    }

    @Test("an issuer mismatch stops onboarding after the discovery request", .timeLimit(.minutes(5)))
    func issuerMismatchStopsOnboarding() async throws {
        try await Onboarding.run { onboarding in
            onboarding.holder.faults.discoveryIssuerMismatch = true
            let error = try await #require(throws: AuthorizationError.self) { try await onboarding.onboard() }
            #expect(error.code == .issuerMismatch)
            #expect(onboarding.transport.requests.count == 1)
            #expect(onboarding.transport.requests(pathSuffix: "/openid-configuration").count == 1)
        }
    }

    @Test("the holder's JWKS cache fetches the holder's keys over public TLS", .timeLimit(.minutes(5)))
    func holderJWKSCache() async throws {
        try await Onboarding.run { onboarding in
            let metadata = try await onboarding.discover()
            let cache = try onboarding.discovery().makeJWKSCache(for: metadata)
            #expect(onboarding.transport.requests.count == 1, "nothing is fetched before the first lookup")
            let keys = try await cache.keySet(refreshingFor: nil)
            #expect(!keys.signingKeys.isEmpty)
            let fetch = try #require(onboarding.transport.requests.last)
            #expect(fetch.url.absoluteString == metadata.jwksURI)
            #expect(fetch.security == .publicTLS)
        }
    }

    // MARK: Canned documents

    @Test("mtls_endpoint_aliases take precedence over the plain endpoints")
    func aliasesPreferred() async throws {
        let metadata = try await sampleMetadata()
        let endpoints = try metadata.endpoints
        #expect(endpoints.token.absoluteString == "https://mtls.holder.example/token")
        #expect(endpoints.registration?.absoluteString == "https://mtls.holder.example/register")
        #expect(endpoints.pushedAuthorizationRequest?.absoluteString == "https://mtls.holder.example/par")
        #expect(endpoints.jwks.absoluteString == "https://holder.example/jwks")
    }

    @Test(
        "issuer comparison ignores one trailing slash only",
        arguments: [
            ("https://holder.example", "https://holder.example", true),
            ("https://holder.example/", "https://holder.example", true),
            ("https://holder.example", "https://holder.example/", true),
            ("https://holder.example/idp", "https://holder.example/idp/", true),
            ("https://holder.example//", "https://holder.example", false),
            ("https://holder.example/other", "https://holder.example", false),
            ("https://HOLDER.example", "https://holder.example", false),
            ("http://holder.example", "https://holder.example", false),
        ])
    func issuerComparison(example: (String, String, Bool)) async throws {
        let (documentIssuer, askedFor, accepted) = example
        var document = sampleDiscoveryDocument(issuer: documentIssuer)
        document["issuer"] = documentIssuer
        let transport = discoveryTransport(document)
        let client = DiscoveryClient(transport: transport)
        if accepted {
            let metadata = try await client.discover(issuer: askedFor)
            #expect(metadata.issuer == documentIssuer)
        } else {
            let error = try await #require(throws: AuthorizationError.self) {
                try await client.discover(issuer: askedFor)
            }
            #expect(error.code == .issuerMismatch)
        }
        let url = try #require(transport.requests.first?.url.absoluteString)
        #expect(!url.contains("//.well-known"))
    }

    @Test(
        "a document without a required member fails discovery",
        arguments: [
            "jwks_uri", "registration_endpoint", "token_endpoint", "introspection_endpoint", "userinfo_endpoint",
            "cdr_arrangement_revocation_endpoint", "acr_values_supported", "claims_supported",
            "require_pushed_authorization_requests", "authorization_signing_alg_values_supported",
        ])
    func missingRequiredMember(member: String) async throws {
        var document = sampleDiscoveryDocument()
        document[member] = nil
        let error = try await #require(throws: AuthorizationError.self) { try await sampleMetadata(document) }
        #expect(error.code == .discoveryFailed)
        #expect(error.reason?.contains(member) == true)
    }

    @Test("a member set to null counts as missing")
    func nullMember() async throws {
        var document = sampleDiscoveryDocument()
        document["revocation_endpoint"] = NSNull()
        let error = try await #require(throws: AuthorizationError.self) { try await sampleMetadata(document) }
        #expect(error.code == .discoveryFailed)
    }

    /// Changes that leave a holder the CDR cannot use.
    static let unsupported: [(String, @Sendable (inout [String: Any]) -> Void)] = [
        ("bound tokens false", { $0["tls_client_certificate_bound_access_tokens"] = false }),
        ("bound tokens absent", { $0["tls_client_certificate_bound_access_tokens"] = nil }),
        ("no PAR endpoint", { $0["pushed_authorization_request_endpoint"] = nil }),
        ("no private_key_jwt", { $0["token_endpoint_auth_methods_supported"] = ["client_secret_basic"] }),
        ("hybrid only", { $0["response_types_supported"] = ["code id_token"] }),
        ("no JARM", { $0["response_modes_supported"] = ["query", "fragment"] }),
        ("PKCE plain only", { $0["code_challenge_methods_supported"] = ["plain"] }),
        ("RS256 request objects", { $0["request_object_signing_alg_values_supported"] = ["RS256"] }),
        ("no ID token algorithm", { $0["id_token_signing_alg_values_supported"] = ["none"] }),
    ]

    @Test(
        "a holder without a capability the CDR relies on is unsupported", arguments: DiscoveryTests.unsupported.indices)
    func unsupportedHolder(index: Int) async throws {
        var document = sampleDiscoveryDocument()
        Self.unsupported[index].1(&document)
        let error = try await #require(throws: AuthorizationError.self) { try await sampleMetadata(document) }
        #expect(error.code == .unsupportedHolder, "\(Self.unsupported[index].0)")
    }

    @Test("a non-https endpoint fails discovery")
    func plainHTTPEndpoint() async throws {
        var document = sampleDiscoveryDocument()
        document["authorization_endpoint"] = "http://holder.example/authorise"
        let error = try await #require(throws: AuthorizationError.self) { try await sampleMetadata(document) }
        #expect(error.code == .discoveryFailed)
    }

    @Test("an answer other than 200 or not JSON fails discovery with the status and interaction id")
    func badAnswers() async throws {
        let notFound = RecordingTransport { _ in
            var fields = HTTPFields()
            fields[.fapiInteractionID] = "6f0f4c0a-94b4-4c4e-9a59-0d5e9c0d3c11"
            return TransportResponse(status: .notFound, headerFields: fields)
        }
        let error = try await #require(throws: AuthorizationError.self) {
            try await DiscoveryClient(transport: notFound).discover(issuer: "https://holder.example")
        }
        #expect(error.code == .discoveryFailed)
        #expect(error.status == 404)
        #expect(error.interactionID == "6f0f4c0a-94b4-4c4e-9a59-0d5e9c0d3c11")

        let html = RecordingTransport { _ in TransportResponse(status: .ok, body: Data("<html></html>".utf8)) }
        let notJSON = try await #require(throws: AuthorizationError.self) {
            try await DiscoveryClient(transport: html).discover(issuer: "https://holder.example")
        }
        #expect(notJSON.code == .discoveryFailed)

        let failing = RecordingTransport { request in throw TransportError(.timeout, request: request) }
        let unreachable = try await #require(throws: AuthorizationError.self) {
            try await DiscoveryClient(transport: failing).discover(issuer: "https://holder.example")
        }
        #expect(unreachable.code == .discoveryFailed)
        #expect(unreachable.underlying is TransportError)
    }

    @Test("an issuer that is not an https URL is refused before any request")
    func badIssuer() async throws {
        let transport = discoveryTransport(sampleDiscoveryDocument())
        for issuer in ["http://holder.example", "holder.example", "https://holder.example?x=1", ""] {
            let error = try await #require(throws: AuthorizationError.self) {
                try await DiscoveryClient(transport: transport).discover(issuer: issuer)
            }
            #expect(error.code == .discoveryFailed)
        }
        #expect(transport.requests.isEmpty)
    }

    // MARK: Choices

    @Test("signing algorithm preference: PS256, else ES256, else none")
    func signingPreference() {
        #expect(HolderMetadata.preferredSigningAlgorithm(among: ["ES256", "PS256"]) == .ps256)
        #expect(HolderMetadata.preferredSigningAlgorithm(among: ["ES256", "RS256"]) == .es256)
        #expect(HolderMetadata.preferredSigningAlgorithm(among: ["RS256", "none"]) == nil)
        #expect(HolderMetadata.preferredSigningAlgorithm(among: nil) == nil)
    }

    @Test("JARM encryption is chosen only from what the holder lists and the key can do")
    func jarmEncryptionChoice() async throws {
        let oaep256 = try DecryptionKey.generate(.rsaOAEP256)
        let oaep = try DecryptionKey.generate(.rsaOAEP)

        let full = try await sampleMetadata()
        #expect(
            full.preferredJARMEncryption(for: oaep256)
                == JARMEncryptionChoice(algorithm: .rsaOAEP256, contentEncryption: .a256GCM))
        #expect(
            full.preferredJARMEncryption(for: oaep)
                == JARMEncryptionChoice(algorithm: .rsaOAEP, contentEncryption: .a256GCM))

        var document = sampleDiscoveryDocument()
        document["authorization_encryption_alg_values_supported"] = ["RSA-OAEP"]
        document["authorization_encryption_enc_values_supported"] = ["A128CBC-HS256"]
        let narrow = try await sampleMetadata(document)
        #expect(narrow.preferredJARMEncryption(for: oaep256) == nil, "the key's algorithm is not listed")
        #expect(
            narrow.preferredJARMEncryption(for: oaep)
                == JARMEncryptionChoice(algorithm: .rsaOAEP, contentEncryption: .a128CBCHS256))

        document["authorization_encryption_alg_values_supported"] = nil
        document["authorization_encryption_enc_values_supported"] = []
        let none = try await sampleMetadata(document)
        #expect(none.preferredJARMEncryption(for: oaep256) == nil)

        var algOnly = sampleDiscoveryDocument()
        algOnly["authorization_encryption_enc_values_supported"] = ["A192GCM"]
        #expect(try await sampleMetadata(algOnly).preferredJARMEncryption(for: oaep256) == nil)
    }

    @Test("client-signed algorithms follow the product's key")
    func keyAlgorithms() async throws {
        var document = sampleDiscoveryDocument()
        document["request_object_signing_alg_values_supported"] = ["PS256"]
        let metadata = try await sampleMetadata(document)
        let es256 = try SigningKey.generate(.es256)
        let ps256 = try SigningKey.generate(.ps256)
        #expect(metadata.requestObjectSigningAlgorithm(for: es256) == nil)
        #expect(metadata.requestObjectSigningAlgorithm(for: ps256) == .ps256)
        #expect(metadata.tokenEndpointAuthSigningAlgorithm(for: es256) == .es256)
    }
}
