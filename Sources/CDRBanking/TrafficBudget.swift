public import CDRTransport
public import Foundation
import HTTPTypes

/// The unattended traffic thresholds of the standard's non-functional requirements, kept by the recipient so the
/// holder never has to throttle it: a number of sessions a day per customer and software product, a number of calls
/// per session, and calls per second per session.
///
/// A *session* is the life of one access token; the budget tells sessions apart by the bearer token each call
/// carries (it keeps only a salted hash of it). Only unattended calls count: those over mutual TLS without
/// `x-fapi-customer-ip-address`. Customer-present calls pass untouched.
///
/// When a call would break a limit, the budget waits if the limit frees up within ``Limits/maximumWait`` (the
/// calls-per-second window, or a day's oldest session ageing out), and otherwise refuses with
/// ``DataHolderError/Code/trafficBudgetExceeded`` without sending anything. Use one budget per arrangement (the
/// transport chain that carries the arrangement's token), after the bearer-token middleware:
///
/// ```swift
/// let budget = UnattendedTrafficBudget()
/// let transport = MiddlewareTransport(base, middlewares: [
///     InteractionIDMiddleware(), BearerTokenMiddleware(provider: tokens), TrafficBudgetMiddleware(budget: budget),
///     RetryMiddleware(),
/// ])
/// ```
public actor UnattendedTrafficBudget {
    /// The thresholds.
    public struct Limits: Sendable, Hashable {
        /// Sessions (access tokens) a day; the standard's unattended threshold is 20.
        public var sessionsPerDay: Int
        /// Calls in one session; the standard's threshold is 100.
        public var callsPerSession: Int
        /// Calls a second in one session; the standard's threshold is 5.
        public var callsPerSecond: Int
        /// The longest the budget waits for a limit to free up before refusing.
        public var maximumWait: Duration

        /// Creates limits; the defaults are the standard's unattended thresholds.
        public init(
            sessionsPerDay: Int = 20, callsPerSession: Int = 100, callsPerSecond: Int = 5,
            maximumWait: Duration = .seconds(5)
        ) {
            self.sessionsPerDay = max(1, sessionsPerDay)
            self.callsPerSession = max(1, callsPerSession)
            self.callsPerSecond = max(1, callsPerSecond)
            self.maximumWait = maximumWait
        }
    }

    /// How much of the budget is used.
    public struct Usage: Sendable, Hashable {
        /// Sessions started in the last 24 hours.
        public var sessionsToday: Int
        /// Calls in the current session.
        public var callsInSession: Int
        /// Calls refused so far.
        public var refused: Int
        /// Calls that had to wait.
        public var waited: Int
    }

    /// The thresholds.
    public let limits: Limits
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private let salt = UInt64.random(in: .min ... .max)
    /// Session start times in the last day, by token hash.
    private var sessions: [(token: Int, started: Date)] = []
    private var callsBySession: [Int: Int] = [:]
    private var recentCalls: [Int: [Date]] = [:]
    private var current: Int?
    private var refused = 0
    private var waited = 0

    /// Creates a budget.
    /// - Parameters:
    ///   - limits: The thresholds.
    ///   - now: The clock (for tests).
    ///   - sleep: How to wait (for tests).
    public init(
        limits: Limits = Limits(), now: @escaping @Sendable () -> Date = { Date() },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.limits = limits
        self.now = now
        self.sleep = sleep
    }

    /// The budget used so far.
    public var usage: Usage {
        Usage(
            sessionsToday: sessions.count, callsInSession: current.flatMap { callsBySession[$0] } ?? 0,
            refused: refused, waited: waited)
    }

    /// Admits one call in the session of `accessToken`: waits for room or throws.
    /// - Parameters:
    ///   - accessToken: The bearer token the call carries (only a salted hash is kept).
    ///   - operation: The operation, for the error.
    /// - Throws: ``DataHolderError`` with ``DataHolderError/Code/trafficBudgetExceeded``.
    public func admit(accessToken: String, operation: String? = nil) async throws {
        var hasher = Hasher()
        hasher.combine(salt)
        hasher.combine(accessToken)
        let token = hasher.finalize()
        var hasWaited = false
        while true {
            let time = now()
            sessions.removeAll { time.timeIntervalSince($0.started) >= 86_400 }
            let known = sessions.contains { $0.token == token }
            if !known, sessions.count >= limits.sessionsPerDay {
                let frees = sessions[0].started.addingTimeInterval(86_400).timeIntervalSince(time)
                try await wait(seconds: frees, operation: operation, limit: "\(limits.sessionsPerDay) sessions a day")
                hasWaited = true
                continue
            }
            let calls = known ? callsBySession[token] ?? 0 : 0
            if calls >= limits.callsPerSession {
                refused += 1
                throw DataHolderError(
                    .trafficBudgetExceeded, operation: operation,
                    reason: "the session has made its \(limits.callsPerSession) unattended calls; a new session "
                        + "(access token) is needed")
            }
            var window = (recentCalls[token] ?? []).filter { time.timeIntervalSince($0) < 1 }
            if window.count >= limits.callsPerSecond {
                let frees = window[0].addingTimeInterval(1).timeIntervalSince(time)
                recentCalls[token] = window
                try await wait(seconds: frees, operation: operation, limit: "\(limits.callsPerSecond) calls a second")
                hasWaited = true
                continue
            }
            if !known {
                sessions.append((token, time))
                callsBySession = callsBySession.filter { entry in sessions.contains { $0.token == entry.key } }
                recentCalls = recentCalls.filter { entry in sessions.contains { $0.token == entry.key } }
            }
            current = token
            callsBySession[token] = calls + 1
            window.append(time)
            recentCalls[token] = window
            if hasWaited { waited += 1 }
            return
        }
    }

    private func wait(seconds: TimeInterval, operation: String?, limit: String) async throws {
        let delay = Duration.milliseconds(Int64((max(seconds, 0) * 1000).rounded(.up)))
        guard delay <= limits.maximumWait else {
            refused += 1
            throw DataHolderError(
                .trafficBudgetExceeded, operation: operation,
                reason: "the unattended limit of \(limit) is reached; room in \(Int(seconds.rounded(.up))) s")
        }
        try await sleep(max(delay, .milliseconds(1)))
    }
}

/// Keeps unattended calls within an ``UnattendedTrafficBudget``; put it after the bearer-token middleware so it
/// sees the token of each call.
public struct TrafficBudgetMiddleware: TransportMiddleware {
    /// The budget.
    public let budget: UnattendedTrafficBudget

    /// Creates the middleware.
    public init(budget: UnattendedTrafficBudget) { self.budget = budget }

    /// Admits unattended authenticated calls through the budget; passes every other call.
    public func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse {
        guard request.security == .mutualTLS, request.headerFields[.fapiCustomerIPAddress] == nil,
            let authorization = request.headerFields[.authorization], authorization.hasPrefix("Bearer ")
        else { return try await next(request) }
        try await budget.admit(accessToken: String(authorization.dropFirst(7)), operation: request.operation)
        return try await next(request)
    }
}
