import AsyncHTTPClient
import CDRAccountData
import CDRClient
import CDRDemo
import CDRMockData
import CDRMockHolder
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// Collects the demo's progress events.
final class EventLog: Sendable {
    private let storage = Mutex<[DemoEvent]>([])
    func record(_ event: DemoEvent) { storage.withLock { $0.append(event) } }
    var steps: [Int] {
        storage.withLock { events in
            events.compactMap { if case .step(let number, _, _) = $0 { number } else { nil } }
        }
    }
    var lastProgress: (done: Int, accounts: Int, records: Int)? {
        storage.withLock { events in
            events.compactMap { event -> (Int, Int, Int)? in
                if case .transactions(let done, let accounts, let records) = event {
                    (done, accounts, records)
                } else {
                    nil
                }
            }.last
        }
    }
}

@Suite("cdr-demo: the main path against the real mock holder", .timeLimit(.minutes(5)))
struct DemoTests {
    static let dataset = MockDataset.Configuration(
        customerCount: 2, accountsPerCustomer: 3, transactionsPerAccount: 400)

    /// Checks a result against the holder's dataset.
    static func check(_ result: DemoResult, holder: MockDataHolder) throws {
        let customer = try #require(holder.dataset.customer(id: "customer-1"))
        let accounts = holder.dataset.accounts(of: customer)

        // Accounts and balances: every account of the customer, over CDR, with its balance.
        #expect(result.accounts.count == accounts.count)
        #expect(
            result.accounts.allSatisfy {
                $0.provenance.method == "cdr" && $0.provenance.arrangementID == result.consent.arrangementID
            })
        #expect(result.accounts.allSatisfy { $0.currentBalance != nil && $0.provenance.interactionID != nil })
        #expect(Set(result.accounts.map(\.maskedNumber)).count == accounts.count)

        // Transactions: exactly the dataset's in the period, per account.
        #expect(result.transactions.to.timeIntervalSince(result.transactions.from) == 90 * 86_400)
        var expectedTotal = 0
        for account in accounts {
            let range = holder.dataset.transactionIndices(
                of: account, from: result.transactions.from, through: result.transactions.to)
            expectedTotal += range.count
            let net = range.reduce(Decimal(0)) { $0 + holder.dataset.transaction(of: account, at: $1).amount }
            let row = result.accounts.first { $0.name == account.displayName && $0.transactions == range.count }
            #expect(row != nil, "no row for \(account.displayName) with \(range.count) transactions")
            #expect(row.flatMap { Decimal(string: $0.net) } == net)
        }
        #expect(result.transactions.count == expectedTotal)
        #expect(expectedTotal > 0)

        // The outage: DDC served, for the reason `outage`, with DDC provenance and the same account keys.
        let fallback = result.fallback
        #expect(fallback.holderStatusDuringOutage == "UNAVAILABLE")
        #expect(fallback.servedBy == "ddc:mock-aggregator")
        #expect(fallback.cdrSkippedBecause == "outage")
        #expect(fallback.accounts == accounts.count)
        #expect(fallback.transactions > 0)
        #expect(fallback.sameAccountKeys)
        #expect(fallback.provenance.method == "ddc")
        #expect(fallback.provenance.connectionID?.isEmpty == false && fallback.provenance.jobID?.isEmpty == false)
        #expect(fallback.challenge == "one_time_code")
        #expect(fallback.servedByAfterRecovery.hasPrefix("cdr:"))

        // Revocation: the holder knows, tokens and every kept record gone, data calls refused.
        let deletion = try #require(result.deletion)
        #expect(deletion.holderConfirmed)
        #expect(deletion.tokensDeleted && !deletion.tokensRemaining)
        #expect(deletion.recordsDeleted == accounts.count * 2 + expectedTotal)  // accounts, balances, transactions
        #expect(deletion.recordsRemaining == 0)
        #expect(deletion.keyDestroyed)
        #expect(deletion.dataCallAfterRevocation == "refused: missingArrangement")
        #expect(result.ddc.recordsDeleted == accounts.count + fallback.transactions)
        #expect(result.ddc.providerConfirmed)
        #expect(deletion.evidence?.isEmpty == false)
        #expect(deletion.auditTrail.first?.contains("consent.given") == true)
        #expect(deletion.auditTrail.contains { $0.contains("collection") })
        #expect(deletion.auditTrail.last?.contains("deletion") == true)

        // And at the holder: the arrangement is inactive, the DDC connection gone, the outage over.
        #expect(holder.arrangement(id: result.consent.arrangementID)?.isActive == false)
        #expect(holder.ddc.connectionIDs.isEmpty)
        #expect(holder.faults.outage == nil)
    }

    @Test(
        "With every data quirk served, the main path keeps every record and reports what it tolerated",
        .timeLimit(.minutes(3)))
    func mainPathWithQuirks() async throws {
        try await MockDataHolder(configuration: .init(dataset: Self.dataset)).withRunning { holder in
            var options = DemoOptions(holder: .running(holder))
            options.servesQuirks = true
            let result = try await Demo.run(options)
            #expect(holder.faults.quirks == Set(MockFaults.injectableQuirks))
            // Every account and every transaction of the period is kept, and deleted at the end.
            let customer = try #require(holder.dataset.customer(id: "customer-1"))
            let accounts = holder.dataset.accounts(of: customer)
            #expect(result.accounts.count == accounts.count)
            let expected = accounts.reduce(0) {
                $0
                    + holder.dataset.transactionIndices(
                        of: $1, from: result.transactions.from, through: result.transactions.to
                    ).count
            }
            #expect(result.transactions.count == expected && expected > 0)
            #expect(result.deletion?.recordsDeleted == accounts.count * 2 + expected)
            #expect(result.deletion?.recordsRemaining == 0)
            // The holder left out every masked number: the SDK kept the accounts and says so.
            #expect(result.accounts.allSatisfy { $0.maskedNumber.isEmpty })
            #expect(result.dataQuality.count > 10)
            #expect(
                result.dataQuality.contains {
                    $0.contains("listBankingAccounts v3: missingRequiredField at data.accounts[*].maskedNumber")
                })
            #expect(DemoReport.dataQuality(result).contains("dateTimeInDateField at data.accounts[*].creationDate"))
        }
    }

    @Test(
        "The main path on an in-process holder: accounts, transactions, DDC fallback, deletion", .timeLimit(.minutes(3))
    )
    func mainPath() async throws {
        try await MockDataHolder(configuration: .init(dataset: Self.dataset)).withRunning { holder in
            let log = EventLog()
            let result = try await Demo.run(DemoOptions(holder: .running(holder))) { log.record($0) }
            try Self.check(result, holder: holder)
            #expect(result.holder.mode == "embedded")
            #expect(result.consent.mode == "headless")
            #expect(log.steps == Array(1...Demo.stepCount))
            let progress = try #require(log.lastProgress)
            #expect(progress.done == progress.accounts && progress.records == result.transactions.count)

            // The report shows every account and the deletion; the JSON decodes back.
            let text = DemoReport.text(result)
            for row in result.accounts { #expect(text.contains(row.name)) }
            #expect(text.contains("records deleted: \(result.deletion?.recordsDeleted ?? -1) (left: 0)"))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let decoded = try decoder.decode(DemoResult.self, from: DemoReport.json(result))
            #expect(decoded.transactions.count == result.transactions.count)
        }
    }

    @Test(
        "The same path against a holder reached only by URL, CA and identity (as with cdr-mock-holder)",
        .timeLimit(.minutes(3)))
    func remotePath() async throws {
        try await MockDataHolder(configuration: .init(dataset: Self.dataset)).withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            let pem = try holder.pki.client.certificatePEM() + holder.pki.client.privateKeyPEM()
            let options = DemoOptions(
                holder: .remote(
                    publicBaseURL: try #require(URL(string: endpoints.publicBaseURL)),
                    certificateAuthorityPEM: try holder.pki.certificateAuthority.certificatePEM(),
                    identity: try DemoIdentity.load(pem: pem)))
            let result = try await Demo.run(options)
            try Self.check(result, holder: holder)
            #expect(result.holder.mode == "remote")
        }
    }

    @Test("A holder that is not there fails with one readable line naming the step and what to do")
    func unreachableHolder() async throws {
        let pki = try TestPKI()
        let pem = try pki.client.certificatePEM() + pki.client.privateKeyPEM()
        let options = DemoOptions(
            holder: .remote(
                publicBaseURL: try #require(URL(string: "https://127.0.0.1:1")),
                certificateAuthorityPEM: try pki.certificateAuthority.certificatePEM(),
                identity: try DemoIdentity.load(pem: pem)))
        let error = await #expect(throws: DemoError.self) { _ = try await Demo.run(options) }
        let line = try #require(error?.description)
        #expect(error?.step == "Reaching the mock data holder")
        #expect(line.contains("cdr-mock-holder"))
        #expect(!line.contains("\n"))
        #expect(!line.contains("PRIVATE KEY"))
    }

    @Test("An identity file without a key is refused")
    func identityWithoutKey() throws {
        let pki = try TestPKI()
        let error = #expect(throws: DemoError.self) { _ = try DemoIdentity.load(pem: try pki.client.certificatePEM()) }
        #expect(error?.step == "Reading --identity")
    }
}

@Suite("cdr-demo --interactive: consent in a browser, the callback on a local listener", .timeLimit(.minutes(5)))
struct InteractiveDemoTests {
    @Test(
        "The URL is shown; the browser's redirect reaches the listener and the run completes", .timeLimit(.minutes(3)))
    func interactiveConsent() async throws {
        try await MockDataHolder(configuration: .init(dataset: DemoTests.dataset)).withRunning { holder in
            let browserConfiguration = AsyncHTTPClientTransport.Configuration(
                publicTrustRoots: try holder.pki.trustRoots)
            try await AsyncHTTPClientTransport.withTransport(configuration: browserConfiguration) { browser in
                let visit = Mutex<Task<String, any Error>?>(nil)
                let options = DemoOptions(holder: .running(holder), interactive: true, consentTimeout: .seconds(60))
                let result = try await Demo.run(options) { event in
                    guard case .openInBrowser(let url) = event else { return }
                    // The person signs in as customer-1 and approves; the mock's headless switch stands in for its
                    // pages. Then the browser follows the holder's redirect to the demo's listener.
                    let task = Task<String, any Error> {
                        let authorise = try #require(URL(string: url.absoluteString + "&mock_customer=customer-1"))
                        let answer = try await browser.send(
                            TransportRequest(method: .get, url: authorise, security: .publicTLS))
                        let location = try #require(answer.headerFields[.location])
                        let page = try await HTTPClient.shared.execute(
                            HTTPClientRequest(url: location), timeout: .seconds(30))
                        #expect(page.status == .ok)
                        return location
                    }
                    visit.withLock { $0 = task }
                }
                let location = try await #require(visit.withLock { $0 }).value
                #expect(location.hasPrefix("http://127.0.0.1:") && location.contains("/callback?"))
                #expect(result.consent.mode == "interactive")
                try DemoTests.check(result, holder: holder)
            }
        }
    }

    @Test("Nobody consents: the run fails at the consent step after the timeout, with what to do")
    func consentTimesOut() async throws {
        try await MockDataHolder(configuration: .init(dataset: DemoTests.dataset)).withRunning { holder in
            let options = DemoOptions(holder: .running(holder), interactive: true, consentTimeout: .milliseconds(300))
            let error = await #expect(throws: DemoError.self) { _ = try await Demo.run(options) }
            #expect(error?.step == "Consent")
            #expect(error?.description.contains("--interactive") == true)
        }
    }
}
