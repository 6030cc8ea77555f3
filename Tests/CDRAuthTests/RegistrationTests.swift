import CDRAuth
import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

@Suite("Registration", .timeLimit(.minutes(5)))
struct RegistrationTests {
    // MARK: Live against the mock holder

    @Test("create, read, update and delete a registration", .timeLimit(.minutes(5)))
    func lifecycle() async throws {
        try await Onboarding.run { onboarding in
            let metadata = try await onboarding.discover()
            let register = onboarding.registerClient()
            let dcr = onboarding.registrationClient(metadata)

            // Create.
            let created = try await dcr.register(using: register)
            #expect(!created.clientId.isEmpty)
            #expect(created.softwareId == onboarding.product.softwareProductID)
            #expect(created.redirectUris == onboarding.product.redirectURIs)
            #expect(created.tokenEndpointAuthSigningAlg.rawValue == "PS256")
            #expect(created.idTokenSignedResponseAlg.rawValue == "PS256")
            #expect(created.authorizationSignedResponseAlg?.rawValue == "PS256")
            #expect(created.authorizationEncryptedResponseAlg == nil)
            #expect(created.responseTypes.map(\.rawValue) == ["code"])

            let post = try #require(onboarding.transport.requests(pathSuffix: "/register").first)
            #expect(post.method == .post)
            #expect(post.security == .mutualTLS)
            #expect(post.headerFields[.contentType] == "application/jwt")
            #expect(post.url.absoluteString == onboarding.endpoints.secureBaseURL + "/register")
            let request = try UnverifiedJWT(String(decoding: try #require(post.body), as: UTF8.self))
            #expect(request.claims.issuer == onboarding.product.softwareProductID)
            #expect(request.claims.audience == [onboarding.endpoints.issuer])
            #expect(request.claims["authorization_encrypted_response_alg"] == nil)
            #expect(request.header.keyID == onboarding.product.signingKey.keyID)

            // Read.
            let read = try await dcr.registration(clientID: created.clientId)
            #expect(read.clientId == created.clientId)
            let get = try #require(onboarding.transport.requests(pathSuffix: "/register/" + created.clientId).first)
            #expect(get.method == .get)
            #expect(get.headerFields[.authorization]?.hasPrefix("Bearer ") == true)
            let tokenRequest = try #require(onboarding.transport.requests(pathSuffix: "/token").last)
            let form = try #require(FormEncoding.decode(String(decoding: tokenRequest.body ?? Data(), as: UTF8.self)))
            #expect(form["grant_type"] == "client_credentials")
            #expect(form["scope"] == "cdr:registration")
            let assertion = try UnverifiedJWT(try #require(form["client_assertion"]))
            #expect(assertion.claims.issuer == created.clientId)
            #expect(assertion.claims.subject == created.clientId)
            #expect(assertion.claims.audience == [onboarding.endpoints.issuer])

            // Update with a fresh SSA and one more redirect URI.
            var widened = onboarding.product
            widened.redirectURIs = Onboarding.registerRedirectURIs(widened.softwareProductID)
            let ssaCount = onboarding.transport.requests(pathSuffix: "/ssa").count
            let updated = try await onboarding.registrationClient(metadata, product: widened)
                .updateRegistration(clientID: created.clientId, using: register)
            #expect(updated.clientId == created.clientId)
            #expect(Set(updated.redirectUris) == Set(widened.redirectURIs))
            #expect(onboarding.transport.requests(pathSuffix: "/ssa").count == ssaCount + 1)
            #expect(updated.softwareStatement != created.softwareStatement)
            let put = try #require(onboarding.transport.requests.last)
            #expect(put.method == .put)
            #expect(put.headerFields[.contentType] == "application/jwt")

            // Delete; the client is then gone.
            try await dcr.deleteRegistration(clientID: created.clientId)
            let error = try await #require(throws: AuthorizationError.self) {
                try await dcr.registration(clientID: created.clientId)
            }
            #expect(error.code == .registrationRejected)
            #expect(error.status == 401)
            #expect(error.oauthError?.error == "invalid_client")
            expectNoSecrets(error, onboarding.transport)
        }
    }

    @Test("a product with a decryption key registers JARM encryption", .timeLimit(.minutes(5)))
    func encryptionRegistered() async throws {
        let key = try DecryptionKey.generate(.rsaOAEP256)
        try await Onboarding.run(encryption: key) { onboarding in
            let registration = try await onboarding.onboard()
            #expect(registration.authorizationEncryptedResponseAlg?.rawValue == "RSA-OAEP-256")
            #expect(registration.authorizationEncryptedResponseEnc?.rawValue == "A256GCM")
        }
    }

    @Test("an ES256 product signs with ES256 and still asks for PS256 from the holder", .timeLimit(.minutes(5)))
    func es256Product() async throws {
        try await Onboarding.run(signing: .es256) { onboarding in
            let registration = try await onboarding.onboard()
            #expect(registration.tokenEndpointAuthSigningAlg.rawValue == "ES256")
            #expect(registration.requestObjectSigningAlg.rawValue == "ES256")
            #expect(registration.idTokenSignedResponseAlg.rawValue == "PS256")
            // The management token works with the ES256 assertion.
            let metadata = try await onboarding.discover()
            let read = try await onboarding.registrationClient(metadata).registration(clientID: registration.clientId)
            #expect(read.clientId == registration.clientId)
        }
    }

    @Test("a second registration of the product is refused with the RFC 7591 error", .timeLimit(.minutes(5)))
    func duplicateRegistration() async throws {
        try await Onboarding.run { onboarding in
            _ = try await onboarding.onboard()
            let error = try await #require(throws: AuthorizationError.self) { try await onboarding.onboard() }
            #expect(error.code == .registrationRejected)
            #expect(error.status == 400)
            // The CDS names invalid_client_metadata for duplicate registrations of a software_id.
            #expect(error.oauthError?.error == "invalid_client_metadata")
            #expect(error.oauthError?.errorDescription?.isEmpty == false)
            expectNoSecrets(error, onboarding.transport)
        }
    }

    @Test("a redirect URI the SSA does not have is refused as invalid_redirect_uri", .timeLimit(.minutes(5)))
    func wrongRedirectURI() async throws {
        try await Onboarding.run(redirectURIs: ["https://elsewhere.example/callback"]) { onboarding in
            let error = try await #require(throws: AuthorizationError.self) { try await onboarding.onboard() }
            #expect(error.code == .registrationRejected)
            #expect(error.status == 400)
            #expect(error.oauthError?.error == "invalid_redirect_uri")
            #expect(String(describing: error).contains("invalid_redirect_uri"))
            expectNoSecrets(error, onboarding.transport)
        }
    }

    @Test("management of another product's client is refused", .timeLimit(.minutes(5)))
    func unknownClient() async throws {
        try await Onboarding.run { onboarding in
            let metadata = try await onboarding.discover()
            let error = try await #require(throws: AuthorizationError.self) {
                try await onboarding.registrationClient(metadata).registration(clientID: "no-such-client")
            }
            #expect(error.code == .registrationRejected)
            #expect(error.reason?.contains("cdr:registration token") == true)
            expectNoSecrets(error, onboarding.transport)
        }
    }

    // MARK: Canned answers

    static func product(_ algorithm: JWSAlgorithm = .ps256) throws -> SoftwareProductIdentity {
        SoftwareProductIdentity(
            softwareProductID: "sp-canned", brandID: "brand-canned", signingKey: try SigningKey.generate(algorithm),
            redirectURIs: ["https://recipient.example/callback"])
    }

    /// A registration answer for `product`, changed by `change`.
    static func registrationBody(
        _ product: SoftwareProductIdentity, _ change: (inout [String: Any]) -> Void = { _ in }
    ) -> [String: Any] {
        var body: [String: Any] = [
            "client_id": "client-1", "client_name": "Canned", "client_description": "Canned product",
            "client_uri": "https://recipient.example", "org_id": product.brandID, "org_name": "Canned",
            "redirect_uris": product.redirectURIs, "logo_uri": "https://recipient.example/logo.png",
            "jwks_uri": "https://register.example/jwks", "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "PS256", "grant_types": ["authorization_code", "client_credentials"],
            "response_types": ["code"], "id_token_signed_response_alg": "PS256", "request_object_signing_alg": "PS256",
            "software_statement": "ssa.value.signature-0123456789", "software_id": product.softwareProductID,
            "scope": "openid",
        ]
        change(&body)
        return body
    }

    @Test(
        "a 201 that does not echo the client_id, software_id or redirect URIs is refused",
        arguments: ["client_id", "software_id", "redirect_uris"])
    func echoChecked(member: String) async throws {
        let product = try Self.product()
        let transport = RecordingTransport { _ in
            try jsonResponse(
                Self.registrationBody(product) { body in
                    switch member {
                    case "client_id": body["client_id"] = ""
                    case "software_id": body["software_id"] = "sp-other"
                    default: body["redirect_uris"] = ["https://recipient.example/other"]
                    }
                }, status: .created)
        }
        let dcr = HolderRegistrationClient(holder: try await sampleMetadata(), product: product, transport: transport)
        let error = try await #require(throws: AuthorizationError.self) {
            try await dcr.register(softwareStatement: "aaaa.bbbb.cccc")
        }
        #expect(error.code == .unexpectedResponse)
        #expect(transport.requests.first?.url.absoluteString == "https://mtls.holder.example/register")
    }

    @Test("a 200 to a registration POST is not taken as success")
    func wrongCreateStatus() async throws {
        let product = try Self.product()
        let transport = RecordingTransport { _ in try jsonResponse(Self.registrationBody(product)) }
        let dcr = HolderRegistrationClient(holder: try await sampleMetadata(), product: product, transport: transport)
        let error = try await #require(throws: AuthorizationError.self) {
            try await dcr.register(softwareStatement: "aaaa.bbbb.cccc")
        }
        #expect(error.code == .unexpectedResponse)
        #expect(error.status == 200)
    }

    @Test("the algorithms follow the holder's lists and the product's keys")
    func algorithms() async throws {
        var document = sampleDiscoveryDocument()
        document["id_token_signing_alg_values_supported"] = ["ES256"]
        document["authorization_signing_alg_values_supported"] = ["ES256", "PS256"]
        document["authorization_encryption_alg_values_supported"] = ["RSA-OAEP-256"]
        document["authorization_encryption_enc_values_supported"] = ["A128CBC-HS256"]
        let metadata = try await sampleMetadata(document)
        var product = try Self.product()
        product.decryptionKey = try DecryptionKey.generate(.rsaOAEP256)
        let chosen = try RegistrationAlgorithms(holder: metadata, product: product)
        #expect(
            chosen
                == RegistrationAlgorithms(
                    tokenEndpointAuthSigning: .ps256, requestObjectSigning: .ps256, idTokenSignedResponse: .es256,
                    authorizationSignedResponse: .ps256,
                    authorizationEncryption: JARMEncryptionChoice(
                        algorithm: .rsaOAEP256, contentEncryption: .a128CBCHS256)))

        document["request_object_signing_alg_values_supported"] = ["PS256"]
        let psOnly = try await sampleMetadata(document)
        let error = try #require(throws: AuthorizationError.self) {
            try RegistrationAlgorithms(holder: psOnly, product: try Self.product(.es256))
        }
        #expect(error.code == .unsupportedHolder)
    }

    @Test("the registration request carries the chosen algorithms and encryption")
    func registrationRequestClaims() async throws {
        var encrypting = try Self.product()
        encrypting.decryptionKey = try DecryptionKey.generate(.rsaOAEP)
        let product = encrypting
        let transport = RecordingTransport { _ in try jsonResponse(Self.registrationBody(product), status: .created) }
        let metadata = try await sampleMetadata()
        let registration = try await HolderRegistrationClient(holder: metadata, product: product, transport: transport)
            .register(softwareStatement: "aaaa.bbbb.cccc")
        #expect(registration.clientId == "client-1")
        let body = try #require(transport.requests.first?.body)
        let claims = try UnverifiedJWT(String(decoding: body, as: UTF8.self)).claims
        #expect(claims.string("software_statement") == "aaaa.bbbb.cccc")
        #expect(claims.string("authorization_encrypted_response_alg") == "RSA-OAEP")
        #expect(claims.string("authorization_encrypted_response_enc") == "A256GCM")
        #expect(claims.string("request_object_signing_alg") == "PS256")
        #expect(claims.string("token_endpoint_auth_method") == "private_key_jwt")
        #expect(claims["id_token_encrypted_response_alg"] == nil)
    }
}
