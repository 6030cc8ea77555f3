import AsyncHTTPClient
public import CDRTransport
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The production `HTTPTransport`: AsyncHTTPClient with the standard's two trust modes.
///
/// Requests marked `EndpointSecurity.mutualTLS` go through a client that presents the recipient's
/// `ClientIdentity` and trusts only the pinned roots (the CDR CA); requests marked
/// `EndpointSecurity.publicTLS` go through a client with no certificate that trusts the public roots.
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
        /// The largest response body read; larger ones fail with `TransportError.Code.responseTooLarge`.
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
            mutualTLS: MutualTLS? = nil, publicTrustRoots: TrustRoots = .system,
            connectTimeout: Duration = .seconds(10),
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
    /// - Throws: `TransportError.Code.invalidConfiguration` when the PEM material cannot be loaded.
    public init(configuration: Configuration) throws {
        self.configuration = configuration
        var publicTLS = TLSConfiguration.makeClientConfiguration()
        publicTLS.minimumTLSVersion = .tlsv12
        publicTLS.cipherSuiteValues = Self.cipherSuites
        publicTLS.trustRoots = try Self.trustRoots(configuration.publicTrustRoots)
        var mutualTLS: TLSConfiguration?
        if let settings = configuration.mutualTLS {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            tls.cipherSuiteValues = Self.cipherSuites
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
            settings.timeout = .init(
                connect: .init(configuration.connectTimeout), read: .init(configuration.requestTimeout))
            settings.connectionPool = .init(
                idleTimeout: .init(configuration.idleTimeout),
                concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maximumConnectionsPerHost)
            // Fail a request as soon as its connection cannot be made (refused, untrusted server, rejected client
            // certificate) instead of retrying in the pool until the connect timeout: a TLS failure is not transient,
            // and RetryMiddleware decides what is worth another attempt.
            settings.connectionPool.retryConnectionEstablishment = false
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

    /// Closes every connection; call it exactly once.
    /// - Throws: The first client's shutdown error, after both clients have been shut down.
    public func shutdown() async throws {
        var failure: (any Error)?
        do { try await publicClient.shutdown() } catch { failure = error }
        do { try await mutualClient?.shutdown() } catch { failure = failure ?? error }
        if let failure { throw failure }
    }

    /// Sends `request` with the client of its trust mode.
    /// - Parameter request: The request; its URL must be `https` with a host.
    /// - Returns: The response, read whole within the request's timeout.
    /// - Throws: `TransportError`; `CancellationError` when the task is cancelled.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        guard request.url.scheme?.lowercased() == "https", let host = request.url.host, !host.isEmpty else {
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
        let timeout = request.timeout ?? configuration.requestTimeout
        let deadline = ContinuousClock.now + timeout
        let limit = configuration.maximumResponseSize
        do {
            let response = try await client.execute(outgoing, timeout: TimeAmount(timeout))
            var fields = HTTPFields()
            for header in response.headers {
                if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
            }
            // AsyncHTTPClient's timeout ends when the head arrives; the body must arrive within the same deadline.
            let bytes = try await Self.collect(response.body, upTo: limit, before: deadline)
            return TransportResponse(
                status: HTTPResponse.Status(code: Int(response.status.code)), headerFields: fields,
                body: Data(bytes.readableBytesView))
        } catch {
            throw Self.map(error, request: request)
        }
    }

    /// Reads a body whole, failing with `HTTPClientError.deadlineExceeded` when `deadline` passes first.
    private static func collect(
        _ body: HTTPClientResponse.Body, upTo limit: Int, before deadline: ContinuousClock.Instant
    ) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw HTTPClientError.deadlineExceeded
            }
            return bytes
        }
    }

    /// The TLS 1.2 suites offered: ECDHE with AEAD only, as BCP 195 and the CDS (from 2025-03-17) require. TLS 1.3
    /// suites are all AEAD and are not affected.
    static let cipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    private static func trustRoots(_ roots: TrustRoots) throws -> NIOSSLTrustRoots {
        guard let pem = roots.pinnedPEM else { return .default }
        do {
            let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            guard !certificates.isEmpty else { throw TransportError(.invalidConfiguration, reason: "no pinned root") }
            return .certificates(certificates)
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(
                .invalidConfiguration, reason: "the pinned roots could not be parsed", underlying: error)
        }
    }

    /// Maps AsyncHTTPClient, NIO and NIOSSL failures to `TransportError` codes, keeping the original as
    /// `TransportError.underlying` unless its description could carry a header value.
    ///
    /// What arrives, as observed against the mock holder on loopback (TLS 1.3, AsyncHTTPClient 1.37, NIOSSL 2.37):
    /// - no client certificate: `BoringSSLError.sslError([… TLSV1_ALERT_CERTIFICATE_REQUIRED …])`, not wrapped in
    ///   `NIOSSLError.handshakeFailed`, because the client's side of a TLS 1.3 handshake ends before the server checks
    ///   the certificate → `TransportError.Code.clientCertificateRejected`;
    /// - a client certificate from another CA: `BoringSSLError.sslError([… TLSV1_ALERT_UNKNOWN_CA …])` →
    ///   `TransportError.Code.clientCertificateRejected`;
    /// - a server not chaining to the pinned roots:
    ///   `NIOSSLError.handshakeFailed(.sslError([… CERTIFICATE_VERIFY_FAILED …]))` →
    ///   `TransportError.Code.serverCertificateUntrusted`;
    /// - a server certificate for another name: `NIOSSLExtraError.failedToValidateHostname` →
    ///   `TransportError.Code.serverCertificateUntrusted`;
    /// - a refused connection: `IOError` with `ECONNREFUSED` → `TransportError.Code.connectFailed`;
    /// - a response slower than the request's timeout: `HTTPClientError.deadlineExceeded` →
    ///   `TransportError.Code.timeout`;
    /// - a body over the limit: `NIOTooManyBytesError` → `TransportError.Code.responseTooLarge`.
    ///
    /// And by AsyncHTTPClient's and NIO's documented errors: an unreachable host or network (`IOError` with another
    /// `connectErrnos` value, `NIOConnectionError`) → `connectFailed`; a connect, TLS-handshake, read or pool timeout
    /// (`HTTPClientError.connectTimeout`, `.tlsHandshakeTimeout`, `.readTimeout`, `.getConnectionFromPoolTimeout`,
    /// `ChannelError.connectTimeout`) → `timeout`; a connection reset or closed early → `connectionClosed`. The
    /// retry middleware hands the last of these on unchanged, and all three codes are the `outage` failure category,
    /// so a fallback source treats a holder that refuses connections or does not answer in time as an outage.
    static func map(_ error: any Error, request: TransportRequest) -> any Error {
        if error is CancellationError || Task.isCancelled { return CancellationError() }
        if let error = error as? TransportError { return error }
        if let error = error as? HTTPClientError { return map(error, request: request) }
        let code: TransportError.Code
        switch error {
        case is NIOTooManyBytesError:
            code = .responseTooLarge
        case let error as NIOSSLError:
            if case .handshakeFailed(let boringSSL) = error {
                code = tlsCode(String(describing: boringSSL))
            } else if case .uncleanShutdown = error {
                code = .connectionClosed
            } else {
                code = .tlsHandshakeFailed
            }
        case let error as BoringSSLError:
            code = tlsCode(String(describing: error))
        case let error as NIOSSLExtraError:
            code =
                error == .failedToValidateHostname || error == .serverHostnameImpossibleToMatch
                ? .serverCertificateUntrusted : .tlsHandshakeFailed
        case let error as IOError:
            code = connectErrnos.contains(error.errnoCode) ? .connectFailed : .connectionClosed
        case is NIOConnectionError:
            code = .connectFailed
        case let error as ChannelError:
            if case .connectTimeout = error { code = .timeout } else { code = .connectionClosed }
        default:
            code = .connectionClosed
        }
        return TransportError(code, request: request, underlying: error)
    }

    /// `errno` values that mean no connection was made.
    private static let connectErrnos: Set<Int32> = [
        ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ENETDOWN, EHOSTDOWN, EADDRNOTAVAIL, ETIMEDOUT,
    ]

    private static func map(_ error: HTTPClientError, request: TransportRequest) -> TransportError {
        let timeouts: [HTTPClientError] = [
            .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout,
            .getConnectionFromPoolTimeout,
        ]
        let invalid: [HTTPClientError] = [
            .invalidURL, .emptyHost, .emptyScheme, .traceRequestWithBody, .bodyLengthMismatch,
        ]
        if timeouts.contains(error) { return TransportError(.timeout, request: request, underlying: error) }
        if error == .cancelled || error == .requestStreamCancelled {
            return TransportError(.cancelled, request: request, underlying: error)
        }
        if error == .alreadyShutdown { return TransportError(.shutDown, request: request, underlying: error) }
        if invalid.contains(error) { return TransportError(.invalidRequest, request: request, underlying: error) }
        switch error.shortDescription {
        case HTTPClientError.invalidHeaderFieldNames([]).shortDescription,
            HTTPClientError.invalidHeaderFieldValues([]).shortDescription,
            HTTPClientError.unsupportedScheme("").shortDescription:
            // The full description lists the offending names or values, which may be secrets: keep only the kind.
            return TransportError(.invalidRequest, request: request, reason: error.shortDescription)
        default:
            return TransportError(.connectionClosed, request: request, underlying: error)
        }
    }

    /// Classifies a BoringSSL error stack by its reason names.
    private static func tlsCode(_ text: String) -> TransportError.Code {
        let upper = text.uppercased()
        // Alerts received from the server (BoringSSL reports them as `TLSV1_ALERT_…` / `SSLV3_ALERT_…`) that refuse
        // the client's certificate: missing, from an unknown CA, unacceptable, expired or revoked.
        let refusals = [
            "ALERT_CERTIFICATE_REQUIRED", "ALERT_UNKNOWN_CA", "ALERT_BAD_CERTIFICATE", "ALERT_CERTIFICATE_UNKNOWN",
            "ALERT_UNSUPPORTED_CERTIFICATE", "ALERT_CERTIFICATE_EXPIRED", "ALERT_CERTIFICATE_REVOKED",
            "ALERT_ACCESS_DENIED",
        ]
        if refusals.contains(where: upper.contains) { return .clientCertificateRejected }
        // The client's own verification of the server's chain (or name) failed.
        if upper.contains("CERTIFICATE_VERIFY_FAILED") { return .serverCertificateUntrusted }
        return .tlsHandshakeFailed
    }
}

extension TimeAmount {
    fileprivate init(_ duration: Duration) {
        let parts = duration.components
        self = .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
