import CDRJOSE
import Hummingbird
import NIOCore
import NIOSSL

/// The request context of both listeners: Hummingbird's core storage plus the channel, so a handler can read the
/// client certificate that the TLS handshake verified.
struct MockRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The SHA-256 thumbprint (`x5t#S256`, base64url) of the verified client certificate, or `nil` when the
    /// connection has none (the public listener, or a router-level test).
    func clientCertificateThumbprint() async -> String? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get(),
            let der = try? certificate.toDERBytes()
        else { return nil }
        return CertificateThumbprint.sha256(derEncoded: der)
    }
}
