import CDRDDC
import CDRTransport
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// A transport that answers from a closure and records the requests, for provider answers the mock never gives.
final class StubTransport: HTTPTransport {
    static let configuration = DDCProviderConfiguration(
        providerID: "stub-provider", baseURL: URL(string: "https://provider.example/ddc/v1")!, apiKey: "stub-key",
        pollInterval: .zero, maximumPolls: 10, pageSize: 2, maximumPages: 5)

    private let respond: @Sendable (TransportRequest) throws -> TransportResponse
    private let recorded = Mutex<[TransportRequest]>([])

    init(_ respond: @escaping @Sendable (TransportRequest) throws -> TransportResponse) {
        self.respond = respond
    }

    var requests: [TransportRequest] { recorded.withLock { $0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        recorded.withLock { $0.append(request) }
        return try respond(request)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> TransportResponse {
        TransportResponse(status: status, headerFields: [.contentType: "application/json"], body: Data(text.utf8))
    }
}

/// Defensive reading of the provider's answers: malformed records, broken cursors, unreadable bodies.
@Suite struct DDCDecodingTests {
    @Test func malformedAccountRecordsAreSkippedAndTheRestMapped() async throws {
        let transport = StubTransport { _ in
            StubTransport.json(
                #"""
                {"accounts": [
                  {"account_id": "acct_1", "name": "Everyday", "kind": "transaction", "status": "open",
                   "bsb": "062 000", "account_number": "1234-5678", "masked_number": "xxxx5678",
                   "balance": {"current": {"amount_cents": -1205, "currency": "AUD"}}},
                  {"name": "no id"},
                  {"account_id": "acct/../2", "masked_number": "x"},
                  {"account_id": "acct_3", "kind": "crypto_wallet", "account_number": "99887766", "status": "closed"},
                  42
                ]}
                """#)
        }
        let client = DDCClient(configuration: StubTransport.configuration, transport: transport)
        let accounts = try await client.accounts(connection: DDCConnectionID(rawValue: "conn_1"))
        #expect(accounts.map(\.id) == ["acct_1", "acct_3"])
        #expect(accounts[0].bsb == "062000")
        #expect(accounts[0].accountNumber == "12345678")
        #expect(accounts[0].balance?.current == Decimal(string: "-12.05"))
        #expect(accounts[0].balance?.available == nil)
        #expect(accounts[1].kind == DDCAccount.Kind(rawValue: "crypto_wallet"))
        #expect(accounts[1].maskedNumber == "xxxx7766")
        #expect(accounts[1].isOpen == false)
        let request = try #require(transport.requests.first)
        #expect(request.security == .publicTLS)
        #expect(request.url.absoluteString == "https://provider.example/ddc/v1/connections/conn_1/accounts")
        #expect(request.headerFields[.authorization] == "Bearer stub-key")
    }

    @Test func unreadableAnswersAreInvalidResponses() async throws {
        for body in ["not json", #"{"accounts": "none"}"#, "[]"] {
            let client = DDCClient(
                configuration: StubTransport.configuration, transport: StubTransport { _ in StubTransport.json(body) })
            let error = await ddcError { _ = try await client.accounts(connection: DDCConnectionID(rawValue: "c")) }
            #expect(error?.code == .invalidResponse)
        }
        let serverError = DDCClient(
            configuration: StubTransport.configuration,
            transport: StubTransport { _ in StubTransport.json("<html>oops</html>", status: .badGateway) })
        let error = await ddcError { _ = try await serverError.institutions() }
        #expect(error?.code == .providerError)
        #expect(error?.httpStatus == 502)
    }

    @Test func malformedAndRepeatedTransactionsAreSkipped() async throws {
        let transport = StubTransport { request in
            let cursor = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?
                .first { $0.name == "cursor" }?.value
            switch cursor {
            case nil:
                return StubTransport.json(
                    #"""
                    {"transactions": [
                      {"transaction_id": "t1", "timestamp": 1700000000, "amount_cents": -500, "narrative": "Coffee"},
                      {"transaction_id": "t2", "amount_cents": "lots"},
                      {"transaction_id": "t3", "date": "2023-11-14", "amount_cents": 12000, "pending": true}
                    ], "next_cursor": "c2"}
                    """#)
            default:
                return StubTransport.json(
                    #"""
                    {"transactions": [
                      {"transaction_id": "t3", "date": "2023-11-14", "amount_cents": 12000, "pending": true},
                      {"transaction_id": "t4", "date": "bad", "amount_cents": 1},
                      {"transaction_id": "t5", "date": "2023-11-13", "amount_cents": 7, "reference": ""}
                    ], "next_cursor": null}
                    """#)
            }
        }
        let client = DDCClient(configuration: StubTransport.configuration, transport: transport)
        var captured: [DDCTransaction] = []
        for try await transaction in client.transactions(connection: DDCConnectionID(rawValue: "c"), accountID: "a") {
            captured.append(transaction)
        }
        #expect(captured.map(\.id) == ["t1", "t3", "t5"])
        #expect(captured[0].date == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(captured[0].amount == Decimal(-5))
        #expect(captured[1].status == .pending)
        #expect(captured[1].date == Date(timeIntervalSince1970: 1_699_920_000))
        #expect(captured[2].reference == nil)
        #expect(transport.requests.count == 2)
        #expect(transport.requests[0].url.query?.contains("limit=2") == true)
    }

    @Test func aRepeatedCursorEndsTheWalkAfterThePageItCameWith() async throws {
        let transport = StubTransport { request in
            let page = (request.url.query ?? "").contains("cursor=") ? "2" : "1"
            return StubTransport.json(
                #"{"transactions": [{"transaction_id": "t\#(page)", "timestamp": 1, "amount_cents": 1}], "next_cursor": "same"}"#
            )
        }
        let client = DDCClient(configuration: StubTransport.configuration, transport: transport)
        var ids: [String] = []
        let error = await ddcError {
            for try await transaction in client.transactions(connection: DDCConnectionID(rawValue: "c"), accountID: "a")
            {
                ids.append(transaction.id)
            }
        }
        #expect(error?.code == .paginationLoop)
        #expect(ids == ["t1", "t2"])
        #expect(transport.requests.count == 2)
    }

    @Test func aWalkStopsAtTheConfiguredPageLimit() async throws {
        let counter = Mutex(0)
        let transport = StubTransport { _ in
            let page = counter.withLock { count in
                count += 1
                return count
            }
            return StubTransport.json(
                #"{"transactions": [{"transaction_id": "t\#(page)", "timestamp": 1, "amount_cents": 1}], "next_cursor": "c\#(page)"}"#
            )
        }
        let client = DDCClient(configuration: StubTransport.configuration, transport: transport)
        var count = 0
        let error = await ddcError {
            for try await _ in client.transactions(connection: DDCConnectionID(rawValue: "c"), accountID: "a") {
                count += 1
            }
        }
        #expect(error?.code == .paginationLimitReached)
        #expect(count == 5)
        #expect(transport.requests.count == 5)
    }

    @Test func aFailedJobWithAnUnknownReasonIsAJobFailure() async throws {
        let transport = StubTransport { _ in
            StubTransport.json(
                #"""
                {"job_id": "job_1", "status": "failed",
                 "steps": [{"name": "verify_credentials", "status": "completed"},
                           {"name": "retrieve_accounts", "status": "failed"}],
                 "failure": {"code": "scraper_broke", "message": "selector not found for user customer-1"}}
                """#)
        }
        let client = DDCClient(configuration: StubTransport.configuration, transport: transport)
        var events: [DDCJobEvent] = []
        for try await event in client.events(of: DDCJobID(rawValue: "job_1")) { events.append(event) }
        #expect(events.map(\.kind) == [.stepStarted, .stepCompleted, .stepStarted, .failed])
        let error = try #require(events.last?.error)
        #expect(error.code == .jobFailed)
        #expect(error.providerCode == "scraper_broke")
        // The provider's message is not carried into the error.
        #expect(!"\(error)".contains("customer-1"))
    }

    @Test func runJobStopsAskingAfterFiveRejectedAnswers() async throws {
        let transport = StubTransport { request in
            let path = request.url.path
            if path.hasSuffix("/jobs") {
                return StubTransport.json(#"{"job_id": "job_1", "status": "in_progress"}"#, status: .created)
            }
            if path.contains("/challenges/") {
                return StubTransport.json(
                    #"{"error": {"code": "incorrect_answer", "message": "no"}}"#, status: .unprocessableContent)
            }
            return StubTransport.json(
                #"""
                {"job_id": "job_1", "status": "awaiting_input",
                 "steps": [{"name": "verify_credentials", "status": "awaiting_input"}],
                 "challenge": {"challenge_id": "chl_1", "type": "one_time_code", "prompt": "Code?"}}
                """#)
        }
        let client = DDCClient(configuration: StubTransport.configuration, transport: transport)
        let asked = Mutex(0)
        let error = await ddcError {
            try await client.runJob(connection: DDCConnectionID(rawValue: "conn_1")) { _ in
                asked.withLock { $0 += 1 }
                return .oneTimeCode("123456")
            }
        }
        #expect(error?.code == .challengeRejected)
        #expect(asked.withLock { $0 } == 5)
        #expect(transport.requests.filter { $0.url.path.contains("/challenges/") }.count == 5)
    }
}
