// The Swift block(s) of the CDRAuthHummingbird catalog (Sources/CDRAuthHummingbird/Docs.docc/CDRAuthHummingbird.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: Logging, NIOSSL.
import CDRAuth
import CDRAuthHummingbird
import CDRTransport
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL

func authHummingbirdCatalogOverview(
    jwksURLsFromTheRegister: [String: URL], transport: any HTTPTransport,
    arrangements: any ArrangementRevocationReceiver, logger: Logger, tls: TLSConfiguration
) async throws {
    // sample: Sources/CDRAuthHummingbird/Docs.docc/CDRAuthHummingbird.md#1
    let holderKeys = HolderJWKSDirectory(jwksURLs: jwksURLsFromTheRegister) { url in
        try await transport.send(TransportRequest(method: .get, url: url, security: .publicTLS)).body
    }
    let endpoint = ArrangementRevocationEndpoint(
        configuration: .init(recipientBaseURI: "https://adr.example.com"),
        holderKeys: holderKeys, receiver: arrangements, logger: logger)

    let router = Router()
    router.addArrangementRevocationRoute(endpoint)  // POST /arrangements/revoke
    let app = Application(
        router: router, server: try .tls(.http1(), tlsConfiguration: tls),
        configuration: .init(address: .hostname("0.0.0.0", port: 443)))
    try await app.runService()
    // end sample
}
