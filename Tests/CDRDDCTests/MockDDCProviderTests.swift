import CDRDDC
import CDRMockData
import CDRMockHolder
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// The mock provider's own API, called raw: its authentication, its (non-CDS) shape and its input checks.
@Suite(.timeLimit(.minutes(5))) struct MockDDCProviderTests {
    static func call(
        _ harness: DDCHarness, _ method: HTTPRequest.Method, _ path: String, body: String? = nil,
        contentType: String? = "application/json", apiKey: String?
    ) async throws -> (status: Int, json: [String: Any]) {
        let endpoints = try #require(harness.holder.endpoints)
        var headers = HTTPFields()
        if let apiKey { headers[.authorization] = "Bearer " + apiKey }
        if let contentType, body != nil { headers[.contentType] = contentType }
        let request = TransportRequest(
            method: method, url: try #require(URL(string: endpoints.ddcBaseURL + path)), headerFields: headers,
            body: body.map { Data($0.utf8) }, security: .publicTLS)
        let response = try await harness.client.transport.send(request)
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        return (response.status.code, json)
    }

    static func errorCode(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }

    @Test func everyCallNeedsTheAPIKey() async throws {
        try await DDCHarness.run { harness in
            for key in [nil, "wrong"] as [String?] {
                let (status, json) = try await Self.call(harness, .get, "/institutions", apiKey: key)
                #expect(status == 401)
                #expect(Self.errorCode(json) == "unauthorized")
            }
            let (status, json) = try await Self.call(harness, .get, "/institutions", apiKey: harness.provider.apiKey)
            #expect(status == 200)
            #expect((json["institutions"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func transactionsComeInTheProvidersOwnShape() async throws {
        try await DDCHarness.run { harness in
            let connection = try await harness.capturedConnection()
            let key = harness.provider.apiKey
            let (_, accounts) = try await Self.call(harness, .get, "/connections/\(connection)/accounts", apiKey: key)
            let first = try #require((accounts["accounts"] as? [[String: Any]])?.first)
            #expect(first["account_id"] is String)
            #expect((first["bsb"] as? String)?.contains("-") == true)
            let accountID = try #require(first["account_id"] as? String)
            let (status, page) = try await Self.call(
                harness, .get, "/connections/\(connection)/accounts/\(accountID)/transactions?limit=3", apiKey: key)
            #expect(status == 200)
            #expect(page["data"] == nil && page["links"] == nil)
            let records = try #require(page["transactions"] as? [[String: Any]])
            #expect(records.count == 3)
            #expect(records.allSatisfy { $0["amount_cents"] is Int && $0["transaction_id"] is String })
            #expect(page["next_cursor"] is String)
        }
    }

    @Test func badInputIsRefusedWithTheProvidersErrors() async throws {
        try await DDCHarness.run { harness in
            let key = harness.provider.apiKey
            let connection = try await harness.capturedConnection()
            let account =
                "/connections/\(connection)/accounts/"
                + harness.provider.providerAccountID(
                    for: harness.holder.dataset.accounts(of: harness.holder.dataset.customers[0])[0])
            for query in ["cursor=bm90LWEtY3Vyc29y", "limit=0", "limit=501", "from=2024-13-01", "to=yesterday"] {
                let (status, json) = try await Self.call(harness, .get, account + "/transactions?" + query, apiKey: key)
                #expect(status == 400, "\(query)")
                #expect(["invalid_cursor", "invalid_parameter"].contains(Self.errorCode(json) ?? ""), "\(query)")
            }
            let secret = "Secret-Passw0rd-123"
            let (wrongType, _) = try await Self.call(
                harness, .post, "/connections", body: "password=\(secret)", contentType: "text/plain", apiKey: key)
            #expect(wrongType == 415)
            let (malformed, json) = try await Self.call(
                harness, .post, "/connections", body: #"{"credentials": {"password": "\#(secret)"}}"#, apiKey: key)
            #expect(malformed == 400)
            #expect(Self.errorCode(json) == "invalid_request")
            #expect(!"\(json)".contains(secret))
        }
    }
}
