public import Logging

extension MiddlewareTransport {
    /// The chain every CDRKit client should talk through: an `x-fapi-interaction-id` on every call, one debug log
    /// line per attempt, and retries of idempotent calls after 429, 503, 504 and connection failures.
    ///
    /// ```swift
    /// let transport = MiddlewareTransport.standard(asyncHTTPClientTransport, logger: logger)
    /// ```
    /// - Parameters:
    ///   - base: The transport that does the I/O.
    ///   - logger: Where requests and retries are logged; silent by default.
    ///   - retry: The retry policy.
    /// - Returns: `InteractionIDMiddleware` → `RetryMiddleware` → `LoggingMiddleware` → `base`.
    public static func standard(
        _ base: any HTTPTransport,
        logger: Logger = Logger(label: "cdr-do-not-log", factory: { _ in SwiftLogNoOpLogHandler() }),
        retry: RetryMiddleware.Policy = .init()
    ) -> MiddlewareTransport {
        MiddlewareTransport(
            base,
            middlewares: [
                InteractionIDMiddleware(), RetryMiddleware(policy: retry, logger: logger), LoggingMiddleware(logger: logger),
            ])
    }
}
