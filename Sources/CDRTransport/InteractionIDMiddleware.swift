public import Foundation
import HTTPTypes

/// Gives every request an `x-fapi-interaction-id` (a lowercase RFC 4122 UUID) unless it already has one.
///
/// Put it first in the chain, so that retries of one call keep one id, and every log line and ``TransportError`` of
/// the call carries it. The holder echoes the id (or answers with its own); ``TransportResponse/interactionID`` reads it.
public struct InteractionIDMiddleware: TransportMiddleware {
    private let makeID: @Sendable () -> String

    /// Creates the middleware.
    /// - Parameter makeID: Makes a new id; a random UUID by default.
    public init(makeID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }) {
        self.makeID = makeID
    }

    /// Adds the id if missing and passes the request on.
    /// - Parameters:
    ///   - request: The request.
    ///   - next: The rest of the chain.
    /// - Returns: The response.
    /// - Throws: Whatever the chain throws.
    public func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse {
        guard request.headerFields[.fapiInteractionID] == nil else { return try await next(request) }
        var request = request
        request.headerFields[.fapiInteractionID] = makeID()
        return try await next(request)
    }
}
