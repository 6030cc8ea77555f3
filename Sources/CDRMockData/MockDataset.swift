// TEMPORARY compile stub (not to be committed): the real module comes from branch mock-data.
public import CDRModels
public import Foundation

public struct MockDataset: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var seed: UInt64 = 2026
        public var customerCount: Int = 3
        public var accountsPerCustomer: Int = 14
        public var transactionsPerAccount: Int = 250
        public var referenceDate: Date = Date()
        public var history: Duration = .seconds(365 * 86_400)
        public init(seed: UInt64 = 2026, customerCount: Int = 3, accountsPerCustomer: Int = 14, transactionsPerAccount: Int = 250, referenceDate: Date = Date(), history: Duration = .seconds(365 * 86_400)) {}
    }
    public let configuration: Configuration
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }
    public var customers: [MockCustomer] { fatalError() }
    public func customer(id: String) -> MockCustomer? { fatalError() }
    public func accounts(of customer: MockCustomer) -> [MockAccount] { fatalError() }
    public func account(id: String) -> MockAccount? { fatalError() }
    public func balance(of account: MockAccount) -> BankingBalance { fatalError() }
    public func transactionCount(of account: MockAccount) -> Int { fatalError() }
    public func transaction(of account: MockAccount, at index: Int) -> MockTransaction { fatalError() }
    public func transaction(id: String, of account: MockAccount) -> MockTransaction? { fatalError() }
    public func transactionIndices(of account: MockAccount, from oldest: Date, through newest: Date) -> Range<Int> { fatalError() }
    public func payees(of customer: MockCustomer) -> [MockPayee] { fatalError() }
    public func payee(id: String) -> MockPayee? { fatalError() }
    public func directDebits(of account: MockAccount) -> [BankingDirectDebit] { fatalError() }
    public func scheduledPayments(of account: MockAccount) -> [BankingScheduledPaymentV2] { fatalError() }
    public func instalmentPlans(of account: MockAccount) -> [MockInstalmentPlan] { fatalError() }
    public var products: [MockProduct] { fatalError() }
    public func product(id: String) -> MockProduct? { fatalError() }
}
public struct MockCustomer: Sendable, Hashable {
    public let id: String; public let index: Int; public let displayName: String; public let isOrganisation: Bool
    public func customer() -> ResponseCommonCustomer.Data { fatalError() }
    public func customerDetail() -> ResponseCommonCustomerDetailV2.Data { fatalError() }
}
public struct MockAccount: Sendable, Hashable {
    public let id: String; public let customerID: String; public let index: Int
    public let productCategory: BankingProductCategory
    public let openStatus: BankingAccountOpenStatus
    public let isOwned: Bool
    public let displayName: String; public let maskedNumber: String
    public let bsb: String?; public let accountNumber: String?
    public func v3() -> BankingAccountV3 { fatalError() }
    public func v2() -> BankingAccountV2 { fatalError() }
    public func detailV5() -> BankingAccountDetailV5 { fatalError() }
    public func detailV4() -> BankingAccountDetailV4 { fatalError() }
}
public struct MockTransaction: Sendable, Hashable {
    public let id: String; public let accountID: String; public let index: Int
    public let effectiveTime: Date
    public let amount: Decimal
    public let description: String; public let reference: String
    public let isPending: Bool
    public func v2() -> BankingTransactionV2 { fatalError() }
    public func v1() -> BankingTransaction { fatalError() }
    public func detailV3() -> BankingTransactionDetailV3 { fatalError() }
    public func detailV2() -> BankingTransactionDetailV2 { fatalError() }
    public func matches(text: String) -> Bool { fatalError() }
}
public struct MockPayee: Sendable, Hashable { public let id: String; public let customerID: String; public let type: BankingPayeeType
    public func v2() -> BankingPayeeV2 { fatalError() }; public func detailV2() -> BankingPayeeDetailV2 { fatalError() } }
public struct MockInstalmentPlan: Sendable, Hashable { public let isActive: Bool; public func plan() -> BankingInstalmentPlan { fatalError() } }
public struct MockProduct: Sendable, Hashable { public let id: String; public let productCategory: BankingProductCategory
    public let brand: String; public let isCurrent: Bool; public let lastUpdated: Date
    public func v6() -> BankingProductV6 { fatalError() }; public func v5() -> BankingProductV5 { fatalError() }
    public func detailV7() -> BankingProductDetailV7 { fatalError() }; public func detailV6() -> BankingProductDetailV6 { fatalError() } }
