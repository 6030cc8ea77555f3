import CDRJOSE
import CDRModels
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

extension MockDataHolder {
    /// Dynamic client registration (CDS DCR, RFC 7591/7592): `POST /register` with a signed registration JWT
    /// carrying the Register's SSA; `GET`/`PUT`/`DELETE /register/:clientId` with a certificate-bound
    /// `client_credentials` token of scope `cdr:registration`.
    func addRegistrationRoutes(to router: Router<MockRequestContext>) {
        router.post(RouterPath(SecurityPath.register)) { [self] request, _ -> Response in
            var request = request
            let jwt = try await registrationBody(&request)
            let client = try await validateRegistration(jwt, replacing: nil)
            let conflict = state.storage.withLock { storage -> Bool in
                if storage.clients.values.contains(where: { $0.softwareProductID == client.softwareProductID }) {
                    return true
                }
                storage.clients[client.clientID] = client
                return false
            }
            if conflict {
                throw registrationFailure(
                    .invalidClientMetadata,
                    "the software product is already registered; update it with PUT /register/{client_id}")
            }
            logger.debug("client registered", metadata: ["cdr.client_id": "\(client.clientID)"])
            return try noStoreJSON(client.registration, status: .created)
        }
        router.get(RouterPath(SecurityPath.register + "/:clientId")) { [self] request, context -> Response in
            let client = try await registrationBearer(request, context: context)
            return try noStoreJSON(client.registration)
        }
        router.put(RouterPath(SecurityPath.register + "/:clientId")) { [self] request, context -> Response in
            let existing = try await registrationBearer(request, context: context)
            var request = request
            let jwt = try await registrationBody(&request)
            let client = try await validateRegistration(jwt, replacing: existing)
            state.storage.withLock { $0.clients[client.clientID] = client }
            return try noStoreJSON(client.registration)
        }
        router.delete(RouterPath(SecurityPath.register + "/:clientId")) { [self] request, context -> Response in
            let client = try await registrationBearer(request, context: context)
            state.storage.withLock { storage in
                storage.clients[client.clientID] = nil
                storage.revokeTokens(ofClient: client.clientID)
            }
            return Response(status: .noContent)
        }
    }

    /// An RFC 7591 error response.
    /// What a failed shared claim check says (its reason, or its code).
    static func claimFailure(_ error: any Error) -> String {
        guard let error = error as? JOSEError else { return "a claim is invalid" }
        return error.reason ?? "\(error.code)"
    }

    func registrationFailure(_ code: RegistrationErrorCode, _ description: String) -> HolderHTTPError {
        oauthFailure(code.rawValue, description)
    }

    /// Reads the `application/jwt` body of a registration request.
    private func registrationBody(_ request: inout Request) async throws(HolderHTTPError) -> String {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/jwt") else {
            throw registrationFailure(.invalidClientMetadata, "the body must be an application/jwt")
        }
        let bytes: [UInt8]
        do { bytes = try await request.bodyBytes(limit: 64 << 10) } catch {
            throw registrationFailure(.invalidClientMetadata, "the body could not be read")
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Checks the bearer token of a registration management request and returns the client it is for.
    private func registrationBearer(_ request: Request, context: MockRequestContext) async throws(HolderHTTPError)
        -> ClientRecord
    {
        let record = try await checkBearer(request, context: context)
        guard record.kind == .clientCredentials, record.scopes.contains("cdr:registration"),
            let client = clientRecord(record.clientID)
        else { throw invalidTokenFailure("a cdr:registration token is required") }
        guard context.parameters.get("clientId") == client.clientID else {
            throw HolderHTTPError(response: Response(status: .forbidden))
        }
        return client
    }

    /// Validates a registration request JWT and its software statement the way a holder must, and builds the
    /// client it registers.
    /// - Parameters:
    ///   - jwt: The registration request.
    ///   - existing: The client being updated (PUT), or `nil` for a new registration.
    /// - Returns: The client, not stored yet.
    /// - Throws: ``HolderHTTPError`` 400 with an RFC 7591 error.
    func validateRegistration(_ jwt: String, replacing existing: ClientRecord?) async throws(HolderHTTPError)
        -> ClientRecord
    {
        let now = self.now
        let skew: TimeInterval = 30
        guard let unverified = try? UnverifiedJWT(jwt) else {
            throw registrationFailure(.invalidClientMetadata, "the body is not a signed JWT")
        }
        guard let ssa = unverified.claims.string("software_statement") else {
            throw registrationFailure(.invalidSoftwareStatement, "software_statement is missing")
        }
        let statement = try await verifySoftwareStatement(ssa, now: now, skew: skew)
        guard let product = register.softwareProduct(id: statement.softwareId), product.isActive else {
            throw registrationFailure(
                .unapprovedSoftwareStatement, "the software product is not active on the Register")
        }
        guard product.brandID == statement.orgId else {
            throw registrationFailure(.unapprovedSoftwareStatement, "org_id is not the product's brand")
        }
        if let existing, existing.softwareProductID != statement.softwareId {
            throw registrationFailure(.invalidSoftwareStatement, "the SSA is for another software product")
        }

        // The request itself: signed with a key of the product's JWKS (the SSA's jwks_uri).
        let claims: JWTClaims
        do {
            claims = try await JWSVerifier(keySource: product.jwks).verify(jwt).claims
        } catch {
            throw registrationFailure(
                .invalidClientMetadata, "the registration request signature does not verify with the SSA's jwks_uri")
        }
        // The claims as the SDK's validators read them: iss the software_id, aud the issuer, exp present and not
        // past, iat not in the future, a jti.
        let exp: Date
        let jti: String
        do {
            try ClaimChecks.issuer(claims, expected: statement.softwareId)
            _ = try ClaimChecks.audience(claims, expectedAnyOf: [currentEndpoints.issuer])
            exp = try ClaimChecks.expiration(claims, now: now, skew: skew)
            try ClaimChecks.issuedAt(claims, now: now, skew: skew, required: false, maximumAge: nil)
            jti = try ClaimChecks.requiredString(claims, "jti")
        } catch {
            throw registrationFailure(.invalidClientMetadata, "the registration request: \(Self.claimFailure(error))")
        }
        do {
            try await state.replayCache.record(
                jti: jti, issuer: "dcr|" + statement.softwareId, expiresAt: exp.addingTimeInterval(skew), now: now)
        } catch {
            throw registrationFailure(.invalidClientMetadata, "the registration request was already used")
        }

        let metadata = try registrationMetadata(claims, statement: statement, product: product)
        let clientID = existing?.clientID ?? UUID().uuidString.lowercased()
        let issuedAt = existing?.issuedAt ?? now
        let registration = RegistrationProperties(
            clientId: clientID, clientIdIssuedAt: Int(issuedAt.timeIntervalSince1970), clientName: statement.clientName,
            clientDescription: statement.clientDescription, clientUri: statement.clientUri,
            legalEntityId: statement.legalEntityId, legalEntityName: statement.legalEntityName,
            orgId: statement.orgId, orgName: statement.orgName, redirectUris: metadata.redirectURIs,
            sectorIdentifierUri: statement.sectorIdentifierUri, logoUri: statement.logoUri, tosUri: statement.tosUri,
            policyUri: statement.policyUri, jwksUri: statement.jwksUri, revocationUri: statement.revocationUri,
            recipientBaseUri: statement.recipientBaseUri, tokenEndpointAuthMethod: .init(rawValue: "private_key_jwt"),
            tokenEndpointAuthSigningAlg: .init(rawValue: metadata.tokenAuth.rawValue),
            grantTypes: metadata.grantTypes.map { .init(rawValue: $0) },
            responseTypes: [.init(rawValue: "code")], applicationType: .init(rawValue: "web"),
            idTokenSignedResponseAlg: .init(rawValue: metadata.idToken.rawValue),
            authorizationSignedResponseAlg: .init(rawValue: metadata.authorization.rawValue),
            authorizationEncryptedResponseAlg: metadata.encryptionAlgorithm.map { .init(rawValue: $0.rawValue) },
            authorizationEncryptedResponseEnc: metadata.encryptionMethod.map { .init(rawValue: $0.rawValue) },
            requestObjectSigningAlg: .init(rawValue: metadata.requestObject.rawValue), softwareStatement: ssa,
            softwareId: statement.softwareId, softwareRoles: .init(rawValue: statement.softwareRoles),
            scope: metadata.scopes.joined(separator: " "))
        return ClientRecord(
            clientID: clientID, softwareProductID: statement.softwareId, recipientBrandID: statement.orgId,
            redirectURIs: metadata.redirectURIs, allowedScopes: Set(metadata.scopes), jwks: product.jwks,
            tokenEndpointAuthSigningAlgorithm: metadata.tokenAuth, idTokenSignedResponseAlgorithm: metadata.idToken,
            requestObjectSigningAlgorithm: metadata.requestObject,
            authorizationSignedResponseAlgorithm: metadata.authorization,
            authorizationEncryptedResponseAlgorithm: metadata.encryptionAlgorithm,
            authorizationEncryptedResponseEncryption: metadata.encryptionMethod,
            recipientBaseURI: statement.recipientBaseUri, grantTypes: Set(metadata.grantTypes),
            registration: registration, issuedAt: issuedAt)
    }

    /// Verifies an SSA against the Register's JWKS: PS256, `iss` `cdr-register`, unexpired, a 10-minute life,
    /// a `jti`, and a `jwks_uri` the mock Register hosts.
    private func verifySoftwareStatement(_ ssa: String, now: Date, skew: TimeInterval) async throws(HolderHTTPError)
        -> SoftwareStatementClaims
    {
        let claims: JWTClaims
        do {
            claims = try await JWSVerifier(keySource: register.jwks, allowedAlgorithms: [.ps256]).verify(ssa).claims
        } catch {
            throw registrationFailure(.invalidSoftwareStatement, "the SSA is not signed by the Register")
        }
        let exp: Date
        do {
            try ClaimChecks.issuer(claims, expected: "cdr-register")
            exp = try ClaimChecks.expiration(claims, now: now, skew: skew)
            try ClaimChecks.issuedAt(claims, now: now, skew: skew, required: true, maximumAge: nil)
            _ = try ClaimChecks.requiredString(claims, "jti")
        } catch {
            throw registrationFailure(.invalidSoftwareStatement, "the SSA: \(Self.claimFailure(error))")
        }
        guard let iat = claims.issuedAt, exp.timeIntervalSince(iat) <= 600 else {
            throw registrationFailure(.invalidSoftwareStatement, "the SSA's lifetime is not the Register's 10 minutes")
        }
        let statement: SoftwareStatementClaims
        do {
            statement = try JSONDecoder().decode(SoftwareStatementClaims.self, from: try claims.jsonData())
        } catch {
            throw registrationFailure(.invalidSoftwareStatement, "the SSA lacks required claims")
        }
        guard statement.softwareRoles == "data-recipient-software-product" else {
            throw registrationFailure(
                .invalidSoftwareStatement, "software_roles must be data-recipient-software-product")
        }
        let hosted = currentEndpoints.registerPublicBaseURL + "/software-products/\(statement.softwareId)/jwks"
        guard statement.jwksUri == hosted else {
            throw registrationFailure(.invalidSoftwareStatement, "the SSA's jwks_uri cannot be resolved")
        }
        return statement
    }

    /// The validated client metadata of a registration request.
    private struct RegistrationMetadata {
        var redirectURIs: [String]
        var tokenAuth: JWSAlgorithm
        var idToken: JWSAlgorithm
        var requestObject: JWSAlgorithm
        var authorization: JWSAlgorithm
        var encryptionAlgorithm: JWEKeyAlgorithm?
        var encryptionMethod: JWEContentEncryption?
        var grantTypes: [String]
        var scopes: [String]
    }

    /// Checks the client metadata against the CDS enumerations and the SSA.
    private func registrationMetadata(
        _ claims: JWTClaims, statement: SoftwareStatementClaims, product: MockRegister.SoftwareProduct
    ) throws(HolderHTTPError) -> RegistrationMetadata {
        guard let redirectURIs = claims["redirect_uris"]?.stringArray, !redirectURIs.isEmpty else {
            throw registrationFailure(.invalidRedirectUri, "redirect_uris must be a non-empty list")
        }
        guard Set(redirectURIs).isSubset(of: statement.redirectUris) else {
            throw registrationFailure(.invalidRedirectUri, "every redirect URI must be one of the SSA's")
        }
        guard claims.string("token_endpoint_auth_method") == "private_key_jwt" else {
            throw registrationFailure(.invalidClientMetadata, "token_endpoint_auth_method must be private_key_jwt")
        }
        func algorithm(_ name: String, required: Bool) throws(HolderHTTPError) -> JWSAlgorithm {
            guard let value = claims.string(name) else {
                if required { throw registrationFailure(.invalidClientMetadata, "\(name) is missing") }
                return .ps256
            }
            let algorithm = JWSAlgorithm(rawValue: value)
            guard JWSAlgorithm.cdrAllowed.contains(algorithm) else {
                throw registrationFailure(.invalidClientMetadata, "\(name) must be PS256 or ES256")
            }
            return algorithm
        }
        let tokenAuth = try algorithm("token_endpoint_auth_signing_alg", required: true)
        let idToken = try algorithm("id_token_signed_response_alg", required: true)
        let requestObject = try algorithm("request_object_signing_alg", required: true)
        let authorization = try algorithm("authorization_signed_response_alg", required: false)
        guard claims["response_types"]?.stringArray == ["code"] else {
            throw registrationFailure(.invalidClientMetadata, "response_types must be [\"code\"]")
        }
        let allowedGrants: Set<String> = ["authorization_code", "refresh_token", "client_credentials"]
        guard let grantTypes = claims["grant_types"]?.stringArray, Set(grantTypes).isSubset(of: allowedGrants),
            grantTypes.contains("authorization_code")
        else {
            throw registrationFailure(
                .invalidClientMetadata, "grant_types must include authorization_code and be CDS grant types")
        }
        if let applicationType = claims["application_type"], applicationType.stringValue != "web" {
            throw registrationFailure(.invalidClientMetadata, "application_type must be web")
        }
        if claims["id_token_encrypted_response_alg"] != nil || claims["id_token_encrypted_response_enc"] != nil {
            throw registrationFailure(
                .invalidClientMetadata, "ID token encryption is not used with the authorisation code flow")
        }
        var encryptionAlgorithm: JWEKeyAlgorithm?
        var encryptionMethod: JWEContentEncryption?
        switch (
            claims.string("authorization_encrypted_response_alg"), claims.string("authorization_encrypted_response_enc")
        ) {
        case (nil, nil):
            if claims["authorization_encrypted_response_alg"] != nil
                || claims["authorization_encrypted_response_enc"] != nil
            {
                throw registrationFailure(.invalidClientMetadata, "JARM encryption members must be strings")
            }
        case (nil, _?):
            throw registrationFailure(
                .invalidClientMetadata,
                "authorization_encrypted_response_enc needs authorization_encrypted_response_alg")
        case (let alg?, let enc):
            let keyAlgorithm = JWEKeyAlgorithm(rawValue: alg)
            let contentEncryption = JWEContentEncryption(rawValue: enc ?? JWEContentEncryption.a128CBCHS256.rawValue)
            guard JWEKeyAlgorithm.cdrAllowed.contains(keyAlgorithm),
                JWEContentEncryption.cdrAllowed.contains(contentEncryption)
            else {
                throw registrationFailure(
                    .invalidClientMetadata, "JARM encryption must be RSA-OAEP(-256) with A256GCM or A128CBC-HS256")
            }
            guard Self.encryptionKey(in: product.jwks, for: keyAlgorithm) != nil else {
                throw registrationFailure(
                    .invalidClientMetadata, "JARM encryption needs an RSA encryption key (use: enc) in the JWKS")
            }
            encryptionAlgorithm = keyAlgorithm
            encryptionMethod = contentEncryption
        }
        let ssaScopes = statement.scopes
        var scopes = ssaScopes
        if let scope = claims["scope"] {
            guard let requested = scope.stringValue?.split(separator: " ").map(String.init),
                Set(requested).isSubset(of: ssaScopes)
            else { throw registrationFailure(.invalidClientMetadata, "scope must be a subset of the SSA's") }
            scopes = requested
        }
        return RegistrationMetadata(
            redirectURIs: redirectURIs, tokenAuth: tokenAuth, idToken: idToken, requestObject: requestObject,
            authorization: authorization, encryptionAlgorithm: encryptionAlgorithm,
            encryptionMethod: encryptionMethod, grantTypes: grantTypes, scopes: scopes)
    }

    /// The client's key to encrypt JARM responses to: an RSA encryption key whose `alg`, if any, matches.
    static func encryptionKey(in jwks: JWKS, for algorithm: JWEKeyAlgorithm) -> PublicJWK? {
        jwks.encryptionKeys.first { $0.algorithm == algorithm.rawValue }
            ?? jwks.encryptionKeys.first { $0.algorithm == nil }
    }
}
