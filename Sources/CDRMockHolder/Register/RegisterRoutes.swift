import CDRJOSE
import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

extension MockDataHolder {
    /// The Register's public routes: its OIDC discovery, its JWKS, and the recipients' JWKS it hosts.
    func addRegisterPublicRoutes(to router: Router<MockRequestContext>) {
        router.get("/idp/.well-known/openid-configuration") { [self] _, _ -> Response in
            let endpoints = currentEndpoints
            let document: [String: JSONValue] = [
                "issuer": .string(endpoints.registerIssuer),
                "jwks_uri": .string(endpoints.registerPublicBaseURL + "/jwks"),
                "token_endpoint": .string(endpoints.registerTokenURL),
                "claims_supported": .array([.string("sub")]),
                "id_token_signing_alg_values_supported": .array([.string("PS256")]),
                "subject_types_supported": .array([.string("public")]),
                "scopes_supported": .array([.string("cdr-register:read")]),
                "response_types_supported": .array([.string("token")]),
                "grant_types_supported": .array([.string("client_credentials")]),
                "token_endpoint_auth_methods_supported": .array([.string("private_key_jwt")]),
                "tls_client_certificate_bound_access_tokens": .bool(true),
                "request_object_signing_alg_values_supported": .array([.string("PS256"), .string("ES256")]),
            ]
            return try HolderResponse.json(document)
        }
        router.get("/cdr-register/v1/jwks") { [self] _, _ -> Response in
            HolderResponse.raw(try register.jwks.jsonData(), contentType: "application/json")
        }
        router.get("/cdr-register/v1/software-products/:softwareProductId/jwks") { [self] _, context -> Response in
            guard let id = context.parameters.get("softwareProductId"), let product = register.softwareProduct(id: id)
            else { return HolderResponse.cdsError(.notFound, .resourceNotFound, detail: "unknown software product") }
            return HolderResponse.raw(try product.jwks.jsonData(), contentType: "application/json")
        }
    }

    /// The Register's secure routes: its token endpoint, SSA issuance and the data holder brands.
    func addRegisterSecureRoutes(to router: Router<MockRequestContext>) {
        router.post("/idp/connect/token") { [self] request, context -> Response in
            var request = request
            let form = try await request.formParameters()
            guard let thumbprint = await context.clientCertificateThumbprint() else {
                return HolderResponse.oauthError(
                    "invalid_client", description: "a client certificate is required", status: .unauthorized)
            }
            guard form["grant_type"] == "client_credentials" else {
                return HolderResponse.oauthError(
                    "unsupported_grant_type", description: "the Register issues client_credentials tokens only")
            }
            let requested = Set((form["scope"] ?? "").split(separator: " ").map(String.init))
            guard requested == ["cdr-register:read"] else {
                return HolderResponse.oauthError("invalid_scope", description: "scope must be cdr-register:read")
            }
            let endpoints = currentEndpoints
            let clientID = try await authenticateClient(
                form: form, audiences: [endpoints.registerTokenURL, endpoints.registerIssuer]
            ) { [register] id in
                guard let product = register.softwareProduct(id: id), product.isActive else { return nil }
                return (product.jwks, JWSAlgorithm.cdrAllowed)
            }
            let token = HolderState.randomToken()
            let lifetime = 300
            state.storage.withLock {
                $0.accessTokens[HolderState.key(of: token)] = AccessTokenRecord(
                    kind: .clientCredentials, clientID: "register:" + clientID, scopes: ["cdr-register:read"],
                    certificateThumbprint: thumbprint, expiresAt: now.addingTimeInterval(TimeInterval(lifetime)),
                    revoked: false)
            }
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            let body: [String: JSONValue] = [
                "access_token": .string(token), "token_type": .string("Bearer"),
                "expires_in": .integer(Int64(lifetime)),
                "scope": .string("cdr-register:read"),
            ]
            return try HolderResponse.json(body, headers: headers)
        }

        router.get(
            "/cdr-register/v1/:industry/data-recipients/brands/:brandId/software-products/:softwareProductId/ssa"
        ) { [self] request, context -> Response in
            let softwareProductID = try await registerBearer(request, context: context)
            guard context.parameters.get("industry") == "all" else {
                return HolderResponse.cdsError(
                    .badRequest, .registerInvalidIndustry, detail: "the SSA endpoint accepts the industry 'all' only")
            }
            let (version, sendsHeader) = try VersionNegotiation.negotiate(request, supported: [4], fault: nil)
            guard let product = register.softwareProduct(id: softwareProductID),
                context.parameters.get("softwareProductId") == product.id
            else {
                return HolderResponse.cdsError(
                    .notFound, .registerInvalidSoftwareProduct, detail: "the software product is not this client's")
            }
            guard context.parameters.get("brandId") == product.brandID else {
                return HolderResponse.cdsError(.notFound, .registerInvalidBrand, detail: "unknown recipient brand")
            }
            guard product.isActive else {
                return HolderResponse.cdsError(
                    .forbidden, .adrStatusNotActive, detail: "the software product is not active")
            }
            let jwksURI = currentEndpoints.registerPublicBaseURL + "/software-products/\(product.id)/jwks"
            let ssa = try await register.issueSoftwareStatement(
                for: product, jwksURI: jwksURI, now: now, lifetime: configuration.softwareStatementLifetime)
            var headers = HTTPFields()
            if sendsHeader { headers[.cdsVersion] = String(version) }
            return HolderResponse.raw(Array(ssa.utf8), contentType: "application/json", headers: headers)
        }

        router.get("/cdr-register/v1/:industry/data-holders/brands") { [self] request, context -> Response in
            _ = try await registerBearer(request, context: context)
            let industry = context.parameters.get("industry") ?? ""
            guard ["banking", "energy", "non-bank-lending", "telco", "all"].contains(industry) else {
                return HolderResponse.cdsError(.badRequest, .registerInvalidIndustry, detail: "unknown industry")
            }
            let (version, sendsHeader) = try VersionNegotiation.negotiate(request, supported: [3], fault: nil)
            let paging = try Paging.parse(request, maximumPageSize: configuration.maximumPageSize)
            let brands = ["banking", "all"].contains(industry) ? [holderBrand()] : []
            let range = try paging.range(total: brands.count)
            let links = paging.links(
                baseURL: currentEndpoints.secureBaseURL, request: request, total: brands.count, faults: [])
            let response = ResponseRegisterDataHolderBrandListV2(
                data: Array(brands[range]),
                links: RegisterLinksPaginated(
                    first: links.first, last: links.last, next: links.next, prev: links.prev, selfLink: links.selfLink),
                meta: MetaPaginated(totalRecords: brands.count, totalPages: paging.totalPages(for: brands.count)))
            var headers = HTTPFields()
            if sendsHeader { headers[.cdsVersion] = String(version) }
            return try HolderResponse.json(response, headers: headers)
        }
    }

    /// The brand entry the Register lists for this holder.
    func holderBrand() -> RegisterDataHolderBrandV2 {
        let endpoints = currentEndpoints
        let brand = configuration.brand
        return RegisterDataHolderBrandV2(
            dataHolderBrandId: brand.id, brandName: brand.name, industries: [.banking],
            logoUri: endpoints.publicBaseURL + "/logo.png",
            legalEntity: LegalEntityDetail(
                legalEntityId: brand.legalEntityID, legalEntityName: brand.legalEntityName,
                logoUri: endpoints.publicBaseURL + "/logo.png", status: .active),
            status: .active,
            endpointDetail: RegisterDataHolderBrandServiceEndpointV2(
                version: "1", publicBaseUri: endpoints.publicBaseURL, productBaseUri: endpoints.publicBaseURL,
                resourceBaseUri: endpoints.secureBaseURL, infosecBaseUri: endpoints.issuer,
                websiteUri: endpoints.publicBaseURL + "/"),
            authDetails: [RegisterDataHolderAuth(jwksEndpoint: endpoints.issuer + "/jwks", register: .SIGNEDJWT)],
            lastUpdated: CDRDateTime(Date(timeIntervalSince1970: 1_767_225_600))!)
    }

    /// Checks a Register access token (bound to the presented certificate) and returns its software product id.
    private func registerBearer(_ request: Request, context: MockRequestContext) async throws(HolderHTTPError)
        -> String
    {
        let thumbprint = await context.clientCertificateThumbprint()
        let record = request.bearerToken.flatMap { token in
            state.storage.withLock { $0.accessTokens[HolderState.key(of: token)] }
        }
        guard let record, !record.revoked, record.expiresAt > now, record.scopes.contains("cdr-register:read"),
            record.clientID.hasPrefix("register:"), let thumbprint, record.certificateThumbprint == thumbprint
        else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = #"Bearer error="invalid_token""#
            throw HolderHTTPError(response: Response(status: .unauthorized, headers: headers))
        }
        return String(record.clientID.dropFirst("register:".count))
    }
}
