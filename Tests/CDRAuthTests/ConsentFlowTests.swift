import CDRJOSE
import CDRMockHolder
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

@testable import CDRAuth

@Suite("Consent flow against the mock holder over mutual TLS", .timeLimit(.minutes(5)))
struct ConsentFlowTests {
    @Test("register → consent → token → resource → refresh → amend → revoke")
    func wholeLifecycle() async throws {
        try await FlowHarness.run { harness in
            let connection = harness.connection
            // Consent.
            let redirect = try await connection.startAuthorization(.standard)
            let query = try #require(URLComponents(url: redirect.url, resolvingAgainstBaseURL: false)?.queryItems)
            #expect(Set(query.map(\.name)) == ["client_id", "request_uri"])
            #expect(redirect.url.absoluteString.hasPrefix(harness.endpoints.publicBaseURL + "/authorise?"))
            let arrangement = try await connection.completeAuthorization(
                response: try await harness.consent(redirect), expectedState: redirect.state)
            #expect(arrangement.state == .authorised)
            #expect(arrangement.scopes.contains("bank:transactions:read"))
            #expect(arrangement.subject?.isEmpty == false)
            #expect(await connection.pendingAuthorizationCount == 0)

            // Resource call with the bound token; the first use makes the arrangement active.
            let manager = await connection.tokenManager(for: arrangement.id)
            let token = try await manager.accessToken()
            #expect(try await harness.listAccounts(token: token).status.code == 200)
            #expect(try await connection.arrangement(id: arrangement.id)?.state == .active)

            // Refresh: a new access token that works; the refresh token is not rotated by the mock.
            let before = try #require(await harness.store.load(arrangementID: arrangement.id)?.tokens)
            let refreshed = try await manager.refresh()
            #expect(refreshed.accessToken != token)
            #expect(refreshed.refreshToken == before.refreshToken)
            #expect(await harness.store.load(arrangementID: arrangement.id)?.tokens == refreshed)
            #expect(try await harness.listAccounts(token: refreshed.accessToken).status.code == 200)

            // Introspection of the refresh token.
            let introspection = try await connection.introspectRefreshToken(arrangementID: arrangement.id)
            #expect(introspection.active)
            #expect(introspection.arrangementID == arrangement.id)

            // Amend: same cdr_arrangement_id, new scopes, new tokens.
            var amendment = AuthorizationRequest(
                scopes: [.bankAccountsBasic, .bankTransactions, .bankPayees], sharingDuration: .days(180))
            amendment.arrangementID = arrangement.id
            let amended = try await harness.authorise(amendment)
            #expect(amended.id == arrangement.id)
            #expect(amended.amendmentCount == 1)
            #expect(amended.state == .authorised)
            #expect(amended.scopes.contains("bank:payees:read"))
            let amendedToken = try await manager.accessToken()
            #expect(amendedToken != refreshed.accessToken)

            // Revoke at the holder: everything stored is deleted, and the holder no longer honours the token.
            let ending = try await connection.revokeArrangement(id: arrangement.id)
            #expect(ending.state == .revoked(by: .consumer))
            #expect(ending.tokensDeleted)
            #expect(ending.holderConfirmed)
            let tombstone = try #require(await harness.store.load(arrangementID: arrangement.id))
            #expect(tombstone.tokens == nil)
            #expect(tombstone.arrangement.subject == nil)
            #expect(tombstone.arrangement.state == .revoked(by: .consumer))
            #expect(try await harness.listAccounts(token: amendedToken).status.code == 401)
            let afterwards = await #expect(throws: AuthorizationError.self) {
                _ = try await connection.tokenManager(for: arrangement.id).accessToken()
            }
            #expect(afterwards?.code == .arrangementRevoked)
            // Every call of the lifecycle went over one public and one mutual-TLS connection.
            #expect(harness.holder.completedHandshakes.public == 1)
            #expect(harness.holder.completedHandshakes.secure == 1)
        }
    }

    @Test("the request object and every back-channel call follow the standard")
    func requestsOnTheWire() async throws {
        try await FlowHarness.run { harness in
            _ = try await harness.authorise()
            let par = try #require(harness.recording.requests(pathSuffix: "/par").first)
            #expect(par.security == .mutualTLS)
            #expect(par.url.absoluteString.hasPrefix(harness.endpoints.secureBaseURL))
            let form = try #require(FormEncoding.decode(String(decoding: par.body ?? Data(), as: UTF8.self)))
            #expect(Set(form.keys) == ["request", "client_id", "client_assertion_type", "client_assertion"])
            let token = try #require(harness.recording.requests(pathSuffix: "/token").first)
            let tokenForm = try #require(FormEncoding.decode(String(decoding: token.body ?? Data(), as: UTF8.self)))
            #expect(tokenForm["grant_type"] == "authorization_code")
            #expect(tokenForm["code_verifier"]?.count ?? 0 >= 43)
            #expect(tokenForm["redirect_uri"] == harness.product.redirectURIs[0])
            // Every request carried an interaction id.
            #expect(harness.recording.requests.allSatisfy { $0.interactionID != nil })
        }
    }

    @Test("a denied consent surfaces the holder's OAuth error and exchanges nothing")
    func deniedConsent() async throws {
        try await FlowHarness.run { harness in
            let redirect = try await harness.connection.startAuthorization(.standard)
            let response = try await harness.consent(redirect, deny: true)
            let error = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.completeAuthorization(
                    response: response, expectedState: redirect.state)
            }
            #expect(error?.code == .authorizationDenied)
            #expect(error?.oauthError?.error == "access_denied")
            #expect(harness.sent("/token") == 0)
        }
    }

    @Test("a callback can be used once; a reused code is refused by the holder")
    func singleUseStateAndCode() async throws {
        try await FlowHarness.run { harness in
            let redirect = try await harness.connection.startAuthorization(.standard)
            let response = try await harness.consent(redirect)
            _ = try await harness.connection.completeAuthorization(response: response, expectedState: redirect.state)
            let replay = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.completeAuthorization(
                    response: response, expectedState: redirect.state)
            }
            #expect(replay?.code == .unknownState)
            #expect(harness.sent("/token") == 1)
        }
    }

    @Test("a callback after the pending authorisation expired is refused")
    func expiredPendingAuthorization() async throws {
        try await FlowHarness.run(connection: { $0.pendingAuthorizationLifetime = .milliseconds(300) }) { harness in
            let redirect = try await harness.connection.startAuthorization(.standard)
            let response = try await harness.consent(redirect)
            try await Task.sleep(for: .milliseconds(400))
            let error = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.completeAuthorization(
                    response: response, expectedState: redirect.state)
            }
            #expect(error?.code == .stateExpired)
            #expect(harness.sent("/token") == 0)
        }
    }

    @Test("an expired request_uri ends the browser leg at the holder; no callback, nothing exchanged")
    func expiredRequestURI() async throws {
        try await FlowHarness.run(holder: .init(requestURILifetime: .milliseconds(200))) { harness in
            let redirect = try await harness.connection.startAuthorization(.standard)
            try await Task.sleep(for: .milliseconds(1200))
            let answer = try await harness.transport.send(
                TransportRequest(
                    method: .get,
                    url: try #require(URL(string: redirect.url.absoluteString + "&mock_customer=customer-1")),
                    security: .publicTLS))
            #expect(answer.status.code != 302)
            #expect(String(decoding: answer.body, as: UTF8.self).contains("expired"))
            #expect(harness.sent("/token") == 0)
        }
    }

    @Test("token revocation (RFC 7009): the refresh and access tokens stop working and the arrangement ends")
    func tokenRevocation() async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            let token = try await harness.connection.tokenManager(for: arrangement.id).accessToken()
            #expect(try await harness.listAccounts(token: token).status.code == 200)
            let ending = try await harness.connection.revokeTokens(arrangementID: arrangement.id)
            #expect(ending.state == .revoked(by: .recipient))
            #expect(ending.tokensDeleted)
            #expect(harness.sent("/revoke") == 2)
            #expect(try await harness.listAccounts(token: token).status.code == 401)
            #expect(await harness.store.load(arrangementID: arrangement.id)?.tokens == nil)
        }
    }

    @Test("the callback is bound to the session's state; a mismatching or forged response burns nothing")
    func sessionBinding() async throws {
        try await FlowHarness.run { harness in
            let mine = try await harness.connection.startAuthorization(.standard)
            let theirs = try await harness.connection.startAuthorization(.standard)
            let theirResponse = try await harness.consent(theirs, customer: "customer-2")
            // Their (valid) response presented in my session: refused, nothing exchanged.
            let injected = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.completeAuthorization(
                    response: theirResponse, expectedState: mine.state)
            }
            #expect(injected?.code == .invalidAuthorizationResponse)
            // A forged, unsigned response carrying my state: refused, and my flow is still pending.
            let payload = Data(#"{"state":"\#(mine.state)","code":"forged"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
            let forged = "eyJhbGciOiJub25lIn0." + payload + "."
            let forgery = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.completeAuthorization(response: forged, expectedState: mine.state)
            }
            #expect(forgery?.code == .invalidAuthorizationResponse)
            #expect(harness.sent("/token") == 0)
            let arrangement = try await harness.connection.completeAuthorization(
                response: try await harness.consent(mine), expectedState: mine.state)
            #expect(arrangement.state == .authorised)
            // Their flow is intact too.
            let other = try await harness.connection.completeAuthorization(
                response: theirResponse, expectedState: theirs.state)
            #expect(other.id != arrangement.id)
        }
    }

    @Test("scopes are read-only and requests are validated before anything is sent")
    func requestValidation() async throws {
        #expect(CDRScope(rawValue: "bank:accounts.basic:read") == .bankAccountsBasic)
        #expect(CDRScope(rawValue: "bank:payments:write") == nil)
        #expect(CDRScope(rawValue: ":read") == nil)
        #expect(CDRScope(rawValue: "openid") == nil)
        #expect(CDRScope(rawValue: "bank:payments:write\tbank:x:read") == nil)
        #expect(CDRScope(rawValue: "bank:payments:write bank:x:read") == nil)
        #expect(CDRScope(rawValue: "bank:accountsé:read") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CDRScope.self, from: Data("\"x:write\"".utf8)) }
        try await FlowHarness.run { harness in
            for request in [
                AuthorizationRequest(scopes: [.bankAccountsBasic], sharingDuration: 31_536_001),
                AuthorizationRequest(scopes: [], sharingDuration: 0),
                AuthorizationRequest(
                    scopes: [.bankAccountsBasic], sharingDuration: 0, redirectURI: "https://evil.example/cb"),
            ] {
                let error = await #expect(throws: AuthorizationError.self) {
                    _ = try await harness.connection.startAuthorization(request)
                }
                #expect(error?.code == .invalidRequest)
            }
            #expect(harness.recording.requests.isEmpty)
        }
    }

    @Test("once-off collection: no refresh token, and refresh asks for consent again")
    func onceOff() async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise(
                AuthorizationRequest(scopes: [.bankAccountsBasic], sharingDuration: 0))
            #expect(arrangement.sharingExpiresAt == nil)
            let tokens = try #require(await harness.store.load(arrangementID: arrangement.id)?.tokens)
            #expect(tokens.refreshToken == nil)
            let error = await #expect(throws: AuthorizationError.self) {
                try await harness.connection.tokenManager(for: arrangement.id).refresh()
            }
            #expect(error?.code == .arrangementExpired)
            #expect(harness.sent("/token") == 1)
        }
    }

    @Test("token responses without scope and expires_in, and with a lower-case token type, are accepted")
    func lenientTokenResponses() async throws {
        try await FlowHarness.run { harness in
            harness.holder.faults.token = [.omitScopeAndExpiresIn, .lowercaseTokenType]
            let arrangement = try await harness.authorise()
            #expect(arrangement.scopes.contains("bank:accounts.basic:read"))
            let tokens = try #require(await harness.store.load(arrangementID: arrangement.id)?.tokens)
            let lifetime = tokens.accessTokenExpiresAt.timeIntervalSinceNow
            #expect(lifetime > 100 && lifetime <= 120)
        }
    }

    @Test("no error or description carries a token, code or assertion")
    func nothingSecretInErrors() async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            let tokens = try #require(await harness.store.load(arrangementID: arrangement.id)?.tokens)
            harness.holder.faults.token = [.rejectRefresh]
            let error = await #expect(throws: AuthorizationError.self) {
                try await harness.connection.tokenManager(for: arrangement.id).refresh()
            }
            let text = allText(of: try #require(error)) + "\(tokens)" + String(reflecting: tokens)
            let leaked271 = text.contains(tokens.accessToken)
            #expect(!leaked271, "a secret or customer datum is readable")
            let leaked272 = text.contains(try #require(tokens.refreshToken))
            #expect(!leaked272, "a secret or customer datum is readable")
            #expect(!"\(harness.product)".contains("PRIVATE"))
        }
    }
}
