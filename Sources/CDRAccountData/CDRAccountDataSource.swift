import CDRAuth
public import CDRBanking
import CDRModels
public import Foundation

/// Account data over the Consumer Data Right: one arrangement at one data holder brand, read with a
/// ``/CDRBanking/BankingClient`` and mapped into the domain model, every record stamped with the holder brand, the
/// arrangement and the `x-v` it was served in.
///
/// ```swift
/// let cdr = CDRAccountDataSource(
///     holderBrandID: "bank-brand", arrangementID: arrangement.id, banking: banking, registry: registry)
/// ```
public struct CDRAccountDataSource: AccountDataSource {
    /// How the source reads.
    public struct Options: Sendable, Hashable {
        /// Also read each account's detail (needs `bank:accounts.detail:read`), which discloses the BSB and
        /// number, so accounts match across sources exactly. One extra call per account.
        public var readsAccountDetail: Bool

        /// Creates options.
        public init(readsAccountDetail: Bool = false) {
            self.readsAccountDetail = readsAccountDetail
        }
    }

    /// The holder brand.
    public let holderBrandID: String
    /// The arrangement, or `nil` when the customer has none with this holder (every call then fails with
    /// ``AccountDataError/Code/missingArrangement``).
    public let arrangementID: String?
    /// The banking client for the arrangement.
    public let banking: BankingClient
    /// The registry that keeps account identities across sources.
    public let registry: AccountIdentityRegistry
    /// How the source reads.
    public var options: Options

    /// Creates a source.
    public init(
        holderBrandID: String, arrangementID: String?, banking: BankingClient,
        registry: AccountIdentityRegistry = AccountIdentityRegistry(), options: Options = Options()
    ) {
        self.holderBrandID = holderBrandID
        self.arrangementID = arrangementID
        self.banking = banking
        self.registry = registry
        self.options = options
    }

    /// `cdr:<holder brand>`.
    public var descriptor: DataSourceDescriptor { DataSourceDescriptor(method: .cdr, name: holderBrandID) }

    private func arrangement() throws -> String {
        guard let arrangementID else {
            throw AccountDataError(
                .missingArrangement, reason: "the customer has no CDR arrangement with \(holderBrandID)")
        }
        return arrangementID
    }

    /// Runs `body`, turning an ``/CDRAuth/AuthorizationError`` (no access token can be had: the arrangement expired,
    /// was revoked or is unknown, or a refresh failed) into an ``AccountDataError`` of the same
    /// ``/CDRModels/CDRFailureCategory`` (``AccountDataError/Code/missingArrangement`` when the consent is gone), with
    /// the original as ``AccountDataError/underlying``.
    func authorized<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AuthorizationError {
            throw AccountDataError(
                AccountDataError.code(for: error.category),
                reason: "no access token for the CDR arrangement with \(holderBrandID)", underlying: error)
        }
    }

    private func provenance(_ arrangement: String, version: Int, interactionID: String?, at date: Date) -> Provenance {
        .cdr(
            .init(
                holderBrandID: holderBrandID, arrangementID: arrangement, version: version, interactionID: interactionID
            ),
            fetchedAt: date)
    }

    /// The arrangement's accounts (`listBankingAccounts`, and each account's detail when
    /// ``Options/readsAccountDetail`` is set).
    public func accounts() async throws -> [Account] {
        try await authorized { try await readAccounts() }
    }

    private func readAccounts() async throws -> [Account] {
        let arrangement = try arrangement()
        try await registry.restoreIfNeeded()
        var accounts: [Account] = []
        for try await page in banking.accounts().pages {
            for record in page.records {
                let source = provenance(
                    arrangement, version: page.version, interactionID: page.interactionID, at: page.fetchedAt)
                let summary: any AccountSummary
                switch record {
                case .current(let value): summary = value
                case .previous(let value): summary = value
                }
                var account = Account(
                    id: AccountKey(rawValue: ""), sourceAccountID: summary.accountId.rawValue,
                    displayName: summary.displayName, nickname: summary.nickname, maskedNumber: summary.maskedNumber,
                    category: AccountCategory(rawValue: summary.productCategory.rawValue),
                    productName: summary.productName, isOpen: summary.openStatus.map { $0 != .closed },
                    isOwned: summary.isOwned, provenance: source)
                if options.readsAccountDetail {
                    let detail = try await banking.account(id: account.sourceAccountID)
                    switch detail.body {
                    case .current(let value):
                        account.bsb = value.bsb
                        account.accountNumber = value.accountNumber
                    case .previous(let value):
                        account.bsb = value.bsb
                        account.accountNumber = value.accountNumber
                    }
                }
                // A masked number the holder left out is not evidence of identity (the model holds a placeholder).
                let maskedNumber = summary.missingFields.contains("maskedNumber") ? nil : account.maskedNumber
                account.id = await registry.identify(
                    AccountFingerprint(
                        bsb: account.bsb, accountNumber: account.accountNumber, maskedNumber: maskedNumber,
                        displayName: account.displayName,
                        category: summary.missingFields.contains("productCategory") ? nil : account.category),
                    method: .cdr, sourceAccountID: account.sourceAccountID)
                accounts.append(account)
            }
        }
        try await registry.saveIfChanged()
        return accounts
    }

    /// The holder's `accountId` for a key, listing the accounts once if the key is not known yet.
    func sourceID(for key: AccountKey) async throws -> String {
        try await registry.restoreIfNeeded()
        if let id = await registry.sourceAccountID(for: key, method: .cdr) { return id }
        _ = try await accounts()
        if let id = await registry.sourceAccountID(for: key, method: .cdr) { return id }
        throw AccountDataError(
            .missingAccount, reason: "the account is not shared in the CDR arrangement with \(holderBrandID)")
    }

    /// The balances (`listBankingBalancesBulk`).
    public func balances() async throws -> [Balance] {
        try await authorized { try await readBalances() }
    }

    private func readBalances() async throws -> [Balance] {
        let arrangement = try arrangement()
        var keys: [String: AccountKey] = [:]
        var balances: [Balance] = []
        for try await page in banking.balances().pages {
            for record in page.records {
                let sourceID = record.accountId.rawValue
                if keys[sourceID] == nil {
                    keys[sourceID] = try await key(forSourceID: sourceID)
                }
                guard let key = keys[sourceID] else { continue }
                balances.append(
                    Balance(
                        accountID: key, current: record.currentBalance.decimalValue,
                        available: record.availableBalance.decimalValue, creditLimit: record.creditLimit?.decimalValue,
                        currency: record.currency?.rawValue ?? "AUD",
                        provenance: provenance(
                            arrangement, version: page.version, interactionID: page.interactionID, at: page.fetchedAt)))
            }
        }
        return balances
    }

    /// The key of a holder `accountId`, listing the accounts once if it is not known yet.
    private func key(forSourceID sourceID: String) async throws -> AccountKey? {
        try await registry.restoreIfNeeded()
        if let key = await registry.key(forSourceID: sourceID, method: .cdr) { return key }
        _ = try await accounts()
        return await registry.key(forSourceID: sourceID, method: .cdr)
    }

    /// An account's transactions (`listBankingTransactions`), a page at a time.
    public func transactions(of account: AccountKey, in period: DateInterval?) -> AccountDataStream<Transaction> {
        let source = self
        return AccountDataStream {
            var pages: PageSequence<Versioned<BankingTransactionV2, BankingTransaction>>.AsyncIterator?
            return {
                try await source.authorized {
                    if pages == nil {
                        _ = try source.arrangement()
                        let id = try await source.sourceID(for: account)
                        let filter = TransactionFilter(oldest: period?.start, newest: period?.end)
                        pages = source.banking.transactions(accountID: id, filter).pages.makeAsyncIterator()
                    }
                    guard let page = try await pages?.next() else { return nil }
                    return source.map(page, account: account)
                }
            }
        }
    }

    func map(_ page: Page<Versioned<BankingTransactionV2, BankingTransaction>>, account: AccountKey) -> [Transaction] {
        guard let arrangementID else { return [] }
        let stamp = provenance(
            arrangementID, version: page.version, interactionID: page.interactionID, at: page.fetchedAt)
        return page.records.map { record in
            let value: any TransactionSummary
            switch record {
            case .current(let current): value = current
            case .previous(let previous): value = previous
            }
            return Self.transaction(
                id: value.transactionId?.rawValue, account: account, status: value.status.rawValue,
                description: value.description, amount: value.amount.decimalValue, currency: value.currency?.rawValue,
                date: value.postingDateTime?.date ?? value.executionDateTime?.date ?? value.valueDateTime?.date,
                reference: value.reference, merchantName: value.merchantName, mcc: value.merchantCategoryCode,
                provenance: stamp)
        }
    }

    private static func transaction(
        id: String?, account: AccountKey, status: String, description: String, amount: Decimal, currency: String?,
        date: Date?, reference: String, merchantName: String?, mcc: String?, provenance: Provenance
    ) -> Transaction {
        let when = date ?? provenance.fetchedAt
        // A holder may omit transactionId; derive one that is the same on every run (String.hashValue is not).
        let identifier = id ?? "derived-\(Int(when.timeIntervalSince1970))-\(amount)-\(fnv1a(description + reference))"
        return Transaction(
            id: identifier, accountID: account, status: status == "PENDING" ? .pending : .posted,
            description: description, amount: amount, currency: currency ?? "AUD", date: when, reference: reference,
            merchantName: merchantName, merchantCategoryCode: mcc, provenance: provenance)
    }

    /// The saved payees (`listBankingPayees`).
    public func payees() async throws -> [Payee] {
        try await authorized { try await readPayees() }
    }

    private func readPayees() async throws -> [Payee] {
        let arrangement = try arrangement()
        var payees: [Payee] = []
        for try await page in banking.payees().pages {
            let stamp = provenance(
                arrangement, version: page.version, interactionID: page.interactionID, at: page.fetchedAt)
            payees += page.records.map {
                Payee(
                    id: $0.payeeId.rawValue, nickname: $0.nickname, details: $0.description, kind: $0.type.rawValue,
                    provenance: stamp)
            }
        }
        return payees
    }

    /// Direct debits (`listDirectDebitsBulk`) and scheduled payments (`listScheduledPaymentsBulk`).
    public func regularPayments() async throws -> [RegularPayment] {
        try await authorized { try await readRegularPayments() }
    }

    private func readRegularPayments() async throws -> [RegularPayment] {
        let arrangement = try arrangement()
        var payments: [RegularPayment] = []
        var keys: [String: AccountKey] = [:]
        for try await page in banking.directDebits().pages {
            let stamp = provenance(
                arrangement, version: page.version, interactionID: page.interactionID, at: page.fetchedAt)
            for (index, record) in page.records.enumerated() {
                let sourceID = record.accountId.rawValue
                if keys[sourceID] == nil { keys[sourceID] = try await key(forSourceID: sourceID) }
                guard let key = keys[sourceID] else { continue }
                let counterparty =
                    record.authorisedEntity.description ?? record.authorisedEntity.financialInstitution ?? ""
                payments.append(
                    RegularPayment(
                        id: "dd-\(sourceID)-\(page.number)-\(index)", kind: .directDebit, accountID: key,
                        counterparty: counterparty, amount: record.lastDebitAmount?.decimalValue,
                        date: record.lastDebitDateTime?.date, provenance: stamp))
            }
        }
        for try await page in banking.scheduledPayments().pages {
            let stamp = provenance(
                arrangement, version: page.version, interactionID: page.interactionID, at: page.fetchedAt)
            for record in page.records {
                let sourceID = record.from.accountId.rawValue
                if keys[sourceID] == nil { keys[sourceID] = try await key(forSourceID: sourceID) }
                guard let key = keys[sourceID] else { continue }
                let first = record.paymentSet.first
                payments.append(
                    RegularPayment(
                        id: record.scheduledPaymentId.rawValue, kind: .scheduledPayment, accountID: key,
                        counterparty: record.nickname ?? first?.to.nickname ?? record.payerReference,
                        amount: first?.amount?.decimalValue,
                        date: record.recurrence.nextPaymentDate.flatMap(Self.date), provenance: stamp))
            }
        }
        return payments
    }

    /// The 64-bit FNV-1a hash of the text's UTF-8 bytes, in hexadecimal.
    private static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    static func date(_ day: CDRDate) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
    }
}

/// The members the account list's versions share, so one mapping serves both.
protocol AccountSummary {
    var accountId: BankingAccountId { get }
    var displayName: String { get }
    var nickname: String? { get }
    var maskedNumber: String { get }
    var productCategory: BankingProductCategory { get }
    var productName: String { get }
    var openStatus: BankingAccountOpenStatus? { get }
    var isOwned: Bool? { get }
    var missingFields: [String] { get }
}

extension BankingAccountV3: AccountSummary {}
extension BankingAccountV2: AccountSummary {}

/// The members the transaction list's versions share, so one mapping serves both.
protocol TransactionSummary {
    var transactionId: BankingTransactionId? { get }
    var status: BankingTransactionStatus { get }
    var description: String { get }
    var amount: CDRAmount { get }
    var currency: CDRCurrency? { get }
    var postingDateTime: CDRDateTime? { get }
    var executionDateTime: CDRDateTime? { get }
    var valueDateTime: CDRDateTime? { get }
    var reference: String { get }
    var merchantName: String? { get }
    var merchantCategoryCode: String? { get }
}

extension BankingTransactionV2: TransactionSummary {}
extension BankingTransaction: TransactionSummary {}
