public import CDRModels
public import Logging

extension MiddlewareTransport {
    /// The chain every CDRKit call goes through, composed here and nowhere else.
    ///
    /// Outermost first: an `x-fapi-interaction-id` on every call (so retries and log lines share it), the access
    /// token, the traffic budget, retries of idempotent calls (429 after `Retry-After`, 503, 504, connection
    /// failures), one debug log line per attempt, and the holder's clock correction from each response's `Date`.
    ///
    /// ```swift
    /// let transport = MiddlewareTransport.standard(asyncHTTPClientTransport, logger: logger)
    /// ```
    /// - Parameters:
    ///   - base: The transport that does the I/O.
    ///   - logger: Where requests and retries are logged; silent by default.
    ///   - retry: The retry policy.
    ///   - accessTokens: Where the bearer token comes from, for resource calls; none by default.
    ///   - trafficBudget: A middleware that admits or delays unattended calls (`CDRBanking`'s
    ///     `TrafficBudgetMiddleware`); none by default.
    ///   - clockCorrection: A middleware that reads each response's `Date` into a holder's clock (`CDRAuth`'s
    ///     `ClockCorrectionMiddleware`); none by default.
    /// - Returns: `InteractionIDMiddleware` → `BearerTokenMiddleware` → traffic budget → `RetryMiddleware` →
    ///   `LoggingMiddleware` → clock correction → `base`, without the parts not given.
    public static func standard(
        _ base: any HTTPTransport, logger: Logger = .cdrDisabled, retry: RetryMiddleware.Policy = .init(),
        accessTokens: (any AccessTokenProvider)? = nil, trafficBudget: (any TransportMiddleware)? = nil,
        clockCorrection: (any TransportMiddleware)? = nil
    ) -> MiddlewareTransport {
        var middlewares: [any TransportMiddleware] = [InteractionIDMiddleware()]
        if let accessTokens { middlewares.append(BearerTokenMiddleware(provider: accessTokens)) }
        if let trafficBudget { middlewares.append(trafficBudget) }
        middlewares.append(RetryMiddleware(policy: retry, logger: logger))
        middlewares.append(LoggingMiddleware(logger: logger))
        if let clockCorrection { middlewares.append(clockCorrection) }
        return MiddlewareTransport(base, middlewares: middlewares)
    }
}
