import AsyncHTTPClient
public import CDRTransport
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The production ``CDRTransport/HTTPTransport``: AsyncHTTPClient with the standard's two trust modes.
///
/// Requests marked ``CDRTransport/EndpointSecurity/mutualTLS`` go through a client that presents the recipient's
/// ``CDRTransport/ClientIdentity`` and trusts only the pinned roots (the CDR CA); requests marked
/// ``CDRTransport/EndpointSecurity/publicTLS`` go through a client with no certificate that trusts the public roots.
/// Each keeps a pool of keep-alive connections, so a flow's calls to one host share one TLS handshake. Both require
/// TLS 1.2 or newer, verify the server's name, and never follow redirects.
///
/// ```swift
/// try await AsyncHTTPClientTransport.withTransport(configuration: .init(
///     mutualTLS: .init(identity: identity, trustRoots: .certificates(pem: cdrCA))
/// )) { transport in
///     let response = try await transport.send(request)
/// }
/// ```
public final class AsyncHTTPClientTransport: HTTPTransport {
    /// The identity and pinned roots for mutual-TLS endpoints.
    public struct MutualTLS: Sendable {
        /// The client certificate and key.
        public var identity: ClientIdentity
        /// The roots a mutual-TLS server must chain to.
        public var trustRoots: TrustRoots

        /// Creates the mutual-TLS settings.
        /// - Parameters:
        ///   - identity: The client certificate and key.
        ///   - trustRoots: The pinned roots (the CDR CA in production).
        public init(identity: ClientIdentity, trustRoots: TrustRoots) {
            self.identity = identity
            self.trustRoots = trustRoots
        }
    }

    /// The transport's settings.
    public struct Configuration: Sendable {
        /// Mutual TLS, or `nil` for a transport that serves public endpoints only.
        public var mutualTLS: MutualTLS?
        /// The roots for public endpoints.
        public var publicTrustRoots: TrustRoots
        /// The time allowed to connect, handshake included.
        public var connectTimeout: Duration
        /// The default time allowed for a whole exchange.
        public var requestTimeout: Duration
        /// The largest response body read; larger ones fail with ``CDRTransport/TransportError/Code/responseTooLarge``.
        public var maximumResponseSize: Int
        /// Keep-alive connections kept per host and trust mode.
        public var maximumConnectionsPerHost: Int
        /// How long an idle connection is kept.
        public var idleTimeout: Duration

        /// Creates the settings.
        /// - Parameters:
        ///   - mutualTLS: Identity and pinned roots, or `nil`.
        ///   - publicTrustRoots: Roots for public endpoints; the system's by default.
        ///   - connectTimeout: 10 s by default.
        ///   - requestTimeout: 60 s by default.
        ///   - maximumResponseSize: 32 MiB by default.
        ///   - maximumConnectionsPerHost: 8 by default.
        ///   - idleTimeout: 60 s by default.
        public init(
            mutualTLS: MutualTLS? = nil, publicTrustRoots: TrustRoots = .system, connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(60), maximumResponseSize: Int = 32 << 20,
            maximumConnectionsPerHost: Int = 8, idleTimeout: Duration = .seconds(60)
        ) {
            self.mutualTLS = mutualTLS
            self.publicTrustRoots = publicTrustRoots
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maximumResponseSize = maximumResponseSize
            self.maximumConnectionsPerHost = maximumConnectionsPerHost
            self.idleTimeout = idleTimeout
        }
    }

    /// The settings.
    public let configuration: Configuration
    private let mutualClient: HTTPClient?
    private let publicClient: HTTPClient

    /// Creates the transport; call ``shutdown()`` when done, or use ``withTransport(configuration:_:)``.
    /// - Parameter configuration: The settings.
    /// - Throws: ``CDRTransport/TransportError/Code/invalidConfiguration`` when the PEM material cannot be loaded.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        var publicTLS = TLSConfiguration.makeClientConfiguration()
        publicTLS.minimumTLSVersion = .tlsv12
        publicTLS.trustRoots = try Self.trustRoots(configuration.publicTrustRoots)
        var mutualTLS: TLSConfiguration?
        if let settings = configuration.mutualTLS {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            tls.trustRoots = try Self.trustRoots(settings.trustRoots)
            do {
                let chain = try NIOSSLCertificate.fromPEMBytes(Array(settings.identity.certificateChainPEM.utf8))
                guard !chain.isEmpty else {
                    throw TransportError(.invalidConfiguration, reason: "the client certificate chain is empty")
                }
                tls.certificateChain = chain.map { .certificate($0) }
                tls.privateKey = .privateKey(
                    try NIOSSLPrivateKey(bytes: Array(settings.identity.privateKeyPEM.utf8), format: .pem))
            } catch let error as TransportError {
                throw error
            } catch {
                // The NIOSSL error names no key material, but keep only its type to be sure.
                throw TransportError(
                    .invalidConfiguration, reason: "the client identity could not be loaded (\(type(of: error)))")
            }
            mutualTLS = tls
        }
        func makeClient(_ tls: TLSConfiguration) -> HTTPClient {
            var settings = HTTPClient.Configuration(tlsConfiguration: tls)
            settings.redirectConfiguration = .disallow
            settings.timeout = .init(connect: .init(configuration.connectTimeout), read: .init(configuration.requestTimeout))
            settings.connectionPool = .init(
                idleTimeout: .init(configuration.idleTimeout),
                concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maximumConnectionsPerHost)
            settings.httpVersion = .http1Only
            settings.decompression = .disabled
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        }
        self.publicClient = makeClient(publicTLS)
        self.mutualClient = mutualTLS.map(makeClient)
    }

    /// Runs `body` with a transport that is shut down when `body` returns or throws.
    /// - Parameters:
    ///   - configuration: The settings.
    ///   - body: The work.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or a configuration error.
    public static func withTransport<Result: Sendable>(
        configuration: Configuration, _ body: (AsyncHTTPClientTransport) async throws -> Result
    ) async throws -> Result {
        let transport = try AsyncHTTPClientTransport(configuration: configuration)
        let result: Result
        do {
            result = try await body(transport)
        } catch {
            try? await transport.shutdown()
            throw error
        }
        try await transport.shutdown()
        return result
    }

    /// Closes every connection.
    /// - Throws: The client's shutdown error.
    public func shutdown() async throws {
        try await publicClient.shutdown()
        try await mutualClient?.shutdown()
    }

    /// Sends `request` with the client of its trust mode.
    /// - Parameter request: The request; its URL must be `https`.
    /// - Returns: The response, read whole.
    /// - Throws: ``CDRTransport/TransportError``.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        guard request.url.scheme?.lowercased() == "https", request.url.host != nil else {
            throw TransportError(.invalidRequest, request: request, reason: "only https URLs with a host are sent")
        }
        let client: HTTPClient
        switch request.security {
        case .mutualTLS:
            guard let mutualClient else {
                throw TransportError(.invalidRequest, request: request, reason: "no mutual-TLS identity is configured")
            }
            client = mutualClient
        default:
            client = publicClient
        }
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields { outgoing.headers.add(name: field.name.rawName, value: field.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = TimeAmount(request.timeout ?? configuration.requestTimeout)
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            var fields = HTTPFields()
            for header in response.headers {
                if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
            }
            let bytes = try await response.body.collect(upTo: configuration.maximumResponseSize)
            return TransportResponse(
                status: HTTPResponse.Status(code: Int(response.status.code)), headerFields: fields,
                body: Data(bytes.readableBytesView))
        } catch {
            throw Self.map(error, request: request)
        }
    }

    private static func trustRoots(_ roots: TrustRoots) throws -> NIOSSLTrustRoots {
        guard let pem = roots.pinnedPEM else { return .default }
        do {
            let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            guard !certificates.isEmpty else { throw TransportError(.invalidConfiguration, reason: "no pinned root") }
            return .certificates(certificates)
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(.invalidConfiguration, reason: "the pinned roots could not be parsed", underlying: error)
        }
    }

    /// Maps AsyncHTTPClient and NIOSSL failures to ``CDRTransport/TransportError`` codes.
    static func map(_ error: any Error, request: TransportRequest) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? TransportError { return error }
        let code: TransportError.Code
        if let error = error as? HTTPClientError {
            let timeouts: [HTTPClientError] = [
                .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout,
            ]
            if timeouts.contains(error) {
                code = .timeout
            } else if error == .cancelled || error == .requestStreamCancelled {
                code = .cancelled
            } else if error == .alreadyShutdown {
                code = .shutDown
            } else if error == .invalidURL || error == .emptyHost || error == .emptyScheme {
                code = .invalidRequest
            } else {
                code = .connectionClosed
            }
        } else if error is NIOTooManyBytesError {
            code = .responseTooLarge
        } else if let error = error as? NIOSSLError {
            code = tlsCode(String(describing: error))
        } else if let error = error as? BoringSSLError {
            code = tlsCode(String(describing: error))
        } else if error is NIOConnectionError || error is IOError || error is ChannelError {
            code = error is ChannelError ? .connectionClosed : .connectFailed
        } else {
            code = .connectionClosed
        }
        return TransportError(code, request: request, underlying: error)
    }

    private static func tlsCode(_ text: String) -> TransportError.Code {
        let upper = text.uppercased()
        if upper.contains("CERTIFICATE_VERIFY_FAILED") || upper.contains("UNABLE_TO_GET_ISSUER")
            || upper.contains("HOSTNAME") || upper.contains("UNTRUSTED")
        {
            return .serverCertificateUntrusted
        }
        if upper.contains("CERTIFICATE_REQUIRED") || upper.contains("BAD_CERTIFICATE")
            || upper.contains("UNKNOWN_CA") || upper.contains("CERTIFICATE_UNKNOWN")
        {
            return .clientCertificateRejected
        }
        return .tlsHandshakeFailed
    }
}

extension TimeAmount {
    fileprivate init(_ duration: Duration) {
        let parts = duration.components
        self = .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
