import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension MockDataHolder {
    /// The public listener's routes (TLS, no client certificate).
    func makePublicRouter() -> Router<MockRequestContext> {
        let router = Router(context: MockRequestContext.self)
        router.add(middleware: HolderMiddleware(holder: self))
        addRegisterPublicRoutes(to: router)
        addSecurityPublicRoutes(to: router)
        addResourcePublicRoutes(to: router)
        addDDCProviderRoutes(to: router)
        addAdministrationPublicRoutes(to: router)
        return router
    }

    /// The secure listener's routes (mutual TLS).
    func makeSecureRouter() -> Router<MockRequestContext> {
        let router = Router(context: MockRequestContext.self)
        router.add(middleware: HolderMiddleware(holder: self))
        addRegisterSecureRoutes(to: router)
        addAdministrationRoutes(to: router)
        addSecuritySecureRoutes(to: router)
        addResourceSecureRoutes(to: router)
        return router
    }
}

/// Applies the injected faults (except to the mock's own administration routes, `/mock-admin/…`, which must keep
/// working whatever the faults), turns ``HolderHTTPError`` into its response, saves the state directory when the
/// request changed something a restart needs, and logs each request's outcome (method, path, status, interaction id;
/// never headers or bodies).
struct HolderMiddleware: RouterMiddleware {
    typealias Context = MockRequestContext
    let holder: MockDataHolder

    func handle(
        _ request: Request, context: MockRequestContext,
        next: (Request, MockRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let isAdministration = path.hasPrefix(AdministrationWire.prefix + "/")
        let (latency, replacement) = isAdministration ? (.zero, nil) : holder.faults.take(forPath: path)
        if latency > .zero { try await Task.sleep(for: latency) }
        let interactionID = request.headers[.fapiInteractionID] ?? UUID().uuidString.lowercased()
        var response: Response
        if let replacement {
            response = Self.response(for: replacement)
        } else {
            do {
                response = try await ResponseInteraction.$id.withValue(interactionID) {
                    try await next(request, context)
                }
            } catch let error as HolderHTTPError {
                response = error.response
            } catch {
                _ = holder.saveStateReportingFailure()
                throw error
            }
            // Saved before the answer leaves, so a recipient never holds what a restarted holder forgot.
            if let failure = holder.saveStateAfterRequest() { response = failure }
        }
        response.headers[.fapiInteractionID] = interactionID
        holder.logger.debug(
            "request served",
            metadata: [
                "cdr.method": "\(request.method)", "cdr.endpoint": "\(path)",
                "cdr.status": "\(response.status.code)", "cdr.interaction_id": "\(interactionID)",
            ])
        return response
    }

    static func response(for fault: MockFaults.HTTPFault) -> Response {
        switch fault {
        case .throttle(let retryAfter):
            var headers = HTTPFields()
            headers[.retryAfter] = String(retryAfter)
            return HolderResponse.cdsError(
                .tooManyRequests, .unexpectedError, detail: "too many requests; retry later", headers: headers)
        case .serverError(let status, let retryAfter):
            var headers = HTTPFields()
            if let retryAfter { headers[.retryAfter] = String(retryAfter) }
            let code: CDSErrorCode = status == 503 ? .serviceUnavailable : .unexpectedError
            return HolderResponse.cdsError(
                HTTPResponse.Status(code: status), code, detail: "injected server error", headers: headers)
        case .expiredToken:
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = #"Bearer error="invalid_token", error_description="the access token expired""#
            return Response(status: .unauthorized, headers: headers)
        case .latency:
            return Response(status: .internalServerError)
        }
    }
}
