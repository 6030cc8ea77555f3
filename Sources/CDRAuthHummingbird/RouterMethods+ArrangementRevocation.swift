public import CDRAuth
import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

extension RouterMethods {
    /// Mounts the recipient's CDR Arrangement Revocation endpoint.
    ///
    /// `POST` requests go to ``/CDRAuth/ArrangementRevocationEndpoint/handle(_:logger:)`` with the body read up to
    /// ``/CDRAuth/ArrangementRevocationEndpoint/Configuration/maximumBodySize`` bytes (`413` beyond). `GET`, `PUT`,
    /// `DELETE`, `PATCH` and `OPTIONS` on the same path are answered `405` by the endpoint (Hummingbird would
    /// otherwise answer `404`), and `HEAD` follows `GET`.
    ///
    /// ```swift
    /// let router = Router()
    /// router.addArrangementRevocationRoute(endpoint)      // at the path of configuration.endpointURL
    /// let app = Application(router: router, server: try .tls(.http1(), tlsConfiguration: tls))
    /// ```
    /// - Parameters:
    ///   - endpoint: The endpoint.
    ///   - path: The route's path; by default the path of the endpoint's
    ///     ``/CDRAuth/ArrangementRevocationEndpoint/Configuration/endpointURL`` (for example `/arrangements/revoke`).
    ///     Pass another one when a proxy in front of the app rewrites paths.
    ///   - usesRequestLogger: Whether to log through the request context's logger (which carries Hummingbird's
    ///     request ID) instead of the endpoint's own; `false` by default.
    /// - Returns: The router or group, for chaining.
    @discardableResult
    public func addArrangementRevocationRoute(
        _ endpoint: ArrangementRevocationEndpoint, path: RouterPath? = nil, usesRequestLogger: Bool = false
    ) -> Self {
        let routePath = path ?? RouterPath(Self.path(of: endpoint.configuration.endpointURL))
        let limit = endpoint.configuration.maximumBodySize
        let respond: @Sendable (Request, Context) async throws -> Response = { request, context in
            let body: ByteBuffer
            if request.method == .post {
                do {
                    body = try await request.body.collect(upTo: limit)
                } catch is NIOTooManyBytesError {
                    return Response(ArrangementRevocationResponse.contentTooLarge())
                }
            } else {
                body = ByteBuffer()
            }
            let revocationRequest = ArrangementRevocationRequest(
                method: request.method, headerFields: request.headers, body: Data(body.readableBytesView))
            let response = await endpoint.handle(
                revocationRequest, logger: usesRequestLogger ? context.logger : nil)
            return Response(response)
        }
        for method: HTTPRequest.Method in [.post, .get, .put, .delete, .patch, .options] {
            on(routePath, method: method, use: respond)
        }
        return self
    }

    /// The path of a URL string, or `/arrangements/revoke` when it has none.
    private static func path(of url: String) -> String {
        guard let path = URL(string: url)?.path, !path.isEmpty else { return "/arrangements/revoke" }
        return path
    }
}

extension Response {
    /// A Hummingbird response with the endpoint's status, header fields and body.
    fileprivate init(_ response: ArrangementRevocationResponse) {
        self.init(
            status: response.status, headers: response.headerFields,
            body: response.body.isEmpty ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
