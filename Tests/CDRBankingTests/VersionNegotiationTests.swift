import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

@Suite("Version negotiation: x-v, x-min-v and the answered x-v", .timeLimit(.minutes(5)))
struct VersionNegotiationTests {
    static func restricted(_ id: String, _ range: ClosedRange<Int>) -> VersionPreferences {
        var preferences = VersionPreferences()
        preferences.restrict(id, to: range)
        return preferences
    }

    @Test("VersionPreferences: newest first, restricted to a range, empty when nothing is left")
    func preferences() {
        #expect(VersionPreferences().versions(of: "listBankingAccounts") == [3, 2])
        #expect(Self.restricted("listBankingAccounts", 2...2).versions(of: "listBankingAccounts") == [2])
        #expect(Self.restricted("listBankingAccounts", 2...9).versions(of: "listBankingAccounts") == [3, 2])
        #expect(Self.restricted("listBankingAccounts", 7...9).versions(of: "listBankingAccounts").isEmpty)
        #expect(Self.restricted("listBankingAccounts", 2...2).versions(of: "getCustomer") == [1])
    }

    @Test("An override that leaves no version fails before sending: .invalidRequest")
    func noVersionLeft() async throws {
        let transport = RecordingTransport { _ in TransportResponse(status: .ok) }
        let client = fakeClient(transport, versions: Self.restricted("getBankingAccountDetail", 9...9))
        let error = await #expect(throws: DataHolderError.self) { _ = try await client.account(id: "a") }
        #expect(error?.code == .invalidRequest)
        #expect(transport.requests.isEmpty)
    }

    @Test("A holder answering below x-min-v: DataHolderError.versionMismatch")
    func respondBelowMinimum() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.version = .respondBelowMinimum
            let client = try live.client(versions: Self.restricted("listBankingAccounts", 3...3))
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.accounts().collect() }
            #expect(error?.code == .versionMismatch)
            #expect(error?.status == 200)
            #expect(error?.interactionID != nil)
            #expect(live.recording.exchanges.first?.response?.headerFields[.cdsVersion] == "2")
            #expect(live.recording.requests.count == 1)
        }
    }

    @Test("No x-v in the answer when two versions were offered: versionMismatch (cannot pick a decoder)")
    func omitVersionHeaderTwoOffered() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.version = .omitVersionHeader
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) {
                _ = try await client.account(id: live.accounts[0].id)
            }
            #expect(error?.code == .versionMismatch)
            #expect(live.recording.requests.first.map(versionHeaders)?.xminv == "4")
        }
    }

    @Test("No x-v in the answer when one version was offered: accepted as that version")
    func omitVersionHeaderOneOffered() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.version = .omitVersionHeader
            let account = live.accounts[0]
            let client = try live.client(versions: Self.restricted("getBankingAccountDetail", 4...4))
            let result = try await client.account(id: account.id)
            #expect(result.version == 4)
            #expect(result.body == .previous(account.detailV4()))
            // An operation with a single version needs no x-v back either.
            let customer = try await client.customer()
            #expect(customer.version == 1)
            #expect(live.recording.exchanges.allSatisfy { $0.response?.headerFields[.cdsVersion] == nil })
        }
    }

    @Test("A holder refusing every version: .unsupportedVersion with the standard URN, after trying the lower versions")
    func rejectEveryVersion() async throws {
        try await LiveBanking.run { live in
            live.holder.faults.version = .rejectEveryVersion
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.accounts().collect() }
            #expect(error?.code == .unsupportedVersion)
            #expect(error?.status == 406)
            #expect(error?.urn == "urn:au-cds:error:cds-all:Header/UnsupportedVersion")
            #expect(error?.errorCodes == [.unsupportedVersion])
            #expect(error?.interactionID != nil)
            let offers = live.recording.requests.map { versionHeaders($0) }
            #expect(offers.map(\.xv) == ["3", "2"])
            #expect(offers.map(\.xminv) == ["2", nil])
        }
    }

    @Test("A 406 for the newest version is retried with the lower one, which is decoded as .previous")
    func fallbackAfter406() async throws {
        let transport = RecordingTransport { request in
            let asked = request.headerFields[.cdsVersion]
            guard asked == "2" else {
                let body =
                    #"{"errors":[{"code":"urn:au-cds:error:cds-all:Header/UnsupportedVersion","title":"Unsupported Version","detail":"no"}]}"#
                return TransportResponse(status: .init(code: 406), body: Data(body.utf8))
            }
            var fields = HTTPFields()
            fields[.cdsVersion] = "2"
            let page = ResponseBankingAccountListV2(
                data: .init(accounts: FakePages.accounts.prefix(2).map { $0.v2() }),
                links: LinksPaginated(selfLink: request.url.absoluteString),
                meta: MetaPaginated(totalRecords: 2, totalPages: 1))
            return TransportResponse(status: .ok, headerFields: fields, body: try JSONEncoder().encode(page))
        }
        let records = try await fakeClient(transport).accounts().collect()
        #expect(records == FakePages.accounts.prefix(2).map { .previous($0.v2()) })
        #expect(transport.requests.map { versionHeaders($0).xv } == ["3", "2"])
    }

    @Test(
        "An x-v the client did not ask for (above x-v, or not a number) is a versionMismatch",
        arguments: ["4", "abc", "0"])
    func answeredOutsideRange(_ answered: String) async throws {
        let transport = RecordingTransport { _ in
            var fields = HTTPFields()
            fields[.cdsVersion] = answered
            return TransportResponse(status: .ok, headerFields: fields, body: Data("{}".utf8))
        }
        let error = await #expect(throws: DataHolderError.self) {
            _ = try await fakeClient(transport).accounts().collect()
        }
        #expect(error?.code == .versionMismatch)
    }
}
