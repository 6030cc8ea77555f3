public import CDRTransport
import Foundation
import Synchronization

/// An `HTTPTransport` for tests: it records every request and answers with a handler you give, or
/// passes the request on to another transport and records both sides.
///
/// ```swift
/// let transport = RecordingTransport { request in TransportResponse(status: .ok, body: Data("{}".utf8)) }
/// _ = try await client.accounts()
/// #expect(transport.requests.first?.headerFields[.cdsVersion] == "3")
/// ```
public final class RecordingTransport: HTTPTransport {
    /// One request and what came of it.
    public struct Exchange: Sendable {
        /// The request as sent.
        public let request: TransportRequest
        /// The response, or `nil` when the handler threw.
        public let response: TransportResponse?
        /// What the handler threw, or `nil` when it answered.
        public let error: (any Error)?
    }

    private let handler: @Sendable (TransportRequest) async throws -> TransportResponse
    private let log = Mutex<[Exchange]>([])

    /// Creates a transport that answers with `handler`.
    /// - Parameter handler: Makes the response (or throws) for each request.
    public init(_ handler: @escaping @Sendable (TransportRequest) async throws -> TransportResponse) {
        self.handler = handler
    }

    /// Creates a transport that passes every request to `base` and records it.
    /// - Parameter base: The transport that does the work, for example one talking to the mock data holder.
    public convenience init(recording base: any HTTPTransport) {
        self.init { try await base.send($0) }
    }

    /// Every exchange so far, oldest first.
    public var exchanges: [Exchange] { log.withLock { $0 } }

    /// Every request so far, oldest first.
    public var requests: [TransportRequest] { exchanges.map(\.request) }

    /// The requests whose URL path ends with `suffix`.
    /// - Parameter suffix: For example `/token`.
    /// - Returns: The matching requests, oldest first.
    public func requests(pathSuffix suffix: String) -> [TransportRequest] {
        requests.filter { $0.url.path.hasSuffix(suffix) }
    }

    /// Forgets the exchanges so far.
    public func reset() { log.withLock { $0.removeAll() } }

    /// Records `request` and answers with the handler.
    /// - Parameter request: The request.
    /// - Returns: The handler's response.
    /// - Throws: What the handler throws.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        do {
            let response = try await handler(request)
            log.withLock { $0.append(Exchange(request: request, response: response, error: nil)) }
            return response
        } catch {
            log.withLock { $0.append(Exchange(request: request, response: nil, error: error)) }
            throw error
        }
    }
}
