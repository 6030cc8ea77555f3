import CDRMockData
import CDRModels
import Foundation
import Hummingbird

extension MockDataHolder {
    /// Accounts, account detail and balances.
    func addAccountHandlers(to handlers: inout [String: ResourceHandler]) {
        handlers["listBankingAccounts"] = { [self] call, _ in
            let accounts = try filteredAccounts(call)
            if call.version >= 3 {
                return try respondPage(ResponseBankingAccountListV3.self, call, total: accounts.count) {
                    accounts[$0].v3()
                }
            }
            return try respondPage(ResponseBankingAccountListV2.self, call, total: accounts.count) { accounts[$0].v2() }
        }
        handlers["getBankingAccountDetail"] = { [self] call, context in
            let account = try pathAccount(call, context)
            if call.version >= 5 {
                return try respond(
                    ResponseBankingAccountByIdV5(data: account.detailV5(), links: selfLinks(call)), to: call)
            }
            return try respond(ResponseBankingAccountByIdV4(data: account.detailV4(), links: selfLinks(call)), to: call)
        }
        handlers["getBankingBalance"] = { [self] call, context in
            let account = try pathAccount(call, context)
            return try respond(
                ResponseBankingAccountsBalanceById(data: dataset.balance(of: account), links: selfLinks(call)), to: call
            )
        }
        handlers["listBankingBalancesBulk"] = { [self] call, _ in
            let accounts = try filteredAccounts(call)
            return try balances(of: accounts, call)
        }
        handlers["listBankingBalancesSpecificAccounts"] = { [self] call, _ in
            try balances(of: try await bodyAccounts(call), call)
        }
    }

    private func balances(of accounts: [MockAccount], _ call: ResourceCall) throws -> Response {
        return try respondPage(ResponseBankingAccountsBalanceList.self, call, total: accounts.count) {
            dataset.balance(of: accounts[$0])
        }
    }

    /// Transactions and transaction detail.
    func addTransactionHandlers(to handlers: inout [String: ResourceHandler]) {
        handlers["listBankingTransactions"] = { [self] call, context in
            let account = try pathAccount(call, context)
            let indices = try transactionIndices(of: account, call)
            if call.version >= 2 {
                return try respondPage(ResponseBankingTransactionListV2.self, call, total: indices.count) {
                    dataset.transaction(of: account, at: indices[$0]).v2()
                }
            }
            return try respondPage(ResponseBankingTransactionList.self, call, total: indices.count) {
                dataset.transaction(of: account, at: indices[$0]).v1()
            }
        }
        handlers["getBankingTransactionDetail"] = { [self] call, context in
            let account = try pathAccount(call, context)
            guard let id = context.parameters.get("transactionId"),
                let transaction = dataset.transaction(id: id, of: account)
            else {
                return HolderResponse.cdsError(.notFound, .resourceInvalid, detail: "unknown transaction")
            }
            if call.version >= 3 {
                return try respond(
                    ResponseBankingTransactionByIdV3(data: transaction.detailV3(), links: selfLinks(call)), to: call)
            }
            return try respond(
                ResponseBankingTransactionByIdV2(data: transaction.detailV2(), links: selfLinks(call)), to: call)
        }
    }

    /// The indices of an account's transactions that the request's filters select: `oldest-time` and
    /// `newest-time` (default: the 90 days up to now), `min-amount`, `max-amount` and `text`.
    private func transactionIndices(of account: MockAccount, _ call: ResourceCall) throws(HolderHTTPError)
        -> TransactionSelection
    {
        func time(_ name: String) throws(HolderHTTPError) -> Date? {
            guard let raw = call.request.query(name) else { return nil }
            guard let value = CDRDateTime(rawValue: raw) else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .fieldInvalidDateTime, detail: "\(name) must be an RFC 3339 date-time"))
            }
            return value.date
        }
        func amount(_ name: String) throws(HolderHTTPError) -> Decimal? {
            guard let raw = call.request.query(name) else { return nil }
            guard let value = CDRAmount(rawValue: raw) else { throw invalidField("\(name) must be an amount") }
            return value.decimalValue
        }
        let newest = try time("newest-time") ?? now
        let oldest = try time("oldest-time") ?? newest.addingTimeInterval(-90 * 86_400)
        let minimum = try amount("min-amount")
        let maximum = try amount("max-amount")
        let text = call.request.query("text").flatMap { $0.isEmpty ? nil : $0 }
        let range = oldest <= newest ? dataset.transactionIndices(of: account, from: oldest, through: newest) : 0..<0
        guard minimum != nil || maximum != nil || text != nil else { return .range(range) }
        // CDS compares the amount filters with the transaction's amount as signed.
        var selected: [Int] = []
        for index in range {
            let transaction = dataset.transaction(of: account, at: index)
            if let minimum, transaction.amount < minimum { continue }
            if let maximum, transaction.amount > maximum { continue }
            if let text, !transaction.matches(text: text) { continue }
            selected.append(index)
        }
        return .list(selected)
    }

    /// Direct debits, scheduled payments, instalment plans and payees.
    func addPaymentHandlers(to handlers: inout [String: ResourceHandler]) {
        handlers["listDirectDebits"] = { [self] call, context in
            try directDebits(of: [try pathAccount(call, context)], call)
        }
        handlers["listDirectDebitsBulk"] = { [self] call, _ in try directDebits(of: try filteredAccounts(call), call) }
        handlers["listDirectDebitsSpecificAccounts"] = { [self] call, _ in
            try directDebits(of: try await bodyAccounts(call), call)
        }
        handlers["listScheduledPayments"] = { [self] call, context in
            try scheduledPayments(of: [try pathAccount(call, context)], call)
        }
        handlers["listScheduledPaymentsBulk"] = { [self] call, _ in
            try scheduledPayments(of: try filteredAccounts(call), call)
        }
        handlers["listScheduledPaymentsSpecificAccounts"] = { [self] call, _ in
            try scheduledPayments(of: try await bodyAccounts(call), call)
        }
        handlers["listInstalmentPlans"] = { [self] call, context in
            try instalmentPlans(of: [try pathAccount(call, context)], call)
        }
        handlers["listInstalmentPlansBulk"] = { [self] call, _ in try instalmentPlans(of: call.accounts, call) }
        handlers["listBankingPayees"] = { [self] call, _ in
            var payees = customerPayees(call)
            if let raw = call.request.query("type"), raw != "ALL" {
                let type = BankingPayeeType(rawValue: raw)
                guard type.isKnown else { throw invalidField("type must be ALL or a payee type") }
                payees = payees.filter { $0.type == type }
            }
            return try respondPage(ResponseBankingPayeeListV2.self, call, total: payees.count) { payees[$0].v2() }
        }
        handlers["getBankingPayeeDetail"] = { [self] call, context in
            guard let id = context.parameters.get("payeeId"),
                let payee = customerPayees(call).first(where: { $0.id == id })
            else {
                return HolderResponse.cdsError(.notFound, .resourceInvalid, detail: "unknown payee")
            }
            return try respond(ResponseBankingPayeeByIdV2(data: payee.detailV2(), links: selfLinks(call)), to: call)
        }
    }

    private func customerPayees(_ call: ResourceCall) -> [MockPayee] {
        guard let id = call.grant?.arrangement.customerID, let customer = dataset.customer(id: id) else { return [] }
        return dataset.payees(of: customer)
    }

    private func directDebits(of accounts: [MockAccount], _ call: ResourceCall) throws -> Response {
        let all = accounts.flatMap { dataset.directDebits(of: $0) }
        return try respondPage(ResponseBankingDirectDebitAuthorisationList.self, call, total: all.count) { all[$0] }
    }

    private func scheduledPayments(of accounts: [MockAccount], _ call: ResourceCall) throws -> Response {
        let all = accounts.flatMap { dataset.scheduledPayments(of: $0) }
        return try respondPage(ResponseBankingScheduledPaymentsListV2.self, call, total: all.count) { all[$0] }
    }

    private func instalmentPlans(of accounts: [MockAccount], _ call: ResourceCall) throws -> Response {
        var plans = accounts.flatMap { dataset.instalmentPlans(of: $0) }
        switch call.request.query("plan-status") ?? "ACTIVE" {
        case "ACTIVE": plans = plans.filter(\.isActive)
        case "INACTIVE": plans = plans.filter { !$0.isActive }
        case "ALL": break
        default: throw invalidField("plan-status must be ACTIVE, INACTIVE or ALL")
        }
        return try respondPage(ResponseBankingInstalmentPlanList.self, call, total: plans.count) { plans[$0].plan() }
    }

    /// Customer, customer detail, status and outages.
    func addCommonHandlers(to handlers: inout [String: ResourceHandler]) {
        handlers["getCustomer"] = { [self] call, _ in
            let customer = try arrangementCustomer(call)
            return try respond(ResponseCommonCustomer(data: customer.customer(), links: selfLinks(call)), to: call)
        }
        handlers["getCustomerDetail"] = { [self] call, _ in
            let customer = try arrangementCustomer(call)
            return try respond(
                ResponseCommonCustomerDetailV2(data: customer.customerDetail(), links: selfLinks(call)), to: call)
        }
        handlers["getStatus"] = { [self] call, _ in
            let current = now
            let updated = CDRDateTime(current)!
            var data = ResponseCommonDiscoveryStatus.Data(status: .ok, updateTime: updated)
            switch faults.outage {
            case .unavailable:
                data = .init(status: .unavailable, explanation: "The service is unavailable.", updateTime: updated)
            case .partialFailure:
                data = .init(
                    status: .partialFailure, explanation: "Some endpoints are unavailable.", updateTime: updated)
            case .scheduled(let start, let duration):
                if current >= start && current < start.addingTimeInterval(duration.seconds) {
                    data = .init(
                        status: .scheduledOutage, explanation: "A scheduled outage is under way.",
                        expectedResolutionTime: CDRDateTime(start.addingTimeInterval(duration.seconds)),
                        updateTime: updated)
                }
            case nil:
                break
            }
            return try respond(ResponseCommonDiscoveryStatus(data: data, links: selfLinks(call)), to: call)
        }
        handlers["getOutages"] = { [self] call, _ in
            var outages: [DiscoveryOutage] = []
            if case .scheduled(let start, let duration) = faults.outage, let time = CDRDateTime(start) {
                let minutes = max(1, Int(duration.seconds / 60))
                outages.append(
                    DiscoveryOutage(
                        outageTime: time, duration: CDRDuration(rawValue: "PT\(minutes)M")!, isPartial: false,
                        explanation: "Scheduled maintenance."))
            }
            return try respond(
                ResponseDiscoveryOutagesList(data: .init(outages: outages), links: selfLinks(call)), to: call)
        }
    }

    private func arrangementCustomer(_ call: ResourceCall) throws(HolderHTTPError) -> MockCustomer {
        guard let id = call.grant?.arrangement.customerID, let customer = dataset.customer(id: id) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .notFound, .resourceNotFound, detail: "no customer for this arrangement"))
        }
        return customer
    }

    /// Products and product detail (public).
    func addProductHandlers(to handlers: inout [String: ResourceHandler]) {
        handlers["listBankingProducts"] = { [self] call, _ in
            var products = dataset.products
            switch call.request.query("effective") ?? "CURRENT" {
            case "CURRENT": products = products.filter(\.isCurrent)
            case "FUTURE": products = products.filter { !$0.isCurrent }
            case "ALL": break
            default: throw invalidField("effective must be CURRENT, FUTURE or ALL")
            }
            if let raw = call.request.query("updated-since") {
                guard let since = CDRDateTime(rawValue: raw) else {
                    throw HolderHTTPError(
                        response: HolderResponse.cdsError(
                            .badRequest, .fieldInvalidDateTime, detail: "updated-since must be an RFC 3339 date-time"))
                }
                products = products.filter { $0.lastUpdated > since.date }
            }
            if let brand = call.request.query("brand") { products = products.filter { $0.brand == brand } }
            if let category = try categoryFilter(call) { products = products.filter { $0.productCategory == category } }
            if call.version >= 5 {
                return try respondPage(ResponseBankingProductListV4.self, call, total: products.count) {
                    products[$0].v6()
                }
            }
            return try respondPage(ResponseBankingProductListV3.self, call, total: products.count) { products[$0].v5() }
        }
        handlers["getBankingProductDetail"] = { [self] call, context in
            guard let id = context.parameters.get("productId"), let product = dataset.product(id: id) else {
                return HolderResponse.cdsError(.notFound, .resourceInvalid, detail: "unknown product")
            }
            if call.version >= 7 {
                return try respond(
                    ResponseBankingProductByIdV7(data: product.detailV7(), links: selfLinks(call)), to: call)
            }
            return try respond(ResponseBankingProductByIdV6(data: product.detailV6(), links: selfLinks(call)), to: call)
        }
    }
}

/// The transactions a request selects: a contiguous index range (time filters only) or a list (amount or text
/// filters applied).
enum TransactionSelection {
    case range(Range<Int>)
    case list([Int])

    var count: Int {
        switch self {
        case .range(let range): range.count
        case .list(let list): list.count
        }
    }

    subscript(position: Int) -> Int {
        switch self {
        case .range(let range): range.lowerBound + position
        case .list(let list): list[position]
        }
    }
}
