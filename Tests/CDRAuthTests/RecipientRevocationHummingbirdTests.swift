import CDRAuth
import CDRAuthHummingbird
import CDRJOSE
import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Testing

@Suite("RecipientRevocation: the Hummingbird adapter")
struct RecipientRevocationHummingbirdTests {
    static let path = "/cdr/arrangements/revoke"

    @Test("POST reaches the endpoint at the path of its URL and is answered 204")
    func post() async throws {
        let fixture = RevocationFixture()
        let router = Router()
        router.addArrangementRevocationRoute(fixture.endpoint)
        let request = try await fixture.validRequest()
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(
                uri: Self.path, method: .post, headers: request.headerFields, body: ByteBuffer(bytes: request.body))
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
        }
        #expect(fixture.receiver.received.map(\.arrangementID) == [RevocationFixture.arrangementID])
    }

    @Test("Errors keep the endpoint's status, headers and CDS error body")
    func errorResponse() async throws {
        let fixture = RevocationFixture()
        let router = Router()
        router.addArrangementRevocationRoute(fixture.endpoint)
        let request = try await fixture.validRequest(id: "arr-unknown")
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(
                uri: Self.path, method: .post, headers: request.headerFields, body: ByteBuffer(bytes: request.body))
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/json")
            let errors = try JSONDecoder().decode(ResponseErrorListV2.self, from: Data(response.body.readableBytesView))
            #expect(errors.standardCodes == [.invalidArrangement])
            #expect(errors.errors.first?.detail == "arr-unknown")
        }
    }

    @Test("Other methods on the path are 405, not 404; other paths stay 404")
    func otherMethods() async throws {
        let fixture = RevocationFixture()
        let router = Router()
        router.addArrangementRevocationRoute(fixture.endpoint)
        try await Application(router: router).test(.router) { client in
            for method: HTTPRequest.Method in [.get, .put, .delete, .patch, .options] {
                let response = try await client.execute(uri: Self.path, method: method)
                #expect(response.status == .methodNotAllowed, "\(method)")
                #expect(response.headers[.allow] == "POST")
            }
            #expect(try await client.execute(uri: "/arrangements/revoke", method: .post).status == .notFound)
        }
    }

    @Test("A body over the endpoint's maximum is 413 and never reaches the endpoint")
    func bodyCap() async throws {
        let fixture = RevocationFixture(
            configuration: .init(recipientBaseURI: RevocationFixture.baseURI, maximumBodySize: 256))
        let router = Router()
        router.addArrangementRevocationRoute(fixture.endpoint)
        let request = try await fixture.validRequest()
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(
                uri: Self.path, method: .post, headers: request.headerFields, body: ByteBuffer(bytes: request.body))
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/json")
        }
        #expect(fixture.receiver.received.isEmpty)
        #expect(fixture.logs.entries.isEmpty)
    }

    @Test("An explicit path, inside a route group, with the request's logger")
    func explicitPathInGroup() async throws {
        let fixture = RevocationFixture()
        let router = Router()
        router.group("recipient").addArrangementRevocationRoute(
            fixture.endpoint, path: "revoke", usesRequestLogger: true)
        let request = try await fixture.validRequest()
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(
                uri: "/recipient/revoke", method: .post, headers: request.headerFields,
                body: ByteBuffer(bytes: request.body))
            #expect(response.status == .noContent)
        }
        // The request context's logger was used, so the fixture's log stayed empty.
        #expect(fixture.logs.entries.isEmpty)
        #expect(fixture.receiver.received.count == 1)
    }
}
