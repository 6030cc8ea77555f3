import CDRJOSE
import CDRMockData
import CDRModels
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

extension MockDataHolder {
    /// Userinfo, introspection, token revocation and CDR arrangement revocation.
    func addTokenManagementRoutes(to router: Router<MockRequestContext>) {
        router.get(RouterPath(SecurityPath.userinfo)) { [self] request, context -> Response in
            try await userinfo(request, context: context)
        }
        router.post(RouterPath(SecurityPath.userinfo)) { [self] request, context -> Response in
            try await userinfo(request, context: context)
        }

        // Introspection answers for refresh tokens only (CDS); anything else is inactive.
        router.post(RouterPath(SecurityPath.introspect)) { [self] request, _ -> Response in
            var request = request
            let form = try await request.formParameters()
            let client = try await authenticateRegisteredClient(
                form: form, endpoint: currentEndpoints.introspectionEndpoint)
            guard let token = form["token"] else { throw oauthFailure("invalid_request", "token is missing") }
            let now = self.now
            guard let (record, arrangement) = state.liveRefreshToken(token, of: client.clientID, at: now) else {
                return try noStoreJSON(["active": JSONValue.bool(false)])
            }
            let body: [String: JSONValue] = [
                "active": .bool(true), "exp": .integer(Int64(record.expiresAt.timeIntervalSince1970.rounded(.down))),
                "scope": .string(record.scopes.joined(separator: " ")), "cdr_arrangement_id": .string(arrangement.id),
            ]
            return try noStoreJSON(body)
        }

        // RFC 7009: 200 whether or not the token was known.
        router.post(RouterPath(SecurityPath.revoke)) { [self] request, _ -> Response in
            var request = request
            let form = try await request.formParameters()
            let client = try await authenticateRegisteredClient(
                form: form, endpoint: currentEndpoints.revocationEndpoint)
            guard let token = form["token"] else { throw oauthFailure("invalid_request", "token is missing") }
            let key = HolderState.key(of: token)
            state.storage.withLock { storage in
                if let record = storage.refreshTokens[key], record.clientID == client.clientID {
                    // Ending the refresh token ends the arrangement's access from this grant.
                    storage.refreshTokens[key]?.revoked = true
                    for (accessKey, access) in storage.accessTokens
                    where access.kind == .arrangement(record.arrangementID) {
                        storage.accessTokens[accessKey]?.revoked = true
                    }
                } else if let record = storage.accessTokens[key], record.clientID == client.clientID {
                    storage.accessTokens[key]?.revoked = true
                }
            }
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers)
        }

        router.post(RouterPath(SecurityPath.arrangementRevoke)) { [self] request, _ -> Response in
            var request = request
            let form = try await request.formParameters()
            let client = try await authenticateRegisteredClient(
                form: form, endpoint: currentEndpoints.arrangementRevocationEndpoint)
            guard let id = form["cdr_arrangement_id"], !id.isEmpty else {
                return HolderResponse.cdsError(.badRequest, .fieldMissing, detail: "cdr_arrangement_id is missing")
            }
            let revoked = state.storage.withLock { storage -> Bool in
                guard let arrangement = storage.arrangements[id], arrangement.clientID == client.clientID,
                    arrangement.status == .active
                else { return false }
                storage.arrangements[id]?.status = .revoked
                storage.revokeTokens(ofArrangement: id)
                return true
            }
            guard revoked else {
                return HolderResponse.cdsError(
                    .unprocessableContent, .invalidArrangement,
                    detail: "the arrangement is unknown, not this client's, or no longer active")
            }
            logger.debug("arrangement revoked by the recipient", metadata: ["cdr.arrangement_id": "\(id)"])
            return Response(status: .noContent)
        }
    }

    /// OIDC userinfo: `sub`, and the customer's names when `profile` was granted.
    private func userinfo(_ request: Request, context: MockRequestContext) async throws -> Response {
        let record = try await checkBearer(request, context: context)
        guard case .arrangement(let id) = record.kind,
            let arrangement = state.storage.withLock({ $0.arrangements[id] }), arrangement.isActive(at: now)
        else { throw invalidTokenFailure("the token is not for an active arrangement") }
        guard record.scopes.contains("openid") else {
            throw HolderHTTPError(response: Response(status: .forbidden))
        }
        var body: [String: JSONValue] = ["sub": .string(arrangement.subject)]
        if record.scopes.contains("profile"), let customer = dataset.customer(id: arrangement.customerID) {
            let parts = customer.displayName.split(separator: " ", maxSplits: 1).map(String.init)
            body["name"] = .string(customer.displayName)
            body["given_name"] = .string(parts.first ?? customer.displayName)
            body["family_name"] = .string(parts.count > 1 ? parts[1] : "")
            body["updated_at"] = .integer(Int64(arrangement.createdAt.timeIntervalSince1970.rounded(.down)))
        }
        return try noStoreJSON(body)
    }
}
