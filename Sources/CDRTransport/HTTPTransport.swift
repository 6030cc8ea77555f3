/// Sends one HTTP request and returns the whole response.
///
/// Every CDRKit client talks to the network through this protocol, so tests can pass a recording or failing
/// transport. `CDRTransportAsyncHTTPClient` provides the production implementation with the standard's two TLS
/// trust modes; ``MiddlewareTransport`` adds the cross-cutting behaviour (interaction ids, retries, logging, clock
/// correction) in front of any transport.
///
/// A non-2xx status is a response, not an error: implementations throw ``TransportError`` only when no response was
/// received (TLS, connection, timeout) or the response could not be read.
public protocol HTTPTransport: Sendable {
    /// Sends `request`.
    /// - Parameter request: The request.
    /// - Returns: The response, read whole.
    /// - Throws: ``TransportError`` when no usable response arrived; `CancellationError` when cancelled.
    func send(_ request: TransportRequest) async throws -> TransportResponse
}

/// A step in front of a transport: it may change the request, look at the response, or call `next` again.
public protocol TransportMiddleware: Sendable {
    /// Handles `request`, calling `next` to pass it on.
    /// - Parameters:
    ///   - request: The request so far.
    ///   - next: The rest of the chain.
    /// - Returns: The response to hand back up the chain.
    /// - Throws: Whatever the chain throws, or the middleware's own error.
    func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse
}

/// A transport that runs each request through a list of middleware, first element outermost.
///
/// ```swift
/// let transport = MiddlewareTransport(base, middlewares: [
///     InteractionIDMiddleware(), LoggingMiddleware(logger: logger), RetryMiddleware(),
/// ])
/// ```
public struct MiddlewareTransport: HTTPTransport {
    /// The transport at the end of the chain.
    public let base: any HTTPTransport
    /// The middleware, outermost first.
    public let middlewares: [any TransportMiddleware]

    /// Creates the chain.
    /// - Parameters:
    ///   - base: The transport that does the I/O.
    ///   - middlewares: The middleware, outermost first.
    public init(_ base: any HTTPTransport, middlewares: [any TransportMiddleware]) {
        self.base = base
        self.middlewares = middlewares
    }

    /// Sends `request` through every middleware and then the base transport.
    /// - Parameter request: The request.
    /// - Returns: The response.
    /// - Throws: Whatever a middleware or the base transport throws.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try await run(request, from: middlewares[...])
    }

    private func run(
        _ request: TransportRequest, from remaining: ArraySlice<any TransportMiddleware>
    ) async throws -> TransportResponse {
        guard let first = remaining.first else { return try await base.send(request) }
        return try await first.intercept(request) { next in
            try await run(next, from: remaining.dropFirst())
        }
    }
}
