import CDRJOSE
import CDRMockData
import CDRModels
import CDRTesting
import Foundation
import NIOHTTP1
import Testing

@testable import CDRMockHolder

/// Pagination, transaction filters, public endpoints and fault injection over real mutual TLS.
@Suite(.timeLimit(.minutes(3)))
struct PaginationAndFaultTests {
    static let smallData = MockDataHolder.Configuration(
        dataset: .init(customerCount: 2, accountsPerCustomer: 14, transactionsPerAccount: 120))

    static func transactions(_ answer: HTTPAnswer) throws -> ResponseBankingTransactionListV2 {
        return try CDRDecoder(mode: .strict).decode(ResponseBankingTransactionListV2.self, from: answer.body).value
    }

    @Test func pagesFollowTheStandard() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let grant = try holder.seedGrant()
            let account = grant.accounts[0]
            let base = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts/\(account.id)/transactions"
            let headers = resourceHeaders(grant, version: 2)
            try await TestHTTPClient.with(pki: holder.pki) { client in
                var answer = try await client.send(.GET, base + "?page-size=1001", headers: headers)
                #expect(answer.status == 400)
                #expect(answer.errorCodes == [CDSErrorCode.fieldInvalidPageSize.rawValue])
                answer = try await client.send(.GET, base + "?page=0", headers: headers)
                #expect(answer.status == 400)
                answer = try await client.send(
                    .GET, base + "?page=99&oldest-time=2000-01-01T00:00:00Z", headers: headers)
                #expect(answer.status == 422)
                #expect(answer.errorCodes == [CDSErrorCode.fieldInvalidPage.rawValue])

                // Walk every page by links.next: absolute links, no duplicates, totals consistent.
                var next: String? = base + "?oldest-time=2000-01-01T00:00:00Z&page-size=25"
                var ids: [String] = []
                var pages = 0
                var totals: (Int, Int)?
                while let url = next {
                    answer = try await client.send(.GET, url, headers: headers)
                    #expect(answer.status == 200)
                    let page = try Self.transactions(answer)
                    #expect(page.links.selfLink.hasPrefix("https://127.0.0.1:"))
                    ids += page.records.map(\.transactionId!.rawValue)
                    totals = (page.totalRecords, page.totalPages)
                    pages += 1
                    next = page.links.next
                    #expect(pages <= 10)
                }
                #expect(ids.count == holder.dataset.transactionCount(of: account))
                #expect(Set(ids).count == ids.count)
                #expect(totals?.0 == ids.count)
                #expect(totals?.1 == pages)
            }
        }
    }

    @Test func transactionFiltersSelectTheRightRecords() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let grant = try holder.seedGrant()
            let account = grant.accounts[0]
            let base = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts/\(account.id)/transactions"
            let headers = resourceHeaders(grant, version: 2)
            let all = (0..<holder.dataset.transactionCount(of: account)).map {
                holder.dataset.transaction(of: account, at: $0)
            }
            try await TestHTTPClient.with(pki: holder.pki) { client in
                // Default window: the last 90 days.
                var page = try Self.transactions(
                    try await client.send(.GET, base + "?page-size=1000", headers: headers))
                let cutoff = Date().addingTimeInterval(-90 * 86_400 - 60)
                #expect(page.totalRecords == all.filter { $0.effectiveTime >= cutoff }.count)

                page = try Self.transactions(
                    try await client.send(
                        .GET, base + "?oldest-time=2000-01-01T00:00:00Z&min-amount=0.00&page-size=1000",
                        headers: headers))
                #expect(page.totalRecords == all.filter { $0.amount >= 0 }.count)
                #expect(page.records.allSatisfy { !$0.amount.isNegative })

                page = try Self.transactions(
                    try await client.send(
                        .GET, base + "?oldest-time=2000-01-01T00:00:00Z&max-amount=-10.00&page-size=1000",
                        headers: headers))
                #expect(page.totalRecords == all.filter { $0.amount <= -10 }.count)

                let word = all[3].description.split(separator: " ").first.map(String.init) ?? "x"
                let encoded = word.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? word
                page = try Self.transactions(
                    try await client.send(
                        .GET, base + "?oldest-time=2000-01-01T00:00:00Z&text=\(encoded)&page-size=1000",
                        headers: headers))
                #expect(page.totalRecords == all.filter { $0.matches(text: word) }.count)
                #expect(page.totalRecords > 0)

                let answer = try await client.send(.GET, base + "?oldest-time=yesterday", headers: headers)
                #expect(answer.status == 400)
                #expect(answer.errorCodes == [CDSErrorCode.fieldInvalidDateTime.rawValue])
            }
        }
    }

    @Test func paginationFaultsBreakTheLinksAsAsked() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let grant = try holder.seedGrant()
            let account = grant.accounts[0]
            let url =
                try #require(holder.endpoints).resourceBaseURL
                + "/banking/accounts/\(account.id)/transactions?oldest-time=2000-01-01T00:00:00Z&page-size=10&page=2"
            let headers = resourceHeaders(grant, version: 2)
            try await TestHTTPClient.with(pki: holder.pki) { client in
                holder.faults.pagination = [.nextEqualsSelf]
                var page = try Self.transactions(try await client.send(.GET, url, headers: headers))
                #expect(page.links.next == page.links.selfLink)

                holder.faults.pagination = [.relativeLinks]
                page = try Self.transactions(try await client.send(.GET, url, headers: headers))
                #expect(page.links.next?.hasPrefix("/cds-au/v1/banking/accounts/") == true)

                holder.faults.pagination = [.missingNext]
                page = try Self.transactions(try await client.send(.GET, url, headers: headers))
                #expect(page.links.next == nil && page.totalPages > 2)

                holder.faults.pagination = [.duplicateRecordsAcrossPages]
                page = try Self.transactions(try await client.send(.GET, url, headers: headers))
                holder.faults.pagination = []
                let first = try Self.transactions(
                    try await client.send(
                        .GET, url.replacingOccurrences(of: "page=2", with: "page=1"), headers: headers))
                #expect(page.records.first?.transactionId == first.records.last?.transactionId)
            }
        }
    }

    @Test func publicEndpointsNeedNoCertificateAndReflectOutages() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let endpoints = try #require(holder.endpoints)
            let grant = try holder.seedGrant()
            try await TestHTTPClient.with(pki: holder.pki, presentsCertificate: false) { client in
                var answer = try await client.send(
                    .GET, endpoints.publicResourceBaseURL + "/banking/products", headers: [("x-v", "5")])
                #expect(answer.status == 200)
                #expect(answer.header("access-control-allow-origin") == "*")

                answer = try await client.send(
                    .GET, endpoints.publicResourceBaseURL + "/discovery/status", headers: [("x-v", "1")])
                var status = try CDRDecoder(mode: .strict).decode(ResponseCommonDiscoveryStatus.self, from: answer.body)
                #expect(status.value.data.status == .ok)

                holder.faults.outage = .unavailable
                answer = try await client.send(
                    .GET, endpoints.publicResourceBaseURL + "/discovery/status", headers: [("x-v", "1")])
                status = try CDRDecoder(mode: .strict).decode(ResponseCommonDiscoveryStatus.self, from: answer.body)
                #expect(status.value.data.status == .unavailable)

                let start = Date().addingTimeInterval(3600)
                holder.faults.outage = .scheduled(start: start, duration: .seconds(7200))
                answer = try await client.send(
                    .GET, endpoints.publicResourceBaseURL + "/discovery/outages", headers: [("x-v", "1")])
                let outages = try CDRDecoder(mode: .strict).decode(ResponseDiscoveryOutagesList.self, from: answer.body)
                #expect(outages.value.data.outages.count == 1)
                #expect(outages.value.data.outages.first?.duration.rawValue == "PT120M")
            }
            holder.faults.outage = .unavailable
            try await TestHTTPClient.with(pki: holder.pki) { client in
                let answer = try await client.send(
                    .GET, endpoints.resourceBaseURL + "/banking/accounts", headers: resourceHeaders(grant, version: 3))
                #expect(answer.status == 503)
                #expect(answer.errorCodes == [CDSErrorCode.serviceUnavailable.rawValue])
            }
        }
    }

    @Test func injectedHTTPFaultsHitTheNextRequestsOnly() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let grant = try holder.seedGrant()
            let url = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts"
            let headers = resourceHeaders(grant, version: 3)
            try await TestHTTPClient.with(pki: holder.pki) { client in
                holder.faults.inject(.throttle(retryAfter: 2), times: 1)
                var answer = try await client.send(.GET, url, headers: headers)
                #expect(answer.status == 429)
                #expect(answer.header("retry-after") == "2")
                answer = try await client.send(.GET, url, headers: headers)
                #expect(answer.status == 200)

                holder.faults.inject(.serverError(status: 503, retryAfter: 1), times: 2)
                #expect(try await client.send(.GET, url, headers: headers).status == 503)
                #expect(try await client.send(.GET, url, headers: headers).status == 503)
                #expect(try await client.send(.GET, url, headers: headers).status == 200)

                holder.faults.inject(.expiredToken, times: 1)
                #expect(try await client.send(.GET, url, headers: headers).status == 401)

                holder.faults.inject(.latency(.milliseconds(200)), times: 1)
                let started = ContinuousClock.now
                #expect(try await client.send(.GET, url, headers: headers).status == 200)
                #expect(ContinuousClock.now - started >= .milliseconds(200))
            }
        }
    }

    @Test func versionFaultsMisnegotiate() async throws {
        try await MockDataHolder.withRunning(Self.smallData) { holder in
            let grant = try holder.seedGrant()
            let url = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts"
            try await TestHTTPClient.with(pki: holder.pki) { client in
                holder.faults.version = .respondBelowMinimum
                var answer = try await client.send(
                    .GET, url, headers: resourceHeaders(grant, version: 3, minimumVersion: 3))
                #expect(answer.status == 200)
                #expect(answer.header("x-v") == "2")

                holder.faults.version = .omitVersionHeader
                answer = try await client.send(.GET, url, headers: resourceHeaders(grant, version: 3))
                #expect(answer.status == 200 && answer.header("x-v") == nil)

                holder.faults.version = .rejectEveryVersion
                answer = try await client.send(
                    .GET, url, headers: resourceHeaders(grant, version: 3, minimumVersion: 1))
                #expect(answer.status == 406)
            }
        }
    }
}
