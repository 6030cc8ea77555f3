import Foundation
public import HTTPTypes
public import Logging

/// Logs each request's outcome at `debug` with `cdr.` metadata: the interaction id, operation, method, host and path,
/// status and duration.
///
/// It never logs a query, a body or a secret header's value: at `trace` it lists the request's header names with
/// the values of ``Redaction/sensitiveHeaderNames`` replaced by `<redacted>`.
public struct LoggingMiddleware: TransportMiddleware {
    /// The logger.
    public let logger: Logger

    /// Creates the middleware.
    /// - Parameter logger: Where to log; pass a no-op logger to stay silent.
    public init(logger: Logger) { self.logger = logger }

    /// Logs the request's outcome.
    /// - Parameters:
    ///   - request: The request.
    ///   - next: The rest of the chain.
    /// - Returns: The response.
    /// - Throws: Whatever the chain throws (logged at `debug` first).
    public func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse {
        var metadata: Logger.Metadata = [
            "cdr.method": "\(request.method)",
            "cdr.host": "\(request.url.host ?? "?")",
            "cdr.path": "\(request.url.path)",
        ]
        if let id = request.interactionID { metadata["cdr.interaction_id"] = "\(id)" }
        if let operation = request.operation { metadata["cdr.operation"] = "\(operation)" }
        if logger.logLevel <= .trace {
            logger.trace(
                "CDR request headers",
                metadata: metadata.merging(["cdr.headers": "\(Redaction.render(request.headerFields))"]) { $1 })
        }
        let start = ContinuousClock.now
        do {
            let response = try await next(request)
            metadata["cdr.status"] = "\(response.status.code)"
            metadata["cdr.duration_ms"] = "\(Self.milliseconds(since: start))"
            if let id = response.interactionID, id != request.interactionID {
                metadata["cdr.holder_interaction_id"] = "\(id)"
            }
            logger.debug("CDR request finished", metadata: metadata)
            return response
        } catch {
            metadata["cdr.duration_ms"] = "\(Self.milliseconds(since: start))"
            metadata["cdr.error"] = "\(error)"
            logger.debug("CDR request failed", metadata: metadata)
            throw error
        }
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        (ContinuousClock.now - start).wholeMilliseconds
    }
}

extension Duration {
    /// The duration in whole milliseconds, for log metadata.
    var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

/// Which header values are secrets, and how to show header fields without them.
public enum Redaction {
    /// Headers whose values are never logged or put in an error: credentials, tokens, and the customer's own headers
    /// and IP address.
    public static let sensitiveHeaderNames: Set<HTTPField.Name> = [
        .authorization, .proxyAuthorization, .cookie, .setCookie, .cdsClientHeaders, .fapiCustomerIPAddress,
        HTTPField.Name("dpop")!, HTTPField.Name("x-api-key")!,
    ]

    /// Renders fields as `name: value; …`, names in lower case, with sensitive values replaced by `<redacted>`.
    /// - Parameter fields: The header fields.
    /// - Returns: A single line, safe to log.
    public static func render(_ fields: HTTPFields) -> String {
        fields.map { field in
            "\(field.name.canonicalName): " + (sensitiveHeaderNames.contains(field.name) ? "<redacted>" : field.value)
        }.joined(separator: "; ")
    }
}
