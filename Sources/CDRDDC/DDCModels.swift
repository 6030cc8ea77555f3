public import Foundation

/// The provider's identifier of a connection: the only thing kept after credentials are handed over.
public struct DDCConnectionID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The identifier as the provider wrote it.
    public let rawValue: String
    /// Wraps an identifier.
    /// - Parameter rawValue: The identifier.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The identifier.
    public var description: String { rawValue }
}

/// The provider's identifier of a capture job.
public struct DDCJobID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The identifier as the provider wrote it.
    public let rawValue: String
    /// Wraps an identifier.
    /// - Parameter rawValue: The identifier.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The identifier.
    public var description: String { rawValue }
}

/// An institution (bank) the provider can capture from.
public struct DDCInstitution: Hashable, Sendable {
    /// Whether the provider can reach the institution now. Unknown values are kept.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The provider's value.
        public let rawValue: String
        /// Wraps a value.
        /// - Parameter rawValue: The provider's value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The institution is reachable.
        public static let operational = Status(rawValue: "operational")
        /// The institution is down.
        public static let down = Status(rawValue: "down")
        /// The value.
        public var description: String { rawValue }
    }

    /// The provider's identifier of the institution, passed to
    /// ``DDCClient/createConnection(institutionID:credentials:logger:)``.
    public var id: String
    /// The institution's name.
    public var name: String
    /// Whether it is reachable.
    public var status: Status

    /// Creates an institution.
    /// - Parameters:
    ///   - id: The provider's identifier.
    ///   - name: The name.
    ///   - status: Whether it is reachable.
    public init(id: String, name: String, status: Status) {
        self.id = id
        self.name = name
        self.status = status
    }
}

/// An account captured through a DDC connection, in provider-neutral form.
///
/// ``id`` is the provider's identifier, not a CDS `accountId`; to match the account with one read through CDR, compare
/// ``bsb`` and ``accountNumber`` (or ``maskedNumber`` and ``name`` for cards).
public struct DDCAccount: Hashable, Sendable {
    /// The kind of account, in the provider's words. Unknown values are kept.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The provider's value, for example `transaction` or `credit_card`.
        public let rawValue: String
        /// Wraps a value.
        /// - Parameter rawValue: The provider's value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// An everyday transaction or savings account.
        public static let transaction = Kind(rawValue: "transaction")
        /// A term deposit.
        public static let termDeposit = Kind(rawValue: "term_deposit")
        /// A travel card.
        public static let travelCard = Kind(rawValue: "travel_card")
        /// A regulated trust account.
        public static let trust = Kind(rawValue: "trust")
        /// A home loan.
        public static let mortgage = Kind(rawValue: "mortgage")
        /// A credit or charge card.
        public static let creditCard = Kind(rawValue: "credit_card")
        /// A personal loan.
        public static let loan = Kind(rawValue: "loan")
        /// A margin loan.
        public static let marginLoan = Kind(rawValue: "margin_loan")
        /// A lease.
        public static let lease = Kind(rawValue: "lease")
        /// Trade finance.
        public static let tradeFinance = Kind(rawValue: "trade_finance")
        /// An overdraft.
        public static let overdraft = Kind(rawValue: "overdraft")
        /// A business loan.
        public static let businessLoan = Kind(rawValue: "business_loan")
        /// A buy now pay later account.
        public static let buyNowPayLater = Kind(rawValue: "bnpl")
        /// The value.
        public var description: String { rawValue }
    }

    /// The provider's identifier of the account.
    public var id: String
    /// The account's name as the institution shows it.
    public var name: String
    /// The kind of account.
    public var kind: Kind
    /// Whether the account is open (`false` when closed).
    public var isOpen: Bool
    /// The BSB as six digits (separators removed), for accounts that have one.
    public var bsb: String?
    /// The full account number, digits only, when the provider discloses it.
    public var accountNumber: String?
    /// The account or card number with all but the last digits masked.
    public var maskedNumber: String
    /// The balance, when the provider gave one.
    public var balance: DDCBalance?

    /// Creates an account.
    /// - Parameters:
    ///   - id: The provider's identifier.
    ///   - name: The name.
    ///   - kind: The kind.
    ///   - isOpen: Whether it is open.
    ///   - bsb: The BSB (six digits).
    ///   - accountNumber: The account number.
    ///   - maskedNumber: The masked number.
    ///   - balance: The balance.
    public init(
        id: String, name: String, kind: Kind, isOpen: Bool, bsb: String?, accountNumber: String?,
        maskedNumber: String, balance: DDCBalance?
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.isOpen = isOpen
        self.bsb = bsb
        self.accountNumber = accountNumber
        self.maskedNumber = maskedNumber
        self.balance = balance
    }
}

/// An account's balance as captured.
public struct DDCBalance: Hashable, Sendable {
    /// The balance including pending transactions; negative for money owed.
    public var current: Decimal
    /// The amount the customer can use now.
    public var available: Decimal?
    /// The ISO 4217 currency code, for example `AUD`.
    public var currency: String

    /// Creates a balance.
    /// - Parameters:
    ///   - current: The current balance.
    ///   - available: The available balance.
    ///   - currency: The currency code.
    public init(current: Decimal, available: Decimal?, currency: String) {
        self.current = current
        self.available = available
        self.currency = currency
    }
}

/// A transaction captured through a DDC connection, in provider-neutral form.
public struct DDCTransaction: Hashable, Sendable {
    /// Whether the transaction has been posted. Unknown values are kept.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The value.
        public let rawValue: String
        /// Wraps a value.
        /// - Parameter rawValue: The value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Not yet posted.
        public static let pending = Status(rawValue: "pending")
        /// Posted.
        public static let posted = Status(rawValue: "posted")
        /// The value.
        public var description: String { rawValue }
    }

    /// The provider's identifier of the transaction.
    public var id: String
    /// The provider's identifier of the account (``DDCAccount/id``).
    public var accountID: String
    /// When the transaction happened: the provider's timestamp, or midnight of its date in
    /// ``DDCProviderConfiguration/timeZone`` when it gave only a date.
    public var date: Date
    /// The amount, negative for money leaving the account.
    public var amount: Decimal
    /// The ISO 4217 currency code.
    public var currency: String
    /// The description the institution gives.
    public var description: String
    /// Pending or posted.
    public var status: Status
    /// The reference, when there is one.
    public var reference: String?

    /// Creates a transaction.
    /// - Parameters:
    ///   - id: The provider's identifier.
    ///   - accountID: The account's identifier.
    ///   - date: When it happened.
    ///   - amount: The signed amount.
    ///   - currency: The currency code.
    ///   - description: The description.
    ///   - status: Pending or posted.
    ///   - reference: The reference.
    public init(
        id: String, accountID: String, date: Date, amount: Decimal, currency: String, description: String,
        status: Status, reference: String?
    ) {
        self.id = id
        self.accountID = accountID
        self.date = date
        self.amount = amount
        self.currency = currency
        self.description = description
        self.status = status
        self.reference = reference
    }
}
