import CDRBanking
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import Testing

@Suite("Holder quirks registry and the data-quality report")
struct HolderQuirksTests {
    /// The brand the package's own registry declares (the mock holder's quirks brand).
    static let quirksBrand = "9e1d4c2a-7b3f-4e58-a6c1-5d0f2b8e7a93"

    static func registry(_ holders: String) throws -> HolderQuirksRegistry {
        try HolderQuirksRegistry(json: Data(#"{"format":1,"holders":[\#(holders)]}"#.utf8))
    }

    @Test func theBundledRegistryIsReadFromThePackagesFile() throws {
        let quirks = try #require(HolderQuirksRegistry.bundled.quirks(forBrand: Self.quirksBrand))
        #expect(quirks.pageSizeCap == 500)
        #expect(quirks.avoidVersions == ["listBankingAccounts": [3]])
        #expect(quirks.expectedQuirks == [.dateTimeInDateField])
        #expect(quirks.ignoredFields == ["listBankingPayees": ["data.payees[*].nickname"]])
        #expect(HolderQuirksRegistry.bundled.quirks(forBrand: "another-brand") == nil)
        #expect(HolderQuirksRegistry.bundled.quirks(forBrand: nil) == nil)
    }

    @Test(arguments: [
        (#"{"format":2,"holders":[]}"#, "format 2"),
        (#"{"format":1,"holders":[{"name":"x"}]}"#, "holders[0] names no brandIds"),
        (#"{"format":1,"holders":[{"brandIds":["b"],"pageSizeCap":0}]}"#, "pageSizeCap must be 1 to 1000"),
        (#"{"format":1,"holders":[{"brandIds":["b"],"expectedQuirks":["sometimesLate"]}]}"#, "unknown quirk"),
        (#"{"format":1,"holders":[{"brandIds":["b"],"avoidVersions":{"listThings":[1]}}]}"#, "unknown operation"),
        (#"{"format":1,"holders":[{"brandIds":["b"],"avoidVersions":{"listBankingAccounts":[9]}}]}"#, "version"),
        (#"{"format":1,"holders":[{"brandIds":["b"],"ignoredFields":{"nope":["x"]}}]}"#, "unknown operation"),
        (#"{"format":1,"holders":[{"brandIds":["b"],"avoidVersions":{"listBankingAccounts":[2,3]}}]}"#, "no version"),
        (#"[1,2]"#, "not a quirks registry document"),
    ])
    func badRegistriesAreRefusedWithTheReason(document: String, reason: String) {
        let error = #expect(throws: HolderQuirksRegistryError.self) {
            try HolderQuirksRegistry(json: Data(document.utf8))
        }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "no error")")
        #expect(error?.category == .callerError)
    }

    @Test func aLaterEntryForTheSameBrandWins() throws {
        let ours = try Self.registry(#"{"brandIds":["\#(Self.quirksBrand)"],"pageSizeCap":50}"#)
        let merged = HolderQuirksRegistry.bundled.merging(ours)
        #expect(merged.quirks(forBrand: Self.quirksBrand)?.pageSizeCap == 50)
        #expect(merged.quirks(forBrand: Self.quirksBrand)?.avoidVersions.isEmpty == true)
    }

    @Test("A brand's entry caps page-size, avoids a version and ignores a field, over real mutual TLS")
    func quirksApplyToTheirBrandOnly() async throws {
        var configuration = MockDataHolder.Configuration()
        configuration.brand.id = Self.quirksBrand
        try await LiveBanking.run(holder: configuration) { live in
            let recorder = DataQualityRecorder()
            // No quirks given: the bundled registry's entry for the holder's brand applies.
            let client = try live.client(pageSize: 1000, dataQuality: recorder)
            let pages = try await client.accounts().pages.reduce(
                into: [Page<Versioned<BankingAccountV3, BankingAccountV2>>]()
            ) { $0.append($1) }
            #expect(pages.map(\.version) == [2])
            let request = try #require(live.recording.requests.last)
            #expect(versionHeaders(request).xv == "2" && versionHeaders(request).xminv == nil)
            #expect(request.url.query?.contains("page-size=500") == true)

            let payees = try await client.payees().pages.reduce(into: [Page<BankingPayeeV2>]()) { $0.append($1) }
            let records = payees.flatMap(\.records)
            #expect(!records.isEmpty && records.allSatisfy { $0.nickname.isEmpty && $0.isMissing(\.nickname) })
            let diagnostics = payees.flatMap(\.diagnostics)
            #expect(diagnostics.count == records.count)
            #expect(
                diagnostics.allSatisfy { $0.quirk == .ignoredField && $0.isExpected && $0.outcome == .valueLeftOut })
            let report = recorder.report
            #expect(report.entries.count == 1)
            let entry = try #require(report.entries.first)
            #expect(entry.holderBrandID == Self.quirksBrand && entry.operation == "listBankingPayees")
            #expect(entry.path == "data.payees[*].nickname" && entry.count == records.count && entry.isExpected)
            #expect(entry.exampleInteractionIDs == payees.compactMap(\.interactionID).prefix(3).map { $0 })

            // The same holder under another brand's entry (none): nothing is changed.
            let plain = try live.client(pageSize: 1000, quirks: HolderQuirks())
            let plainPages = try await plain.accounts().pages.reduce(into: [Int]()) { $0.append($1.version) }
            #expect(plainPages == [3])
            #expect(live.recording.requests.last?.url.query?.contains("page-size=1000") == true)
            let plainPayees = try await plain.payees().collect()
            #expect(plainPayees.allSatisfy { !$0.nickname.isEmpty && $0.missingFields.isEmpty })
        }
    }

    @Test func theReportAggregatesPerFieldWithoutValues() throws {
        let recorder = DataQualityRecorder(examplesPerEntry: 2)
        let body = Data(
            """
            {"data":{"accounts":[\
            {"accountId":"a1","creationDate":"2025-01-02T10:00:00Z","displayName":"SECRET-name","maskedNumber":"x",\
            "accountOwnership":"ONE_PARTY","productCategory":"TRANS_AND_SAVINGS_ACCOUNTS","productName":"p"},\
            {"accountId":"a2","creationDate":"2025-01-03T10:00:00Z","displayName":"d","maskedNumber":"x",\
            "accountOwnership":"ONE_PARTY","productCategory":"trans_and_savings_accounts","productName":"p"}]},\
            "links":{"self":"https://dh.example/a"},"meta":{"totalRecords":2,"totalPages":1}}
            """.utf8)
        let decoded = try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: body)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for (offset, id) in ["i-1", "i-2", "i-3"].enumerated() {
            recorder.observe(
                decoded.diagnostics,
                in: DataQualityContext(
                    holderBrandID: "b", operation: "listBankingAccounts", version: 3, interactionID: id,
                    receivedAt: start.addingTimeInterval(Double(offset) * 60)))
        }
        let report = recorder.report
        #expect(report.entries.map(\.path) == ["data.accounts[*].creationDate", "data.accounts[*].productCategory"])
        #expect(report.entries.map(\.count) == [6, 3])
        #expect(report.entries.map(\.quirk) == [.dateTimeInDateField, .enumVariant])
        #expect(report.entries.allSatisfy { $0.exampleInteractionIDs == ["i-1", "i-2"] })
        #expect(report.entries.allSatisfy { $0.firstSeen == start && $0.lastSeen == start.addingTimeInterval(120) })
        #expect(report.totalCount == 9)
        #expect(!report.description.contains("SECRET") && !report.description.contains("2025-01"))
        #expect(
            report.description.contains("listBankingAccounts v3: dateTimeInDateField at data.accounts[*].creationDate"))
        recorder.reset()
        #expect(recorder.report.entries.isEmpty)
    }
}
