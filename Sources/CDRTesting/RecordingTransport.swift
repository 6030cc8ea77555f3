public import CDRTransport
import Foundation
import HTTPTypes
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

    /// Every secret the recorded exchanges carried, for checks that none reaches a log, an error or printed output:
    /// bearer tokens, client assertions, request objects, codes and other form secrets, JWT bodies (registration
    /// requests), software statements, and the tokens in JSON answers (access, refresh and ID tokens, codes).
    ///
    /// Only values of 16 characters or more are listed, so that short, common strings do not match by chance. Don't
    /// print the result.
    public var secrets: [String] {
        var found: [String] = []
        for exchange in exchanges {
            let request = exchange.request
            if let authorization = request.headerFields[.authorization], authorization.hasPrefix("Bearer ") {
                found.append(String(authorization.dropFirst("Bearer ".count)))
            }
            if let body = request.body, let text = String(data: body, encoding: .utf8) {
                if request.headerFields[.contentType] == "application/jwt" { found.append(text) }
                if let form = FormEncoding.decode(text) {
                    let names = ["client_assertion", "request", "code", "code_verifier", "refresh_token", "token"]
                    found += names.compactMap { form[$0] }
                }
            }
            guard let response = exchange.response else { continue }
            if request.url.path.hasSuffix("/ssa") {
                found.append(
                    String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
                let names = ["access_token", "refresh_token", "id_token", "software_statement", "code"]
                found += names.compactMap { object[$0] as? String }
            }
        }
        return found.filter { $0.count >= 16 }
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
