import CDRTesting
import NIOCore
import NIOPosix
import NIOSSL
import SwiftASN1
import Testing
import X509

/// Echoes everything back.
private final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.writeAndFlush(data, promise: nil) }
}

/// Completes a promise with the first bytes read, or fails it when the connection errors or closes.
private final class FirstReadHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<String>
    init(promise: EventLoopPromise<String>) { self.promise = promise }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        promise.succeed(buffer.readString(length: buffer.readableBytes) ?? "")
    }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
    func channelInactive(context: ChannelHandlerContext) { promise.fail(ChannelError.ioOnClosedChannel) }
}

@Suite("TestPKI")
struct TestPKITests {
    @Test("certificates have the expected shape")
    func shape() throws {
        let pki = try TestPKI()
        let server = pki.server.certificate
        let sans = try #require(try server.extensions.subjectAlternativeNames)
        #expect(sans.contains(.dnsName("localhost")))
        #expect(sans.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(try server.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(try pki.client.certificate.extensions.extendedKeyUsage?.contains(.clientAuth) == true)
        #expect(
            try pki.certificateAuthority.certificate.extensions.basicConstraints
                == .isCertificateAuthority(maxPathLength: 0))
        #expect(server.issuer == pki.certificateAuthority.certificate.subject)
        #expect(try pki.client.certificatePEM().hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(try pki.client.privateKeyPEM().contains("PRIVATE KEY"))
        let config = try pki.makeServerTLSConfiguration()
        #expect(config.minimumTLSVersion == .tlsv12)
        #expect(config.certificateVerification == .noHostnameVerification)
    }

    @Test("each TestPKI is fresh")
    func fresh() throws {
        #expect(
            try TestPKI().certificateAuthority.certificatePEM() != (try TestPKI().certificateAuthority.certificatePEM())
        )
    }

    @Test("mTLS handshake over NIOSSL", .timeLimit(.minutes(5)), arguments: ["localhost", nil] as [String?])
    func mutualTLS(serverHostname: String?) async throws {
        let pki = try TestPKI()
        let reply = try await Self.exchange(
            pki: pki, client: pki.makeClientTLSConfiguration(), serverHostname: serverHostname)
        #expect(reply == "ping")
    }

    @Test("the server refuses a client without a certificate", .timeLimit(.minutes(5)))
    func noClientCertificate() async throws {
        let pki = try TestPKI()
        await #expect(throws: (any Error).self) {
            _ = try await Self.exchange(
                pki: pki, client: pki.makeClientTLSConfigurationWithoutIdentity(), serverHostname: "localhost")
        }
    }

    @Test("the server refuses a client certificate from another CA", .timeLimit(.minutes(5)))
    func foreignClientCertificate() async throws {
        let pki = try TestPKI()
        let other = try TestPKI()
        var client = try pki.makeClientTLSConfiguration()
        client.certificateChain = [.certificate(try other.client.nioCertificate())]
        client.privateKey = .privateKey(try other.client.nioPrivateKey())
        await #expect(throws: (any Error).self) {
            _ = try await Self.exchange(pki: pki, client: client, serverHostname: "localhost")
        }
    }

    static func exchange(pki: TestPKI, client: TLSConfiguration, serverHostname: String?) async throws -> String {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let serverContext = try NIOSSLContext(configuration: pki.makeServerTLSConfiguration())
        let clientContext = try NIOSSLContext(configuration: client)
        do {
            let server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
                        try channel.pipeline.syncOperations.addHandler(EchoHandler())
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let port = try #require(server.localAddress?.port)
            let promise = group.next().makePromise(of: String.self)
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: clientContext, serverHostname: serverHostname))
                        try channel.pipeline.syncOperations.addHandler(FirstReadHandler(promise: promise))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            let result: Result<String, any Error>
            do {
                try await channel.writeAndFlush(ByteBuffer(string: "ping")).get()
                result = .success(try await promise.futureResult.get())
            } catch {
                promise.fail(error)
                result = .failure(error)
            }
            try? await channel.close().get()
            try? await server.close().get()
            try await group.shutdownGracefully()
            return try result.get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }
}
