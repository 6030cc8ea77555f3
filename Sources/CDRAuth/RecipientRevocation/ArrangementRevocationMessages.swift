public import CDRModels
public import Foundation
public import HTTPTypes

/// One request to the recipient's CDR Arrangement Revocation endpoint, as any HTTP server hands it over.
///
/// The header fields carry the holder's bearer JWT and the body its `cdr_arrangement_jwt`, so ``description`` and
/// `dump` show only the method and the body's size.
public struct ArrangementRevocationRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// The HTTP method; only `POST` is accepted.
    public var method: HTTPRequest.Method
    /// The header fields, including `authorization` and `content-type`.
    public var headerFields: HTTPFields
    /// The request body: an `application/x-www-form-urlencoded` form.
    public var body: Data

    /// Creates a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - headerFields: The header fields.
    ///   - body: The body, read whole (cap its size before calling; see
    ///     ``ArrangementRevocationEndpoint/Configuration/maximumBodySize``).
    public init(method: HTTPRequest.Method, headerFields: HTTPFields, body: Data) {
        self.method = method
        self.headerFields = headerFields
        self.body = body
    }

    /// The method and the body's size; never a header value or the body.
    public var description: String { "ArrangementRevocationRequest(\(method), \(body.count) bytes)" }

    /// Mirrors ``description`` so that `dump` shows no token.
    public var customMirror: Mirror { Mirror(self, children: ["request": description], displayStyle: .struct) }
}

/// The answer to an ``ArrangementRevocationRequest``: a status, header fields and, for errors, a CDS error list.
///
/// Success is `204 No Content` with an empty body. Every error carries the standard's error structure
/// (`{"errors":[{"code":…,"title":…,"detail":…}]}`) as `application/json`; it never contains a token.
public struct ArrangementRevocationResponse: Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The header fields: `content-type` for errors, `www-authenticate` for 401, `allow` for 405, `retry-after`
    /// for 429, and the request's `x-fapi-interaction-id` when it sent a usable one.
    public var headerFields: HTTPFields
    /// The error list, or `nil` for success.
    public var errors: ResponseErrorListV2?
    /// The body: the JSON encoding of ``errors``, or empty.
    public var body: Data

    /// Creates a response; the body is encoded from `errors`.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - headerFields: The header fields; `content-type: application/json` is added when there are errors.
    ///   - errors: The error list, or `nil`.
    init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], errors: ResponseErrorListV2? = nil) {
        self.status = status
        self.headerFields = headerFields
        self.errors = errors
        if let errors {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Encoding strings into a JSON object cannot fail; an empty body is the safe fallback anyway.
            self.body = (try? encoder.encode(errors)) ?? Data()
            self.headerFields[.contentType] = "application/json"
        } else {
            self.body = Data()
        }
    }

    /// The `413 Content Too Large` answer for a body over
    /// ``ArrangementRevocationEndpoint/Configuration/maximumBodySize``, for adapters that stop reading early.
    /// - Returns: The response, with a `GeneralError/Expected` error.
    public static func contentTooLarge() -> ArrangementRevocationResponse {
        RevocationRejection.contentTooLarge().response
    }

    /// The status and the first error code, if any.
    public var description: String {
        "ArrangementRevocationResponse(\(status.code)"
            + (errors?.errors.first.map { ", \($0.code)" } ?? "") + ")"
    }
}
