public import Foundation
public import HTTPTypes

/// Which of the standard's two trust configurations an endpoint uses.
///
/// Data holders and the Register publish two kinds of base URI: back-channel endpoints (token, PAR, resources, the
/// Register's secure API) require mutual TLS with a certificate issued by the CDR CA, and the server's chain must lead to
/// a pinned CDR root; public endpoints (discovery, JWKS, products, status) use ordinary web-PKI TLS and must not be
/// called with a client certificate.
public struct EndpointSecurity: Hashable, Sendable, CustomStringConvertible {
    private enum Base: String, Hashable, Sendable {
        case mutualTLS
        case publicTLS
    }

    private let base: Base

    /// Mutual TLS: the client presents its identity and trusts only the pinned roots.
    public static let mutualTLS = EndpointSecurity(base: .mutualTLS)
    /// Public TLS: no client certificate, web-PKI (or configured) trust roots.
    public static let publicTLS = EndpointSecurity(base: .publicTLS)

    /// `mutualTLS` or `publicTLS`.
    public var description: String { base.rawValue }
}

/// One HTTP request as the CDRKit layers build it.
///
/// The body is held whole: CDS requests are small forms, JWTs or JSON documents. ``description`` never shows the
/// body or a secret header, so a request can be logged or put in an error safely.
public struct TransportRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// The HTTP method.
    public var method: HTTPRequest.Method
    /// The absolute `https` URL, query included.
    public var url: URL
    /// The header fields.
    public var headerFields: HTTPFields
    /// The body, if any.
    public var body: Data?
    /// Which trust configuration to use.
    public var security: EndpointSecurity
    /// Whether the request may be sent again after a failure without changing anything at the server. Defaults to
    /// `true` for `GET`, `HEAD`, `OPTIONS`, `PUT` and `DELETE`, and `false` for `POST`.
    public var isIdempotent: Bool
    /// A short name for logs and metrics, for example `token` or `listBankingAccounts`.
    public var operation: String?
    /// The time allowed for the whole exchange, or `nil` for the transport's default.
    public var timeout: Duration?

    /// Creates a request.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - url: The absolute URL.
    ///   - headerFields: The header fields.
    ///   - body: The body, if any.
    ///   - security: The trust configuration, ``EndpointSecurity/mutualTLS`` by default.
    ///   - isIdempotent: Overrides the method's default idempotency.
    ///   - operation: A short name for logs.
    ///   - timeout: Overrides the transport's default timeout.
    public init(
        method: HTTPRequest.Method, url: URL, headerFields: HTTPFields = [:], body: Data? = nil,
        security: EndpointSecurity = .mutualTLS, isIdempotent: Bool? = nil, operation: String? = nil,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headerFields = headerFields
        self.body = body
        self.security = security
        self.isIdempotent = isIdempotent ?? [.get, .head, .options, .put, .delete].contains(method)
        self.operation = operation
        self.timeout = timeout
    }

    /// The `x-fapi-interaction-id` the request carries, if any.
    public var interactionID: String? { headerFields[.fapiInteractionID] }

    /// The method, host and path: no query, headers or body.
    public var description: String {
        "\(method) \(url.host ?? "?")\(url.path)" + (operation.map { " (\($0))" } ?? "")
    }

    /// Mirrors ``description`` so that `dump` shows no secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["request": description], displayStyle: .struct)
    }
}

/// One HTTP response, read whole.
public struct TransportResponse: Sendable, CustomStringConvertible, CustomReflectable {
    /// The status.
    public var status: HTTPResponse.Status
    /// The header fields.
    public var headerFields: HTTPFields
    /// The body, empty when there is none.
    public var body: Data

    /// Creates a response.
    /// - Parameters:
    ///   - status: The status.
    ///   - headerFields: The header fields.
    ///   - body: The body.
    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: Data = Data()) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }

    /// The `x-fapi-interaction-id` the server answered with, if any.
    public var interactionID: String? { headerFields[.fapiInteractionID] }

    /// The status and the size of the body; never the body itself.
    public var description: String { "\(status.code) (\(body.count) bytes)" }

    /// Mirrors ``description`` so that `dump` shows no token or customer data.
    public var customMirror: Mirror {
        Mirror(self, children: ["response": description], displayStyle: .struct)
    }
}

extension HTTPField.Name {
    /// `x-fapi-interaction-id`: the RFC 4122 UUID that ties a call to the holder's logs.
    public static let fapiInteractionID = HTTPField.Name("x-fapi-interaction-id")!
    /// `x-fapi-auth-date`: when the customer last signed in to the recipient.
    public static let fapiAuthDate = HTTPField.Name("x-fapi-auth-date")!
    /// `x-fapi-customer-ip-address`: present only when the customer is present.
    public static let fapiCustomerIPAddress = HTTPField.Name("x-fapi-customer-ip-address")!
    /// `x-cds-client-headers`: the customer's original headers, base64; a secret for logging purposes.
    public static let cdsClientHeaders = HTTPField.Name("x-cds-client-headers")!
    /// `x-v`: the requested (or served) endpoint version.
    public static let cdsVersion = HTTPField.Name("x-v")!
    /// `x-min-v`: the oldest acceptable endpoint version.
    public static let cdsMinimumVersion = HTTPField.Name("x-min-v")!
}
