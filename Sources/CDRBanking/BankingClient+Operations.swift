public import CDRModels
public import Foundation

/// Filters of the account lists (`listBankingAccounts` and the bulk balance, direct debit and scheduled payment
/// lists).
public struct AccountFilter: Sendable, Hashable {
    /// Only accounts of this product category.
    public var productCategory: BankingProductCategory?
    /// `OPEN`, `CLOSED` or (the default, `nil`) all.
    public var openStatus: BankingAccountOpenStatus?
    /// Only accounts the customer owns (`true`) or does not own (`false`).
    public var isOwned: Bool?

    /// Creates a filter; the default selects every account of the arrangement.
    public init(
        productCategory: BankingProductCategory? = nil, openStatus: BankingAccountOpenStatus? = nil,
        isOwned: Bool? = nil
    ) {
        self.productCategory = productCategory
        self.openStatus = openStatus
        self.isOwned = isOwned
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let productCategory { query.append(("product-category", productCategory.rawValue)) }
        if let openStatus { query.append(("open-status", openStatus.rawValue)) }
        if let isOwned { query.append(("is-owned", String(isOwned))) }
        return query
    }
}

/// Filters of `listBankingTransactions`.
public struct TransactionFilter: Sendable, Hashable {
    /// Transactions at or after this time (the holder's default is 90 days ago).
    public var oldest: Date?
    /// Transactions at or before this time (the holder's default is now).
    public var newest: Date?
    /// Transactions whose amount is at least this.
    public var minimumAmount: Decimal?
    /// Transactions whose amount is at most this.
    public var maximumAmount: Decimal?
    /// Transactions whose description or reference contains this text.
    public var text: String?

    /// Creates a filter.
    public init(
        oldest: Date? = nil, newest: Date? = nil, minimumAmount: Decimal? = nil, maximumAmount: Decimal? = nil,
        text: String? = nil
    ) {
        self.oldest = oldest
        self.newest = newest
        self.minimumAmount = minimumAmount
        self.maximumAmount = maximumAmount
        self.text = text
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let oldest, let text = CDRDateTime(oldest)?.rawValue { query.append(("oldest-time", text)) }
        if let newest, let text = CDRDateTime(newest)?.rawValue { query.append(("newest-time", text)) }
        if let minimumAmount { query.append(("min-amount", Self.amount(minimumAmount))) }
        if let maximumAmount { query.append(("max-amount", Self.amount(maximumAmount))) }
        if let text, !text.isEmpty { query.append(("text", text)) }
        return query
    }

    static func amount(_ value: Decimal) -> String {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        return NSDecimalNumber(decimal: rounded).stringValue
    }
}

/// Filters of `listBankingProducts` (public).
public struct ProductFilter: Sendable, Hashable {
    /// Which products by effective date: `CURRENT` (the holder's default), `FUTURE` or `ALL`.
    public var effective: String?
    /// Only products updated after this time.
    public var updatedSince: Date?
    /// Only products of this brand.
    public var brand: String?
    /// Only products of this category.
    public var productCategory: BankingProductCategory?

    /// Creates a filter.
    public init(
        effective: String? = nil, updatedSince: Date? = nil, brand: String? = nil,
        productCategory: BankingProductCategory? = nil
    ) {
        self.effective = effective
        self.updatedSince = updatedSince
        self.brand = brand
        self.productCategory = productCategory
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let effective { query.append(("effective", effective)) }
        if let updatedSince, let text = CDRDateTime(updatedSince)?.rawValue { query.append(("updated-since", text)) }
        if let brand { query.append(("brand", brand)) }
        if let productCategory { query.append(("product-category", productCategory.rawValue)) }
        return query
    }
}

extension BankingClient {
    // MARK: Accounts

    /// `listBankingAccounts` (v3, v2): the arrangement's accounts.
    public func accounts(
        _ filter: AccountFilter = AccountFilter()
    ) -> PagedSequence<Versioned<BankingAccountV3, BankingAccountV2>> {
        paged(
            CDSCall(operationID: "listBankingAccounts", query: filter.query),
            current: ResponseBankingAccountListV3.self,
            previous: ResponseBankingAccountListV2.self, currentID: { $0.accountId.rawValue },
            previousID: { $0.accountId.rawValue })
    }

    /// `getBankingAccountDetail` (v5, v4): one account in detail (BSB and number, features, rates, …).
    public func account(
        id: String
    ) async throws -> CDSResult<Versioned<BankingAccountDetailV5, BankingAccountDetailV4>> {
        try await fetch(
            CDSCall(operationID: "getBankingAccountDetail", pathParameters: ["accountId": id]),
            decode: Self.versioned(
                "getBankingAccountDetail", current: ResponseBankingAccountByIdV5.self, { $0.data },
                previous: ResponseBankingAccountByIdV4.self, { $0.data }))
    }

    // MARK: Balances

    /// `listBankingBalancesBulk` (v2, v1): the balances of the arrangement's accounts.
    public func balances(_ filter: AccountFilter = AccountFilter()) -> PagedSequence<BankingBalance> {
        paged(
            CDSCall(operationID: "listBankingBalancesBulk", query: filter.query),
            ResponseBankingAccountsBalanceList.self, id: { $0.accountId.rawValue })
    }

    /// `listBankingBalancesSpecificAccounts`: the balances of the listed accounts.
    public func balances(accountIDs: [String]) throws -> PagedSequence<BankingBalance> {
        paged(
            try Self.accountListCall("listBankingBalancesSpecificAccounts", accountIDs),
            ResponseBankingAccountsBalanceList.self, id: { $0.accountId.rawValue })
    }

    /// `getBankingBalance`: one account's balance.
    public func balance(accountID: String) async throws -> CDSResult<BankingBalance> {
        try await fetch(
            CDSCall(operationID: "getBankingBalance", pathParameters: ["accountId": accountID]),
            decode: Self.single("getBankingBalance", ResponseBankingAccountsBalanceById.self, { $0.data }))
    }

    // MARK: Transactions

    /// `listBankingTransactions` (v2, v1): an account's transactions, newest first, a page at a time.
    public func transactions(
        accountID: String, _ filter: TransactionFilter = TransactionFilter()
    ) -> PagedSequence<Versioned<BankingTransactionV2, BankingTransaction>> {
        paged(
            CDSCall(
                operationID: "listBankingTransactions", pathParameters: ["accountId": accountID], query: filter.query),
            current: ResponseBankingTransactionListV2.self, previous: ResponseBankingTransactionList.self,
            currentID: { $0.transactionId?.rawValue }, previousID: { $0.transactionId?.rawValue })
    }

    /// `getBankingTransactionDetail` (v3, v2): one transaction with its extended data.
    public func transaction(
        accountID: String, transactionID: String
    ) async throws -> CDSResult<Versioned<BankingTransactionDetailV3, BankingTransactionDetailV2>> {
        try await fetch(
            CDSCall(
                operationID: "getBankingTransactionDetail",
                pathParameters: ["accountId": accountID, "transactionId": transactionID]),
            decode: Self.versioned(
                "getBankingTransactionDetail", current: ResponseBankingTransactionByIdV3.self, { $0.data },
                previous: ResponseBankingTransactionByIdV2.self, { $0.data }))
    }

    // MARK: Regular payments

    /// `listDirectDebits`: one account's direct debit authorisations.
    public func directDebits(accountID: String) -> PagedSequence<BankingDirectDebit> {
        paged(
            CDSCall(operationID: "listDirectDebits", pathParameters: ["accountId": accountID]),
            ResponseBankingDirectDebitAuthorisationList.self, id: { _ in nil })
    }

    /// `listDirectDebitsBulk` (v2, v1): the direct debit authorisations of the arrangement's accounts.
    public func directDebits(_ filter: AccountFilter = AccountFilter()) -> PagedSequence<BankingDirectDebit> {
        paged(
            CDSCall(operationID: "listDirectDebitsBulk", query: filter.query),
            ResponseBankingDirectDebitAuthorisationList.self, id: { _ in nil })
    }

    /// `listDirectDebitsSpecificAccounts`: the direct debit authorisations of the listed accounts.
    public func directDebits(accountIDs: [String]) throws -> PagedSequence<BankingDirectDebit> {
        paged(
            try Self.accountListCall("listDirectDebitsSpecificAccounts", accountIDs),
            ResponseBankingDirectDebitAuthorisationList.self, id: { _ in nil })
    }

    /// `listScheduledPayments` (v2): one account's scheduled payments.
    public func scheduledPayments(accountID: String) -> PagedSequence<BankingScheduledPaymentV2> {
        paged(
            CDSCall(operationID: "listScheduledPayments", pathParameters: ["accountId": accountID]),
            ResponseBankingScheduledPaymentsListV2.self, id: { $0.scheduledPaymentId.rawValue })
    }

    /// `listScheduledPaymentsBulk` (v3, v2): the scheduled payments of the arrangement's accounts.
    public func scheduledPayments(
        _ filter: AccountFilter = AccountFilter()
    ) -> PagedSequence<BankingScheduledPaymentV2> {
        paged(
            CDSCall(operationID: "listScheduledPaymentsBulk", query: filter.query),
            ResponseBankingScheduledPaymentsListV2.self, id: { $0.scheduledPaymentId.rawValue })
    }

    /// `listScheduledPaymentsSpecificAccounts` (v2): the scheduled payments of the listed accounts.
    public func scheduledPayments(accountIDs: [String]) throws -> PagedSequence<BankingScheduledPaymentV2> {
        paged(
            try Self.accountListCall("listScheduledPaymentsSpecificAccounts", accountIDs),
            ResponseBankingScheduledPaymentsListV2.self, id: { $0.scheduledPaymentId.rawValue })
    }

    /// `listInstalmentPlans`: one account's instalment plans.
    /// - Parameters:
    ///   - accountID: The account.
    ///   - status: `ACTIVE` (the holder's default), `INACTIVE` or `ALL`.
    public func instalmentPlans(accountID: String, status: String? = nil) -> PagedSequence<BankingInstalmentPlan> {
        paged(
            CDSCall(
                operationID: "listInstalmentPlans", pathParameters: ["accountId": accountID],
                query: status.map { [("plan-status", $0)] } ?? []),
            ResponseBankingInstalmentPlanList.self, id: { $0.planId.rawValue })
    }

    /// `listInstalmentPlansBulk`: the instalment plans of the arrangement's accounts.
    /// - Parameter status: `ACTIVE` (the holder's default), `INACTIVE` or `ALL`.
    public func instalmentPlans(status: String? = nil) -> PagedSequence<BankingInstalmentPlan> {
        paged(
            CDSCall(operationID: "listInstalmentPlansBulk", query: status.map { [("plan-status", $0)] } ?? []),
            ResponseBankingInstalmentPlanList.self, id: { $0.planId.rawValue })
    }

    // MARK: Payees

    /// `listBankingPayees` (v2): the customer's saved payees.
    /// - Parameter type: `DOMESTIC`, `INTERNATIONAL`, `BILLER`, `DIGITAL_WALLET`; `nil` for all.
    public func payees(type: BankingPayeeType? = nil) -> PagedSequence<BankingPayeeV2> {
        paged(
            CDSCall(operationID: "listBankingPayees", query: type.map { [("type", $0.rawValue)] } ?? []),
            ResponseBankingPayeeListV2.self, id: { $0.payeeId.rawValue })
    }

    /// `getBankingPayeeDetail` (v2): one payee in detail.
    public func payee(id: String) async throws -> CDSResult<BankingPayeeDetailV2> {
        try await fetch(
            CDSCall(operationID: "getBankingPayeeDetail", pathParameters: ["payeeId": id]),
            decode: Self.single("getBankingPayeeDetail", ResponseBankingPayeeByIdV2.self, { $0.data }))
    }

    // MARK: Products (public)

    /// `listBankingProducts` (v5 → `BankingProductV6`, v4 → `BankingProductV5`): the holder's products. Public:
    /// no token, no client certificate.
    public func products(
        _ filter: ProductFilter = ProductFilter()
    ) -> PagedSequence<Versioned<BankingProductV6, BankingProductV5>> {
        paged(
            CDSCall(operationID: "listBankingProducts", query: filter.query),
            current: ResponseBankingProductListV4.self, previous: ResponseBankingProductListV3.self,
            currentID: { $0.productId.rawValue }, previousID: { $0.productId.rawValue })
    }

    /// `getBankingProductDetail` (v7, v6): one product in detail. Public.
    public func product(
        id: String
    ) async throws -> CDSResult<Versioned<BankingProductDetailV7, BankingProductDetailV6>> {
        try await fetch(
            CDSCall(operationID: "getBankingProductDetail", pathParameters: ["productId": id]),
            decode: Self.versioned(
                "getBankingProductDetail", current: ResponseBankingProductByIdV7.self, { $0.data },
                previous: ResponseBankingProductByIdV6.self, { $0.data }))
    }

    // MARK: Common

    /// `getCustomer`: who the customer is (person or organisation), in brief.
    public func customer() async throws -> CDSResult<ResponseCommonCustomer.Data> {
        try await fetch(
            CDSCall(operationID: "getCustomer"),
            decode: Self.single("getCustomer", ResponseCommonCustomer.self, { $0.data }))
    }

    /// `getCustomerDetail` (v2): the customer with contact details.
    public func customerDetail() async throws -> CDSResult<ResponseCommonCustomerDetailV2.Data> {
        try await fetch(
            CDSCall(operationID: "getCustomerDetail"),
            decode: Self.single("getCustomerDetail", ResponseCommonCustomerDetailV2.self, { $0.data }))
    }

    /// `getStatus`: the holder's operational status (public).
    public func status() async throws -> CDSResult<ResponseCommonDiscoveryStatus.Data> {
        try await fetch(
            CDSCall(operationID: "getStatus"),
            decode: Self.single("getStatus", ResponseCommonDiscoveryStatus.self, { $0.data }))
    }

    /// `getOutages`: the holder's scheduled outages (public).
    public func outages() async throws -> CDSResult<ResponseDiscoveryOutagesList.Data> {
        try await fetch(
            CDSCall(operationID: "getOutages"),
            decode: Self.single("getOutages", ResponseDiscoveryOutagesList.self, { $0.data }))
    }

    // MARK: Support

    /// A `POST` call with a `RequestAccountIdListV1` body.
    static func accountListCall(_ operationID: String, _ accountIDs: [String]) throws -> CDSCall {
        guard !accountIDs.isEmpty else {
            throw DataHolderError(.invalidRequest, operation: operationID, reason: "no account ids given")
        }
        var ids: [BankingAccountId] = []
        for id in accountIDs {
            guard !id.isEmpty else {
                throw DataHolderError(.invalidRequest, operation: operationID, reason: "an account id is empty")
            }
            ids.append(BankingAccountId(rawValue: id))
        }
        let body = try JSONEncoder().encode(RequestAccountIdListV1(data: .init(accountIds: ids)))
        return CDSCall(operationID: operationID, body: body)
    }
}
