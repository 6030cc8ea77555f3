import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// Reads every page of a sequence.
func allPages<R>(_ sequence: PagedSequence<R>) async throws -> [Page<R>] {
    var pages: [Page<R>] = []
    for try await page in sequence.pages { pages.append(page) }
    return pages
}

/// The account ids of `listBankingAccounts` records.
func accountIDs(_ records: [Versioned<BankingAccountV3, BankingAccountV2>]) -> [String] {
    records.map { $0.currentValue?.accountId.rawValue ?? $0.previousValue?.accountId.rawValue ?? "?" }
}

@Suite("Pagination against the mock holder's faults", .timeLimit(.minutes(5)))
struct LivePaginationTests {
    /// 14 accounts in pages of 5: three pages.
    static let pageSize = 5

    @Test("A clean walk follows links.next to the end and reads every record once", .timeLimit(.minutes(5)))
    func cleanWalk() async throws {
        try await LiveBanking.run { live in
            let pages = try await allPages(try live.client(pageSize: Self.pageSize).accounts())
            #expect(pages.map(\.number) == [1, 2, 3])
            #expect(pages.allSatisfy { $0.anomalies.isEmpty })
            #expect(accountIDs(pages.flatMap(\.records)) == live.accounts.map(\.id))
            #expect(pages.last?.totalRecords == live.accounts.count)
            #expect(live.recording.requests.count == 3)
        }
    }

    @Test("next equal to self: the walk ends on the first page with .nextEqualsSelf and sends nothing more")
    func nextEqualsSelf() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.pagination = [.nextEqualsSelf]
            let pages = try await allPages(try live.client(pageSize: Self.pageSize).accounts())
            #expect(pages.count == 1)
            #expect(pages.last?.anomalies.map(\.kind) == [.nextEqualsSelf])
            #expect(pages.last?.records.count == Self.pageSize)
            #expect(live.recording.requests.count == 1)
        }
    }

    @Test("Relative links resolve against the request and the whole list is read")
    func relativeLinks() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.pagination = [.relativeLinks]
            let pages = try await allPages(try live.client(pageSize: Self.pageSize).accounts())
            #expect(pages.count == 3)
            #expect(pages.allSatisfy { $0.anomalies.isEmpty })
            #expect(accountIDs(pages.flatMap(\.records)) == live.accounts.map(\.id))
            let followed = live.recording.requests.dropFirst()
            #expect(followed.count == 2)
            #expect(
                followed.allSatisfy {
                    $0.url.absoluteString.hasPrefix(live.endpoints.resourceBaseURL + "/banking/accounts?")
                })
            #expect(followed.allSatisfy { $0.security == .mutualTLS && live.carriesGrantToken($0) })
        }
    }

    @Test("A missing next link while totalPages says more: .missingNextLink and only the first page")
    func missingNext() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.pagination = [.missingNext]
            let pages = try await allPages(try live.client(pageSize: Self.pageSize).accounts())
            #expect(pages.count == 1)
            #expect(pages.first?.anomalies.map(\.kind) == [.missingNextLink])
            #expect(pages.first?.records.count == Self.pageSize)
            #expect(pages.first?.totalPages == 3)
            #expect(live.recording.requests.count == 1)
        }
    }

    @Test("Records repeated across pages are dropped by id and reported as .duplicateRecords")
    func duplicateRecords() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.pagination = [.duplicateRecordsAcrossPages]
            let pages = try await allPages(try live.client(pageSize: Self.pageSize).accounts())
            let ids = accountIDs(pages.flatMap(\.records))
            #expect(Set(ids).count == ids.count, "no duplicate ids")
            #expect(ids.count == live.holder.dataset.accounts(of: live.customer).count)
            #expect(ids == live.accounts.map(\.id))
            #expect(pages.first?.anomalies.isEmpty == true)
            #expect(pages.dropFirst().allSatisfy { $0.anomalies.map(\.kind) == [.duplicateRecords] })
            #expect(pages.dropFirst().allSatisfy { !$0.anomalies[0].endsWalk })
        }
    }

    @Test("Duplicates are dropped in the record sequence too (not only in pages)")
    func duplicateRecordsInRecordSequence() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.pagination = [.duplicateRecordsAcrossPages]
            let records = try await live.client(pageSize: Self.pageSize).accounts().collect()
            #expect(accountIDs(records) == live.accounts.map(\.id))
            var iterated: [String] = []
            for try await record in try live.client(pageSize: Self.pageSize).accounts() {
                iterated.append(contentsOf: accountIDs([record]))
            }
            #expect(iterated == live.accounts.map(\.id))
        }
    }

    @Test("The page cap stops the walk after exactly maximumPages requests with .pageLimitReached")
    func pageCap() async throws {
        try await LiveBanking.run { live in
            let client = try live.client(pageSize: 2, pagination: PaginationPolicy(maximumPages: 3))
            let pages = try await allPages(client.accounts())
            #expect(pages.count == 3)
            #expect(live.recording.requests.count == 3)
            #expect(pages.last?.anomalies.map(\.kind) == [.pageLimitReached])
            #expect(pages.dropLast().allSatisfy { $0.anomalies.isEmpty })
            #expect(pages.flatMap(\.records).count == 6)
        }
    }

    @Test("onAnomaly .fail: the page is delivered, then DataHolderError.paginationAnomaly is thrown")
    func failOnAnomaly() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.pagination = [.nextEqualsSelf]
            let client = try live.client(pageSize: Self.pageSize, pagination: PaginationPolicy(onAnomaly: .fail))
            var iterator = client.accounts().pages.makeAsyncIterator()
            let first = try #require(try await iterator.next())
            #expect(first.records.count == Self.pageSize)
            #expect(first.anomalies.map(\.kind) == [.nextEqualsSelf])
            let error = await #expect(throws: DataHolderError.self) { _ = try await iterator.next() }
            #expect(error?.code == .paginationAnomaly)
            #expect(error?.operation == "listBankingAccounts")
            #expect(error?.interactionID != nil)
            #expect(try await iterator.next() == nil, "the walk is over after the error")
            #expect(live.recording.requests.count == 1)

            // The record sequence throws too, after the records of the delivered page.
            var delivered = 0
            await #expect(throws: DataHolderError.self) {
                for try await _ in client.accounts() { delivered += 1 }
            }
            #expect(delivered == Self.pageSize)
        }
    }

    @Test("A duplicate-only anomaly does not fail the walk even with onAnomaly .fail")
    func duplicatesDoNotFail() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.pagination = [.duplicateRecordsAcrossPages]
            let client = try live.client(pageSize: Self.pageSize, pagination: PaginationPolicy(onAnomaly: .fail))
            let records = try await client.accounts().collect()
            #expect(accountIDs(records) == live.accounts.map(\.id))
        }
    }
}

// MARK: - Hand-made pages

/// A fake holder that serves hand-made `listBankingAccounts` pages by their `page` query parameter (1 when absent).
struct FakePages: Sendable {
    static let base = "https://holder.example/cds-au/v1/banking/accounts"
    static let accounts = MockDataset().accounts(of: MockDataset().customers[0])

    /// The JSON body of one page: `records` of the sample accounts, with `next` as given (`.null` for JSON null,
    /// `nil` to leave it out).
    static func page(
        _ records: Range<Int>, next: Link, selfLink: String, totalRecords: Int, totalPages: Int,
        mutate: (inout [[String: Any]]) -> Void = { _ in }
    ) throws -> Data {
        let envelope = ResponseBankingAccountListV3(
            data: .init(accounts: records.map { accounts[$0].v3() }),
            links: LinksPaginated(selfLink: selfLink),
            meta: MetaPaginated(totalRecords: totalRecords, totalPages: totalPages))
        var object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(envelope)) as? [String: Any])
        var links = try #require(object["links"] as? [String: Any])
        switch next {
        case .absent: links.removeValue(forKey: "next")
        case .null: links["next"] = NSNull()
        case .url(let url): links["next"] = url
        }
        object["links"] = links
        var data = try #require(object["data"] as? [String: Any])
        var list = try #require(data["accounts"] as? [[String: Any]])
        mutate(&list)
        data["accounts"] = list
        object["data"] = data
        return try JSONSerialization.data(withJSONObject: object)
    }

    enum Link: Sendable {
        case absent
        case null
        case url(String)
    }

    /// A transport that answers with `pages[n]` for `page=n` (x-v 3) and records every request.
    static func transport(_ pages: [Int: Data]) -> RecordingTransport {
        RecordingTransport { request in
            let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
            let number = items.first { $0.name == "page" }?.value.flatMap(Int.init) ?? 1
            guard let body = pages[number] else { return TransportResponse(status: .notFound) }
            var fields = HTTPFields()
            fields[.cdsVersion] = "3"
            fields[.contentType] = "application/json"
            return TransportResponse(status: .ok, headerFields: fields, body: body)
        }
    }
}

@Suite("Pagination guardrails with hand-made pages")
struct FakePaginationTests {
    @Test("A next link back to the first page is a loop: the walk stops with .loop after two requests")
    func loopToFirstPage() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<2, next: .url(FakePages.base + "?page=2"), selfLink: FakePages.base, totalRecords: 6, totalPages: 3),
            2: try FakePages.page(
                2..<4, next: .url(FakePages.base), selfLink: FakePages.base + "?page=2", totalRecords: 6, totalPages: 3),
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        #expect(pages.count == 2)
        #expect(pages.last?.anomalies.map(\.kind) == [.loop])
        #expect(transport.requests.count == 2)
        #expect(accountIDs(pages.flatMap(\.records)) == FakePages.accounts[0..<4].map(\.id))
    }

    @Test("A loop through a link that spells the first page differently (page=1) is still caught")
    func loopThroughSpelledFirstPage() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<2, next: .url(FakePages.base + "?page-size=2&page=2"),
                selfLink: FakePages.base + "?page=1&page-size=2",
                totalRecords: 6, totalPages: 3),
            2: try FakePages.page(
                2..<4, next: .url(FakePages.base + "?page=1&page-size=2"),
                selfLink: FakePages.base + "?page=2&page-size=2", totalRecords: 6, totalPages: 3),
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        #expect(pages.count == 2)
        #expect(pages.last?.anomalies.map(\.kind) == [.loop])
        #expect(transport.requests.count == 2)
    }

    @Test("A longer cycle (1 → 2 → 3 → 2) is caught as .loop before page 2 is read again")
    func loopToMiddlePage() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<2, next: .url(FakePages.base + "?page=2"), selfLink: FakePages.base, totalRecords: 6, totalPages: 3),
            2: try FakePages.page(
                2..<4, next: .url(FakePages.base + "?page=3"), selfLink: FakePages.base + "?page=2", totalRecords: 6,
                totalPages: 3),
            3: try FakePages.page(
                4..<6, next: .url("?page=2"), selfLink: FakePages.base + "?page=3", totalRecords: 6, totalPages: 3),
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        #expect(pages.count == 3)
        #expect(pages.last?.anomalies.map(\.kind) == [.loop])
        #expect(transport.requests.count == 3)
    }

    @Test(
        "A next link to another server (or not https) is not followed: .foreignLink",
        arguments: [
            "https://evil.example/cds-au/v1/banking/accounts?page=2",
            "https://holder.example:8443/cds-au/v1/banking/accounts?page=2",
            "http://holder.example/cds-au/v1/banking/accounts?page=2",
            "//evil.example/cds-au/v1/banking/accounts?page=2",
        ])
    func foreignLink(_ next: String) async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(0..<2, next: .url(next), selfLink: FakePages.base, totalRecords: 4, totalPages: 2),
            2: try FakePages.page(
                2..<4, next: .null, selfLink: FakePages.base + "?page=2", totalRecords: 4, totalPages: 2),
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        #expect(pages.count == 1)
        #expect(pages.first?.anomalies.map(\.kind) == [.foreignLink])
        #expect(transport.requests.count == 1)
        #expect(transport.requests.allSatisfy { $0.url.host == "holder.example" })
    }

    @Test("A null next ends the walk without an anomaly", arguments: [FakePages.Link.null, .absent])
    func nullNextEndsWalk(_ last: FakePages.Link) async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<2, next: .url(FakePages.base + "?page=2"), selfLink: FakePages.base, totalRecords: 4, totalPages: 2),
            2: try FakePages.page(
                2..<4, next: last, selfLink: FakePages.base + "?page=2", totalRecords: 4, totalPages: 2),
            3: try FakePages.page(
                4..<6, next: .null, selfLink: FakePages.base + "?page=3", totalRecords: 4, totalPages: 2),
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        #expect(pages.count == 2)
        #expect(pages.allSatisfy { $0.anomalies.isEmpty })
        #expect(transport.requests.count == 2)
        #expect(accountIDs(pages.flatMap(\.records)) == FakePages.accounts[0..<4].map(\.id))
    }

    @Test("An empty list (0 records, 0 pages, null next) is one request and no records")
    func emptyList() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(0..<0, next: .null, selfLink: FakePages.base, totalRecords: 0, totalPages: 0)
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        #expect(pages.count == 1)
        #expect(pages.first?.records.isEmpty == true)
        #expect(pages.first?.anomalies.isEmpty == true)
        #expect(transport.requests.count == 1)
    }

    @Test("A next link that is not a URL: .invalidLink, not followed")
    func invalidLink() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<2, next: .url("http://[::1"), selfLink: FakePages.base, totalRecords: 4, totalPages: 2)
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        #expect(pages.count == 1)
        #expect(pages.first.map { $0.anomalies.map(\.kind) } == [.invalidLink])
        #expect(transport.requests.count == 1)
    }

    @Test("Lenient decoding: a malformed record is left out with a diagnostic, the others are delivered")
    func malformedRecord() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<3, next: .null, selfLink: FakePages.base, totalRecords: 3, totalPages: 1,
                mutate: { $0[1].removeValue(forKey: "accountId") })
        ])
        let pages = try await allPages(fakeClient(transport).accounts())
        let page = try #require(pages.first)
        #expect(accountIDs(page.records) == [FakePages.accounts[0].id, FakePages.accounts[2].id])
        #expect(page.diagnostics.count == 1)
        #expect(page.diagnostics.first?.index == 1)
        #expect(page.diagnostics.first?.elementPath.contains("accounts") == true)
        #expect(page.diagnostics.first?.reason == .missingField)
    }

    @Test("Strict decoding: a malformed record fails the page with .invalidResponse")
    func malformedRecordStrict() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<3, next: .null, selfLink: FakePages.base, totalRecords: 3, totalPages: 1,
                mutate: { $0[1]["accountId"] = 42 })
        ])
        var client = fakeClient(transport)
        client.configuration.decodingMode = .strict
        let error = await #expect(throws: DataHolderError.self) { _ = try await client.accounts().collect() }
        #expect(error?.code == .invalidResponse)
        #expect(error?.status == 200)
    }

    @Test("Follow-up page requests keep the call's headers (x-v, x-min-v, auth date) and operation")
    func followUpRequestsKeepHeaders() async throws {
        let transport = FakePages.transport([
            1: try FakePages.page(
                0..<2, next: .url(FakePages.base + "?page=2"), selfLink: FakePages.base, totalRecords: 4, totalPages: 2),
            2: try FakePages.page(
                2..<4, next: .null, selfLink: FakePages.base + "?page=2", totalRecords: 4, totalPages: 2),
        ])
        _ = try await fakeClient(transport).accounts().collect()
        #expect(transport.requests.count == 2)
        for request in transport.requests {
            #expect(versionHeaders(request).xv == "3")
            #expect(versionHeaders(request).xminv == "2")
            #expect(request.headerFields[.fapiAuthDate] == HTTPDate.format(LiveBanking.authenticationTime))
            #expect(request.operation == "listBankingAccounts")
            #expect(request.security == .mutualTLS)
        }
        #expect(transport.requests.last?.url.absoluteString == FakePages.base + "?page=2")
    }
}
