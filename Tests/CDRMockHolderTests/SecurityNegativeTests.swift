import AsyncHTTPClient
import CDRJOSE
import CDRMockHolder
import CDRTesting
import Foundation
import NIOHTTP1
import Testing

/// Each rule of the security profile, broken once.
@Suite(.timeLimit(.minutes(5)))
struct SecurityNegativeTests {
    func withRecipient(
        _ configuration: MockDataHolder.Configuration = .init(), _ body: (TestRecipient) async throws -> Void
    ) async throws {
        try await MockDataHolder.withRunning(configuration) { holder in
            try await TestHTTPClient.with(pki: holder.pki) { http in
                let recipient = try await TestRecipient.make(
                    holder: holder, http: http, timeSource: configuration.timeSource
                )
                .registered()
                try await body(recipient)
            }
        }
    }

    // MARK: DCR

    @Test func duplicateRegistrationIsRejected() async throws {
        try await withRecipient { recipient in
            let ssa = try await recipient.softwareStatement()
            let jwt = try await recipient.registrationBuilder(ssa: ssa).sign(with: recipient.key)
            let answer = try await recipient.postRegistration(jwt)
            #expect(answer.status == 400)
            #expect(try answer.json()["error"] as? String == "invalid_client_metadata")
        }
    }

    @Test func registrationRulesAreEnforced() async throws {
        try await MockDataHolder.withRunning { holder in
            try await TestHTTPClient.with(pki: holder.pki) { http in
                let recipient = try TestRecipient.make(holder: holder, http: http)
                let ssa = try await recipient.softwareStatement()

                // An SSA not signed by the Register.
                let forgerKey = try SigningKey.generate(.ps256, keyID: "mock-register-ps256")
                var forged = try UnverifiedJWT(ssa).claims
                forged["scope"] = "openid bank:accounts.basic:read"
                let forgedSSA = try await JWSSigner(key: forgerKey).sign(forged)
                var answer = try await recipient.postRegistration(
                    try await recipient.registrationBuilder(ssa: forgedSSA).sign(with: recipient.key))
                #expect(answer.status == 400)
                #expect(try answer.json()["error"] as? String == "invalid_software_statement")

                // A redirect URI the SSA does not list.
                var builder = recipient.registrationBuilder(ssa: ssa)
                builder.redirectURIs = ["https://attacker.example/callback"]
                answer = try await recipient.postRegistration(try await builder.sign(with: recipient.key))
                #expect(try answer.json()["error"] as? String == "invalid_redirect_uri")

                // Hand-made requests breaking one metadata rule each.
                let cases: [(String, (inout JWTClaims) -> Void)] = [
                    ("aud", { $0["aud"] = "https://another-holder.example" }),
                    ("response_types", { $0["response_types"] = ["code id_token"] }),
                    ("auth method", { $0["token_endpoint_auth_method"] = "client_secret_basic" }),
                    ("id token alg", { $0["id_token_signed_response_alg"] = "RS256" }),
                    ("id token encryption", { $0["id_token_encrypted_response_alg"] = "RSA-OAEP" }),
                    ("JARM enc without alg", { $0["authorization_encrypted_response_enc"] = "A256GCM" }),
                    ("JARM alg without key", { $0["authorization_encrypted_response_alg"] = "RSA-OAEP-256" }),
                    ("grant types", { $0["grant_types"] = ["implicit"] }),
                    ("iss", { $0.issuer = "another-product" }),
                ]
                for (name, change) in cases {
                    var claims = try recipient.registrationBuilder(ssa: ssa).makeClaims(now: Date())
                    change(&claims)
                    let answer = try await recipient.postRegistration(
                        try await JWSSigner(key: recipient.key).sign(claims))
                    #expect(answer.status == 400, "\(name)")
                    #expect(try answer.json()["error"] as? String == "invalid_client_metadata", "\(name)")
                }

                // An inactive product gets nothing.
                holder.register.add(
                    .init(
                        id: "sp-budget", brandID: recipient.brandID, name: "Budget App",
                        redirectURIs: [recipient.redirectURI],
                        jwks: JWKS(keys: [recipient.key.publicJWK]), isActive: false))
                answer = try await recipient.postRegistration(
                    try await recipient.registrationBuilder(ssa: ssa).sign(with: recipient.key))
                #expect(try answer.json()["error"] as? String == "unapproved_software_statement")
            }
        }
    }

    @Test func registrationManagementNeedsABoundRegistrationToken() async throws {
        try await withRecipient { recipient in
            let url = recipient.endpoints.secureBaseURL + "/register/" + recipient.clientID
            #expect(try await recipient.http.send(.GET, url).status == 401)
            let token = try await recipient.post(
                "/token", [("grant_type", "client_credentials"), ("scope", "cdr:registration")])
            #expect(token.status == 200)
            let accessToken = try #require(try token.json()["access_token"] as? String)
            let read = try await recipient.http.send(.GET, url, headers: [("authorization", "Bearer " + accessToken)])
            #expect(read.status == 200)
            #expect(try read.json()["client_id"] as? String == recipient.clientID)

            // Another certificate cannot use the token.
            let other = try recipient.holder.pki.issueClientIdentity(commonName: "Someone Else")
            try await TestHTTPClient.with(pki: recipient.holder.pki, identity: other) { client in
                let answer = try await client.send(.GET, url, headers: [("authorization", "Bearer " + accessToken)])
                #expect(answer.status == 401)
            }

            // PUT with a fresh SSA, then DELETE.
            let ssa = try await recipient.softwareStatement()
            var builder = recipient.registrationBuilder(ssa: ssa)
            builder.redirectURIs = [recipient.redirectURI, "https://recipient.example/sp-budget/other"]
            let updated = try await recipient.http.send(
                .PUT, url, headers: [("authorization", "Bearer " + accessToken), ("content-type", "application/jwt")],
                body: Data(try await builder.sign(with: recipient.key).utf8))
            #expect(updated.status == 200)
            #expect((try updated.json()["redirect_uris"] as? [String])?.count == 2)
            let bad = try await recipient.post("/token", [("grant_type", "client_credentials"), ("scope", "openid")])
            #expect(try bad.json()["error"] as? String == "invalid_scope")

            let deleted = try await recipient.http.send(
                .DELETE, url, headers: [("authorization", "Bearer " + accessToken)])
            #expect(deleted.status == 204)
            #expect(try await recipient.post("/token", [("grant_type", "client_credentials")]).status == 401)
        }
    }

    // MARK: PAR

    @Test func requestObjectRulesAreEnforced() async throws {
        try await withRecipient { recipient in
            let cases: [(String, (inout TestRecipient.Flow) -> Void, (inout JWTClaims) -> Void)] = [
                ("aud", { _ in }, { $0["aud"] = "https://recipient.example" }),
                ("exp - nbf > 60 minutes", { _ in }, { $0.expiresAt = $0.notBefore?.addingTimeInterval(3601) }),
                ("no nbf", { _ in }, { $0["nbf"] = nil }),
                (
                    "expired", { _ in },
                    {
                        $0.notBefore = Date().addingTimeInterval(-600)
                        $0.expiresAt = Date().addingTimeInterval(-300)
                    }
                ),
                ("nbf in future", { _ in }, { $0.notBefore = Date().addingTimeInterval(600) }),
                ("missing nonce", { _ in }, { $0["nonce"] = nil }),
                ("missing state", { _ in }, { $0["state"] = nil }),
                (
                    "unregistered redirect_uri", { _ in },
                    { $0["redirect_uri"] = "https://recipient.example/sp-budget/other" }
                ),
                (
                    "plain PKCE", { _ in },
                    {
                        $0["code_challenge_method"] = "plain"
                    }
                ),
                ("missing code_challenge", { _ in }, { $0["code_challenge"] = nil }),
                ("response_type", { _ in }, { $0["response_type"] = "code id_token" }),
                ("response_mode", { _ in }, { $0["response_mode"] = "query" }),
                ("iss", { _ in }, { $0.issuer = "another-client" }),
                ("client_id", { _ in }, { $0["client_id"] = "another-client" }),
                (
                    "no openid", { $0.scopes = ["bank:accounts.basic:read"] },
                    { $0["scope"] = "bank:accounts.basic:read" }
                ),
                ("unaccredited scope", { _ in }, { $0["scope"] = "openid bank:payments:write" }),
                ("negative sharing_duration", { _ in }, { $0["claims"] = CDRClaims(sharingDuration: -1).claimValue }),
                ("unknown cdr_arrangement_id", { $0.claims.cdrArrangementID = "not-an-arrangement" }, { _ in }),
                ("request_uri inside", { _ in }, { $0["request_uri"] = "urn:ietf:params:oauth:request_uri:x" }),
                ("unsupported acr", { $0.claims.acrValues = ["urn:example:loa:1"] }, { _ in }),
            ]
            for (name, changeFlow, changeClaims) in cases {
                var flow = TestRecipient.Flow()
                changeFlow(&flow)
                let answer = try await recipient.par(try await recipient.signedRequestObject(flow, changeClaims))
                #expect(answer.status == 400, "\(name)")
                #expect(try answer.json()["error"] as? String == "invalid_request_object", "\(name)")
            }

            // Signed with a key the client never published.
            let stranger = try SigningKey.generate(.ps256, keyID: recipient.key.keyID)
            let claims = try recipient.requestObject(TestRecipient.Flow()).makeClaims(now: Date())
            let forged = try await JWSSigner(key: stranger).sign(claims, type: RequestObject.mediaType)
            #expect(try await recipient.par(forged).json()["error"] as? String == "invalid_request_object")

            // Form rules: request_uri is refused, request is required.
            let object = try await recipient.signedRequestObject(TestRecipient.Flow())
            let withURI = try await recipient.post("/par", [("request", object), ("request_uri", "urn:x")])
            #expect(try withURI.json()["error"] as? String == "invalid_request")
            #expect(try await recipient.post("/par", []).status == 400)
        }
    }

    @Test func requestURIIsSingleUse() async throws {
        try await withRecipient { recipient in
            let requestURI = try await recipient.pushedRequestURI(TestRecipient.Flow())
            #expect(try await recipient.authorise(requestURI: requestURI).status == 302)
            #expect(try await recipient.authorise(requestURI: requestURI).status == 400)
        }
    }

    @Test func requestURIExpires() async throws {
        let clock = ManualTimeSource()
        try await withRecipient(.init(timeSource: clock)) { recipient in
            let answer = try await recipient.par(try await recipient.signedRequestObject(TestRecipient.Flow()))
            #expect(try answer.json()["expires_in"] as? Int == 60)
            let requestURI = try #require(try answer.json()["request_uri"] as? String)
            #expect(requestURI.hasPrefix("urn:ietf:params:oauth:request_uri:"))
            clock.advance(by: 61)
            let late = try await recipient.authorise(requestURI: requestURI)
            #expect(late.status == 400)
            #expect(late.text.contains("expired"))
        }
    }

    @Test func authorisationEndpointAcceptsOnlyClientIDAndRequestURI() async throws {
        try await withRecipient { recipient in
            let requestURI = try await recipient.pushedRequestURI(TestRecipient.Flow())
            let byValue = try await recipient.authorise(
                requestURI: requestURI, extra: [("request", "eyJ.eyJ.sig"), ("mock_customer", "customer-1")])
            #expect(byValue.status == 400)
            let extra = try await recipient.authorise(
                requestURI: requestURI, extra: [("scope", "openid"), ("mock_customer", "customer-1")])
            #expect(extra.status == 400)
            // The request_uri survived the refused calls.
            #expect(try await recipient.authorise(requestURI: requestURI).status == 302)
        }
    }

    @Test func deniedConsentIsAJARMError() async throws {
        try await withRecipient { recipient in
            let flow = TestRecipient.Flow()
            let requestURI = try await recipient.pushedRequestURI(flow)
            let response = try TestRecipient.jarmResponse(
                of: try await recipient.authorise(requestURI: requestURI, extra: [("mock_deny", "1")]))
            let validator = try await recipient.jarmValidator()
            let error = await #expect(throws: JOSEError.self) {
                _ = try await validator.validate(response, expectedState: flow.state)
            }
            #expect(error?.code == .authorizationError)
            #expect(error?.authorizationError?.error == "access_denied")
        }
    }

    // MARK: Token endpoint

    @Test func authorisationCodeIsSingleUseAndReuseRevokesTokens() async throws {
        try await withRecipient { recipient in
            let flow = TestRecipient.Flow()
            let code = try await recipient.authorisationCode(flow)
            let first = try await recipient.exchange(code: code, verifier: flow.pkce.verifier)
            #expect(first.status == 200)
            let accessToken = try #require(try first.json()["access_token"] as? String)
            let refreshToken = try #require(try first.json()["refresh_token"] as? String)
            let second = try await recipient.exchange(code: code, verifier: flow.pkce.verifier)
            #expect(second.status == 400)
            #expect(try second.json()["error"] as? String == "invalid_grant")
            let userinfo = try await recipient.http.send(
                .GET, recipient.endpoints.secureBaseURL + "/userinfo",
                headers: [("authorization", "Bearer " + accessToken)])
            #expect(userinfo.status == 401)
            #expect(
                try await recipient.post("/introspect", [("token", refreshToken)]).json()["active"] as? Bool == false)
        }
    }

    @Test func codeExchangeRulesAreEnforced() async throws {
        try await withRecipient { recipient in
            var flow = TestRecipient.Flow()
            var code = try await recipient.authorisationCode(flow)
            let wrongVerifier = try await recipient.exchange(code: code, verifier: PKCE.generate().verifier)
            #expect(wrongVerifier.status == 400)
            #expect(try wrongVerifier.json()["error"] as? String == "invalid_grant")

            flow = TestRecipient.Flow()
            code = try await recipient.authorisationCode(flow)
            let wrongRedirect = try await recipient.exchange(
                code: code, verifier: flow.pkce.verifier, redirectURI: "https://recipient.example/sp-budget/other")
            #expect(try wrongRedirect.json()["error"] as? String == "invalid_grant")

            let unknown = try await recipient.exchange(code: "made-up", verifier: flow.pkce.verifier)
            #expect(try unknown.json()["error"] as? String == "invalid_grant")
        }
    }

    @Test func replayedClientAssertionIsRejected() async throws {
        try await withRecipient { recipient in
            let authentication = try await recipient.clientAuthentication()
            let url = recipient.endpoints.secureBaseURL + "/introspect"
            let first = try await recipient.http.form(url, [("token", "x")] + authentication)
            #expect(first.status == 200)
            let replay = try await recipient.http.form(url, [("token", "x")] + authentication)
            #expect(replay.status == 401)
            #expect(try replay.json()["error"] as? String == "invalid_client")
        }
    }

    @Test func tokenBoundToAnotherCertificateIsRejected() async throws {
        try await withRecipient { recipient in
            let tokens = try await recipient.consent()
            let accessToken = try #require(tokens["access_token"] as? String)
            let other = try recipient.holder.pki.issueClientIdentity(commonName: "Stolen Token Holder")
            try await TestHTTPClient.with(pki: recipient.holder.pki, identity: other) { client in
                let answer = try await client.send(
                    .GET, recipient.endpoints.secureBaseURL + "/userinfo",
                    headers: [("authorization", "Bearer " + accessToken)])
                #expect(answer.status == 401)
                #expect(answer.header("www-authenticate")?.contains("invalid_token") == true)
            }
            let own = try await recipient.http.send(
                .POST, recipient.endpoints.secureBaseURL + "/userinfo",
                headers: [("authorization", "Bearer " + accessToken)])
            #expect(own.status == 200)
        }
    }

    @Test func expiredAccessTokenIsRejected() async throws {
        let clock = ManualTimeSource()
        try await withRecipient(.init(timeSource: clock)) { recipient in
            let tokens = try await recipient.consent()
            let accessToken = try #require(tokens["access_token"] as? String)
            clock.advance(by: 301)
            let answer = try await recipient.http.send(
                .GET, recipient.endpoints.secureBaseURL + "/userinfo",
                headers: [("authorization", "Bearer " + accessToken)])
            #expect(answer.status == 401)
        }
    }
}
