import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// One operation in one version, as a test argument.
struct OperationCase: Sendable, Hashable, CustomTestStringConvertible {
    let id: String
    let version: Int

    /// Every operation in every version the SDK reads (`CDSOperation.all`).
    static let all = CDSOperation.all.map { OperationCase(id: $0.id, version: $0.version) }

    /// The versions of the operation, newest first.
    var versions: [Int] { CDSOperation.versions(of: id) }
    /// Whether this is the newest version (the client's default `x-v`).
    var isNewest: Bool { versions.first == version }
    var isAuthenticated: Bool { CDSOperation.named(id, version: version)?.isAuthenticated ?? true }
    var testDescription: String { "\(id) v\(version)" }

    /// The preferences that make the client use this version: none for the newest, a one-version range otherwise.
    var preferences: VersionPreferences {
        var preferences = VersionPreferences()
        if !isNewest { preferences.restrict(id, to: version...version) }
        return preferences
    }
}

/// What a probe is given: the live world, a client set up for the version, the version and whether it is current.
struct Probe: Sendable {
    let live: LiveBanking
    let client: BankingClient
    let version: Int
    /// Whether the version under test is the operation's newest (the client should decode `.current`).
    let isCurrent: Bool

    var dataset: MockDataset { live.holder.dataset }

    /// Checks that every page came back in the version under test, and returns the records.
    func records<R>(_ sequence: PagedSequence<R>) async throws -> [R] {
        var records: [R] = []
        var pageCount = 0
        for try await page in sequence.pages {
            pageCount += 1
            #expect(page.version == version, "page \(page.number) answered in x-v \(page.version)")
            #expect(page.anomalies.isEmpty, "page \(page.number): \(page.anomalies)")
            #expect(page.diagnostics.isEmpty, "page \(page.number): \(page.diagnostics)")
            records.append(contentsOf: page.records)
        }
        #expect(pageCount >= 1)
        return records
    }

    /// Checks a single result's version.
    func body<B>(_ result: CDSResult<B>) -> B {
        #expect(result.version == version)
        #expect(result.interactionID != nil)
        return result.body
    }

    /// The expected `Versioned` value for this probe's version.
    func expected<C, P>(_ current: () -> C, _ previous: () -> P) -> Versioned<C, P> {
        isCurrent ? .current(current()) : .previous(previous())
    }

    /// The first of the grant's accounts that has at least one of `things`.
    func account<T>(with things: (MockAccount) -> [T]) throws -> MockAccount {
        try #require(live.accounts.first { !things($0).isEmpty })
    }

    /// The reference date of the dataset (the newest transaction's time).
    var referenceDate: Date { dataset.configuration.referenceDate }
}

/// Every banking and common operation, by id: calls it through the typed client against the live mock and checks
/// the decoded data against the holder's dataset.
let operationProbes: [String: @Sendable (Probe) async throws -> Void] = [
    "listBankingAccounts": { probe in
        let records = try await probe.records(probe.client.accounts())
        let accounts = probe.live.accounts
        #expect(records.count == accounts.count)
        #expect(records == accounts.map { account in probe.expected({ account.v3() }, { account.v2() }) })
        let first = try #require(records.first)
        switch first {
        case .current(let account):
            #expect(account.displayName == accounts[0].displayName)
            #expect(account.maskedNumber == accounts[0].maskedNumber)
        case .previous(let account):
            #expect(account.displayName == accounts[0].displayName)
            #expect(account.maskedNumber == accounts[0].maskedNumber)
        }
    },
    "getBankingAccountDetail": { probe in
        let account = probe.live.accounts[1]
        let detail = probe.body(try await probe.client.account(id: account.id))
        #expect(detail == probe.expected({ account.detailV5() }, { account.detailV4() }))
        #expect(detail.currentValue?.displayName ?? detail.previousValue?.displayName == account.displayName)
    },
    "getBankingBalance": { probe in
        let account = probe.live.accounts[2]
        let balance = probe.body(try await probe.client.balance(accountID: account.id))
        #expect(balance == probe.dataset.balance(of: account))
        #expect(balance.accountId.rawValue == account.id)
    },
    "listBankingBalancesBulk": { probe in
        let balances = try await probe.records(probe.client.balances())
        #expect(balances.count == probe.live.accounts.count)
        #expect(balances == probe.live.accounts.map(probe.dataset.balance(of:)))
    },
    "listBankingBalancesSpecificAccounts": { probe in
        let chosen = [probe.live.accounts[3], probe.live.accounts[1]]
        let balances = try await probe.records(try probe.client.balances(accountIDs: chosen.map(\.id)))
        #expect(balances == chosen.map(probe.dataset.balance(of:)))
    },
    "listBankingTransactions": { probe in
        let account = probe.live.accounts[0]
        let newest = probe.referenceDate
        let oldest = newest.addingTimeInterval(-40 * 86_400)
        let range = probe.dataset.transactionIndices(of: account, from: oldest, through: newest)
        let expected = range.map { probe.dataset.transaction(of: account, at: $0) }
        try #require(expected.count > 10, "the window should span several pages")
        let records = try await probe.records(
            probe.client.transactions(accountID: account.id, TransactionFilter(oldest: oldest, newest: newest)))
        #expect(records.count == expected.count)
        #expect(records == expected.map { transaction in probe.expected({ transaction.v2() }, { transaction.v1() }) })
        let ids = records.map { $0.currentValue?.transactionId?.rawValue ?? $0.previousValue?.transactionId?.rawValue }
        #expect(ids == expected.map(\.id))
        let amounts = records.map {
            $0.currentValue?.amount.decimalValue ?? $0.previousValue?.amount.decimalValue
        }
        #expect(amounts == expected.map(\.amount))
    },
    "getBankingTransactionDetail": { probe in
        let account = probe.live.accounts[0]
        let transaction = probe.dataset.transaction(of: account, at: 5)
        let detail = probe.body(
            try await probe.client.transaction(accountID: account.id, transactionID: transaction.id))
        #expect(detail == probe.expected({ transaction.detailV3() }, { transaction.detailV2() }))
    },
    "listDirectDebits": { probe in
        let account = try probe.account(with: probe.dataset.directDebits(of:))
        let debits = try await probe.records(probe.client.directDebits(accountID: account.id))
        #expect(debits == probe.dataset.directDebits(of: account))
    },
    "listDirectDebitsBulk": { probe in
        let debits = try await probe.records(probe.client.directDebits())
        let expected = probe.live.accounts.flatMap(probe.dataset.directDebits(of:))
        try #require(!expected.isEmpty)
        #expect(debits == expected)
    },
    "listDirectDebitsSpecificAccounts": { probe in
        let chosen = probe.live.accounts.filter { !probe.dataset.directDebits(of: $0).isEmpty }.prefix(2)
        try #require(chosen.count == 2)
        let debits = try await probe.records(try probe.client.directDebits(accountIDs: chosen.map(\.id)))
        #expect(debits == chosen.flatMap(probe.dataset.directDebits(of:)))
    },
    "listScheduledPayments": { probe in
        let account = try probe.account(with: probe.dataset.scheduledPayments(of:))
        let payments = try await probe.records(probe.client.scheduledPayments(accountID: account.id))
        #expect(payments == probe.dataset.scheduledPayments(of: account))
    },
    "listScheduledPaymentsBulk": { probe in
        let payments = try await probe.records(probe.client.scheduledPayments())
        let expected = probe.live.accounts.flatMap(probe.dataset.scheduledPayments(of:))
        try #require(!expected.isEmpty)
        #expect(payments == expected)
    },
    "listScheduledPaymentsSpecificAccounts": { probe in
        let account = try probe.account(with: probe.dataset.scheduledPayments(of:))
        let payments = try await probe.records(try probe.client.scheduledPayments(accountIDs: [account.id]))
        #expect(payments == probe.dataset.scheduledPayments(of: account))
    },
    "listInstalmentPlans": { probe in
        let account = try probe.account(with: probe.dataset.instalmentPlans(of:))
        let plans = try await probe.records(probe.client.instalmentPlans(accountID: account.id, status: "ALL"))
        #expect(plans == probe.dataset.instalmentPlans(of: account).map { $0.plan() })
    },
    "listInstalmentPlansBulk": { probe in
        let plans = try await probe.records(probe.client.instalmentPlans())
        let expected = probe.live.accounts.flatMap(probe.dataset.instalmentPlans(of:)).filter(\.isActive)
        try #require(!expected.isEmpty)
        #expect(plans == expected.map { $0.plan() })
    },
    "listBankingPayees": { probe in
        let payees = try await probe.records(probe.client.payees())
        let expected = probe.dataset.payees(of: probe.live.customer)
        #expect(payees.count == expected.count)
        #expect(payees == expected.map { $0.v2() })
    },
    "getBankingPayeeDetail": { probe in
        let payee = try #require(probe.dataset.payees(of: probe.live.customer).last)
        let detail = probe.body(try await probe.client.payee(id: payee.id))
        #expect(detail == payee.detailV2())
    },
    "listBankingProducts": { probe in
        let products = try await probe.records(probe.client.products())
        let expected = probe.dataset.products.filter(\.isCurrent)
        #expect(products.count == expected.count)
        #expect(products == expected.map { product in probe.expected({ product.v6() }, { product.v5() }) })
    },
    "getBankingProductDetail": { probe in
        let product = try #require(probe.dataset.products.first)
        let detail = probe.body(try await probe.client.product(id: product.id))
        #expect(detail == probe.expected({ product.detailV7() }, { product.detailV6() }))
    },
    "getCustomer": { probe in
        let customer = probe.body(try await probe.client.customer())
        #expect(customer == probe.live.customer.customer())
    },
    "getCustomerDetail": { probe in
        let customer = probe.body(try await probe.client.customerDetail())
        #expect(customer == probe.live.customer.customerDetail())
    },
    "getStatus": { probe in
        let status = probe.body(try await probe.client.status())
        #expect(status.status == .ok)
    },
    "getOutages": { probe in
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 86_400).rounded(.down))
        probe.live.holder.faults.outage = .scheduled(start: start, duration: .seconds(7_200))
        let outages = probe.body(try await probe.client.outages()).outages
        #expect(outages.count == 1)
        #expect(outages.first?.outageTime.date == start)
        #expect(outages.first?.duration.rawValue == "PT120M")
    },
]

@Suite("Every operation against the mock holder over mutual TLS", .timeLimit(.minutes(5)))
struct OperationTests {
    @Test("Every operation id of CDSOperation.all has a probe, and every probe names a catalogued operation")
    func everyOperationHasAProbe() {
        let ids = Set(CDSOperation.all.map(\.id))
        let untested = ids.subtracting(operationProbes.keys).sorted()
        let unknown = Set(operationProbes.keys).subtracting(ids).sorted()
        #expect(untested.isEmpty, "operations without a test case: \(untested)")
        #expect(unknown.isEmpty, "probes for operations the catalogue does not have: \(unknown)")
        #expect(OperationCase.all.count == CDSOperation.all.count)
        #expect(Set(OperationCase.all).count == OperationCase.all.count)
    }

    @Test(
        "Each operation in each version: typed call, x-v/x-min-v, decoded by the answered version, checked against the dataset",
        .timeLimit(.minutes(5)), arguments: OperationCase.all)
    func operation(_ operation: OperationCase) async throws {
        let probe = try #require(operationProbes[operation.id], "no probe for \(operation.id)")
        try await LiveBanking.run { live in
            let client = try live.client(versions: operation.preferences, pageSize: 10)
            try await probe(
                Probe(live: live, client: client, version: operation.version, isCurrent: operation.isNewest))

            let sent = live.recording.requests
            try #require(!sent.isEmpty)
            let catalogued = try #require(CDSOperation.named(operation.id, version: operation.version))
            for request in sent {
                #expect(request.operation == operation.id)
                #expect(request.method.rawValue == catalogued.method)
                let (xv, xminv) = versionHeaders(request)
                #expect(xv == String(operation.version))
                if operation.isNewest, operation.versions.count > 1 {
                    #expect(xminv == operation.versions.last.map(String.init))
                } else {
                    #expect(xminv == nil)
                }
                #expect(request.headerFields[.fapiCustomerIPAddress] == nil)
                #expect(request.headerFields[.cdsClientHeaders] == nil)
                if operation.isAuthenticated {
                    #expect(request.security == .mutualTLS)
                    #expect(request.url.absoluteString.hasPrefix(live.endpoints.resourceBaseURL + "/"))
                    #expect(live.carriesGrantToken(request), "the grant's bearer token")
                    let authDate = try #require(request.headerFields[.fapiAuthDate])
                    #expect(HTTPDate.parse(authDate) == live.authenticatedAt)
                } else {
                    #expect(request.security == .publicTLS)
                    #expect(request.url.absoluteString.hasPrefix(live.endpoints.publicResourceBaseURL + "/"))
                    #expect(request.headerFields[.authorization] == nil)
                    #expect(request.headerFields[.fapiAuthDate] == nil)
                }
            }
            let statuses = live.recording.exchanges.map { $0.response?.status.code }
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(
                live.recording.exchanges.allSatisfy {
                    $0.response?.headerFields[.cdsVersion] == String(operation.version)
                })
        }
    }
}
