public import CDRJOSE
public import CDRTransport
import Foundation
import HTTPTypes

/// Feeds every response's `Date` header to a `CorrectedClock` (CDRJOSE), so that JWT checks and builders for one
/// data holder use that holder's idea of the time.
///
/// Use one clock (and so one middleware) per data holder; never share a holder's clock with the Register or with the
/// recipient's own revocation endpoint.
public struct ClockCorrectionMiddleware: TransportMiddleware {
    /// The clock being corrected.
    public let clock: CorrectedClock

    /// Creates the middleware.
    /// - Parameter clock: The holder's clock; its base must be the system clock.
    public init(clock: CorrectedClock) { self.clock = clock }

    /// Passes the request on and records the response's `Date` header.
    /// - Parameters:
    ///   - request: The request.
    ///   - next: The rest of the chain.
    /// - Returns: The response, unchanged.
    /// - Throws: Whatever the chain throws.
    public func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse {
        let response = try await next(request)
        clock.correct(usingDateHeader: response.headerFields[.date], receivedAt: Date())
        return response
    }
}
