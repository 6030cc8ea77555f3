public import CDRModels
public import Foundation
import HTTPTypes
public import Logging

/// Retries idempotent requests after `429`, `503`, `504` and connection failures, honouring `Retry-After`.
///
/// A request whose ``TransportRequest/isIdempotent`` is `false` (every `POST`, such as token and PAR) is never sent
/// twice. When the attempts run out, or the server asks to wait longer than ``Policy/maximumRetryAfter``, the last
/// response is returned as it is, so the caller sees the status and the `Retry-After` it carried.
public struct RetryMiddleware: TransportMiddleware {
    /// When and how long to wait.
    public struct Policy: Sendable {
        /// The most times one request is sent, the first included.
        public var maximumAttempts: Int
        /// The first wait when the server gives no `Retry-After`; doubled after each attempt.
        public var initialBackoff: Duration
        /// The longest computed wait.
        public var maximumBackoff: Duration
        /// The longest `Retry-After` honoured; a server asking for more gets its response handed back instead.
        public var maximumRetryAfter: Duration
        /// The statuses that are retried.
        public var retryableStatuses: Set<Int>
        /// The transport failures that are retried.
        public var retryableErrors: Set<TransportError.Code>

        /// Creates a policy.
        /// - Parameters:
        ///   - maximumAttempts: Total sends, 3 by default.
        ///   - initialBackoff: First wait without `Retry-After`, 250 ms by default.
        ///   - maximumBackoff: Longest computed wait, 10 s by default.
        ///   - maximumRetryAfter: Longest `Retry-After` honoured, 60 s by default.
        ///   - retryableStatuses: 429, 503 and 504 by default.
        ///   - retryableErrors: Connection failures, closed connections and timeouts by default.
        public init(
            maximumAttempts: Int = 3, initialBackoff: Duration = .milliseconds(250),
            maximumBackoff: Duration = .seconds(10), maximumRetryAfter: Duration = .seconds(60),
            retryableStatuses: Set<Int> = [429, 503, 504],
            retryableErrors: Set<TransportError.Code> = [.connectFailed, .connectionClosed, .timeout]
        ) {
            self.maximumAttempts = max(1, maximumAttempts)
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.maximumRetryAfter = maximumRetryAfter
            self.retryableStatuses = retryableStatuses
            self.retryableErrors = retryableErrors
        }
    }

    /// The policy.
    public let policy: Policy
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates the middleware.
    /// - Parameters:
    ///   - policy: When and how long to wait.
    ///   - logger: Each retry is logged at `info` with the interaction id, status and wait.
    ///   - sleep: Waits; `Task.sleep(for:)` by default. Cancellation while waiting ends the call.
    public init(
        policy: Policy = Policy(), logger: Logger = .cdrDisabled,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.policy = policy
        self.logger = logger
        self.sleep = sleep
    }

    /// Sends the request, again after a retryable failure when it is idempotent.
    /// - Parameters:
    ///   - request: The request.
    ///   - next: The rest of the chain.
    /// - Returns: The first non-retryable response, or the last one.
    /// - Throws: The last ``TransportError`` when every attempt failed without a response; `CancellationError`.
    public func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse {
        guard request.isIdempotent else { return try await next(request) }
        var attempt = 1
        while true {
            let wait: Duration
            do {
                let response = try await next(request)
                guard attempt < policy.maximumAttempts, policy.retryableStatuses.contains(response.status.code) else {
                    return response
                }
                if let retryAfter = Self.retryAfter(response.headerFields[.retryAfter], now: Date()) {
                    guard retryAfter <= policy.maximumRetryAfter else { return response }
                    wait = retryAfter
                } else {
                    wait = backoff(after: attempt)
                }
                log(request, attempt: attempt, wait: wait, cause: "\(response.status.code)")
            } catch let error as TransportError where policy.retryableErrors.contains(error.code) {
                guard attempt < policy.maximumAttempts else { throw error }
                wait = backoff(after: attempt)
                log(request, attempt: attempt, wait: wait, cause: "\(error.code)")
            }
            try await sleep(wait)
            attempt += 1
        }
    }

    /// Exponential backoff with jitter: between half and all of `initialBackoff × 2^(attempt-1)`, capped.
    func backoff(after attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 20)
        let full = min(policy.initialBackoff * (1 << exponent), policy.maximumBackoff)
        return full / 2 + full / 2 * Double.random(in: 0...1)
    }

    private func log(_ request: TransportRequest, attempt: Int, wait: Duration, cause: String) {
        logger.info(
            "Retrying CDR request",
            metadata: [
                "cdr.interaction_id": "\(request.interactionID ?? "-")", "cdr.operation": "\(request.operation ?? "-")",
                "cdr.path": "\(request.url.path)", "cdr.attempt": "\(attempt)", "cdr.cause": "\(cause)",
                "cdr.wait_ms": "\(wait.wholeMilliseconds)",
            ])
    }

    /// Reads `Retry-After` (RFC 9110 §10.2.3): whole seconds or an HTTP-date.
    /// - Parameters:
    ///   - value: The header value.
    ///   - now: The current time, for the HTTP-date form.
    /// - Returns: The wait (zero for a date in the past), or `nil` when absent or malformed.
    public static func retryAfter(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.allSatisfy(\.isASCIIDigit) {
            // Too large for an Int still means "wait very long": saturate, so the policy hands the response back.
            return .seconds(Int(value) ?? Int(Int32.max))
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now).rounded(.up)))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
