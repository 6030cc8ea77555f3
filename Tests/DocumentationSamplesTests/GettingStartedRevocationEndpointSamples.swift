// The Getting started article's block that mounts the recipient's `/arrangements/revoke` endpoint: the one step that
// needs more than `import CDRClient` (the endpoint's types and a Hummingbird router), so it has a file of its own.
import CDRAuth
import CDRAuthHummingbird
import CDRClient
import CDRTransport
import Foundation
import Hummingbird

func gettingStartedRevocationEndpoint(cdr: CDRClient, bank: HolderClient) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#14
    // The holder's keys for calling recipients: the brand's JWKS endpoint at the Register.
    var jwksURLs: [String: URL] = [:]
    let brands = try await cdr.register.dataHolderBrands(industry: .banking)
    if let entry = brands.first(where: { $0.dataHolderBrandId == bank.brand.id }),
        let jwks = entry.authDetails.first.flatMap({ URL(string: $0.jwksEndpoint) })
    {
        jwksURLs[bank.brand.id] = jwks
    }
    let endpoint = ArrangementRevocationEndpoint(
        configuration: .init(recipientBaseURI: "https://adr.example.com"),
        holderKeys: HolderJWKSDirectory(jwksURLs: jwksURLs) { url in
            try await cdr.transport.send(TransportRequest(method: .get, url: url, security: .publicTLS)).body
        },
        receiver: bank, replayCache: cdr.revocationReplayStore)

    let router = Router()
    router.addArrangementRevocationRoute(endpoint)  // POST /arrangements/revoke
    // end sample
    _ = router
}
