public import Foundation

/// A date and time (the standard's `DateTimeString`): an RFC 3339 `date-time` with an offset from UTC, with or
/// without fractional seconds. For example `"2026-11-20T09:15:00Z"` or `"2026-11-20T09:15:00.250+10:00"`.
///
/// The original text is kept, so a payload re-encodes unchanged; ``date`` gives the instant.
public struct CDRDateTime: CDRValidatedString {
    /// The standard's name for this field type.
    public static var typeName: String { "DateTimeString" }

    /// The text, exactly as received.
    public let rawValue: String
    /// The instant the text names.
    public let date: Date

    /// Parses an RFC 3339 `date-time`, or returns `nil` when the text is not one.
    public init?(rawValue: String) {
        guard let date = RFC3339.parseDateTime(Substring(rawValue).utf8) else { return nil }
        self.rawValue = rawValue
        self.date = date
    }

    /// Reads a `full-date` sent where a date-time belongs, as the start of that day in UTC; the text is kept.
    init?(dateText text: String) {
        guard let date = CDRDate(rawValue: text), date.year >= 1 else { return nil }
        self.rawValue = text
        self.date = date.startOfDayUTC
    }

    /// A placeholder for a required date-time the holder left out.
    init(placeholder: Void) {
        self.rawValue = ""
        self.date = Date(timeIntervalSince1970: 0)
    }

    /// Creates a value for an instant, written in UTC with whole seconds (`2026-11-20T09:15:00Z`).
    ///
    /// - Returns: `nil` for instants outside the years 0001 to 9999, which RFC 3339 cannot write.
    public init?(_ date: Date) {
        let interval = date.timeIntervalSince1970.rounded(.down)
        // 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59Z
        guard interval.isFinite, interval >= -62_135_596_800, interval <= 253_402_300_799 else { return nil }
        self.init(rawValue: RFC3339.format(epochSeconds: Int64(interval)))
    }
}

/// A calendar date (the standard's `DateString`): an RFC 3339 `full-date` such as `"2026-11-20"`.
public struct CDRDate: CDRValidatedString, Comparable {
    /// The standard's name for this field type.
    public static var typeName: String { "DateString" }

    /// The text, exactly as received.
    public let rawValue: String
    /// The year.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month, 1 to 31.
    public let day: Int

    /// Parses an RFC 3339 `full-date`, or returns `nil` when the text is not a real calendar date.
    public init?(rawValue: String) {
        let utf8 = Substring(rawValue).utf8
        guard utf8.count == 10, let (year, month, day, _) = RFC3339.parseFullDate(utf8) else { return nil }
        self.rawValue = rawValue
        self.year = year
        self.month = month
        self.day = day
    }

    /// Reads the date of a `date-time` sent where a date belongs (the date as written, before any offset is
    /// applied); the text is kept.
    init?(dateTimeText text: String) {
        let utf8 = Substring(text).utf8
        guard utf8.count > 10, RFC3339.parseDateTime(utf8) != nil,
            let (year, month, day, _) = RFC3339.parseFullDate(utf8)
        else { return nil }
        self.rawValue = text
        self.year = year
        self.month = month
        self.day = day
    }

    /// A placeholder for a required date the holder left out.
    init(placeholder: Void) {
        self.rawValue = ""
        self.year = 0
        self.month = 0
        self.day = 0
    }

    /// Creates a date from its parts, or returns `nil` when they do not name a real calendar date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year) else { return nil }
        let text =
            String(repeating: "0", count: 4 - String(year).count) + String(year) + "-"
            + (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
        self.init(rawValue: text)
    }

    /// The start of this date in UTC.
    public var startOfDayUTC: Date {
        Date(timeIntervalSince1970: TimeInterval(RFC3339.daysFromCivil(year: year, month: month, day: day) * 86_400))
    }

    /// Orders dates by calendar position.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// A fast RFC 3339 reader and writer that needs no calendar or formatter objects.
enum RFC3339 {
    /// Parses `YYYY-MM-DD` at the start of `text`; returns the parts and the index after the date.
    static func parseFullDate(_ text: Substring.UTF8View) -> (Int, Int, Int, Substring.UTF8View.Index)? {
        var index = text.startIndex
        guard let year = digits(text, &index, count: 4), expect(text, &index, "-"),
            let month = digits(text, &index, count: 2), expect(text, &index, "-"),
            let day = digits(text, &index, count: 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        return (year, month, day, index)
    }

    static func parseDateTime(_ text: Substring.UTF8View) -> Date? {
        guard let (year, month, day, afterDate) = parseFullDate(text), year >= 1 else { return nil }
        var index = afterDate
        guard index < text.endIndex, text[index] == UInt8(ascii: "T") || text[index] == UInt8(ascii: "t") else {
            return nil
        }
        index = text.index(after: index)
        guard let hour = digits(text, &index, count: 2), expect(text, &index, ":"),
            let minute = digits(text, &index, count: 2), expect(text, &index, ":"),
            let second = digits(text, &index, count: 2)
        else { return nil }
        guard hour <= 23, minute <= 59, second <= 60 else { return nil }
        var fraction = 0.0
        if index < text.endIndex, text[index] == UInt8(ascii: ".") {
            index = text.index(after: index)
            var scale = 0.1
            var count = 0
            while index < text.endIndex, NumericText.isDigit(text[index]) {
                fraction += Double(text[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                count += 1
                index = text.index(after: index)
            }
            guard count > 0 else { return nil }
        }
        guard index < text.endIndex else { return nil }
        var offsetSeconds = 0
        switch text[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index = text.index(after: index)
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = text[index] == UInt8(ascii: "-") ? -1 : 1
            index = text.index(after: index)
            guard let offsetHour = digits(text, &index, count: 2), expect(text, &index, ":"),
                let offsetMinute = digits(text, &index, count: 2), offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
        default:
            return nil
        }
        guard index == text.endIndex else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        // A leap second (:60) is read as the first instant of the next minute.
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    static func format(epochSeconds: Int64) -> String {
        let days = Int(epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400)
        let secondsOfDay = Int(epochSeconds - Int64(days) * 86_400)
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):"
            + "\(two(secondsOfDay % 60))Z"
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's civil-date algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    @inline(__always)
    private static func digits(_ text: Substring.UTF8View, _ index: inout Substring.UTF8View.Index, count: Int)
        -> Int?
    {
        var value = 0
        for _ in 0..<count {
            guard index < text.endIndex, NumericText.isDigit(text[index]) else { return nil }
            value = value * 10 + Int(text[index] - UInt8(ascii: "0"))
            index = text.index(after: index)
        }
        return value
    }

    @inline(__always)
    private static func expect(
        _ text: Substring.UTF8View, _ index: inout Substring.UTF8View.Index, _ char: Unicode.Scalar
    )
        -> Bool
    {
        guard index < text.endIndex, text[index] == UInt8(ascii: char) else { return false }
        index = text.index(after: index)
        return true
    }
}
