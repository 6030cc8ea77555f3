import CDRJOSE
import CDRMockData
import CDRModels
import CDRTesting
import Foundation
import NIOHTTP1
import Testing

@testable import CDRMockHolder

/// The CDS resource endpoints over real mutual TLS: every operation in every version, and each rule a holder
/// enforces on its callers.
@Suite(.timeLimit(.minutes(3)))
struct ResourceTests {
    /// The URL and body of one operation for a grant: path parameters filled from the grant's first account.
    static func request(
        for operation: CDSOperation, holder: MockDataHolder, grant: SeededGrant
    ) throws -> (url: String, body: Data?) {
        let endpoints = try #require(holder.endpoints)
        let account = grant.accounts[0]
        var path = operation.path.replacingOccurrences(of: "{accountId}", with: account.id)
        if path.contains("{transactionId}") {
            let transaction = holder.dataset.transaction(of: account, at: 0)
            path = path.replacingOccurrences(of: "{transactionId}", with: transaction.id)
        }
        if path.contains("{payeeId}") {
            let payee = try #require(holder.dataset.payees(of: grant.customer).first)
            path = path.replacingOccurrences(of: "{payeeId}", with: payee.id)
        }
        if path.contains("{productId}") {
            path = path.replacingOccurrences(of: "{productId}", with: holder.dataset.products[0].id)
        }
        let base = operation.isAuthenticated ? endpoints.resourceBaseURL : endpoints.publicResourceBaseURL
        var query = ""
        if operation.id == "listBankingTransactions" {
            query = "?oldest-time=2000-01-01T00:00:00Z&page-size=50"
        } else if operation.id.hasPrefix("listInstalmentPlans") {
            query = "?plan-status=ALL"
        } else if operation.id == "listBankingProducts" {
            query = "?effective=ALL"
        }
        var body: Data?
        if operation.requestType != nil {
            let ids = grant.accounts.map { #""\#($0.id)""# }.joined(separator: ",")
            body = Data(#"{"data":{"accountIds":[\#(ids)]},"meta":{}}"#.utf8)
        }
        return (base + path + query, body)
    }

    static func decodeStrictly<T: CDSResponse>(_ type: T.Type, _ body: Data) throws {
        _ = try CDRDecoder(mode: .strict).decode(type, from: body)
    }

    @Test func everyOperationInEveryVersionAnswersAndDecodesStrictly() async throws {
        let dumpFolder = ProcessInfo.processInfo.environment["CDR_MOCK_LIVE_DUMP_DIR"].map {
            URL(fileURLWithPath: $0)
        }
        if let dumpFolder { try FileManager.default.createDirectory(at: dumpFolder, withIntermediateDirectories: true) }
        try await MockDataHolder.withRunning { holder in
            let grant = try holder.seedGrant()
            try await TestHTTPClient.with(pki: holder.pki) { client in
                for operation in CDSOperation.all {
                    let (url, body) = try Self.request(for: operation, holder: holder, grant: grant)
                    var headers = resourceHeaders(grant, version: operation.version, minimumVersion: operation.version)
                    if body != nil { headers.append(("content-type", "application/json")) }
                    if !operation.isAuthenticated { headers.removeAll { $0.0 == "authorization" } }
                    let answer = try await client.send(
                        HTTPMethod(rawValue: operation.method), url, headers: headers, body: body)
                    #expect(answer.status == 200, "\(operation): \(answer.status) \(answer.errorCodes)")
                    #expect(answer.header("x-v") == String(operation.version), "\(operation)")
                    guard answer.status == 200 else { continue }
                    #expect(throws: Never.self, "\(operation)") {
                        try Self.decodeStrictly(operation.responseType, answer.body)
                    }
                    if let dumpFolder {
                        try answer.body.write(
                            to: dumpFolder.appendingPathComponent("\(operation.id).v\(operation.version).0.json"))
                    }
                }
            }
        }
    }

    @Test func versionNegotiationFollowsTheStandard() async throws {
        try await MockDataHolder.withRunning { holder in
            let grant = try holder.seedGrant()
            let url = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts"
            try await TestHTTPClient.with(pki: holder.pki) { client in
                var headers = resourceHeaders(grant, version: 3).filter { $0.0 != "x-v" }
                var answer = try await client.send(.GET, url, headers: headers)
                #expect(answer.status == 400)
                #expect(answer.errorCodes == [CDSErrorCode.headerMissing.rawValue])

                headers.append(("x-v", "abc"))
                answer = try await client.send(.GET, url, headers: headers)
                #expect(answer.status == 400)
                #expect(answer.errorCodes == [CDSErrorCode.headerInvalidVersion.rawValue])

                answer = try await client.send(.GET, url, headers: resourceHeaders(grant, version: 99))
                #expect(answer.status == 406)
                #expect(answer.errorCodes == [CDSErrorCode.unsupportedVersion.rawValue])

                answer = try await client.send(
                    .GET, url, headers: resourceHeaders(grant, version: 99, minimumVersion: 1))
                #expect(answer.status == 200)
                #expect(answer.header("x-v") == "3")

                // x-min-v at or above x-v is ignored: x-v 2 is served.
                answer = try await client.send(
                    .GET, url, headers: resourceHeaders(grant, version: 2, minimumVersion: 5))
                #expect(answer.status == 200)
                #expect(answer.header("x-v") == "2")
                let v2 = try CDRDecoder(mode: .strict).decode(ResponseBankingAccountListV2.self, from: answer.body)
                #expect(v2.value.records.count == grant.accounts.count)
            }
        }
    }

    @Test func requiredHeadersAreEnforcedAndInteractionIDEchoed() async throws {
        try await MockDataHolder.withRunning { holder in
            let grant = try holder.seedGrant()
            let url = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts"
            try await TestHTTPClient.with(pki: holder.pki) { client in
                let base = resourceHeaders(grant, version: 3)
                var answer = try await client.send(.GET, url, headers: base.filter { $0.0 != "x-fapi-auth-date" })
                #expect(answer.status == 400)
                #expect(answer.errorCodes == [CDSErrorCode.headerMissing.rawValue])

                let isoDate =
                    base.filter { $0.0 != "x-fapi-auth-date" } + [("x-fapi-auth-date", "2026-11-21T10:00:00Z")]
                answer = try await client.send(.GET, url, headers: isoDate)
                #expect(answer.status == 400)
                #expect(answer.errorCodes == [CDSErrorCode.headerInvalid.rawValue])

                answer = try await client.send(
                    .GET, url, headers: base + [("x-fapi-customer-ip-address", "203.0.113.7")])
                #expect(answer.status == 400, "customer present without x-cds-client-headers")
                #expect(answer.errorCodes == [CDSErrorCode.headerMissing.rawValue])

                let clientHeaders = Data("User-Agent: Test\r\n".utf8).base64EncodedString()
                answer = try await client.send(
                    .GET, url,
                    headers: base + [
                        ("x-fapi-customer-ip-address", "203.0.113.7"), ("x-cds-client-headers", clientHeaders),
                    ])
                #expect(answer.status == 200)

                let interactionID = try #require(base.first { $0.0 == "x-fapi-interaction-id" }?.1)
                answer = try await client.send(.GET, url, headers: base)
                #expect(answer.header("x-fapi-interaction-id") == interactionID)
                answer = try await client.send(.GET, url, headers: base.filter { $0.0 != "x-fapi-interaction-id" })
                #expect(UUID(uuidString: answer.header("x-fapi-interaction-id") ?? "") != nil)
            }
        }
    }

    @Test func accessTokensAreCheckedOnEveryCall() async throws {
        let clock = ManualTimeSource()
        try await MockDataHolder.withRunning(.init(timeSource: clock)) { holder in
            let grant = try holder.seedGrant(lifetime: 120)
            let url = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts"
            try await TestHTTPClient.with(pki: holder.pki) { client in
                var answer = try await client.send(
                    .GET, url,
                    headers: resourceHeaders(grant, version: 3).filter {
                        $0.0 != "authorization"
                    })
                #expect(answer.status == 401)

                answer = try await client.send(.GET, url, headers: resourceHeaders(grant, version: 3))
                #expect(answer.status == 200)

                clock.advance(by: 121)
                answer = try await client.send(.GET, url, headers: resourceHeaders(grant, version: 3))
                #expect(answer.status == 401, "expired token")
            }
            // The same token presented with another client certificate from the same CA.
            let other = try holder.pki.issueClientIdentity(commonName: "Another Software Product")
            let fresh = try holder.seedGrant()
            try await TestHTTPClient.with(pki: holder.pki, identity: other) { client in
                let answer = try await client.send(.GET, url, headers: resourceHeaders(fresh, version: 3))
                #expect(answer.status == 401)
                #expect(answer.header("www-authenticate")?.contains("invalid_token") == true)
            }
        }
    }

    @Test func scopesAndConsentedAccountsLimitWhatIsVisible() async throws {
        try await MockDataHolder.withRunning { holder in
            let customer = holder.dataset.customers[0]
            let all = holder.dataset.accounts(of: customer)
            let grant = try holder.seedGrant(
                customer: customer, accounts: Array(all.prefix(2)), scopes: ["openid", "bank:accounts.basic:read"])
            let endpoints = try #require(holder.endpoints)
            try await TestHTTPClient.with(pki: holder.pki) { client in
                var answer = try await client.send(
                    .GET, endpoints.resourceBaseURL + "/banking/accounts", headers: resourceHeaders(grant, version: 3))
                let list = try CDRDecoder(mode: .strict).decode(ResponseBankingAccountListV3.self, from: answer.body)
                #expect(list.value.records.map(\.accountId.rawValue) == grant.accounts.map(\.id))

                answer = try await client.send(
                    .GET, endpoints.resourceBaseURL + "/banking/accounts/\(all[0].id)",
                    headers: resourceHeaders(grant, version: 5))
                #expect(answer.status == 403, "no bank:accounts.detail:read")

                answer = try await client.send(
                    .GET, endpoints.resourceBaseURL + "/banking/accounts/\(all[3].id)/balance",
                    headers: resourceHeaders(grant, version: 1))
                #expect(answer.status == 404)
                #expect(answer.errorCodes == [CDSErrorCode.invalidBankingAccount.rawValue])

                let body = Data(#"{"data":{"accountIds":["\#(all[0].id)","\#(all[3].id)"]},"meta":{}}"#.utf8)
                answer = try await client.send(
                    .POST, endpoints.resourceBaseURL + "/banking/accounts/balances",
                    headers: resourceHeaders(grant, version: 1) + [("content-type", "application/json")], body: body)
                #expect(answer.status == 422)
                #expect(answer.errorCodes == [CDSErrorCode.invalidBankingAccount.rawValue])
            }
        }
    }
}
