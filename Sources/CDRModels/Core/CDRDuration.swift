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

    /// Parses an ISO 8601 duration, or returns `nil` when the text is not one.
    public init?(rawValue: String) {
        var parts: [UInt8: Double] = [:]
        var inTime = false
        var sawTimePart = false
        var number = ""
        let bytes = Array(rawValue.utf8)
        guard bytes.count >= 3, bytes[0] == UInt8(ascii: "P") else { return nil }
        // Designators in the order they may appear; time designators are offset to keep M (month/minute) apart.
        let dateOrder: [UInt8] = [UInt8(ascii: "Y"), UInt8(ascii: "M"), UInt8(ascii: "W"), UInt8(ascii: "D")]
        let timeOrder: [UInt8] = [UInt8(ascii: "H"), UInt8(ascii: "M"), UInt8(ascii: "S")]
        var lastPosition = -1
        for byte in bytes.dropFirst() {
            if NumericText.isDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",") {
                number.append(Character(Unicode.Scalar(byte == UInt8(ascii: ",") ? UInt8(ascii: ".") : byte)))
                continue
            }
            if byte == UInt8(ascii: "T") {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            let order = inTime ? timeOrder : dateOrder
            guard let position = order.firstIndex(of: byte), !number.isEmpty else { return nil }
            let absolutePosition = position + (inTime ? 10 : 0)
            guard absolutePosition > lastPosition else { return nil }
            lastPosition = absolutePosition
            // Only seconds may carry a fraction.
            guard let value = Double(number), value >= 0,
                byte == UInt8(ascii: "S") && inTime || !number.contains(".")
            else { return nil }
            parts[inTime ? byte &+ 100 : byte] = value
            number = ""
            if inTime { sawTimePart = true }
        }
        guard number.isEmpty, !parts.isEmpty, !inTime || sawTimePart else { return nil }
        self.rawValue = rawValue
        func int(_ key: UInt8) -> Int { Int(parts[key] ?? 0) }
        self.years = int(UInt8(ascii: "Y"))
        self.months = int(UInt8(ascii: "M"))
        self.weeks = int(UInt8(ascii: "W"))
        self.days = int(UInt8(ascii: "D"))
        self.hours = int(UInt8(ascii: "H") &+ 100)
        self.minutes = int(UInt8(ascii: "M") &+ 100)
        self.seconds = parts[UInt8(ascii: "S") &+ 100] ?? 0
    }

    /// The length in seconds when the duration has no calendar parts (years or months); otherwise `nil`.
    public var fixedTimeInterval: TimeInterval? {
        guard years == 0, months == 0 else { return nil }
        return TimeInterval(((weeks * 7 + days) * 24 + hours) * 3600 + minutes * 60) + seconds
    }
}
