import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import CDRAuth

@Suite("Consent flow fault paths against the mock holder", .timeLimit(.minutes(3)))
struct ConsentFaultTests {
    static let rejectedJARMFaults = MockFaults.JARMFault.allCases

    @Test("each bad JARM response stops the flow before the token endpoint", arguments: rejectedJARMFaults)
    func jarmFault(_ fault: MockFaults.JARMFault) async throws {
        try await FlowHarness.run { harness in
            harness.holder.faults.jarm = [fault]
            let redirect = try await harness.connection.startAuthorization(.standard)
            let response = try await harness.consent(redirect)
            let sentBefore = harness.recording.requests.count
            let error = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.completeAuthorization(
                    response: response, expectedState: redirect.state)
            }
            // invalidState/missingState find no pending authorisation (or one whose state doesn't match).
            let expected: Set<AuthorizationError.Code> =
                fault == .invalidState || fault == .missingState
                ? [.unknownState, .invalidAuthorizationResponse] : [.invalidAuthorizationResponse]
            #expect(expected.contains(try #require(error).code), "\(fault): \(String(describing: error))")
            // Nothing further: no token request; at most the holder's JWKS was fetched (public TLS).
            let after = harness.recording.requests.dropFirst(sentBefore)
            #expect(after.allSatisfy { $0.security == .publicTLS && $0.url.path.hasSuffix("/jwks") }, "\(fault)")
            #expect(harness.sent("/token") == 0)
        }
    }

    static let rejectedIDTokenFaults = MockFaults.IDTokenFault.allCases.filter { $0 != .audienceAsArray }

    @Test(
        "each bad ID token stops the flow: no arrangement, nothing called after the token",
        arguments: rejectedIDTokenFaults)
    func idTokenFault(_ fault: MockFaults.IDTokenFault) async throws {
        try await FlowHarness.run { harness in
            harness.holder.faults.idToken = [fault]
            let redirect = try await harness.connection.startAuthorization(.standard)
            let response = try await harness.consent(redirect)
            let error = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.completeAuthorization(
                    response: response, expectedState: redirect.state)
            }
            #expect(error?.code == .invalidIDToken, "\(fault): \(String(describing: error))")
            #expect(await harness.store.arrangementIDs.isEmpty)
            let last = try #require(harness.recording.requests.last { $0.security == .mutualTLS })
            #expect(last.url.path.hasSuffix("/token"), "\(fault)")
            #expect(harness.sent("/userinfo") == 0)
        }
    }

    @Test("an ID token with aud as a one-element array is accepted")
    func audienceAsArray() async throws {
        try await FlowHarness.run { harness in
            harness.holder.faults.idToken = [.audienceAsArray]
            let arrangement = try await harness.authorise()
            #expect(arrangement.state == .authorised)
        }
    }

    @Test("a code reused at the holder is refused with invalid_grant")
    func reusedCodeAtHolder() async throws {
        try await FlowHarness.run { harness in
            let redirect = try await harness.connection.startAuthorization(.standard)
            let response = try await harness.consent(redirect)
            _ = try await harness.connection.completeAuthorization(response: response, expectedState: redirect.state)
            // Replay the exact token request the SDK sent (same code, fresh client assertion).
            let first = try #require(harness.recording.requests(pathSuffix: "/token").first)
            var form = try #require(FormEncoding.decode(String(decoding: first.body ?? Data(), as: UTF8.self)))
            let authentication = harness.connection.authentication
            for (name, value) in try await authentication.parameters() { form[name] = value }
            let replay = try await harness.transport.send(
                TransportRequest(
                    method: .post, url: first.url, headerFields: first.headerFields,
                    body: FormEncoding.body(form.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })))
            #expect(replay.status.code == 400)
            let error = OAuthClient.error(.tokenRequestRejected, response: replay)
            #expect(error.oauthError?.error == "invalid_grant")
        }
    }

    @Test(
        "429 and 503 with Retry-After are retried for idempotent calls only",
        arguments: [
            MockFaults.HTTPFault.throttle(retryAfter: 1), .serverError(status: 503, retryAfter: 1),
        ])
    func retryAfter(_ fault: MockFaults.HTTPFault) async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            let token = try await harness.connection.tokenManager(for: arrangement.id).accessToken()
            harness.holder.faults.inject(fault, on: .resources, times: 1)
            let started = ContinuousClock.now
            let answer = try await harness.listAccounts(token: token)
            #expect(answer.status.code == 200)
            #expect(harness.sent("/banking/accounts") == 2)
            #expect(ContinuousClock.now - started >= .seconds(1))
            // A POST (PAR) is not retried: the 429/503 comes back as a typed error.
            harness.holder.faults.inject(fault, on: .pathPrefix("/par"), times: 1)
            let error = await #expect(throws: AuthorizationError.self) {
                _ = try await harness.connection.startAuthorization(.standard)
            }
            #expect(error?.code == .pushedAuthorizationRejected)
            #expect(error?.status == 429 || error?.status == 503)
            #expect(harness.sent("/par") == 2)  // one for the consent above, one refused
        }
    }

    @Test("a holder-initiated revocation ends the arrangement at the next refresh and deletes its tokens")
    func holderInitiatedRevocation() async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            try await harness.holder.revokeArrangement(id: arrangement.id, notifyRecipient: false)
            let error = await #expect(throws: AuthorizationError.self) {
                try await harness.connection.tokenManager(for: arrangement.id).refresh()
            }
            #expect(error?.code == .arrangementRevoked)
            #expect(error?.oauthError?.error == "invalid_grant")
            let tombstone = try #require(await harness.store.load(arrangementID: arrangement.id))
            #expect(tombstone.tokens == nil)
            #expect(tombstone.arrangement.state == .revoked(by: .holder))
        }
    }

    @Test("the holder's call to /arrangements/revoke ends the arrangement here")
    func holderRevocationNotice() async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            let ending = try #require(try await harness.connection.holderRevokedArrangement(id: arrangement.id))
            #expect(ending.state == .revoked(by: .holder))
            #expect(ending.tokensDeleted)
            #expect(try await harness.connection.holderRevokedArrangement(id: arrangement.id) == nil)
        }
    }

    @Test("a revocation from another holder brand is refused by the connection")
    func otherBrandsRevocation() async throws {
        try await FlowHarness.run(connection: { $0.holderBrandID = "the-holders-brand" }) { harness in
            let arrangement = try await harness.authorise()
            let foreign = ArrangementRevocation(
                arrangementID: arrangement.id, holderBrandID: "another-brand", receivedAt: Date())
            #expect(try await harness.connection.revokeArrangement(foreign) == false)
            #expect(await harness.store.load(arrangementID: arrangement.id)?.tokens != nil)
            let own = ArrangementRevocation(
                arrangementID: arrangement.id, holderBrandID: "the-holders-brand", receivedAt: Date())
            #expect(try await harness.connection.revokeArrangement(own))
            #expect(try await harness.connection.revokeArrangement(own) == false)
        }
    }

    @Test("100 concurrent callers of an expired access token cause exactly one token request")
    func concurrentRefresh() async throws {
        try await FlowHarness.run(
            // The new token lives 8 s, so every caller arrives well within its life even on a loaded machine.
            holder: .init(accessTokenLifetime: .seconds(8)), connection: { $0.refreshLeeway = .zero }
        ) { harness in
            let arrangement = try await harness.authorise()
            let manager = await harness.connection.tokenManager(for: arrangement.id)
            let first = try await manager.accessToken()
            try await Task.sleep(for: .milliseconds(8100))
            harness.recording.reset()
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await harness.connection.tokenManager(for: arrangement.id).accessToken() }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(harness.sent("/token") == 1)
            #expect(tokens.count == 1)
            #expect(tokens.first != first)
            #expect(await manager.refreshCount == 1)
            #expect(try await harness.listAccounts(token: try #require(tokens.first)).status.code == 200)
        }
    }

    @Test("401 from a resource → one refresh and a new token; other callers reuse it")
    func unauthorisedThenRefresh() async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            let manager = await harness.connection.tokenManager(for: arrangement.id)
            let token = try await manager.accessToken()
            harness.holder.faults.inject(.expiredToken, on: .resources, times: 1)
            #expect(try await harness.listAccounts(token: token).status.code == 401)
            let fresh = try await manager.accessTokenAfterUnauthorized(token)
            #expect(fresh != token)
            #expect(try await manager.accessTokenAfterUnauthorized(token) == fresh)
            #expect(harness.sent("/token") == 2)  // the code exchange and one refresh
            #expect(try await harness.listAccounts(token: fresh).status.code == 200)
        }
    }

    @Test("BearerTokenMiddleware with a TokenManager: a 401 costs one refresh and one retry, invisible to the caller")
    func bearerMiddleware() async throws {
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            let manager = await harness.connection.tokenManager(for: arrangement.id)
            let authorised = MiddlewareTransport(
                harness.transport, middlewares: [BearerTokenMiddleware(provider: manager)])
            var fields = HTTPFields()
            fields[.cdsVersion] = "3"
            fields[.fapiAuthDate] = HTTPDate.format(Date())
            let request = TransportRequest(
                method: .get, url: try #require(URL(string: harness.endpoints.resourceBaseURL + "/banking/accounts")),
                headerFields: fields)
            #expect(try await authorised.send(request).status.code == 200)
            harness.recording.reset()
            harness.holder.faults.inject(.expiredToken, on: .resources, times: 1)
            #expect(try await authorised.send(request).status.code == 200)
            #expect(harness.sent("/banking/accounts") == 2)
            #expect(harness.sent("/token") == 1)
            // Public endpoints get no token.
            let products = try await authorised.send(
                TransportRequest(
                    method: .get,
                    url: try #require(URL(string: harness.endpoints.publicResourceBaseURL + "/banking/products")),
                    headerFields: fields, security: .publicTLS))
            #expect(products.status.code != 401)
            #expect(
                harness.recording.requests(pathSuffix: "/banking/products").first?.headerFields[.authorization] == nil)
        }
    }

    @Test("a refreshed token set is saved before it is handed out; a failing store hands nothing out")
    func persistedBeforeHandedOut() async throws {
        let store = FailingStore()
        try await FlowHarness.run { harness in
            let arrangement = try await harness.authorise()
            let record = try #require(await harness.store.load(arrangementID: arrangement.id))
            let connection = try DataHolderConnection(
                configuration: harness.connection.configuration, transport: harness.transport, tokenStore: store)
            try await store.save(record)
            store.failSaves.withLock { $0 = true }
            await #expect(throws: FailingStore.Failure.self) {
                try await connection.tokenManager(for: arrangement.id).refresh()
            }
            store.failSaves.withLock { $0 = false }
            let refreshed = try await connection.tokenManager(for: arrangement.id).refresh()
            #expect(try await store.load(arrangementID: arrangement.id)?.tokens == refreshed)
        }
    }
}

/// A token store whose saves can be made to fail.
final class FailingStore: TokenStore {
    struct Failure: Error {}
    let failSaves = Mutex(false)
    private let records = Mutex<[String: ArrangementRecord]>([:])

    func save(_ record: ArrangementRecord) async throws {
        if failSaves.withLock({ $0 }) { throw Failure() }
        records.withLock { $0[record.arrangement.id] = record }
    }

    func load(arrangementID: String) async throws -> ArrangementRecord? { records.withLock { $0[arrangementID] } }

    func delete(arrangementID: String) async throws -> Bool {
        records.withLock { $0.removeValue(forKey: arrangementID) != nil }
    }
}
