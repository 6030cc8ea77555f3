public import Foundation

// The one domain model that every source (CDR, DDC) maps into. Amounts are signed `Decimal`s (negative: money
// leaving the account), times are `Date`s, and every record says where it came from and when.

/// A stable identity for a customer's account that survives a change of source.
///
/// A CDR `accountId` and a DDC provider's account id differ for the same real account; ``AccountIdentityRegistry``
/// matches them (BSB and number, masked number, name) and hands out one `AccountKey` for both.
public struct AccountKey: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The key's text.
    public let rawValue: String
    /// Creates a key from its text.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The key's text.
    public var description: String { rawValue }
}

/// Which access method served a record.
public struct AccessMethod: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The method's name.
    public let rawValue: String
    /// Creates a method from its name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The Consumer Data Right: a data holder's CDS APIs under the customer's consent.
    public static let cdr = Self(rawValue: "cdr")
    /// Digital Data Capture: a credential-based capture provider.
    public static let ddc = Self(rawValue: "ddc")
    /// The method's name.
    public var description: String { rawValue }
}

/// Where and when a record was fetched.
public struct Provenance: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A record served over the Consumer Data Right.
    public struct CDR: Hashable, Sendable, Codable {
        /// The data holder brand's identifier.
        public var holderBrandID: String
        /// The arrangement (`cdr_arrangement_id`) the data was shared under.
        public var arrangementID: String
        /// The endpoint version (`x-v`) the holder answered with.
        public var version: Int
        /// The `x-fapi-interaction-id` of the response, for tracing.
        public var interactionID: String?

        /// Creates CDR provenance.
        public init(holderBrandID: String, arrangementID: String, version: Int, interactionID: String? = nil) {
            self.holderBrandID = holderBrandID
            self.arrangementID = arrangementID
            self.version = version
            self.interactionID = interactionID
        }
    }

    /// A record served through Digital Data Capture.
    public struct DDC: Hashable, Sendable, Codable {
        /// The capture provider's identifier.
        public var providerID: String
        /// The connection (one institution login at the provider).
        public var connectionID: String
        /// The capture job that retrieved the record.
        public var jobID: String

        /// Creates DDC provenance.
        public init(providerID: String, connectionID: String, jobID: String) {
            self.providerID = providerID
            self.connectionID = connectionID
            self.jobID = jobID
        }
    }

    /// The access method.
    public var method: AccessMethod
    /// The CDR details, when ``method`` is ``AccessMethod/cdr``.
    public var cdr: CDR?
    /// The DDC details, when ``method`` is ``AccessMethod/ddc``.
    public var ddc: DDC?
    /// When the record was fetched from its source.
    public var fetchedAt: Date

    /// Provenance for a record served over CDR.
    public static func cdr(_ details: CDR, fetchedAt: Date) -> Self {
        Self(method: .cdr, cdr: details, ddc: nil, fetchedAt: fetchedAt)
    }

    /// Provenance for a record served through DDC.
    public static func ddc(_ details: DDC, fetchedAt: Date) -> Self {
        Self(method: .ddc, cdr: nil, ddc: details, fetchedAt: fetchedAt)
    }

    /// `cdr(brand, arrangement, x-v 3)` or `ddc(provider, connection, job)`, with the fetch time.
    public var description: String {
        let time = fetchedAt.formatted(.iso8601)
        if let cdr {
            return
                "cdr(holder: \(cdr.holderBrandID), arrangement: \(cdr.arrangementID), x-v: \(cdr.version)) at \(time)"
        }
        if let ddc {
            return "ddc(provider: \(ddc.providerID), connection: \(ddc.connectionID), job: \(ddc.jobID)) at \(time)"
        }
        return "\(method) at \(time)"
    }
}

/// The kind of product an account is, in the standard's categories (`TRANS_AND_SAVINGS_ACCOUNTS`, …).
public struct AccountCategory: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The category's name.
    public let rawValue: String
    /// Creates a category; unknown names are kept.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Everyday and savings accounts.
    public static let transactionAndSavings = Self(rawValue: "TRANS_AND_SAVINGS_ACCOUNTS")
    /// Term deposits.
    public static let termDeposits = Self(rawValue: "TERM_DEPOSITS")
    /// Credit and charge cards.
    public static let creditAndChargeCards = Self(rawValue: "CRED_AND_CHRG_CARDS")
    /// Residential mortgages.
    public static let residentialMortgages = Self(rawValue: "RESIDENTIAL_MORTGAGES")
    /// Personal loans.
    public static let personalLoans = Self(rawValue: "PERS_LOANS")
    /// Anything the source did not categorise.
    public static let other = Self(rawValue: "OTHER")
    /// The category's name.
    public var description: String { rawValue }
}

/// A customer's account, from whichever source served it.
public struct Account: Hashable, Sendable, Codable, Identifiable {
    /// The identity that survives a change of source.
    public var id: AccountKey
    /// The source's own identifier (a CDR `accountId`, a DDC provider's account id).
    public var sourceAccountID: String
    /// The name the institution shows.
    public var displayName: String
    /// The customer's nickname for it, if any.
    public var nickname: String?
    /// The masked number, for example `xxxx xxxx xxxx 1234`.
    public var maskedNumber: String
    /// The BSB, when the source disclosed it.
    public var bsb: String?
    /// The full account number, when the source disclosed it.
    public var accountNumber: String?
    /// The product category.
    public var category: AccountCategory
    /// The product's name.
    public var productName: String
    /// Whether the account is open; `nil` when the source did not say.
    public var isOpen: Bool?
    /// Whether the customer owns the account (as opposed to being a secondary user); `nil` when unknown.
    public var isOwned: Bool?
    /// Where and when it was fetched.
    public var provenance: Provenance

    /// Creates an account.
    public init(
        id: AccountKey, sourceAccountID: String, displayName: String, nickname: String? = nil, maskedNumber: String,
        bsb: String? = nil, accountNumber: String? = nil, category: AccountCategory, productName: String,
        isOpen: Bool? = nil, isOwned: Bool? = nil, provenance: Provenance
    ) {
        self.id = id
        self.sourceAccountID = sourceAccountID
        self.displayName = displayName
        self.nickname = nickname
        self.maskedNumber = maskedNumber
        self.bsb = bsb
        self.accountNumber = accountNumber
        self.category = category
        self.productName = productName
        self.isOpen = isOpen
        self.isOwned = isOwned
        self.provenance = provenance
    }
}

/// An account's balance.
public struct Balance: Hashable, Sendable, Codable {
    /// The account.
    public var accountID: AccountKey
    /// The balance including pending transactions.
    public var current: Decimal
    /// The funds available to spend.
    public var available: Decimal
    /// The credit limit, for credit accounts.
    public var creditLimit: Decimal?
    /// The ISO 4217 currency code.
    public var currency: String
    /// Where and when it was fetched.
    public var provenance: Provenance

    /// Creates a balance.
    public init(
        accountID: AccountKey, current: Decimal, available: Decimal, creditLimit: Decimal? = nil,
        currency: String = "AUD", provenance: Provenance
    ) {
        self.accountID = accountID
        self.current = current
        self.available = available
        self.creditLimit = creditLimit
        self.currency = currency
        self.provenance = provenance
    }
}

/// One transaction on an account.
public struct Transaction: Hashable, Sendable, Codable, Identifiable {
    /// Whether a transaction has settled.
    public struct Status: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        /// The status's name.
        public let rawValue: String
        /// Creates a status.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Not yet settled.
        public static let pending = Self(rawValue: "PENDING")
        /// Settled.
        public static let posted = Self(rawValue: "POSTED")
        /// The status's name.
        public var description: String { rawValue }
    }

    /// The source's identifier for the transaction, or one derived from its fields when the source gives none.
    public var id: String
    /// The account.
    public var accountID: AccountKey
    /// Pending or posted.
    public var status: Status
    /// The description the institution records.
    public var description: String
    /// The amount; negative values are money leaving the account.
    public var amount: Decimal
    /// The ISO 4217 currency code.
    public var currency: String
    /// When it happened: the posting time when posted, else the execution or value time.
    public var date: Date
    /// The reference supplied with it; empty when none.
    public var reference: String
    /// The merchant's name, when known.
    public var merchantName: String?
    /// The merchant category code, when known.
    public var merchantCategoryCode: String?
    /// Where and when it was fetched.
    public var provenance: Provenance

    /// Creates a transaction.
    public init(
        id: String, accountID: AccountKey, status: Status, description: String, amount: Decimal,
        currency: String = "AUD", date: Date, reference: String = "", merchantName: String? = nil,
        merchantCategoryCode: String? = nil, provenance: Provenance
    ) {
        self.id = id
        self.accountID = accountID
        self.status = status
        self.description = description
        self.amount = amount
        self.currency = currency
        self.date = date
        self.reference = reference
        self.merchantName = merchantName
        self.merchantCategoryCode = merchantCategoryCode
        self.provenance = provenance
    }
}

/// Someone the customer has saved to pay.
public struct Payee: Hashable, Sendable, Codable, Identifiable {
    /// The source's identifier for the payee.
    public var id: String
    /// The customer's name for the payee.
    public var nickname: String
    /// A description, when there is one.
    public var details: String?
    /// The kind of payee (`DOMESTIC`, `BILLER`, `INTERNATIONAL`, `DIGITAL_WALLET`, or the source's own).
    public var kind: String
    /// Where and when it was fetched.
    public var provenance: Provenance

    /// Creates a payee.
    public init(id: String, nickname: String, details: String? = nil, kind: String, provenance: Provenance) {
        self.id = id
        self.nickname = nickname
        self.details = details
        self.kind = kind
        self.provenance = provenance
    }
}

/// A payment that recurs: a direct debit authorisation or a scheduled payment.
public struct RegularPayment: Hashable, Sendable, Codable, Identifiable {
    /// Direct debit or scheduled payment.
    public struct Kind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        /// The kind's name.
        public let rawValue: String
        /// Creates a kind.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A third party's authority to debit the account.
        public static let directDebit = Self(rawValue: "DIRECT_DEBIT")
        /// A payment the customer scheduled.
        public static let scheduledPayment = Self(rawValue: "SCHEDULED_PAYMENT")
        /// The kind's name.
        public var description: String { rawValue }
    }

    /// The source's identifier for the payment, or one derived from its fields.
    public var id: String
    /// The kind.
    public var kind: Kind
    /// The account it is paid from.
    public var accountID: AccountKey
    /// Who is paid, or who debits (the authorised entity).
    public var counterparty: String
    /// The amount of the next or last payment, when known (positive).
    public var amount: Decimal?
    /// When it next falls due, or last happened, when known.
    public var date: Date?
    /// Where and when it was fetched.
    public var provenance: Provenance

    /// Creates a regular payment.
    public init(
        id: String, kind: Kind, accountID: AccountKey, counterparty: String, amount: Decimal? = nil,
        date: Date? = nil, provenance: Provenance
    ) {
        self.id = id
        self.kind = kind
        self.accountID = accountID
        self.counterparty = counterparty
        self.amount = amount
        self.date = date
        self.provenance = provenance
    }
}
