import Foundation

/// The provider's JSON, read leniently: every field is optional here and checked when mapped, so a malformed record
/// is reported or skipped instead of failing (or crashing) the whole answer.
enum Wire {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    /// One element of a list, kept as `nil` when it cannot be decoded.
    struct Lossy<Value: Decodable>: Decodable {
        let value: Value?
        init(from decoder: any Decoder) throws {
            value = try? Value(from: decoder)
        }
    }

    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            var code: String?
            var attemptsRemaining: Int?
        }
        var error: Detail?
    }

    struct InstitutionList: Decodable {
        struct Institution: Decodable {
            var id: String
            var name: String?
            var status: String?
        }
        var institutions: [Lossy<Institution>]
    }

    struct ConnectionCreated: Decodable {
        var connectionId: String
    }

    struct Job: Decodable {
        struct Step: Decodable {
            var name: String
            var status: String
        }
        struct Challenge: Decodable {
            var challengeId: String
            var type: String
            var prompt: String?
        }
        struct Failure: Decodable {
            var code: String?
        }
        var jobId: String
        var connectionId: String?
        var status: String
        var steps: [Step]?
        var challenge: Challenge?
        var failure: Failure?
    }

    struct Money: Decodable {
        var amountCents: Int64
        var currency: String?
    }

    struct AccountList: Decodable {
        struct Account: Decodable {
            struct Balance: Decodable {
                var current: Money?
                var available: Money?
            }
            var accountId: String
            var name: String?
            var kind: String?
            var status: String?
            var bsb: String?
            var accountNumber: String?
            var maskedNumber: String?
            var balance: Balance?
        }
        var accounts: [Lossy<Account>]
    }

    struct TransactionPage: Decodable {
        struct Transaction: Decodable {
            var transactionId: String
            var date: String?
            var timestamp: Int64?
            var amountCents: Int64
            var currency: String?
            var narrative: String?
            var reference: String?
            var pending: Bool?
        }
        var transactions: [Lossy<Transaction>]
        var nextCursor: String?
    }

    /// A decimal amount from integer cents.
    static func decimal(cents: Int64) -> Decimal {
        Decimal(sign: cents < 0 ? .minus : .plus, exponent: -2, significand: Decimal(cents.magnitude))
    }

    /// The digits of `text`, or `nil` when there are none.
    static func digits(_ text: String?) -> String? {
        guard let text else { return nil }
        let digits = String(text.filter(\.isASCIIDigitCharacter))
        return digits.isEmpty ? nil : digits
    }

    /// A calendar date `YYYY-MM-DD` at midnight in `timeZone`.
    static func date(_ text: String, in timeZone: TimeZone) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    /// `date` as `YYYY-MM-DD` in `timeZone`.
    static func dayString(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
