import CDRAuth
import CDRAuthHummingbird
import CDRJOSE
import CDRMockHolder
import CDRTesting
import CDRTransport
import Foundation
import Hummingbird
import HummingbirdTLS
import HummingbirdTesting
import Logging
import NIOSSL
import Testing

@Suite("A holder-initiated revocation reaches the connection through /arrangements/revoke", .timeLimit(.minutes(5)))
struct HolderRevocationFlowTests {
    @Test(
        "the holder revokes over TLS; the recipient's endpoint ends the arrangement and deletes its tokens",
        .timeLimit(.minutes(5)))
    func holderRevokesThroughEndpoint() async throws {
        // One PKI for both: the holder's outgoing client trusts its CA, and the recipient serves its server leaf.
        let pki = try TestPKI()
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try pki.server.nioCertificate())],
            privateKey: .privateKey(try pki.server.nioPrivateKey()))
        tls.minimumTLSVersion = .tlsv12
        let responder = LateBoundResponder()
        let app = Application(
            responder: responder, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: Logger(label: "test-recipient", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await app.test(.live) { client in
            let recipientBaseURI = "https://127.0.0.1:\(try #require(client.port))"
            try await FlowHarness.run(recipientBaseURI: recipientBaseURI, pki: pki) { harness in
                let transport = harness.transport
                let directory = HolderJWKSDirectory(
                    jwksURLs: [
                        harness.holder.configuration.brand.id: try #require(
                            URL(string: harness.endpoints.issuer + "/jwks"))
                    ]
                ) { url in
                    let response = try await transport.send(
                        TransportRequest(method: .get, url: url, security: .publicTLS, operation: "holderJWKS"))
                    guard response.status.code == 200 else { throw JOSEError(.jwksFetchFailed) }
                    return response.body
                }
                let endpoint = ArrangementRevocationEndpoint(
                    configuration: .init(recipientBaseURI: recipientBaseURI), holderKeys: directory,
                    receiver: harness.connection)
                let router = Router()
                router.addArrangementRevocationRoute(endpoint)
                responder.install(router)

                let arrangement = try await harness.authorise()
                let token = try await harness.connection.tokenManager(for: arrangement.id).accessToken()
                // The holder's call must be answered 204, or revokeArrangement throws.
                try await harness.holder.revokeArrangement(id: arrangement.id, notifyRecipient: true)
                #expect(await harness.store.load(arrangementID: arrangement.id)?.tokens == nil)
                #expect(
                    await harness.store.load(arrangementID: arrangement.id)?.arrangement.state == .revoked(by: .holder))
                #expect(try await harness.listAccounts(token: token).status.code == 401)
                let error = await #expect(throws: AuthorizationError.self) {
                    _ = try await harness.connection.tokenManager(for: arrangement.id).accessToken()
                }
                #expect(error?.code == .arrangementRevoked)
                // Told again: the connection no longer knows it, so the endpoint answers 422.
                await #expect(throws: MockHolderError.self) {
                    try await harness.holder.revokeArrangement(id: arrangement.id, notifyRecipient: true)
                }
            }
        }
    }
}
