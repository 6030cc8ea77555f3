import CDRAuth
import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Synchronization
import Testing

@Suite("Register", .timeLimit(.minutes(5)))
struct RegisterTests {
    // MARK: Live against the mock Register

    @Test("the Register token is requested once and reused by two SSA calls", .timeLimit(.minutes(5)))
    func tokenCached() async throws {
        try await Onboarding.run { onboarding in
            let register = onboarding.registerClient()
            let first = try await register.softwareStatement()
            let second = try await register.softwareStatement()
            #expect(first != second, "each call gets a fresh SSA")

            let tokenRequests = onboarding.transport.requests(pathSuffix: "/idp/connect/token")
            try #require(tokenRequests.count == 1)
            let token = try #require(tokenRequests.first)
            #expect(token.security == .mutualTLS)
            let form = try #require(FormEncoding.decode(String(decoding: token.body ?? Data(), as: UTF8.self)))
            #expect(form["grant_type"] == "client_credentials")
            #expect(form["scope"] == "cdr-register:read")
            #expect(form["client_id"] == onboarding.product.softwareProductID)
            let assertion = try UnverifiedJWT(try #require(form["client_assertion"]))
            #expect(assertion.claims.issuer == onboarding.product.softwareProductID)
            #expect(assertion.claims.subject == onboarding.product.softwareProductID)
            #expect(assertion.claims.audience == [onboarding.endpoints.registerTokenURL])

            let ssaRequests = onboarding.transport.requests(pathSuffix: "/ssa")
            #expect(ssaRequests.count == 2)
            for request in ssaRequests {
                #expect(request.security == .mutualTLS)
                #expect(request.headerFields[.cdsVersion] == "4")
                #expect(request.headerFields[.authorization]?.hasPrefix("Bearer ") == true)
                #expect(
                    request.url.path
                        == "/cdr-register/v1/all/data-recipients/brands/brand-sp-onboard/software-products/sp-onboard/ssa"
                )
            }
        }
    }

    @Test("concurrent callers share one token request", .timeLimit(.minutes(5)))
    func concurrentCallersShareToken() async throws {
        try await Onboarding.run { onboarding in
            let register = onboarding.registerClient()
            async let first = register.softwareStatement()
            async let second = register.softwareStatement()
            async let brands = register.dataHolderBrands()
            _ = try await (first, second, brands)
            #expect(onboarding.transport.requests(pathSuffix: "/idp/connect/token").count == 1)
        }
    }

    @Test("the token is replaced shortly before it expires", .timeLimit(.minutes(5)))
    func tokenRenewedBeforeExpiry() async throws {
        let clock = ManualTimeSource()
        try await Onboarding.run(timeSource: clock) { onboarding in
            let register = onboarding.registerClient()
            _ = try await register.softwareStatement()
            clock.advance(by: 250)  // the mock's Register tokens live 300 s; the margin is 30 s
            _ = try await register.softwareStatement()
            #expect(onboarding.transport.requests(pathSuffix: "/idp/connect/token").count == 1)
            clock.advance(by: 25)
            _ = try await register.softwareStatement()
            #expect(onboarding.transport.requests(pathSuffix: "/idp/connect/token").count == 2)
        }
    }

    @Test("the SSA verifies against the Register's JWKS", .timeLimit(.minutes(5)))
    func softwareStatementVerified() async throws {
        try await Onboarding.run { onboarding in
            let register = onboarding.registerClient()
            let keys = try register.makeJWKSCache()
            let statement = try await register.softwareStatement(verifyingWith: keys)
            let claims = try UnverifiedJWT(statement).claims
            #expect(claims.string("software_id") == onboarding.product.softwareProductID)
            #expect(claims.string("org_id") == onboarding.product.brandID)
            let jwks = try #require(onboarding.transport.requests(pathSuffix: "/cdr-register/v1/jwks").first)
            #expect(jwks.security == .publicTLS)
        }
    }

    @Test("an SSA signed by another key fails verification", .timeLimit(.minutes(5)))
    func softwareStatementWrongKeys() async throws {
        try await Onboarding.run { onboarding in
            let register = onboarding.registerClient()
            let stranger = JWKS(keys: [try SigningKey.generate(.ps256, keyID: "mock-register-ps256").publicJWK])
            let error = try await #require(throws: AuthorizationError.self) {
                try await register.softwareStatement(verifyingWith: stranger)
            }
            #expect(error.code == .registerRequestFailed)
            #expect(error.underlying is JOSEError)
            expectNoSecrets(error, onboarding.transport)
        }
    }

    @Test("the data holder brands include this holder with its endpoints and JWKS", .timeLimit(.minutes(5)))
    func dataHolderBrands() async throws {
        try await Onboarding.run { onboarding in
            let register = onboarding.registerClient()
            let brands = try await register.dataHolderBrands(
                industry: .banking, updatedSince: Date(timeIntervalSince1970: 0))
            let brand = try #require(brands.first { $0.dataHolderBrandId == onboarding.holder.configuration.brand.id })
            #expect(brand.endpointDetail.infosecBaseUri == onboarding.endpoints.issuer)
            #expect(brand.endpointDetail.resourceBaseUri == onboarding.endpoints.secureBaseURL)
            #expect(brand.authDetails.first?.jwksEndpoint == onboarding.endpoints.issuer + "/jwks")

            let request = try #require(onboarding.transport.requests(pathSuffix: "/data-holders/brands").first)
            #expect(request.headerFields[.cdsVersion] == "3")
            #expect(request.security == .mutualTLS)
            #expect(request.url.path == "/cdr-register/v1/banking/data-holders/brands")
            #expect(request.url.query?.contains("updated-since=1970-01-01T00:00:00Z") == true)

            // The brand's infosecBaseUri leads to a discoverable holder.
            let metadata = try await onboarding.discovery().discover(issuer: brand.endpointDetail.infosecBaseUri)
            #expect(metadata.issuer == brand.endpointDetail.infosecBaseUri)
        }
    }

    @Test("a product the Register does not know gets no token, and the error holds no secret", .timeLimit(.minutes(5)))
    func unknownProduct() async throws {
        try await Onboarding.run { onboarding in
            onboarding.holder.register.remove(softwareProductID: onboarding.product.softwareProductID)
            let error = try await #require(throws: AuthorizationError.self) {
                try await onboarding.registerClient().softwareStatement()
            }
            #expect(error.code == .registerRequestFailed)
            #expect(error.status == 401)
            #expect(error.oauthError?.error == "invalid_client")
            #expect(onboarding.transport.requests(pathSuffix: "/ssa").isEmpty)
            expectNoSecrets(error, onboarding.transport)
        }
    }

    @Test("an SSA request for another brand is refused with the Register's error code", .timeLimit(.minutes(5)))
    func wrongBrand() async throws {
        try await Onboarding.run { onboarding in
            var product = onboarding.product
            product.brandID = "brand-of-someone-else"
            let register = RegisterClient(
                product: product, configuration: onboarding.registerConfiguration, transport: onboarding.transport)
            let error = try await #require(throws: AuthorizationError.self) { try await register.softwareStatement() }
            #expect(error.code == .registerRequestFailed)
            #expect(error.status == 404)
            #expect(error.reason?.contains("urn:au-cds:error:") == true)
            expectNoSecrets(error, onboarding.transport)
        }
    }

    // MARK: Canned answers

    /// A Register that answers the token request and then the given pages in turn.
    static func cannedRegister(
        pages: @escaping @Sendable (TransportRequest) throws -> TransportResponse
    ) -> RecordingTransport {
        RecordingTransport { request in
            if request.url.path.hasSuffix("/idp/connect/token") {
                let body: [String: Any] = [
                    "access_token": "register-token-0123456789", "token_type": "Bearer", "expires_in": 300,
                ]
                return try jsonResponse(body)
            }
            return try pages(request)
        }
    }

    static func brand(_ id: String) -> [String: Any] {
        [
            "dataHolderBrandId": id, "brandName": "Brand \(id)", "industries": ["banking"],
            "logoUri": "https://\(id).example/logo.png",
            "legalEntity": [
                "legalEntityId": "le-\(id)", "legalEntityName": "Legal \(id)",
                "logoUri": "https://\(id).example/logo.png", "status": "ACTIVE",
            ],
            "status": "ACTIVE",
            "endpointDetail": [
                "version": "1", "publicBaseUri": "https://\(id).example",
                "resourceBaseUri": "https://mtls.\(id).example",
                "infosecBaseUri": "https://\(id).example/idp", "websiteUri": "https://\(id).example/",
            ],
            "authDetails": [["registerUType": "SIGNED-JWT", "jwksEndpoint": "https://\(id).example/idp/jwks"]],
            "lastUpdated": "2026-11-01T00:00:00Z",
        ]
    }

    static func page(_ brands: [[String: Any]], next: String?, selfLink: String) -> [String: Any] {
        var links: [String: Any] = ["self": selfLink]
        if let next { links["next"] = next }
        return ["data": brands, "links": links, "meta": ["totalRecords": brands.count, "totalPages": 2]]
    }

    static let base = "https://secure.register.example/cdr-register/v1/all/data-holders/brands"

    static func client(_ transport: RecordingTransport, maximumPages: Int = 100) throws -> RegisterClient {
        RegisterClient(
            product: SoftwareProductIdentity(
                softwareProductID: "sp-canned", brandID: "brand-canned", signingKey: try SigningKey.generate(.ps256),
                redirectURIs: ["https://recipient.example/callback"]),
            configuration: .init(
                publicBaseURL: URL(string: "https://register.example")!,
                secureBaseURL: URL(string: "https://secure.register.example")!,
                tokenURL: URL(string: "https://secure.register.example/idp/connect/token")!,
                maximumPages: maximumPages, pageSize: 1),
            transport: transport)
    }

    @Test("every page is followed through links.next")
    func followsPages() async throws {
        let transport = Self.cannedRegister { request in
            if request.url.query?.contains("page=2") == true {
                return try jsonResponse(Self.page([Self.brand("b2")], next: nil, selfLink: Self.base + "?page=2"))
            }
            return try jsonResponse(
                Self.page([Self.brand("b1")], next: Self.base + "?page=2&page-size=1", selfLink: Self.base))
        }
        let brands = try await Self.client(transport).dataHolderBrands()
        #expect(brands.map(\.dataHolderBrandId) == ["b1", "b2"])
        #expect(brands.last?.authDetails.first?.jwksEndpoint == "https://b2.example/idp/jwks")
        #expect(transport.requests(pathSuffix: "/brands").count == 2)
        #expect(transport.requests.first { $0.url.path.hasSuffix("/brands") }?.url.query == "page-size=1")
    }

    @Test(
        "a next link off the Register's host, or back to a page already read, fails the call",
        arguments: [
            "https://attacker.example/cdr-register/v1/all/data-holders/brands?page=2",
            "http://secure.register.example/cdr-register/v1/all/data-holders/brands?page=2",
            "https://secure.register.example:8443/cdr-register/v1/all/data-holders/brands?page=2",
            "/cdr-register/v1/all/data-holders/brands?page=2",
            "https://secure.register.example/cdr-register/v1/all/data-holders/brands?page-size=1",
        ])
    func refusesBadNextLink(next: String) async throws {
        let transport = Self.cannedRegister { _ in
            try jsonResponse(Self.page([Self.brand("b1")], next: next, selfLink: Self.base))
        }
        let error = try await #require(throws: AuthorizationError.self) {
            try await Self.client(transport).dataHolderBrands()
        }
        #expect(error.code == .registerRequestFailed)
        #expect(transport.requests(pathSuffix: "/brands").count == 1)
        #expect(!transport.requests.contains { $0.url.host == "attacker.example" })
    }

    @Test("more pages than the cap fail the call")
    func pageCap() async throws {
        let transport = Self.cannedRegister { request in
            let page = Int(request.url.query?.split(separator: "=").last ?? "1") ?? 1
            return try jsonResponse(
                Self.page([Self.brand("b\(page)")], next: Self.base + "?page=\(page + 1)", selfLink: Self.base))
        }
        let error = try await #require(throws: AuthorizationError.self) {
            try await Self.client(transport, maximumPages: 3).dataHolderBrands()
        }
        #expect(error.code == .registerRequestFailed)
        #expect(transport.requests(pathSuffix: "/brands").count == 3)
    }

    @Test("a 401 replaces the token and retries once; a second 401 fails")
    func unauthorizedRetriedOnce() async throws {
        let calls = Counter()
        let transport = Self.cannedRegister { request in
            let call = calls.next()
            if call == 0 { return TransportResponse(status: .unauthorized) }
            return TransportResponse(status: .ok, body: Data("\"aaaa.bbbb.cccc\"".utf8))
        }
        let register = try Self.client(transport)
        #expect(try await register.softwareStatement() == "aaaa.bbbb.cccc", "a JSON string body is unwrapped")
        #expect(transport.requests(pathSuffix: "/token").count == 2)

        let always = Self.cannedRegister { _ in TransportResponse(status: .unauthorized) }
        let error = try await #require(throws: AuthorizationError.self) {
            try await Self.client(always).softwareStatement()
        }
        #expect(error.code == .registerRequestFailed)
        #expect(error.status == 401)
        #expect(always.requests(pathSuffix: "/ssa").count == 2)
        expectNoSecrets(error, always)
    }

    @Test("a body that is not a JWT is refused")
    func notAJWT() async throws {
        let transport = Self.cannedRegister { _ in TransportResponse(status: .ok, body: Data("{\"ssa\":1}".utf8)) }
        let error = try await #require(throws: AuthorizationError.self) {
            try await Self.client(transport).softwareStatement()
        }
        #expect(error.code == .registerRequestFailed)
    }
}

/// A thread-safe counter for canned handlers.
final class Counter: Sendable {
    private let value = Mutex(0)

    func next() -> Int {
        value.withLock { count in
            defer { count += 1 }
            return count
        }
    }
}
