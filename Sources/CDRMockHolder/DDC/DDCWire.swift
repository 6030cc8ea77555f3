import CDRMockData
import CDRModels
import Foundation

/// The mock DDC provider's own JSON shapes: snake_case keys, amounts as integer cents, dates as ISO dates. They are
/// deliberately unlike the CDS payloads.
enum DDCWire {
    struct Institution: Encodable {
        var id: String
        var name: String
        var status: String
        var country = "AU"
    }

    struct InstitutionList: Encodable {
        var institutions: [Institution]
    }

    struct ConnectionRequest: Decodable {
        struct Credentials: Decodable {
            var username: String
            var password: String
        }
        var institutionID: String
        var credentials: Credentials

        enum CodingKeys: String, CodingKey {
            case institutionID = "institution_id"
            case credentials
        }
    }

    struct ConnectionCreated: Encodable {
        var connectionID: String
        var status = "created"

        enum CodingKeys: String, CodingKey {
            case connectionID = "connection_id"
            case status
        }
    }

    struct AnswerRequest: Decodable {
        var answer: String
    }

    struct Step: Encodable {
        var name: String
        var status: String
    }

    struct Challenge: Encodable {
        var challengeID: String
        var type: String
        var prompt: String
        var pollsRemaining: Int

        enum CodingKeys: String, CodingKey {
            case challengeID = "challenge_id"
            case type, prompt
            case pollsRemaining = "polls_remaining"
        }
    }

    struct Failure: Encodable {
        var code: String
        var message: String
    }

    struct Job: Encodable {
        var jobID: String
        var connectionID: String
        var status: String
        var steps: [Step]
        var challenge: Challenge?
        var failure: Failure?

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case connectionID = "connection_id"
            case status, steps, challenge, failure
        }

        init(_ job: MockDDCProvider.Job, challengeLifetime: Int) {
            jobID = job.id
            connectionID = job.connectionID
            status = job.status.rawValue
            steps = zip(MockDDCProvider.stepNames, job.steps).map { Step(name: $0, status: $1.rawValue) }
            challenge = job.challenge.map {
                Challenge(
                    challengeID: $0.id, type: $0.kind == .securityQuestion ? "security_question" : "one_time_code",
                    prompt: $0.prompt, pollsRemaining: max(challengeLifetime - $0.age, 0))
            }
            failure = job.failure.map { Failure(code: $0.code, message: $0.message) }
        }
    }

    struct Money: Encodable {
        var amountCents: Int64
        var currency: String

        enum CodingKeys: String, CodingKey {
            case amountCents = "amount_cents"
            case currency
        }
    }

    struct Balance: Encodable {
        var current: Money
        var available: Money
    }

    struct Account: Encodable {
        var accountID: String
        var name: String
        var kind: String
        var status: String
        var bsb: String?
        var accountNumber: String?
        var maskedNumber: String
        var balance: Balance

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id"
            case name, kind, status, bsb
            case accountNumber = "account_number"
            case maskedNumber = "masked_number"
            case balance
        }
    }

    struct AccountList: Encodable {
        var accounts: [Account]
    }

    struct Transaction: Encodable {
        var transactionID: String
        var date: String
        var timestamp: Int64
        var amountCents: Int64
        var currency = "AUD"
        var narrative: String
        var reference: String?
        var pending: Bool

        enum CodingKeys: String, CodingKey {
            case transactionID = "transaction_id"
            case date, timestamp
            case amountCents = "amount_cents"
            case currency, narrative, reference, pending
        }
    }

    struct TransactionPage: Encodable {
        var transactions: [Transaction]
        var nextCursor: String?

        enum CodingKeys: String, CodingKey {
            case transactions
            case nextCursor = "next_cursor"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(transactions, forKey: .transactions)
            // The provider always writes the key, `null` on the last page.
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var attemptsRemaining: Int?

            enum CodingKeys: String, CodingKey {
                case code, message
                case attemptsRemaining = "attempts_remaining"
            }
        }
        var error: Detail
    }

    // MARK: Renderings of the dataset

    /// The provider's lower-case kinds for the CDS product categories.
    static func kind(of category: BankingProductCategory) -> String {
        switch category {
        case .transAndSavingsAccounts: return "transaction"
        case .termDeposits: return "term_deposit"
        case .travelCards: return "travel_card"
        case .regulatedTrustAccounts: return "trust"
        case .residentialMortgages: return "mortgage"
        case .credAndChrgCards: return "credit_card"
        case .persLoans: return "loan"
        case .marginLoans: return "margin_loan"
        case .leases: return "lease"
        case .tradeFinance: return "trade_finance"
        case .overdrafts: return "overdraft"
        case .businessLoans: return "business_loan"
        case .buyNowPayLater: return "bnpl"
        default: return "other"
        }
    }

    /// Integer cents of an exact two-decimal amount.
    static func cents(_ amount: Decimal) -> Int64 {
        var scaled = amount * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    static func account(_ account: MockAccount, id: String, dataset: MockDataset) -> Account {
        let balance = dataset.balance(of: account)
        return Account(
            accountID: id, name: account.displayName, kind: kind(of: account.productCategory),
            status: account.openStatus == .closed ? "closed" : "open",
            bsb: account.bsb.map { "\($0.prefix(3))-\($0.dropFirst(3))" }, accountNumber: account.accountNumber,
            maskedNumber: account.maskedNumber,
            balance: Balance(
                current: Money(amountCents: cents(balance.currentBalance.decimalValue), currency: "AUD"),
                available: Money(amountCents: cents(balance.availableBalance.decimalValue), currency: "AUD")))
    }

    static func transaction(_ transaction: MockTransaction, id: String) -> Transaction {
        let seconds = Int64(transaction.effectiveTime.timeIntervalSince1970)
        return Transaction(
            transactionID: id, date: isoDate(transaction.effectiveTime), timestamp: seconds,
            amountCents: cents(transaction.amount), narrative: transaction.description,
            reference: transaction.reference.isEmpty ? nil : transaction.reference, pending: transaction.isPending)
    }

    static func isoDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Parses `YYYY-MM-DD` as midnight UTC.
    static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components), isoDate(date) == text else { return nil }
        return date
    }
}
