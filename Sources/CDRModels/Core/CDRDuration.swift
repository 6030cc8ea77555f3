public import Foundation

/// An ISO 8601 duration, as the standard uses for intervals and frequencies: `P1M`, `P14D`, `P1Y2M`, `PT12H`,
/// `P1W`, `PT0.5S`.
///
/// The original text is kept, so a payload re-encodes unchanged. The parts are read out for calculation;
/// calendar parts (years, months) have no fixed length, so no single `TimeInterval` is offered for them.
public struct CDRDuration: CDRValidatedString {
    /// The name used for this field type in error messages.
    public static var typeName: String { "ISO 8601 duration" }

    /// The text, exactly as received.
    public let rawValue: String
    /// Years (`nY`), 0 when absent.
    public let years: Int
    /// Months (`nM` before `T`), 0 when absent.
    public let months: Int
    /// Weeks (`nW`), 0 when absent.
    public let weeks: Int
    /// Days (`nD`), 0 when absent.
    public let days: Int
    /// Hours (`nH`), 0 when absent.
    public let hours: Int
    /// Minutes (`nM` after `T`), 0 when absent.
    public let minutes: Int
    /// Seconds (`nS`, possibly fractional), 0 when absent.
    public let seconds: Double

    /// A placeholder for a required duration the holder left out.
    init(placeholder: Void) {
        rawValue = ""
        (years, months, weeks, days, hours, minutes, seconds) = (0, 0, 0, 0, 0, 0, 0)
    }

    /// Parses an ISO 8601 duration, or returns `nil` when the text is not one.
    ///
    /// Each part is a whole number of at most 9 digits; only seconds may have a fraction (`PT0.5S`). Text outside
    /// these limits is rejected, never rounded.
    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard bytes.count >= 3, bytes.count <= 64, bytes[0] == UInt8(ascii: "P") else { return nil }
        // Designators in the order they may appear; time designators are offset by 10 to keep M (month/minute) apart.
        let dateOrder: [UInt8] = [UInt8(ascii: "Y"), UInt8(ascii: "M"), UInt8(ascii: "W"), UInt8(ascii: "D")]
        let timeOrder: [UInt8] = [UInt8(ascii: "H"), UInt8(ascii: "M"), UInt8(ascii: "S")]
        var values = [Int](repeating: 0, count: 17)
        var seconds = 0.0
        var inTime = false
        var sawPart = false
        var sawTimePart = false
        var lastPosition = -1
        var index = 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "T") {
                guard !inTime else { return nil }
                inTime = true
                index += 1
                continue
            }
            // A number: 1 to 9 digits, then (for seconds only) a fraction.
            let start = index
            var whole = 0
            while index < bytes.count, NumericText.isDigit(bytes[index]) {
                guard index - start < 9 else { return nil }  // at most 9 digits: no overflow, ever
                whole = whole * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index > start, index < bytes.count else { return nil }
            var fraction: Double?
            if bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index += 1
                var scale = 0.1
                var value = 0.0
                let fractionStart = index
                while index < bytes.count, NumericText.isDigit(bytes[index]), index - fractionStart < 9 {
                    value += Double(bytes[index] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    index += 1
                }
                guard index > fractionStart, index < bytes.count else { return nil }
                fraction = value
            }
            let designator = bytes[index]
            index += 1
            guard let position = (inTime ? timeOrder : dateOrder).firstIndex(of: designator) else { return nil }
            let absolutePosition = position + (inTime ? 10 : 0)
            guard absolutePosition > lastPosition else { return nil }
            lastPosition = absolutePosition
            let isSeconds = inTime && designator == UInt8(ascii: "S")
            guard fraction == nil || isSeconds else { return nil }
            if isSeconds { seconds = Double(whole) + (fraction ?? 0) } else { values[absolutePosition] = whole }
            sawPart = true
            if inTime { sawTimePart = true }
        }
        guard sawPart, !inTime || sawTimePart else { return nil }
        self.rawValue = rawValue
        self.years = values[0]
        self.months = values[1]
        self.weeks = values[2]
        self.days = values[3]
        self.hours = values[10]
        self.minutes = values[11]
        self.seconds = seconds
    }

    /// The length in seconds when the duration has no calendar parts (years or months); otherwise `nil`.
    public var fixedTimeInterval: TimeInterval? {
        guard years == 0, months == 0 else { return nil }
        // Parts are at most 9 digits each, so this cannot overflow a Double's exact integer range in practice.
        let days = Double(weeks) * 7 + Double(self.days)
        return ((days * 24 + Double(hours)) * 60 + Double(minutes)) * 60 + seconds
    }
}
