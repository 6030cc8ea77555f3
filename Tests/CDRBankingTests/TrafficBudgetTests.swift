import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Synchronization
import Testing

/// A clock the test moves: `sleep` records the requested duration and moves the clock on by it, so nothing waits
/// for real.
final class ManualClock: Sendable {
    private struct State {
        var now: Date
        var sleeps: [Duration] = []
    }
    private let state: Mutex<State>

    init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { state = Mutex(State(now: start)) }

    var now: Date { state.withLock { $0.now } }
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func advance(by seconds: TimeInterval) { state.withLock { $0.now = $0.now.addingTimeInterval(seconds) } }

    func sleep(_ duration: Duration) {
        state.withLock {
            $0.sleeps.append(duration)
            let (seconds, attoseconds) = duration.components
            $0.now = $0.now.addingTimeInterval(TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18)
        }
    }

    func budget(_ limits: UnattendedTrafficBudget.Limits = .init()) -> UnattendedTrafficBudget {
        UnattendedTrafficBudget(limits: limits, now: { self.now }, sleep: { self.sleep($0) })
    }
}

/// A request as the budget middleware sees it: after the bearer-token middleware.
func budgetRequest(token: String?, customerIP: String? = nil, security: EndpointSecurity = .mutualTLS)
    -> TransportRequest
{
    var fields = HTTPFields()
    if let token { fields[.authorization] = "Bearer " + token }
    if let customerIP { fields[.fapiCustomerIPAddress] = customerIP }
    return TransportRequest(
        method: .get, url: URL(string: "https://holder.example/cds-au/v1/common/customer")!, headerFields: fields,
        security: security, operation: "getCustomer")
}

/// A transport that answers 200 to everything and records what reached it.
func okTransport() -> RecordingTransport { RecordingTransport { _ in TransportResponse(status: .ok) } }

@Suite("The unattended traffic budget", .timeLimit(.minutes(5)))
struct TrafficBudgetTests {
    @Test("Under the default limits the 6th call within a second waits for the window, and is not refused")
    func sixthCallWaits() async throws {
        let clock = ManualClock()
        let budget = clock.budget()
        for _ in 0..<5 { try await budget.admit(accessToken: "session-a") }
        #expect(clock.sleeps.isEmpty, "five calls a second are within the limit")
        try await budget.admit(accessToken: "session-a")
        #expect(clock.sleeps.count == 1, "the sixth call waited once")
        let waited = try #require(clock.sleeps.first)
        #expect(waited > .zero && waited <= .seconds(1))
        let usage = await budget.usage
        #expect(usage.waited == 1)
        #expect(usage.refused == 0)
        #expect(usage.callsInSession == 6)
        #expect(usage.sessionsToday == 1)
    }

    @Test("Calls spread over time never wait")
    func spreadCallsDoNotWait() async throws {
        let clock = ManualClock()
        let budget = clock.budget()
        for _ in 0..<20 {
            try await budget.admit(accessToken: "session-a")
            clock.advance(by: 0.25)
        }
        #expect(clock.sleeps.isEmpty)
        #expect(await budget.usage.waited == 0)
    }

    @Test("With maximumWait zero the 6th call is refused with .trafficBudgetExceeded and nothing reaches the transport")
    func refuseInsteadOfWaiting() async throws {
        let clock = ManualClock()
        let budget = clock.budget(.init(maximumWait: .zero))
        let transport = okTransport()
        let chain = MiddlewareTransport(transport, middlewares: [TrafficBudgetMiddleware(budget: budget)])
        for _ in 0..<5 { _ = try await chain.send(budgetRequest(token: "session-a")) }
        let error = await #expect(throws: DataHolderError.self) {
            _ = try await chain.send(budgetRequest(token: "session-a"))
        }
        #expect(error?.code == .trafficBudgetExceeded)
        #expect(error?.operation == "getCustomer")
        #expect(error?.status == nil, "nothing was sent, so there is no status")
        let leaks = error.map { allText(of: $0).contains("session-a") } ?? true
        #expect(!leaks)
        #expect(transport.requests.count == 5)
        #expect(clock.sleeps.isEmpty)
        #expect(await budget.usage.refused == 1)
        // A second later there is room again.
        clock.advance(by: 1)
        _ = try await chain.send(budgetRequest(token: "session-a"))
        #expect(transport.requests.count == 6)
    }

    @Test("A session (one access token) makes at most 100 calls; the 101st is refused, a new session is admitted")
    func callsPerSession() async throws {
        let clock = ManualClock()
        let budget = clock.budget()
        for _ in 0..<100 { try await budget.admit(accessToken: "session-a") }
        #expect(await budget.usage.callsInSession == 100)
        let sleepsBefore = clock.sleeps.count
        clock.advance(by: 60)
        let error = await #expect(throws: DataHolderError.self) { try await budget.admit(accessToken: "session-a") }
        #expect(error?.code == .trafficBudgetExceeded)
        #expect(clock.sleeps.count == sleepsBefore, "a spent session is refused at once, not waited for")
        #expect(await budget.usage.refused == 1)
        try await budget.admit(accessToken: "session-b")
        #expect(await budget.usage.callsInSession == 1)
        #expect(await budget.usage.sessionsToday == 2)
    }

    @Test("At most 20 sessions a day: the 21st distinct token is refused, admitted a day later")
    func sessionsPerDay() async throws {
        let clock = ManualClock()
        let budget = clock.budget()
        for session in 1...20 {
            try await budget.admit(accessToken: "session-\(session)")
            clock.advance(by: 600)
        }
        #expect(await budget.usage.sessionsToday == 20)
        let error = await #expect(throws: DataHolderError.self) { try await budget.admit(accessToken: "session-21") }
        #expect(error?.code == .trafficBudgetExceeded)
        #expect(clock.sleeps.isEmpty, "a day's wait is beyond maximumWait: refused, not slept")
        // A session already counted today may go on.
        try await budget.admit(accessToken: "session-20")
        clock.advance(by: 86_400)
        try await budget.admit(accessToken: "session-21")
        #expect(await budget.usage.sessionsToday == 1)
        #expect(await budget.usage.refused == 1)
    }

    @Test("The day is a sliding 24 hours: room opens when the oldest session ages out")
    func slidingDay() async throws {
        let clock = ManualClock()
        let budget = clock.budget(.init(sessionsPerDay: 2, maximumWait: .zero))
        try await budget.admit(accessToken: "one")
        clock.advance(by: 3_600)
        try await budget.admit(accessToken: "two")
        clock.advance(by: 86_400 - 3_600 - 1)
        await #expect(throws: DataHolderError.self) { try await budget.admit(accessToken: "three") }
        clock.advance(by: 1)
        try await budget.admit(accessToken: "three")
        #expect(await budget.usage.sessionsToday == 2)
    }

    @Test("Customer-present, public and token-less calls pass the middleware without being counted")
    func attendedCallsAreNotCounted() async throws {
        let clock = ManualClock()
        let budget = clock.budget(.init(sessionsPerDay: 1, callsPerSession: 1, callsPerSecond: 1, maximumWait: .zero))
        let transport = okTransport()
        let chain = MiddlewareTransport(transport, middlewares: [TrafficBudgetMiddleware(budget: budget)])
        for _ in 0..<10 {
            _ = try await chain.send(budgetRequest(token: "session-a", customerIP: "203.0.113.7"))
            _ = try await chain.send(budgetRequest(token: nil, security: .publicTLS))
            _ = try await chain.send(budgetRequest(token: nil))
        }
        #expect(transport.requests.count == 30)
        let usage = await budget.usage
        #expect(usage.callsInSession == 0)
        #expect(usage.sessionsToday == 0)
        // The single unattended call the limits allow is still there.
        _ = try await chain.send(budgetRequest(token: "session-a"))
        await #expect(throws: DataHolderError.self) { _ = try await chain.send(budgetRequest(token: "session-a")) }
        #expect(transport.requests.count == 31)
        // And customer-present calls go on after the unattended budget is spent.
        _ = try await chain.send(budgetRequest(token: "session-a", customerIP: "203.0.113.7"))
        #expect(transport.requests.count == 32)
    }

    @Test(
        "Live: the budget after the bearer-token middleware refuses the call beyond the session's limit",
        .timeLimit(.minutes(5)))
    func liveBudget() async throws {
        let clock = ManualClock()
        let budget = clock.budget(.init(callsPerSession: 3, maximumWait: .zero))
        try await LiveBanking.run(middlewares: { _ in [TrafficBudgetMiddleware(budget: budget)] }) { live in
            let client = try live.client(pageSize: 5)
            let pages = try await allPages(client.accounts())
            #expect(pages.count == 3)
            #expect(live.recording.requests.count == 3)
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.customer() }
            #expect(error?.code == .trafficBudgetExceeded)
            #expect(error?.operation == "getCustomer")
            #expect(live.recording.requests.count == 3, "the refused call never reached the holder")
            #expect(live.recording.requests(pathSuffix: "/common/customer").isEmpty)
            let leaks = error.map { allText(of: $0).contains(live.grant.accessToken) } ?? true
            #expect(!leaks)

            // Customer-present calls are outside the unattended budget.
            let attended = client.with(
                context: .attended(
                    authenticatedAt: live.authenticatedAt, customerIPAddress: "203.0.113.7",
                    clientHeaders: [.userAgent: "test"]))
            let customer = try await attended.customer()
            #expect(customer.body == live.customer.customer())
            #expect(await budget.usage.refused == 1)
        }
    }

    @Test("Live: a walk that runs out of budget delivers the pages it could read, then throws", .timeLimit(.minutes(5)))
    func liveBudgetMidWalk() async throws {
        let clock = ManualClock()
        let budget = clock.budget(.init(callsPerSession: 2, maximumWait: .zero))
        try await LiveBanking.run(middlewares: { _ in [TrafficBudgetMiddleware(budget: budget)] }) { live in
            var iterator = try live.client(pageSize: 5).accounts().pages.makeAsyncIterator()
            #expect(try await iterator.next()?.number == 1)
            #expect(try await iterator.next()?.number == 2)
            let error = await #expect(throws: DataHolderError.self) { _ = try await iterator.next() }
            #expect(error?.code == .trafficBudgetExceeded)
            #expect(live.recording.requests.count == 2)
        }
    }
}
