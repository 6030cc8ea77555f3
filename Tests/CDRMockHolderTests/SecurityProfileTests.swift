import AsyncHTTPClient
import CDRJOSE
import CDRMockData
import CDRMockHolder
import CDRTesting
import Foundation
import NIOHTTP1
import Testing

@Suite(.timeLimit(.minutes(5)))
struct SecurityProfileTests {
    /// Runs `body` with a running holder, an mTLS client and a registered recipient.
    func withRecipient(
        _ configuration: MockDataHolder.Configuration = .init(), encryption: DecryptionKey? = nil,
        _ body: (TestRecipient) async throws -> Void
    ) async throws {
        try await MockDataHolder.withRunning(configuration) { holder in
            try await TestHTTPClient.with(pki: holder.pki) { http in
                let recipient = try await TestRecipient.make(
                    holder: holder, http: http, encryption: encryption, timeSource: configuration.timeSource
                ).registered()
                try await body(recipient)
            }
        }
    }

    @Test func discoveryAdvertisesTheSecurityProfile() async throws {
        try await MockDataHolder.withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            try await TestHTTPClient.with(pki: holder.pki, presentsCertificate: false) { client in
                let document = try await client.send(.GET, endpoints.discoveryURL).json()
                #expect(document["issuer"] as? String == endpoints.issuer)
                #expect(document["tls_client_certificate_bound_access_tokens"] as? Bool == true)
                #expect(document["require_pushed_authorization_requests"] as? Bool == true)
                #expect(document["acr_values_supported"] as? [String] == ["urn:cds.au:cdr:2", "urn:cds.au:cdr:3"])
                let claims = Set(try #require(document["claims_supported"] as? [String]))
                #expect(
                    claims.isSuperset(of: [
                        "acr", "sharing_duration", "cdr_arrangement_id", "auth_time", "given_name", "family_name",
                    ]))
                #expect(document["token_endpoint"] as? String == endpoints.secureBaseURL + "/token")
                #expect(document["authorization_endpoint"] as? String == endpoints.publicBaseURL + "/authorise")
                #expect(document["authorization_encryption_enc_values_supported"] as? [String] != nil)
                let aliases = try #require(document["mtls_endpoint_aliases"] as? [String: String])
                #expect(
                    aliases["pushed_authorization_request_endpoint"] == document[
                        "pushed_authorization_request_endpoint"] as? String)
                for name in [
                    "registration_endpoint", "pushed_authorization_request_endpoint", "introspection_endpoint",
                    "revocation_endpoint", "userinfo_endpoint", "cdr_arrangement_revocation_endpoint", "jwks_uri",
                ] {
                    #expect(document[name] is String, "\(name)")
                }
                let jwks = try JWKS(jsonData: try await client.send(.GET, endpoints.publicBaseURL + "/jwks").body)
                #expect(jwks.keys.count == 2)

                holder.faults.discoveryIssuerMismatch = true
                let mismatched = try await client.send(.GET, endpoints.discoveryURL).json()
                #expect(mismatched["issuer"] as? String != endpoints.issuer)
            }
        }
    }

    @Test func happyPathFromRegistrationToArrangementRevocation() async throws {
        try await withRecipient { recipient in
            // PAR → headless consent → JARM.
            let flow = TestRecipient.Flow()
            let code = try await recipient.authorisationCode(flow)
            // Token → ID token.
            let answer = try await recipient.exchange(code: code, verifier: flow.pkce.verifier)
            #expect(answer.status == 200)
            #expect(answer.header("cache-control") == "no-store")
            let tokens = try answer.json()
            #expect(tokens["token_type"] as? String == "Bearer")
            #expect(tokens["expires_in"] as? Int == 300)
            #expect(tokens["scope"] as? String == flow.scopes.joined(separator: " "))
            let accessToken = try #require(tokens["access_token"] as? String)
            let refreshToken = try #require(tokens["refresh_token"] as? String)
            let arrangementID = try #require(tokens["cdr_arrangement_id"] as? String)
            let validator = try await recipient.idTokenValidator()
            let idToken = try await validator.validate(
                try #require(tokens["id_token"] as? String), expectedNonce: flow.nonce)
            #expect(idToken.authenticationContextClass == "urn:cds.au:cdr:2")
            #expect(idToken.claims["cdr_arrangement_id"] == nil)

            let arrangement = try #require(recipient.holder.arrangement(id: arrangementID))
            #expect(
                arrangement.isActive && arrangement.customerID == "customer-1"
                    && arrangement.clientID == recipient.clientID)
            let customer = try #require(recipient.holder.dataset.customer(id: "customer-1"))
            #expect(arrangement.accountIDs == recipient.holder.dataset.accounts(of: customer).map(\.id))
            #expect(arrangement.sharingExpiresAt != nil)

            // Userinfo with the bound token.
            let userinfo = try await recipient.http.send(
                .GET, recipient.endpoints.secureBaseURL + "/userinfo",
                headers: [("authorization", "Bearer " + accessToken)])
            #expect(userinfo.status == 200)
            #expect(try userinfo.json()["sub"] as? String == idToken.subject)
            #expect(try userinfo.json()["given_name"] != nil)

            // Refresh: same refresh token (no rotation) and an ID token continuing the original.
            let refreshed = try await recipient.post(
                "/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
            #expect(refreshed.status == 200)
            let refreshedTokens = try refreshed.json()
            #expect(refreshedTokens["refresh_token"] as? String == refreshToken)
            #expect(refreshedTokens["cdr_arrangement_id"] as? String == arrangementID)
            _ = try await validator.validateRefreshed(
                try #require(refreshedTokens["id_token"] as? String), original: idToken)

            // Introspection: refresh tokens only.
            let introspected = try await recipient.post("/introspect", [("token", refreshToken)]).json()
            #expect(introspected["active"] as? Bool == true)
            #expect(introspected["cdr_arrangement_id"] as? String == arrangementID)
            #expect(introspected["exp"] is Int && introspected["scope"] is String)
            #expect(
                try await recipient.post("/introspect", [("token", accessToken)]).json()["active"] as? Bool == false)

            // Revoking the refresh token ends refresh.
            #expect(
                try await recipient.post("/revoke", [("token", refreshToken), ("token_type_hint", "refresh_token")])
                    .status == 200)
            #expect(try await recipient.post("/revoke", [("token", "never-issued")]).status == 200)
            #expect(
                try await recipient.post("/introspect", [("token", refreshToken)]).json()["active"] as? Bool == false)
            let afterRevoke = try await recipient.post(
                "/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
            #expect(afterRevoke.status == 400)
            #expect(try afterRevoke.json()["error"] as? String == "invalid_grant")

            // A second consent, then the recipient revokes that arrangement.
            let second = try await recipient.consent()
            let secondID = try #require(second["cdr_arrangement_id"] as? String)
            let secondAccess = try #require(second["access_token"] as? String)
            #expect(try await recipient.post("/arrangements/revoke", [("cdr_arrangement_id", secondID)]).status == 204)
            #expect(recipient.holder.arrangement(id: secondID)?.isActive == false)
            let again = try await recipient.post("/arrangements/revoke", [("cdr_arrangement_id", secondID)])
            #expect(again.status == 422)
            #expect(again.text.contains("urn:au-cds:error:cds-all:Authorisation/InvalidArrangement"))
            let unknown = try await recipient.post(
                "/arrangements/revoke", [("cdr_arrangement_id", "not-an-arrangement")])
            #expect(unknown.status == 422)
            let revokedUserinfo = try await recipient.http.send(
                .GET, recipient.endpoints.secureBaseURL + "/userinfo",
                headers: [("authorization", "Bearer " + secondAccess)])
            #expect(revokedUserinfo.status == 401)
            #expect(recipient.holder.arrangements().count == 2)
        }
    }

    @Test func amendmentKeepsTheArrangementID() async throws {
        try await withRecipient { recipient in
            let first = try await recipient.consent()
            let id = try #require(first["cdr_arrangement_id"] as? String)
            let oldRefresh = try #require(first["refresh_token"] as? String)
            var flow = TestRecipient.Flow()
            flow.claims = CDRClaims(sharingDuration: 86_400, cdrArrangementID: id)
            let amended = try await recipient.consent(flow)
            #expect(amended["cdr_arrangement_id"] as? String == id)
            let oldRefreshAnswer = try await recipient.post(
                "/token", [("grant_type", "refresh_token"), ("refresh_token", oldRefresh)])
            #expect(oldRefreshAnswer.status == 400)

            // Another client cannot amend it.
            var other = try await TestRecipient.make(
                holder: recipient.holder, http: recipient.http, productID: "sp-other"
            ).registered()
            other.timeSource = recipient.timeSource
            var foreign = TestRecipient.Flow()
            foreign.claims = CDRClaims(sharingDuration: 86_400, cdrArrangementID: id)
            let answer = try await other.par(try await other.signedRequestObject(foreign))
            #expect(answer.status == 400)
            #expect(try answer.json()["error"] as? String == "invalid_request_object")
        }
    }

    @Test func onceOffConsentHasNoRefreshToken() async throws {
        try await withRecipient { recipient in
            var flow = TestRecipient.Flow()
            flow.claims = CDRClaims(sharingDuration: 0)
            let tokens = try await recipient.consent(flow)
            #expect(tokens["refresh_token"] == nil)
            #expect(tokens["cdr_arrangement_id"] is String)
        }
    }

    @Test func overlongSharingDurationIsCapped() async throws {
        try await withRecipient { recipient in
            var flow = TestRecipient.Flow()
            flow.claims = CDRClaims(sharingDuration: 10 * 31_536_000)
            let tokens = try await recipient.consent(flow)
            let arrangementID = try #require(tokens["cdr_arrangement_id"] as? String)
            let arrangement = try #require(recipient.holder.arrangement(id: arrangementID))
            let expires = try #require(arrangement.sharingExpiresAt)
            #expect(expires.timeIntervalSinceNow <= 31_536_000 + 5)
        }
    }
}
