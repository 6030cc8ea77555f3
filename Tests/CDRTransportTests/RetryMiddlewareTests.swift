import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import CDRTransport

/// Records the waits the middleware asks for instead of sleeping, so the tests stay fast.
final class SleepRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])
    var recorded: [Duration] { waits.withLock { $0 } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in waits.withLock { $0.append(duration) } }
    }
}

/// The chain the brief asks for: interaction ids outermost, then retries, then a recorder that sees every attempt.
struct RetryChain {
    let transport: MiddlewareTransport
    let attempts: RecordingTransport
    let sleeps: SleepRecorder

    init(_ base: any HTTPTransport, policy: RetryMiddleware.Policy = .init()) {
        let attempts = RecordingTransport(recording: base)
        let sleeps = SleepRecorder()
        self.attempts = attempts
        self.sleeps = sleeps
        self.transport = MiddlewareTransport(
            attempts, middlewares: [InteractionIDMiddleware(), RetryMiddleware(policy: policy, sleep: sleeps.sleep)])
    }

    var statuses: [Int?] { attempts.exchanges.map { $0.response?.status.code } }
}

@Suite(.timeLimit(.minutes(5))) struct RetryMiddlewareTests {
    // MARK: - Retry-After parsing

    @Test func retryAfterReadsDelaySeconds() {
        let now = Date()
        #expect(RetryMiddleware.retryAfter("120", now: now) == .seconds(120))
        #expect(RetryMiddleware.retryAfter(" 0 ", now: now) == .zero)
        #expect(RetryMiddleware.retryAfter("1", now: now) == .seconds(1))
    }

    @Test func retryAfterReadsHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(RetryMiddleware.retryAfter(HTTPDate.format(now.addingTimeInterval(30)), now: now) == .seconds(30))
        #expect(RetryMiddleware.retryAfter(HTTPDate.format(now.addingTimeInterval(-30)), now: now) == .zero)
        #expect(RetryMiddleware.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .zero)
    }

    @Test(arguments: [nil, "", "  ", "soon", "-1", "1.5", "+5", "0x10", "Sunday 06-Nov-94"])
    func retryAfterRejectsGarbage(_ value: String?) {
        #expect(RetryMiddleware.retryAfter(value, now: Date()) == nil)
    }

    @Test func retryAfterTooLargeForAnIntMeansWaitLong() {
        let wait = RetryMiddleware.retryAfter("99999999999999999999999", now: Date())
        #expect(wait.map { $0 > RetryMiddleware.Policy().maximumRetryAfter } == true)
    }

    @Test func backoffGrowsAndStaysCapped() {
        let middleware = RetryMiddleware(
            policy: .init(initialBackoff: .milliseconds(100), maximumBackoff: .milliseconds(300)))
        for _ in 0..<20 {
            let first = middleware.backoff(after: 1)
            #expect(first >= .milliseconds(50) && first <= .milliseconds(100))
            let third = middleware.backoff(after: 3)
            #expect(third >= .milliseconds(150) && third <= .milliseconds(300))
            #expect(middleware.backoff(after: 60) <= .milliseconds(300))
        }
    }

    // MARK: - Live, against the mock holder

    @Test(.timeLimit(.minutes(5))) func aGetIsRetriedAfterA429WithRetryAfter() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let chain = RetryChain(base)
            holder.faults.inject(.throttle(retryAfter: 1), on: .resources, times: 1)
            let response = try await chain.transport.send(try Live.accountsRequest(holder))
            #expect(response.status == .ok)
            #expect(chain.statuses == [429, 200])
            #expect(chain.sleeps.recorded == [.seconds(1)])
        }
    }

    @Test(.timeLimit(.minutes(5))) func aGetIsRetriedAfterA503WithRetryAfter() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let chain = RetryChain(base)
            holder.faults.inject(.serverError(status: 503, retryAfter: 2), on: .resources, times: 1)
            let response = try await chain.transport.send(try Live.productsRequest(holder))
            #expect(response.status == .ok)
            #expect(chain.statuses == [503, 200])
            #expect(chain.sleeps.recorded == [.seconds(2)])
        }
    }

    @Test(.timeLimit(.minutes(5))) func aPostIsNeverRetried() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let chain = RetryChain(base)
            holder.faults.inject(.throttle(retryAfter: 1), on: .resources, times: 1)
            var request = try Live.accountsRequest(holder)
            request.method = .post
            request.url = try Live.url(try Live.endpoints(holder).resourceBaseURL + "/banking/accounts/balances")
            request.isIdempotent = false
            request.body = Data(#"{"data":{"accountIds":[]}}"#.utf8)
            request.headerFields[.contentType] = "application/json"
            let response = try await chain.transport.send(request)
            #expect(response.status == .tooManyRequests)
            #expect(response.headerFields[.retryAfter] == "1")
            #expect(chain.statuses == [429])
            #expect(chain.sleeps.recorded.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(5))) func aRetryAfterAboveTheMaximumIsHandedBack() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let chain = RetryChain(base, policy: .init(maximumRetryAfter: .seconds(60)))
            holder.faults.inject(.throttle(retryAfter: 120), on: .resources, times: 1)
            let response = try await chain.transport.send(try Live.accountsRequest(holder))
            #expect(response.status == .tooManyRequests)
            #expect(response.headerFields[.retryAfter] == "120")
            #expect(chain.statuses == [429])
            #expect(chain.sleeps.recorded.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(5))) func exhaustedAttemptsReturnTheLastResponse() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let chain = RetryChain(base, policy: .init(maximumAttempts: 3))
            holder.faults.inject(.serverError(status: 503, retryAfter: nil), on: .resources, times: 5)
            let response = try await chain.transport.send(try Live.accountsRequest(holder))
            #expect(response.status == .serviceUnavailable)
            #expect(chain.statuses == [503, 503, 503])
            #expect(chain.sleeps.recorded.count == 2, "no wait after the last attempt")
            #expect(chain.sleeps.recorded.allSatisfy { $0 > .zero && $0 <= .milliseconds(500) })
        }
    }

    @Test(.timeLimit(.minutes(5))) func nonRetryableStatusesAreReturnedAtOnce() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let chain = RetryChain(base)
            holder.faults.inject(.serverError(status: 500, retryAfter: 1), on: .resources, times: 1)
            let response = try await chain.transport.send(try Live.accountsRequest(holder))
            #expect(response.status == .internalServerError)
            #expect(chain.statuses == [500])
        }
    }

    @Test(.timeLimit(.minutes(5))) func connectionFailuresAreRetriedForIdempotentRequestsThenThrown() async throws {
        try await withClosedLoopbackPort { port in
            try await AsyncHTTPClientTransport.withTransport(configuration: .init()) { base in
                let chain = RetryChain(base, policy: .init(maximumAttempts: 3))
                let url = try Live.url("https://127.0.0.1:\(port)/x")
                let get = TransportRequest(method: .get, url: url, security: .publicTLS)
                let error = try await #require(throws: TransportError.self) { try await chain.transport.send(get) }
                #expect(error.code == .connectFailed)
                #expect(chain.statuses == [nil, nil, nil])
                let codes = chain.attempts.exchanges.map { ($0.error as? TransportError)?.code }
                #expect(codes == [.connectFailed, .connectFailed, .connectFailed])
                #expect(chain.sleeps.recorded.count == 2)
                let ids = Set(chain.attempts.requests.compactMap(\.interactionID))
                #expect(ids.count == 1 && error.interactionID == ids.first)

                chain.attempts.reset()
                let post = TransportRequest(method: .post, url: url, body: Data("a=1".utf8), security: .publicTLS)
                await #expect(throws: TransportError.self) { try await chain.transport.send(post) }
                #expect(chain.statuses == [nil], "a POST is sent once")
            }
        }
    }

    @Test func otherErrorsAreNotRetried() async throws {
        let chain = RetryChain(
            RecordingTransport { request in
                throw TransportError(.serverCertificateUntrusted, request: request)
            })
        let request = TransportRequest(method: .get, url: try Live.url("https://holder.example/x"))
        let error = try await #require(throws: TransportError.self) { try await chain.transport.send(request) }
        #expect(error.code == .serverCertificateUntrusted)
        #expect(chain.attempts.exchanges.count == 1)
    }
}
