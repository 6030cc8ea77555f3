import CDRModels
import Foundation

// Internal plumbing shared by every kind of record: the stateless random source, the identifier codec, and
// small renderers for amounts, rates and dates that avoid Foundation formatters.

/// The kinds of record that have identifiers; each kind salts its hashes differently.
enum RecordKind: UInt64, Sendable {
    case account = 1
    case transaction = 2
    case payee = 3
    case product = 4
    case scheduledPayment = 5
    case instalmentPlan = 6
    case customer = 7
    case directDebit = 8
    case balance = 9

    /// The prefix of identifiers of this kind.
    var prefix: String {
        switch self {
        case .account: "acc-"
        case .transaction: "txn-"
        case .payee: "pye-"
        case .product: "prd-"
        case .scheduledPayment: "sch-"
        case .instalmentPlan: "pln-"
        case .customer: "cus-"
        case .directDebit: "ddr-"
        case .balance: "bal-"
        }
    }
}

/// SplitMix64's output function: a cheap, well-mixed 64-bit hash.
@inline(__always)
func mix64(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Hashes a seed and up to four keys into one 64-bit value.
@inline(__always)
func hashKeys(_ seed: UInt64, _ kind: RecordKind, _ a: Int, _ b: Int = 0, _ c: Int = 0) -> UInt64 {
    var h = mix64(seed ^ (kind.rawValue &* 0xD6E8_FEB8_6659_FD93))
    h = mix64(h ^ UInt64(truncatingIfNeeded: a))
    h = mix64(h ^ (UInt64(truncatingIfNeeded: b) &* 0xA076_1D64_78BD_642F))
    h = mix64(h ^ (UInt64(truncatingIfNeeded: c) &* 0xE703_7ED1_A0B4_28DB))
    return h
}

/// A SplitMix64 stream started from a hash of the record's keys, so every record draws the same values for a
/// seed no matter in which order records are generated.
struct MockRandom {
    private var state: UInt64

    init(_ seed: UInt64, _ kind: RecordKind, _ a: Int, _ b: Int = 0, _ c: Int = 0) {
        state = hashKeys(seed, kind, a, b, c)
    }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix64(state)
    }

    /// A value in `range` (modulo bias is irrelevant for mock data).
    @inline(__always)
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    /// `true` with the given chance in percent.
    @inline(__always)
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    /// One element of a non-empty array.
    @inline(__always)
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// A string of `count` decimal digits.
    mutating func digits(_ count: Int) -> String {
        var text = ""
        text.reserveCapacity(count)
        for _ in 0..<count { text.unicodeScalars.append(Unicode.Scalar(UInt8(48 + next() % 10))) }
        return text
    }
}

/// Writes and reads the opaque identifiers: a prefix, then 24 hex digits. The first 8 are a check value (a hash of
/// the seed, the kind and the keys); the other 16 hold the customer index (16 bits), the account index (16 bits) and
/// a record index (32 bits), scrambled with a mask derived from the check value so that ids look random.
enum MockID {
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func make(_ seed: UInt64, _ kind: RecordKind, customer: Int, account: Int, index: Int) -> String {
        let check = checkValue(seed, kind, customer, account, index)
        let keys = UInt64(customer & 0xFFFF) << 48 | UInt64(account & 0xFFFF) << 32 | UInt64(index & 0xFFFF_FFFF)
        var bytes = Array(kind.prefix.utf8)
        bytes.reserveCapacity(bytes.count + 24)
        appendHex(&bytes, check, width: 8)
        appendHex(&bytes, keys ^ mask(seed, check), width: 16)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The keys of an identifier of `kind`, or `nil` when it is malformed or was not made for this seed.
    static func parse(_ id: String, _ seed: UInt64, _ kind: RecordKind) -> (customer: Int, account: Int, index: Int)? {
        let prefix = kind.prefix.utf8
        let utf8 = id.utf8
        guard utf8.count == prefix.count + 24, utf8.starts(with: prefix) else { return nil }
        var check: UInt64 = 0
        var scrambled: UInt64 = 0
        for (offset, byte) in utf8.dropFirst(prefix.count).enumerated() {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            if offset < 8 { check = check << 4 | digit } else { scrambled = scrambled << 4 | digit }
        }
        let keys = scrambled ^ mask(seed, check)
        let customer = Int(keys >> 48)
        let account = Int(keys >> 32 & 0xFFFF)
        let index = Int(keys & 0xFFFF_FFFF)
        guard checkValue(seed, kind, customer, account, index) == check else { return nil }
        return (customer, account, index)
    }

    private static func checkValue(_ seed: UInt64, _ kind: RecordKind, _ customer: Int, _ account: Int, _ index: Int)
        -> UInt64
    {
        hashKeys(seed, kind, customer, account, index) >> 32
    }

    private static func mask(_ seed: UInt64, _ check: UInt64) -> UInt64 { mix64(seed ^ check &* 0xFF51_AFD7_ED55_8CCD) }

    private static func appendHex(_ bytes: inout [UInt8], _ value: UInt64, width: Int) {
        var shift = (width - 1) * 4
        while shift >= 0 {
            bytes.append(hexDigits[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }
}

/// Renderers for the standard's string types that never go through `Double` or a formatter.
enum MockText {
    /// An `AmountString` for a number of cents: `-12.05`.
    static func amount(cents: Int64) -> CDRAmount {
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        let text = (cents < 0 ? "-" : "") + String(magnitude / 100) + (fraction < 10 ? ".0" : ".") + String(fraction)
        // The text always has the grammar of an AmountString.
        return CDRAmount(rawValue: text)!
    }

    /// An `AmountString` for whole dollars.
    static func amount(dollars: Int) -> CDRAmount { amount(cents: Int64(dollars) * 100) }

    /// The decimal value of a number of cents.
    static func decimal(cents: Int64) -> Decimal {
        Decimal(sign: cents < 0 ? .minus : .plus, exponent: -2, significand: Decimal(cents.magnitude))
    }

    /// A `RateString` for a number of basis points of a hundredth (1 = 0.0001%, so 525 = 0.0525 = 5.25%).
    static func rate(tenThousandths value: Int) -> CDRRate {
        let magnitude = value.magnitude
        let whole = magnitude / 10_000
        let fraction = String(magnitude % 10_000)
        let text =
            (value < 0 ? "-" : "") + String(whole) + "." + String(repeating: "0", count: 4 - fraction.count) + fraction
        return CDRRate(rawValue: text)!
    }

    /// An ISO 8601 duration from a literal known to be valid.
    static func duration(_ text: String) -> CDRDuration { CDRDuration(rawValue: text)! }

    /// The date-time for whole seconds since 1970 (UTC).
    static func dateTime(_ seconds: Int64) -> CDRDateTime {
        CDRDateTime(Date(timeIntervalSince1970: TimeInterval(seconds)))!
    }

    /// The calendar date (UTC) of whole seconds since 1970.
    static func date(_ seconds: Int64) -> CDRDate {
        CDRDate(rawValue: String(dateTime(seconds).rawValue.prefix(10)))!
    }

    /// The calendar date (UTC) `days` days after the day of `seconds`.
    static func date(_ seconds: Int64, plusDays days: Int) -> CDRDate { date(seconds + Int64(days) * 86_400) }

    /// A number with leading zeros to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// The last four characters of `number`, masked as the standard masks account numbers.
    static func maskedAccount(_ number: String) -> String { "xxxx" + String(number.suffix(4)) }

    /// A card number masked as the standard masks card numbers.
    static func maskedCard(last4: String) -> String { "xxxx xxxx xxxx " + last4 }

    /// A hostname-safe, lower-case slug of a brand name.
    static func slug(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}

/// Word lists the generator draws names and labels from (all made up).
enum MockWords {
    static let firstNames = [
        "Olivia", "Liam", "Charlotte", "Noah", "Amelia", "Jack", "Isla", "William", "Mia", "Oliver", "Ava", "Leo",
        "Harper", "Henry", "Chloe", "Lucas",
    ]
    static let lastNames = [
        "Nguyen", "Smith", "Chen", "Williams", "Patel", "Brown", "Kelly", "Wilson", "Singh", "Taylor", "Murphy",
        "Anderson", "Papadopoulos", "Martin", "Rossi", "Walker",
    ]
    static let businessNames = [
        "Blue Wren Landscaping", "Saltwater Bakery", "Ironstone Engineering", "Paperbark Studio", "Coral Coast Freight",
        "Mulga Ridge Vineyards", "Kingfisher Dental", "Tallowwood Joinery",
    ]
    static let merchants: [(name: String, code: String)] = [
        ("Corner Grocer Newtown", "5411"), ("Bean There Cafe", "5814"), ("Servo Express Ringwood", "5541"),
        ("Pages & Co Books", "5942"), ("Hardware Hub Mitcham", "5251"), ("Fresh Catch Seafoods", "5422"),
        ("Metro Rail Top-up", "4111"), ("Streamly Subscriptions", "4899"), ("Pharmacy Plus", "5912"),
        ("Gym Central", "7997"),
    ]
    static let billers: [(name: String, code: String)] = [
        ("Harbour Water", "23796"), ("Sunrise Energy", "14522"), ("Metro Council Rates", "80391"),
        ("Outback Telco", "60517"), ("Coastal Insurance", "33654"),
    ]
    static let debitors = [
        "Coastal Insurance Ltd", "Gym Central Pty Ltd", "Streamly Media Pty Ltd", "Harbour Health Fund",
        "Sunrise Energy Retail",
    ]
    static let transferReferences = [
        "Rent share", "Dinner", "Thanks!", "Holiday fund", "Birthday", "Car rego", "Invoice",
    ]
    static let streets: [(number: Int, name: String, type: String)] = [
        (14, "Wattle", "Street"), (203, "Harbour", "Road"), (7, "Banksia", "Avenue"), (88, "Jacaranda", "Lane"),
        (31, "Ironbark", "Crescent"), (5, "Tuart", "Place"),
    ]
    static let localities: [(city: String, state: String, postcode: String)] = [
        ("Newtown", "NSW", "2042"), ("Carlton", "VIC", "3053"), ("West End", "QLD", "4101"),
        ("Glenelg", "SA", "5045"), ("Subiaco", "WA", "6008"), ("Sandy Bay", "TAS", "7005"),
        ("Braddon", "ACT", "2612"), ("Parap", "NT", "0820"),
    ]
}
