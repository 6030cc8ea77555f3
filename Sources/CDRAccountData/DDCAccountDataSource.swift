public import CDRDDC
public import Foundation

/// Account data captured through Digital Data Capture: one connection at a credential-based capture provider, read
/// after a capture job has succeeded, mapped into the domain model with every record stamped with the provider,
/// the connection and the job.
///
/// The caller creates the connection (the credentials go straight to the provider) and runs the capture job,
/// answering MFA challenges; the source then reads what the job retrieved:
///
/// ```swift
/// let connection = try await ddc.createConnection(institutionID: bank, credentials: credentials)
/// let job = try await ddc.runJob(connection: connection) { challenge in try await askCustomer(challenge) }
/// let source = DDCAccountDataSource(client: ddc, connection: connection, job: job, registry: registry)
/// ```
///
/// The provider offers accounts, balances and transactions; payees and regular payments are not captured, so those
/// calls throw ``AccountDataError/Code/notOffered``.
public struct DDCAccountDataSource: AccountDataSource {
    /// The provider client.
    public let client: DDCClient
    /// The connection, or `nil` when the customer has none (every call then fails with
    /// ``AccountDataError/Code/missingConnection``).
    public let connection: DDCConnectionID?
    /// The capture job whose data is read.
    public let job: DDCJobID?
    /// The registry that keeps account identities across sources.
    public let registry: AccountIdentityRegistry
    /// How many transactions are handed on at a time.
    public var batchSize: Int

    /// Creates a source.
    public init(
        client: DDCClient, connection: DDCConnectionID?, job: DDCJobID?,
        registry: AccountIdentityRegistry = AccountIdentityRegistry(), batchSize: Int = 500
    ) {
        self.client = client
        self.connection = connection
        self.job = job
        self.registry = registry
        self.batchSize = max(1, batchSize)
    }

    /// `ddc:<provider>`.
    public var descriptor: DataSourceDescriptor {
        DataSourceDescriptor(method: .ddc, name: client.configuration.providerID)
    }

    private func session() throws -> (DDCConnectionID, DDCJobID) {
        guard let connection, let job else {
            throw AccountDataError(
                .missingConnection,
                reason: "the customer has no completed capture at \(client.configuration.providerID)")
        }
        return (connection, job)
    }

    private func provenance(_ connection: DDCConnectionID, _ job: DDCJobID, at date: Date) -> Provenance {
        .ddc(
            .init(providerID: client.configuration.providerID, connectionID: connection.rawValue, jobID: job.rawValue),
            fetchedAt: date)
    }

    static func category(_ kind: DDCAccount.Kind) -> AccountCategory {
        switch kind {
        case .transaction: return .transactionAndSavings
        case .termDeposit: return .termDeposits
        case .creditCard: return .creditAndChargeCards
        case .mortgage: return .residentialMortgages
        case .loan: return .personalLoans
        case .travelCard: return AccountCategory(rawValue: "TRAVEL_CARDS")
        case .trust: return AccountCategory(rawValue: "REGULATED_TRUST_ACCOUNTS")
        case .marginLoan: return AccountCategory(rawValue: "MARGIN_LOANS")
        case .lease: return AccountCategory(rawValue: "LEASES")
        case .tradeFinance: return AccountCategory(rawValue: "TRADE_FINANCE")
        case .overdraft: return AccountCategory(rawValue: "OVERDRAFTS")
        case .businessLoan: return AccountCategory(rawValue: "BUSINESS_LOANS")
        case .buyNowPayLater: return AccountCategory(rawValue: "BUY_NOW_PAY_LATER")
        default: return .other
        }
    }

    /// The captured accounts with their keys, and the raw records (for balances).
    private func capturedAccounts() async throws -> [(Account, DDCAccount)] {
        let (connection, job) = try session()
        let records = try await client.accounts(connection: connection)
        try await registry.restoreIfNeeded()
        let fetched = Date()
        var result: [(Account, DDCAccount)] = []
        for record in records {
            let category = Self.category(record.kind)
            let key = await registry.identify(
                AccountFingerprint(
                    bsb: record.bsb, accountNumber: record.accountNumber, maskedNumber: record.maskedNumber,
                    displayName: record.name, category: category == .other ? nil : category),
                method: .ddc, sourceAccountID: record.id)
            let account = Account(
                id: key, sourceAccountID: record.id, displayName: record.name, maskedNumber: record.maskedNumber,
                bsb: record.bsb, accountNumber: record.accountNumber, category: category,
                productName: record.name, isOpen: record.isOpen,
                provenance: provenance(connection, job, at: fetched))
            result.append((account, record))
        }
        try await registry.saveIfChanged()
        return result
    }

    /// The captured accounts.
    public func accounts() async throws -> [Account] {
        try await capturedAccounts().map(\.0)
    }

    /// The balances captured with the accounts.
    public func balances() async throws -> [Balance] {
        try await capturedAccounts().compactMap { account, record in
            guard let balance = record.balance else { return nil }
            return Balance(
                accountID: account.id, current: balance.current, available: balance.available ?? balance.current,
                currency: balance.currency, provenance: account.provenance)
        }
    }

    /// An account's captured transactions, handed on in batches of ``batchSize``.
    public func transactions(of account: AccountKey, in period: DateInterval?) -> AccountDataStream<Transaction> {
        let source = self
        return AccountDataStream {
            var iterator: DDCTransactions.AsyncIterator?
            var stamp: Provenance?
            return {
                if iterator == nil {
                    let (connection, job) = try source.session()
                    try await source.registry.restoreIfNeeded()
                    var id = await source.registry.sourceAccountID(for: account, method: .ddc)
                    if id == nil {
                        _ = try await source.accounts()
                        id = await source.registry.sourceAccountID(for: account, method: .ddc)
                    }
                    guard let id else {
                        throw AccountDataError(
                            .missingAccount,
                            reason: "the account is not in the capture at \(source.client.configuration.providerID)")
                    }
                    iterator = source.client.transactions(
                        connection: connection, accountID: id, from: period?.start, to: period?.end
                    ).makeAsyncIterator()
                    stamp = source.provenance(connection, job, at: Date())
                }
                guard var current = iterator, var provenance = stamp else { return nil }
                var batch: [Transaction] = []
                batch.reserveCapacity(source.batchSize)
                provenance.fetchedAt = Date()
                while batch.count < source.batchSize, let record = try await current.next() {
                    batch.append(
                        Transaction(
                            id: record.id, accountID: account, status: record.status == .pending ? .pending : .posted,
                            description: record.description, amount: record.amount, currency: record.currency,
                            date: record.date, reference: record.reference ?? "", provenance: provenance))
                }
                iterator = current
                return batch.isEmpty ? nil : batch
            }
        }
    }

    /// Not captured by the provider: throws ``AccountDataError/Code/notOffered``.
    public func payees() async throws -> [Payee] {
        _ = try session()
        throw AccountDataError(.notOffered, reason: "the capture provider does not capture payees")
    }

    /// Not captured by the provider: throws ``AccountDataError/Code/notOffered``.
    public func regularPayments() async throws -> [RegularPayment] {
        _ = try session()
        throw AccountDataError(.notOffered, reason: "the capture provider does not capture regular payments")
    }
}
