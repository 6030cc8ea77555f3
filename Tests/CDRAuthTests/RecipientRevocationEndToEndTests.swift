import CDRAuth
import CDRAuthHummingbird
import CDRClient
import CDRJOSE
import CDRMockHolder
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@Suite("RecipientRevocation: the mock data holder revokes through the adapter", .timeLimit(.minutes(5)))
struct RecipientRevocationEndToEndTests {
    @Test("Holder-initiated revocation reaches the receiver and the holder gets 204", .timeLimit(.minutes(5)))
    func holderRevokes() async throws {
        try await withMockDataHolder(MockWorld.Options(consent: nil)) { world in
            let holder = try world.holder
            let endpoints = world.endpoints
            let transport = world.base
            let responder = LateBoundResponder()
            let app = Application(
                responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                logger: Logger(label: "test-recipient", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let recipientBaseURI = "http://127.0.0.1:\(port)"
                let holderBrandID = holder.configuration.brand.id
                let directory = HolderJWKSDirectory(
                    jwksURLs: [holderBrandID: try #require(URL(string: endpoints.issuer + "/jwks"))]
                ) { url in
                    let response = try await transport.send(
                        TransportRequest(method: .get, url: url, security: .publicTLS, operation: "holderJWKS"))
                    guard response.status == .ok else { throw JOSEError(.jwksFetchFailed) }
                    return response.body
                }
                let receiver = RecordingRevocationReceiver(arrangements: [:])
                let endpoint = ArrangementRevocationEndpoint(
                    configuration: .init(recipientBaseURI: recipientBaseURI), holderKeys: directory,
                    receiver: receiver)
                let router = Router()
                router.addArrangementRevocationRoute(endpoint)
                responder.install(router)

                // A product with this RecipientBaseUri, registered and consented through the whole flow (an
                // arrangement made with `makeGrant` belongs to no registered client, so the holder would have no
                // RecipientBaseUri to notify).
                let product = try await world.registerProduct(id: "sp-revocation", recipientBaseURI: recipientBaseURI)
                let arrangementID = try await world.consent(at: try await world.connect(product)).id
                receiver.add(arrangementID: arrangementID, holderBrandID: holderBrandID)

                // The holder's call must be answered 204, or revokeArrangement throws.
                try await holder.revokeArrangement(id: arrangementID, notifyRecipient: true)
                #expect(receiver.received.map(\.arrangementID) == [arrangementID])
                #expect(receiver.received.first?.holderBrandID == holderBrandID)
                #expect(holder.arrangement(id: arrangementID)?.isActive == false)

                // Told again, the recipient answers 422 (already revoked), which the holder reports.
                await #expect(throws: MockHolderError.self) {
                    try await holder.revokeArrangement(id: arrangementID, notifyRecipient: true)
                }
                #expect(receiver.received.count == 2)

                // The live server answers other methods with 405.
                let get = try await client.execute(uri: "/arrangements/revoke", method: .get)
                #expect(get.status == .methodNotAllowed)
            }
        }
    }
}

/// Serves a router installed after the server is bound: the endpoint's audience contains the port.
final class LateBoundResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    private let responder = Mutex<RouterResponder<BasicRequestContext>?>(nil)

    func install(_ router: Router<BasicRequestContext>) {
        let built = router.buildResponder()
        responder.withLock { $0 = built }
    }

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        guard let responder = responder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
        return try await responder.respond(to: request, context: context)
    }
}
