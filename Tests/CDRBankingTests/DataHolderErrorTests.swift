import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

@Suite("Holder errors become DataHolderError with the standard's URN", .timeLimit(.minutes(5)))
struct DataHolderErrorTests {
    @Test("An unknown access token: .unauthorized (401) with the interaction id; no token in the description")
    func unknownToken() async throws {
        let token = "unknown-token-" + UUID().uuidString
        try await LiveBanking.run(token: token) { live in
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.accounts().collect() }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(error?.operation == "listBankingAccounts")
            let interactionID = try #require(error?.interactionID)
            #expect(!live.recording.requests.isEmpty)
            #expect(live.recording.requests.allSatisfy { $0.interactionID == interactionID })
            #expect(live.recording.exchanges.allSatisfy { $0.response?.interactionID == interactionID })
            let leaks = error.map { allText(of: $0).contains(token) } ?? true
            #expect(!leaks, "the description must not contain the token")
        }
    }

    @Test("An expired access token: .unauthorized (401)")
    func expiredToken() async throws {
        try await LiveBanking.run { live in
            let expired = try live.holder.makeGrant(
                customerID: live.customer.id, boundTo: try live.holder.pki.client.thumbprint(), lifetime: .zero)
            let transport = MiddlewareTransport(
                live.recording,
                middlewares: [
                    InteractionIDMiddleware(),
                    BearerTokenMiddleware(provider: FixedAccessTokenProvider(expired.accessToken)),
                ])
            let client = BankingClient(
                configuration: try live.client().configuration,
                context: .unattended(authenticatedAt: live.authenticatedAt),
                transport: transport)
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.customer() }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            let leaks = error.map { allText(of: $0).contains(expired.accessToken) } ?? true
            #expect(!leaks)
        }
    }

    @Test("The token of an arrangement the holder revoked: .unauthorized (401), no token in the description")
    func revokedArrangement() async throws {
        try await LiveBanking.run { live in
            let client = try live.client()
            _ = try await client.customer()
            try await live.holder.revokeArrangement(id: live.grant.arrangementID, notifyRecipient: false)
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.customer() }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(error?.interactionID != nil)
            let leaks = error.map { allText(of: $0).contains(live.grant.accessToken) } ?? true
            #expect(!leaks)
        }
    }

    @Test("An account outside the arrangement: .notFound (404) with cds-banking Authorisation/InvalidBankingAccount")
    func accountOutsideArrangement() async throws {
        try await LiveBanking.run(accounts: [0, 1]) { live in
            let outside = try #require(live.holder.dataset.accounts(of: live.customer).last)
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.account(id: outside.id) }
            #expect(error?.code == .notFound)
            #expect(error?.status == 404)
            #expect(error?.operation == "getBankingAccountDetail")
            #expect(error?.errorCodes == [.invalidBankingAccount])
            #expect(error?.urn == "urn:au-cds:error:cds-banking:Authorisation/InvalidBankingAccount")
            #expect(error?.interactionID == live.recording.requests.last?.interactionID)
            #expect(error?.interactionID != nil)
            #expect(error?.isTransient == false)
            let leaks = error.map { allText(of: $0).contains(live.grant.accessToken) } ?? true
            #expect(!leaks)
        }
    }

    @Test("An account outside the arrangement in a POST body: .unprocessable (422) with InvalidBankingAccount")
    func accountOutsideArrangementInBody() async throws {
        try await LiveBanking.run(accounts: [0, 1]) { live in
            let outside = try #require(live.holder.dataset.accounts(of: live.customer).last)
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) {
                _ = try await client.balances(accountIDs: [live.accounts[0].id, outside.id]).collect()
            }
            #expect(error?.code == .unprocessable)
            #expect(error?.status == 422)
            #expect(error?.urn == "urn:au-cds:error:cds-banking:Authorisation/InvalidBankingAccount")
        }
    }

    @Test("An outage: .unavailable (503) with Service/Unavailable, transient; the public status says UNAVAILABLE")
    func outage() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.outage = .unavailable
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.accounts().collect() }
            #expect(error?.code == .unavailable)
            #expect(error?.status == 503)
            #expect(error?.errorCodes == [.serviceUnavailable])
            #expect(error?.urn == "urn:au-cds:error:cds-all:Service/Unavailable")
            #expect(error?.isTransient == true)
            #expect(error?.interactionID != nil)
            let status = try await client.status()
            #expect(status.body.status == .unavailable)
        }
    }

    @Test("A scope the arrangement lacks: .forbidden (403) with Authorisation/InvalidConsent")
    func missingScope() async throws {
        let scopes = MockRegister.allReadScopes.filter { $0 != "bank:transactions:read" }
        try await LiveBanking.run(scopes: scopes) { live in
            let client = try live.client()
            let accounts = try await client.accounts().collect()
            #expect(accounts.count == live.accounts.count, "the scopes it has still work")
            let error = await #expect(throws: DataHolderError.self) {
                _ = try await client.transactions(accountID: live.accounts[0].id).collect()
            }
            #expect(error?.code == .forbidden)
            #expect(error?.status == 403)
            #expect(error?.operation == "listBankingTransactions")
            #expect(error?.errorCodes == [.invalidConsent])
            #expect(error?.urn == "urn:au-cds:error:cds-all:Authorisation/InvalidConsent")
            #expect(error?.interactionID == live.recording.requests.last?.interactionID)
            let leaks = error.map { allText(of: $0).contains(live.grant.accessToken) } ?? true
            #expect(!leaks)
        }
    }

    struct FaultCase: Sendable, CustomTestStringConvertible {
        let fault: MockFaults.HTTPFault
        let code: DataHolderError.Code
        let status: Int
        var testDescription: String { "\(status) → \(code)" }
    }

    @Test(
        "Injected holder faults map to their codes",
        arguments: [
            FaultCase(fault: .throttle(retryAfter: 1), code: .throttled, status: 429),
            FaultCase(fault: .serverError(status: 500, retryAfter: nil), code: .serverError, status: 500),
            FaultCase(fault: .serverError(status: 503, retryAfter: nil), code: .unavailable, status: 503),
            FaultCase(fault: .serverError(status: 504, retryAfter: nil), code: .unavailable, status: 504),
        ])
    func injectedFaults(_ fault: FaultCase) async throws {
        let (code, status) = (fault.code, fault.status)
        try await LiveBanking.run { live in
            live.holder.faults.inject(fault.fault, on: .resources, times: 1)
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.customer() }
            #expect(error?.code == code)
            #expect(error?.status == status)
            #expect(error?.isTransient == true)
            // The fault was one-shot: the next call works.
            let customer = try await client.customer()
            #expect(customer.body == live.customer.customer())
        }
    }

    @Test("A holder's own error code keeps the standard URN from meta.urn")
    func holderSpecificCode() async throws {
        let transport = RecordingTransport { _ in
            let body =
                #"{"errors":[{"code":"BANK-123","title":"Nope","detail":"d","meta":{"urn":"urn:au-cds:error:cds-all:Authorisation/RevokedConsent"}}]}"#
            return TransportResponse(status: .forbidden, body: Data(body.utf8))
        }
        let error = await #expect(throws: DataHolderError.self) { _ = try await fakeClient(transport).customer() }
        #expect(error?.errorCodes == [.revokedConsent])
        #expect(error?.urn == "urn:au-cds:error:cds-all:Authorisation/RevokedConsent")
    }

    @Test("An error body that is not the standard's shape leaves errors empty; the status still decides the code")
    func nonStandardBody() async throws {
        let transport = RecordingTransport { _ in TransportResponse(status: .init(code: 418), body: Data("<html>".utf8))
        }
        let error = await #expect(throws: DataHolderError.self) { _ = try await fakeClient(transport).customer() }
        #expect(error?.code == .unexpectedStatus)
        #expect(error?.errors.isEmpty == true)
        #expect(error?.urn == nil)
    }

    @Test("Identifiers that cannot be sent are refused before the network: .invalidRequest")
    func invalidIdentifiers() async throws {
        let transport = RecordingTransport { _ in TransportResponse(status: .ok) }
        let client = fakeClient(transport)
        await #expect(throws: DataHolderError.self) { _ = try await client.account(id: "") }
        #expect(throws: DataHolderError.self) { _ = try client.balances(accountIDs: []) }
        #expect(throws: DataHolderError.self) { _ = try client.directDebits(accountIDs: ["a", ""]) }
        #expect(transport.requests.isEmpty)
    }

    @Test("Path parameters are percent-encoded, so an id cannot change the path")
    func pathParametersEncoded() async throws {
        let transport = RecordingTransport { _ in TransportResponse(status: .notFound) }
        _ = try? await fakeClient(transport).account(id: "../payees?x=1#y")
        let url = try #require(transport.requests.first?.url)
        #expect(url.path.hasPrefix("/cds-au/v1/banking/accounts/"))
        #expect(url.query == nil)
        #expect(url.fragment == nil)
        #expect(url.absoluteString == "https://holder.example/cds-au/v1/banking/accounts/..%2Fpayees%3Fx%3D1%23y")
    }
}

@Suite("Interaction ids on errors")
struct InteractionIDTests {
    @Test("An error names the interaction id the call was sent with when the holder does not echo one")
    func interactionIDWithoutEcho() async throws {
        let base = RecordingTransport { _ in TransportResponse(status: .forbidden) }
        let transport = MiddlewareTransport(base, middlewares: [InteractionIDMiddleware()])
        let error = await #expect(throws: DataHolderError.self) { _ = try await fakeClient(transport).customer() }
        let sent = try #require(base.requests.first?.interactionID)
        #expect(error?.interactionID == sent)
    }

    @Test("Each exchange has its own interaction id; the holder's echo wins")
    func holderEchoWins() async throws {
        let base = RecordingTransport { _ in
            TransportResponse(status: .notFound, headerFields: [.fapiInteractionID: "holder-id"])
        }
        let client = fakeClient(base)
        let error = await #expect(throws: DataHolderError.self) { _ = try await client.customer() }
        #expect(error?.interactionID == "holder-id")
        _ = try? await client.customer()
        let ids = base.requests.compactMap(\.interactionID)
        #expect(ids.count == 2)
        #expect(Set(ids).count == 2)
    }
}
