public import CDRModels

/// A request that got no usable response: TLS, connection, timeout or size failures.
///
/// Match on ``code``:
///
/// ```swift
/// catch let error as TransportError where error.code == .tlsHandshakeFailed { … }
/// ```
///
/// ``description`` names the code, the request (method, host and path) and the interaction id; it never contains a
/// header value, a query or a body.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// The failure category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case tlsHandshakeFailed
            case serverCertificateUntrusted
            case clientCertificateRejected
            case connectFailed
            case connectionClosed
            case timeout
            case responseTooLarge
            case invalidRequest
            case invalidConfiguration
            case cancelled
            case shutDown
        }

        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code($0) } }
        private init(_ base: Base) { self.base = base }

        /// The TLS handshake failed for a reason other than the two below.
        public static let tlsHandshakeFailed = Code(.tlsHandshakeFailed)
        /// The server's certificate does not chain to a trusted (pinned) root, or does not match the host.
        public static let serverCertificateUntrusted = Code(.serverCertificateUntrusted)
        /// The server refused the handshake because no client certificate, or an unacceptable one, was presented.
        public static let clientCertificateRejected = Code(.clientCertificateRejected)
        /// No connection could be made (refused, unreachable, DNS).
        public static let connectFailed = Code(.connectFailed)
        /// The server closed the connection before a complete response arrived.
        public static let connectionClosed = Code(.connectionClosed)
        /// The connection or the response took longer than allowed.
        public static let timeout = Code(.timeout)
        /// The response body exceeded the configured maximum.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The request cannot be sent (not `https`, no host, mutual TLS asked of a transport without an identity).
        public static let invalidRequest = Code(.invalidRequest)
        /// The transport's TLS material could not be loaded.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The request was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The transport was shut down.
        public static let shutDown = Code(.shutDown)

        /// The code's name, for example `tlsHandshakeFailed`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The request, as method, host and path (see ``TransportRequest/description``).
    public var request: String?
    /// The `x-fapi-interaction-id` the request carried.
    public var interactionID: String?
    /// A short explanation without secrets.
    public var reason: String?
    /// The error from the layer below (AsyncHTTPClient, NIOSSL), kept for diagnosis.
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The failure category.
    ///   - request: The request it happened to; its ``TransportRequest/description`` is kept.
    ///   - reason: A short explanation; never include secrets.
    ///   - underlying: The error from the layer below.
    public init(
        _ code: Code, request: TransportRequest? = nil, reason: String? = nil, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.request = request?.description
        self.interactionID = request?.interactionID
        self.reason = reason
        self.underlying = underlying
    }

    /// `TransportError.<code>`, the request, the interaction id, the reason and the underlying error.
    public var description: String {
        var text = "TransportError.\(code)"
        if let request { text += " [\(request)]" }
        if let interactionID { text += " (x-fapi-interaction-id \(interactionID))" }
        if let reason { text += ": \(reason)" }
        if let underlying { text += " (\(String(describing: underlying)))" }
        return text
    }
}

extension TransportError: CDRCategorizedError {
    /// The kind of failure, by ``code`` (see ``/CDRModels/CDRFailureCategory``):
    /// - `outage`: ``Code/connectFailed``, ``Code/connectionClosed``, ``Code/timeout`` (a refused or unreachable
    ///   server, a dropped connection, a connect or response timeout);
    /// - `securityCheckFailed`: ``Code/tlsHandshakeFailed``, ``Code/serverCertificateUntrusted``;
    /// - `refused`: ``Code/clientCertificateRejected``;
    /// - `invalidResponse`: ``Code/responseTooLarge``;
    /// - `callerError`: ``Code/invalidRequest``, ``Code/invalidConfiguration``;
    /// - `cancelled`: ``Code/cancelled``, ``Code/shutDown``.
    public var category: CDRFailureCategory {
        switch code {
        case .connectFailed, .connectionClosed, .timeout: return .outage
        case .tlsHandshakeFailed, .serverCertificateUntrusted: return .securityCheckFailed
        case .clientCertificateRejected: return .refused
        case .responseTooLarge: return .invalidResponse
        case .invalidRequest, .invalidConfiguration: return .callerError
        case .cancelled, .shutDown: return .cancelled
        default: return .unclassified
        }
    }
}
