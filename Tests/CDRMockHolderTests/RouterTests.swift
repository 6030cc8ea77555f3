import CDRMockData
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CDRMockHolder

/// Endpoint rules checked at the router, without sockets: the public CDS endpoints and the secure ones up to the
/// point where a client certificate is needed.
@Suite struct RouterTests {
    static func publicApp(_ holder: MockDataHolder) -> some ApplicationProtocol {
        Application(router: holder.makePublicRouter())
    }

    @Test func productsNegotiateVersionsAndPaginate() async throws {
        let holder = try MockDataHolder()
        try await Self.publicApp(holder).test(.router) { client in
            try await client.execute(uri: "/cds-au/v1/banking/products", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/cds-au/v1/banking/products?effective=ALL&page-size=2", method: .get, headers: [.cdsVersion: "4"]
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cdsVersion] == "4")
                let page = try CDRDecoder(mode: .strict).decode(
                    ResponseBankingProductListV3.self, from: Data(response.body.readableBytesView)
                ).value
                #expect(page.records.count == 2)
                #expect(page.totalRecords == holder.dataset.products.count)
                #expect(page.links.next?.contains("page=2") == true)
            }
            try await client.execute(
                uri: "/cds-au/v1/banking/products?effective=SOON", method: .get, headers: [.cdsVersion: "5"]
            ) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(
                uri: "/cds-au/v1/banking/products/unknown-id", method: .get, headers: [.cdsVersion: "7"]
            ) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/cds-au/v1/discovery/outages", method: .get, headers: [.cdsVersion: "2"]) {
                #expect($0.status == .notAcceptable)
            }
        }
    }

    @Test func secureRoutesRefuseWithoutACertificateBoundToken() async throws {
        let holder = try MockDataHolder()
        let grant = try holder.makeGrant(boundTo: try holder.pki.client.thumbprint())
        try await Application(router: holder.makeSecureRouter()).test(.router) { client in
            // The router test client presents no certificate, so even a valid token is refused.
            try await client.execute(
                uri: "/cds-au/v1/banking/accounts", method: .get,
                headers: [.cdsVersion: "3", .authorization: "Bearer \(grant.accessToken)"]
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            }
            try await client.execute(uri: "/cds-au/v1/banking/nothing-here", method: .get) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test func httpDatesAreParsedStrictly() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPDate.parse("Mon, 06 Nov 1994 08:49:37 GMT") == nil, "wrong day name")
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil, "obsolete RFC 850 form")
        #expect(HTTPDate.parse("1994-11-06T08:49:37Z") == nil)
        #expect(HTTPDate.parse("Sun, 31 Feb 1994 08:49:37 GMT") == nil)
        let date = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(HTTPDate.parse(HTTPDate.format(date)) == date)
    }
}
