import CDRMockData
import CDRModels
import Foundation

/// One response body of one operation and version, as a mock data holder would send it.
struct Envelope: Sendable {
    let operation: CDSOperation
    let body: any CDSResponse
}

/// Builds response envelopes for every operation and version in ``CDSOperation/all`` from a dataset.
struct EnvelopeFactory {
    let data: MockDataset
    let base = "https://mock-holder.example.com.au/cds-au/v1"

    /// The dataset the envelope tests use: the default sizes at a fixed time, so dumps are reproducible.
    static let standard = MockDataset(
        configuration: .init(referenceDate: Date(timeIntervalSince1970: 1_795_219_200)))  // 2026-11-21T00:00:00Z

    private func links(_ path: String) -> Links { Links(selfLink: base + path) }

    private func page(_ path: String, total: Int, pageSize: Int = 25) -> (LinksPaginated, MetaPaginated) {
        let pages = max(1, (total + pageSize - 1) / pageSize)
        let url = { (page: Int) in base + path + "?page=\(page)&page-size=\(pageSize)" }
        return (
            LinksPaginated(
                selfLink: url(1), first: url(1), next: pages > 1 ? url(2) : nil, last: url(pages)),
            MetaPaginated(totalRecords: total, totalPages: pages)
        )
    }

    var customers: [MockCustomer] { data.customers }
    var accounts: [MockAccount] { customers.flatMap { data.accounts(of: $0) } }

    /// Every envelope, grouped by operation in catalogue order.
    func all() -> [Envelope] {
        CDSOperation.all.flatMap { operation in
            envelopes(for: operation).map { Envelope(operation: operation, body: $0) }
        }
    }

    func envelopes(for operation: CDSOperation) -> [any CDSResponse] {
        switch (operation.id, operation.version) {
        case ("listBankingAccounts", 3):
            return customers.map { customer in
                let list = data.accounts(of: customer)
                let (links, meta) = page("/banking/accounts", total: list.count)
                return ResponseBankingAccountListV3(
                    data: .init(accounts: list.map { $0.v3() }), links: links, meta: meta)
            }
        case ("listBankingAccounts", 2):
            return customers.map { customer in
                let list = data.accounts(of: customer)
                let (links, meta) = page("/banking/accounts", total: list.count)
                return ResponseBankingAccountListV2(
                    data: .init(accounts: list.map { $0.v2() }), links: links, meta: meta)
            }
        case ("listBankingBalancesBulk", _), ("listBankingBalancesSpecificAccounts", _):
            return customers.map { customer in
                let list = data.accounts(of: customer)
                let (links, meta) = page("/banking/accounts/balances", total: list.count)
                return ResponseBankingAccountsBalanceList(
                    data: .init(balances: list.map { data.balance(of: $0) }), links: links, meta: meta)
            }
        case ("getBankingBalance", _):
            return accounts.map {
                ResponseBankingAccountsBalanceById(
                    data: data.balance(of: $0), links: links("/banking/accounts/\($0.id)/balance"), meta: Meta())
            }
        case ("getBankingAccountDetail", 5):
            return accounts.map {
                ResponseBankingAccountByIdV5(
                    data: $0.detailV5(), links: links("/banking/accounts/\($0.id)"), meta: Meta())
            }
        case ("getBankingAccountDetail", 4):
            return accounts.map {
                ResponseBankingAccountByIdV4(
                    data: $0.detailV4(), links: links("/banking/accounts/\($0.id)"), meta: Meta())
            }
        case ("listBankingTransactions", let version):
            return accounts.map { account in
                let count = data.transactionCount(of: account)
                let shown = (0..<min(count, 30)).map { data.transaction(of: account, at: $0) }
                let (links, meta) = page("/banking/accounts/\(account.id)/transactions", total: count, pageSize: 30)
                let transactionMeta = MetaPaginatedTransaction(
                    totalRecords: meta.totalRecords, totalPages: meta.totalPages, isQueryParamUnsupported: false)
                if version == 1 {
                    return ResponseBankingTransactionList(
                        data: .init(transactions: shown.map { $0.v1() }), links: links, meta: transactionMeta)
                }
                return ResponseBankingTransactionListV2(
                    data: .init(transactions: shown.map { $0.v2() }), links: links, meta: transactionMeta)
            }
        case ("getBankingTransactionDetail", let version):
            return accounts.flatMap { account in
                (0..<min(11, data.transactionCount(of: account))).map { index -> any CDSResponse in
                    let transaction = data.transaction(of: account, at: index)
                    let link = links("/banking/accounts/\(account.id)/transactions/\(transaction.id)")
                    if version == 2 {
                        return ResponseBankingTransactionByIdV2(data: transaction.detailV2(), links: link, meta: Meta())
                    }
                    return ResponseBankingTransactionByIdV3(data: transaction.detailV3(), links: link, meta: Meta())
                }
            }
        case ("listDirectDebits", _):
            return accounts.map { account in
                let list = data.directDebits(of: account)
                let (links, meta) = page("/banking/accounts/\(account.id)/direct-debits", total: list.count)
                return ResponseBankingDirectDebitAuthorisationList(
                    data: .init(directDebitAuthorisations: list), links: links, meta: meta)
            }
        case ("listDirectDebitsBulk", _), ("listDirectDebitsSpecificAccounts", _):
            return customers.map { customer in
                let list = data.accounts(of: customer).flatMap { data.directDebits(of: $0) }
                let (links, meta) = page("/banking/accounts/direct-debits", total: list.count)
                return ResponseBankingDirectDebitAuthorisationList(
                    data: .init(directDebitAuthorisations: list), links: links, meta: meta)
            }
        case ("listScheduledPayments", _):
            return accounts.map { account in
                let list = data.scheduledPayments(of: account)
                let (links, meta) = page("/banking/accounts/\(account.id)/payments/scheduled", total: list.count)
                return ResponseBankingScheduledPaymentsListV2(
                    data: .init(scheduledPayments: list), links: links, meta: meta)
            }
        case ("listScheduledPaymentsBulk", _), ("listScheduledPaymentsSpecificAccounts", _):
            return customers.map { customer in
                let list = data.accounts(of: customer).flatMap { data.scheduledPayments(of: $0) }
                let (links, meta) = page("/banking/payments/scheduled", total: list.count)
                return ResponseBankingScheduledPaymentsListV2(
                    data: .init(scheduledPayments: list), links: links, meta: meta)
            }
        case ("listInstalmentPlans", _):
            return accounts.map { account in
                let list = data.instalmentPlans(of: account).map { $0.plan() }
                let (links, meta) = page("/banking/accounts/\(account.id)/payments/plans", total: list.count)
                return ResponseBankingInstalmentPlanList(data: .init(plans: list), links: links, meta: meta)
            }
        case ("listInstalmentPlansBulk", _):
            return customers.map { customer in
                let list = data.accounts(of: customer).flatMap { data.instalmentPlans(of: $0) }.map { $0.plan() }
                let (links, meta) = page("/banking/accounts/payments/plans", total: list.count)
                return ResponseBankingInstalmentPlanList(data: .init(plans: list), links: links, meta: meta)
            }
        case ("listBankingPayees", _):
            return customers.map { customer in
                let list = data.payees(of: customer)
                let (links, meta) = page("/banking/payees", total: list.count)
                return ResponseBankingPayeeListV2(data: .init(payees: list.map { $0.v2() }), links: links, meta: meta)
            }
        case ("getBankingPayeeDetail", _):
            return customers.flatMap { data.payees(of: $0) }.map {
                ResponseBankingPayeeByIdV2(data: $0.detailV2(), links: links("/banking/payees/\($0.id)"), meta: Meta())
            }
        case ("listBankingProducts", 5):
            let (links, meta) = page("/banking/products", total: data.products.count)
            return [
                ResponseBankingProductListV4(
                    data: .init(products: data.products.map { $0.v6() }), links: links, meta: meta)
            ]
        case ("listBankingProducts", 4):
            let (links, meta) = page("/banking/products", total: data.products.count)
            return [
                ResponseBankingProductListV3(
                    data: .init(products: data.products.map { $0.v5() }), links: links, meta: meta)
            ]
        case ("getBankingProductDetail", 7):
            return data.products.map {
                ResponseBankingProductByIdV7(
                    data: $0.detailV7(), links: links("/banking/products/\($0.id)"), meta: Meta())
            }
        case ("getBankingProductDetail", 6):
            return data.products.map {
                ResponseBankingProductByIdV6(
                    data: $0.detailV6(), links: links("/banking/products/\($0.id)"), meta: Meta())
            }
        case ("getCustomer", _):
            return customers.map {
                ResponseCommonCustomer(data: $0.customer(), links: links("/common/customer"), meta: Meta())
            }
        case ("getCustomerDetail", _):
            return customers.map {
                ResponseCommonCustomerDetailV2(
                    data: $0.customerDetail(), links: links("/common/customer/detail"), meta: Meta())
            }
        case ("getStatus", _):
            let now = CDRDateTime(rawValue: "2026-11-21T00:00:00Z")!
            return [
                ResponseCommonDiscoveryStatus(
                    data: .init(status: .ok, updateTime: now), links: links("/discovery/status"), meta: Meta()),
                ResponseCommonDiscoveryStatus(
                    data: .init(
                        status: .partialFailure, explanation: "Transaction detail is slow to respond.",
                        detectionTime: CDRDateTime(rawValue: "2026-11-20T22:40:00Z"),
                        expectedResolutionTime: CDRDateTime(rawValue: "2026-11-21T02:00:00Z"), updateTime: now),
                    links: links("/discovery/status"), meta: Meta()),
            ]
        case ("getOutages", _):
            return [
                ResponseDiscoveryOutagesList(
                    data: .init(outages: [
                        DiscoveryOutage(
                            outageTime: CDRDateTime(rawValue: "2026-11-28T14:00:00Z")!,
                            duration: CDRDuration(rawValue: "PT2H")!, isPartial: false,
                            explanation: "Planned maintenance of the core banking system."),
                        DiscoveryOutage(
                            outageTime: CDRDateTime(rawValue: "2026-12-05T15:30:00Z")!,
                            duration: CDRDuration(rawValue: "PT45M")!, isPartial: true,
                            explanation: "Payees and scheduled payments are unavailable during an upgrade."),
                    ]), links: links("/discovery/outages"), meta: Meta())
            ]
        default:
            return []
        }
    }
}
