public import CDRModels
public import Foundation

/// Deterministic banking data for the mock data holder, generated lazily from a seed and sizes.
///
/// Nothing is stored per record: customers, accounts, transactions, payees, payments and products are computed
/// from the ``Configuration`` when asked for, so memory stays flat whatever the sizes. The same configuration
/// always gives the same data; another seed gives other values.
///
/// Transactions are spread evenly over ``Configuration/history`` ending at ``Configuration/referenceDate``. Index
/// 0 is the newest; ``transaction(of:at:)`` computes any index in constant time, and
/// ``transactionIndices(of:from:through:)`` turns a time window into a range of indices in constant time.
///
/// ```swift
/// let data = MockDataset(configuration: .init(seed: 7, transactionsPerAccount: 1_000_000))
/// let account = data.accounts(of: data.customers[0])[0]
/// let window = data.transactionIndices(of: account, from: oldest, through: newest)
/// let page = window.prefix(25).map { data.transaction(of: account, at: $0).v2() }
/// ```
public struct MockDataset: Sendable {
    /// The seed and sizes a dataset is generated from.
    public struct Configuration: Sendable, Hashable {
        /// The seed every value is derived from.
        public var seed: UInt64
        /// The number of customers (at most 65,536).
        public var customerCount: Int
        /// The number of accounts of each customer (at most 65,536). With 13 or more, every customer has an
        /// account of every product category.
        public var accountsPerCustomer: Int
        /// The number of transactions of each account (at most 2³²).
        public var transactionsPerAccount: Int
        /// The time of the newest transaction; fractions of a second are dropped.
        public var referenceDate: Date
        /// The span the transactions are spread over, ending at ``referenceDate``; fractions of a second are
        /// dropped.
        public var history: Duration

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - seed: The seed every value is derived from.
        ///   - customerCount: The number of customers.
        ///   - accountsPerCustomer: The number of accounts of each customer; 14 gives every customer every
        ///     product category, and a second everyday account.
        ///   - transactionsPerAccount: The number of transactions of each account.
        ///   - referenceDate: The time of the newest transaction; `nil` means now, truncated to whole seconds.
        ///   - history: The span the transactions are spread over.
        public init(
            seed: UInt64 = 2026,
            customerCount: Int = 3,
            accountsPerCustomer: Int = 14,
            transactionsPerAccount: Int = 250,
            referenceDate: Date? = nil,
            history: Duration = .seconds(365 * 86_400)
        ) {
            self.seed = seed
            self.customerCount = customerCount
            self.accountsPerCustomer = accountsPerCustomer
            self.transactionsPerAccount = transactionsPerAccount
            self.referenceDate =
                referenceDate ?? Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            self.history = history
        }
    }

    /// The configuration the data is generated from.
    public let configuration: Configuration

    let seed: UInt64
    let customerCount: Int
    let accountsPerCustomer: Int
    let transactionCount: Int
    /// ``Configuration/referenceDate`` in whole seconds since 1970.
    let referenceSeconds: Int64
    /// ``Configuration/history`` in whole seconds.
    let historySeconds: Int64

    /// Creates a dataset; no record is generated until asked for.
    ///
    /// - Parameter configuration: The seed and sizes. Negative sizes count as zero and sizes above the limits
    ///   documented on ``Configuration`` are capped.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        seed = configuration.seed
        customerCount = min(max(configuration.customerCount, 0), 0x1_0000)
        accountsPerCustomer = min(max(configuration.accountsPerCustomer, 0), 0x1_0000)
        transactionCount = min(max(configuration.transactionsPerAccount, 0), Int(UInt32.max))
        let reference = configuration.referenceDate.timeIntervalSince1970
        // Keep to years 1970 to 9999, which every rendering can write.
        referenceSeconds = reference.isFinite ? Int64(min(max(reference, 86_400 * 400), 253_000_000_000)) : 0
        historySeconds = min(max(configuration.history.components.seconds, 0), referenceSeconds - 86_400)
    }

    // MARK: Customers

    /// Every customer, in order.
    public var customers: [MockCustomer] { (0..<customerCount).map(customer(at:)) }

    /// The customer with a login name such as `customer-1`, or `nil` when there is none.
    public func customer(id: String) -> MockCustomer? {
        guard id.hasPrefix("customer-"), let number = Int(id.dropFirst("customer-".count)),
            String(number) == id.dropFirst("customer-".count), number >= 1, number <= customerCount
        else { return nil }
        return customer(at: number - 1)
    }

    func customer(at index: Int) -> MockCustomer {
        MockCustomer(seed: seed, index: index, referenceSeconds: referenceSeconds)
    }

    // MARK: Accounts

    /// The accounts of a customer, in order.
    public func accounts(of customer: MockCustomer) -> [MockAccount] {
        guard customer.index < customerCount else { return [] }
        return (0..<accountsPerCustomer).map { account(customer: customer.index, index: $0) }
    }

    /// The account with an identifier, or `nil` when the identifier is not one of this dataset's. Constant time:
    /// the identifier is parsed, not looked up.
    public func account(id: String) -> MockAccount? {
        guard let keys = MockID.parse(id, seed, .account), keys.index == 0, keys.customer < customerCount,
            keys.account < accountsPerCustomer
        else { return nil }
        return account(customer: keys.customer, index: keys.account)
    }

    func account(customer: Int, index: Int) -> MockAccount {
        MockAccount(
            seed: seed,
            customerIndex: customer,
            index: index,
            referenceSeconds: referenceSeconds,
            accountsPerCustomer: accountsPerCustomer
        )
    }

    /// Whether an account belongs to this dataset (and so to the customer its ``MockAccount/customerID`` names).
    func owns(_ account: MockAccount) -> Bool {
        account.seed == seed && account.customerIndex < customerCount && account.index < accountsPerCustomer
            && account.referenceSeconds == referenceSeconds
    }

    /// The balance of an account.
    public func balance(of account: MockAccount) -> BankingBalance { account.balance() }

    // MARK: Transactions

    /// The number of transactions of an account (the same for every account).
    public func transactionCount(of account: MockAccount) -> Int { owns(account) ? transactionCount : 0 }

    /// The transaction at an index, 0 being the newest. Constant time: the transaction is computed from the
    /// seed, the account and the index.
    ///
    /// - Precondition: `index` is in `0..<transactionCount(of: account)`.
    public func transaction(of account: MockAccount, at index: Int) -> MockTransaction {
        precondition(index >= 0 && index < transactionCount, "transaction index out of range")
        return MockTransaction(
            account: account,
            index: index,
            seconds: transactionSeconds(at: index),
            pendingCount: pendingCount(of: account)
        )
    }

    /// The transaction with an identifier on an account, or `nil` when the identifier names no transaction of
    /// that account. Constant time.
    public func transaction(id: String, of account: MockAccount) -> MockTransaction? {
        guard owns(account), let keys = MockID.parse(id, seed, .transaction), keys.customer == account.customerIndex,
            keys.account == account.index, keys.index < transactionCount
        else { return nil }
        return transaction(of: account, at: keys.index)
    }

    /// Indices of the transactions whose effective time t satisfies oldest <= t <= newest, O(1) (times are
    /// monotonic in index).
    ///
    /// The effective time is the posting time, or the execution time of a pending transaction, as the standard
    /// defines it for the `oldest-time` and `newest-time` filters. Indices ascend from newer to older.
    ///
    /// - Returns: The range of matching indices; empty when none match (including when `oldest` is after
    ///   `newest`).
    public func transactionIndices(of account: MockAccount, from oldest: Date, through newest: Date) -> Range<Int> {
        let count = owns(account) ? transactionCount : 0
        guard count > 0 else { return 0..<0 }
        let newestOffset = offset(of: newest, roundingUp: true)  // t <= newest  ⟺  offset(t) >= this
        let oldestOffset = offset(of: oldest, roundingUp: false)  // t >= oldest  ⟺  offset(t) <= this
        guard let oldestOffset, oldestOffset >= 0 else { return 0..<0 }
        let minimumOffset = max(newestOffset ?? Int64.max, 0)
        // First index whose offset reaches minimumOffset, first index whose offset passes oldestOffset.
        let lower = firstIndex(withOffsetAtLeast: minimumOffset, count: count)
        let upper = oldestOffset == Int64.max ? count : firstIndex(withOffsetAtLeast: oldestOffset + 1, count: count)
        return lower < upper ? lower..<upper : lower..<lower
    }

    /// Seconds since 1970 of the transaction at an index (whole seconds, never increasing with the index).
    func transactionSeconds(at index: Int) -> Int64 { referenceSeconds - offset(at: index) }

    /// How many seconds before the reference time the transaction at an index lies.
    func offset(at index: Int) -> Int64 {
        guard transactionCount > 1 else { return 0 }
        // The product can pass 64 bits for long histories of millions of transactions.
        let product = Int64(index).multipliedFullWidth(by: historySeconds)
        return Int64(transactionCount - 1).dividingFullWidth(product).quotient
    }

    /// The offset (reference time minus `date`) as whole seconds, rounded to keep the inequalities exact;
    /// `nil` when the date lies beyond the reference time in a way no offset reaches.
    private func offset(of date: Date, roundingUp: Bool) -> Int64? {
        let difference = Double(referenceSeconds) - date.timeIntervalSince1970
        guard !difference.isNaN else { return nil }
        let rounded = roundingUp ? difference.rounded(.up) : difference.rounded(.down)
        if rounded >= 9.0e15 { return Int64.max }
        if rounded <= -9.0e15 { return roundingUp ? Int64.min : -1 }
        return Int64(rounded)
    }

    /// The smallest index whose offset is at least `target` (or `count` when there is none).
    private func firstIndex(withOffsetAtLeast target: Int64, count: Int) -> Int {
        if target <= 0 { return 0 }
        guard count > 1, historySeconds > 0, target <= historySeconds else { return count }
        let span = Int64(count - 1)
        // offset(i) = floor(i * H / span) >= target  ⟺  i >= ceil(target * span / H)
        let product = target.multipliedFullWidth(by: span)
        let (quotient, remainder) = historySeconds.dividingFullWidth(product)
        let index = Int(quotient) + (remainder > 0 ? 1 : 0)
        return min(index, count)
    }

    /// The newest transactions of an open account are pending; a closed account has none pending.
    func pendingCount(of account: MockAccount) -> Int { account.openStatus == .closed ? 0 : min(3, transactionCount) }

    // MARK: Payees

    /// The number of payees of each customer; together they use every payee type and every kind of domestic
    /// payee.
    static let payeesPerCustomer = MockPayee.kinds.count

    /// The saved payees of a customer.
    public func payees(of customer: MockCustomer) -> [MockPayee] {
        guard customer.index < customerCount else { return [] }
        return (0..<Self.payeesPerCustomer).map {
            MockPayee(seed: seed, customerIndex: customer.index, index: $0, referenceSeconds: referenceSeconds)
        }
    }

    /// The payee with an identifier, or `nil` when it is not one of this dataset's.
    public func payee(id: String) -> MockPayee? {
        guard let keys = MockID.parse(id, seed, .payee), keys.account == 0, keys.customer < customerCount,
            keys.index < Self.payeesPerCustomer
        else { return nil }
        return MockPayee(
            seed: seed, customerIndex: keys.customer, index: keys.index, referenceSeconds: referenceSeconds)
    }

    // MARK: Regular payments

    /// The direct debit authorisations of an account (everyday accounts and cards have some).
    public func directDebits(of account: MockAccount) -> [BankingDirectDebit] {
        guard owns(account) else { return [] }
        return MockPayments.directDebits(of: account)
    }

    /// The scheduled payments made from an account. The first everyday account of each customer has one payment
    /// to each kind of destination and with each kind of recurrence.
    public func scheduledPayments(of account: MockAccount) -> [BankingScheduledPaymentV2] {
        guard owns(account) else { return [] }
        return MockPayments.scheduledPayments(of: account, dataset: self)
    }

    /// The instalment plans of an account (buy now pay later accounts and credit cards have some, active and
    /// finished).
    public func instalmentPlans(of account: MockAccount) -> [MockInstalmentPlan] {
        guard owns(account) else { return [] }
        return (0..<account.instalmentPlanCount).map { MockInstalmentPlan(account: account, index: $0) }
    }

    // MARK: Products

    /// Every product: one current product of each category, then a few that take effect in the future.
    public var products: [MockProduct] {
        (0..<MockProduct.catalogue.count).map { MockProduct(seed: seed, index: $0, referenceSeconds: referenceSeconds) }
    }

    /// The product with an identifier, or `nil` when it is not one of this dataset's.
    public func product(id: String) -> MockProduct? {
        guard let keys = MockID.parse(id, seed, .product), keys.customer == 0, keys.account == 0,
            keys.index < MockProduct.catalogue.count
        else { return nil }
        return MockProduct(seed: seed, index: keys.index, referenceSeconds: referenceSeconds)
    }
}
