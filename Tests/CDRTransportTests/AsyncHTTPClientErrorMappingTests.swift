import AsyncHTTPClient
import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import NIOCore
import NIOSSL
import Testing

@testable import CDRTransportAsyncHTTPClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How `AsyncHTTPClientTransport` maps what AsyncHTTPClient, NIO and NIOSSL throw to `TransportError` codes, and the
/// category each reaches a caller (and the fallback) with. The live tests show the same for the failures that can be
/// made on loopback (a refused connection, a slow response, an untrusted server, a rejected client certificate).
@Suite("AsyncHTTPClientTransport maps connection, timeout and TLS failures to codes and categories")
struct AsyncHTTPClientErrorMappingTests {
    static let cases: [(any Error, TransportError.Code, CDRFailureCategory)] = [
        (IOError(errnoCode: ECONNREFUSED, reason: "connect"), .connectFailed, .outage),
        (IOError(errnoCode: EHOSTUNREACH, reason: "connect"), .connectFailed, .outage),
        (IOError(errnoCode: ETIMEDOUT, reason: "connect"), .connectFailed, .outage),
        (IOError(errnoCode: ECONNRESET, reason: "read"), .connectionClosed, .outage),
        (HTTPClientError.connectTimeout, .timeout, .outage),
        (ChannelError.connectTimeout(.seconds(10)), .timeout, .outage),
        (HTTPClientError.readTimeout, .timeout, .outage),
        (HTTPClientError.deadlineExceeded, .timeout, .outage),
        (HTTPClientError.tlsHandshakeTimeout, .timeout, .outage),
        (HTTPClientError.getConnectionFromPoolTimeout, .timeout, .outage),
        (HTTPClientError.remoteConnectionClosed, .connectionClosed, .outage),
        (NIOSSLError.uncleanShutdown, .connectionClosed, .outage),
        (NIOSSLExtraError.failedToValidateHostname, .serverCertificateUntrusted, .securityCheckFailed),
        (NIOSSLError.handshakeFailed(.sslError([])), .tlsHandshakeFailed, .securityCheckFailed),
        (HTTPClientError.invalidURL, .invalidRequest, .callerError),
        (HTTPClientError.cancelled, .cancelled, .cancelled),
        (HTTPClientError.alreadyShutdown, .shutDown, .cancelled),
    ]

    @Test("each failure's code and category", arguments: Self.cases)
    func mapping(error: any Error, code: TransportError.Code, category: CDRFailureCategory) throws {
        let request = TransportRequest(
            method: .get, url: try #require(URL(string: "https://holder.example/cds-au/v1/banking/accounts")),
            security: .mutualTLS)
        let mapped = try #require(AsyncHTTPClientTransport.map(error, request: request) as? TransportError)
        #expect(mapped.code == code)
        #expect(mapped.category == category)
        #expect(CDRFailureCategory(of: mapped) == category)
    }

    @Test("a cancelled task stays a CancellationError, whose category is cancelled")
    func cancellation() throws {
        let request = TransportRequest(
            method: .get, url: try #require(URL(string: "https://holder.example/")), security: .publicTLS)
        let mapped = AsyncHTTPClientTransport.map(CancellationError(), request: request)
        #expect(mapped is CancellationError)
        #expect(CDRFailureCategory(of: mapped) == .cancelled)
    }
}
