public import Foundation

/// A decimal number carried as a string, exactly as the Consumer Data Standards send it.
///
/// Conforming types keep the original text (`rawValue`), so a payload re-encodes byte for byte, and
/// offer ``decimalValue`` for arithmetic. They never pass through `Double`.
public protocol CDRNumericString: CDRValidatedString {
    /// Returns whether `text` is valid for this field type.
    static func isValid(_ text: String) -> Bool
}

extension CDRNumericString {
    /// The decimal value. `Decimal` holds 38 significant digits, more than the standard's 16 + 16 for rates and
    /// any realistic amount.
    public var decimalValue: Decimal {
        // The grammar checked on creation is a subset of what `Decimal` parses.
        Decimal(string: rawValue, locale: NumericText.posix) ?? .zero
    }

    /// Whether the value is below zero (read from the text, so no precision is lost).
    public var isNegative: Bool {
        rawValue.utf8.first == UInt8(ascii: "-")
            && rawValue.utf8.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
    }
}

/// An amount of money (the standard's `AmountString`): an optional `-`, 1 to 16 digits, a decimal point and at
/// least 2 fractional digits (more only where they are needed: no trailing zero beyond the second), with no symbols
/// or separators. For example `"1234.56"` or `"-0.015"`.
///
/// The currency is given by a sibling field, and is AUD when that field is absent.
public struct CDRAmount: CDRNumericString {
    /// The text of the amount, exactly as received.
    public let rawValue: String

    /// The standard's name for this field type.
    public static var typeName: String { "AmountString" }

    /// Creates an amount from its text, or returns `nil` when the text is not a valid `AmountString`.
    public init?(rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Wraps text already checked or repaired, or a placeholder.
    init(unchecked text: String) {
        self.rawValue = text
    }

    /// Creates an amount from a decimal, written with at least two fractional digits.
    ///
    /// - Parameter value: The amount.
    /// - Returns: `nil` when the value cannot be written exactly within the standard's limits (more than 16
    ///   integer or fractional digits). Nothing is rounded.
    public init?(_ value: Decimal) {
        guard var text = NumericText.exact(value) else { return nil }
        if let dot = text.firstIndex(of: ".") {
            let fraction = text.distance(from: dot, to: text.endIndex) - 1
            if fraction < 2 { text += String(repeating: "0", count: 2 - fraction) }
        } else {
            text += ".00"
        }
        self.init(rawValue: text)
    }

    /// Floating-point values are not accepted: write the amount as text or as a `Decimal`.
    @available(*, unavailable, message: "amounts never pass through Double; use a String or a Decimal")
    public init?(_ value: Double) { nil }

    /// Returns whether `text` is a valid `AmountString`.
    public static func isValid(_ text: String) -> Bool {
        let utf8 = Substring(text).utf8
        guard NumericText.validate(utf8, minimumFractionDigits: 2, maximumFractionDigits: nil, requiresPoint: true)
        else { return false }
        // More than two decimals only where needed: "1.500" is not an AmountString, "1.505" is.
        guard let dot = utf8.firstIndex(of: UInt8(ascii: ".")), utf8.distance(from: dot, to: utf8.endIndex) > 3
        else { return true }
        return utf8.last != UInt8(ascii: "0")
    }
}

/// A rate or percentage (the standard's `RateString`), where `"1.0"` is 100%: an optional `-`, 1 to 16 digits
/// and up to 16 fractional digits, with no separators. For example `"0.0525"` for 5.25%.
public struct CDRRate: CDRNumericString {
    /// The text of the rate, exactly as received.
    public let rawValue: String

    /// The standard's name for this field type.
    public static var typeName: String { "RateString" }

    /// Creates a rate from its text, or returns `nil` when the text is not a valid `RateString`.
    public init?(rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Wraps a placeholder.
    init(unchecked text: String) {
        self.rawValue = text
    }

    /// Creates a rate from a decimal fraction (0.05 for 5%).
    ///
    /// - Returns: `nil` when the value cannot be written exactly within the standard's limits. Nothing is rounded.
    public init?(_ value: Decimal) {
        guard let text = NumericText.exact(value) else { return nil }
        self.init(rawValue: text)
    }

    /// Floating-point values are not accepted: write the rate as text or as a `Decimal`.
    @available(*, unavailable, message: "rates never pass through Double; use a String or a Decimal")
    public init?(_ value: Double) { nil }

    /// Returns whether `text` is a valid `RateString`.
    public static func isValid(_ text: String) -> Bool {
        NumericText.validate(
            Substring(text).utf8, minimumFractionDigits: 0, maximumFractionDigits: 16, requiresPoint: false)
    }
}

/// Shared grammar of the standard's decimal strings.
enum NumericText {
    static let posix = Locale(identifier: "en_US_POSIX")

    static func validate(
        _ text: Substring.UTF8View,
        minimumFractionDigits: Int,
        maximumFractionDigits: Int?,
        requiresPoint: Bool
    ) -> Bool {
        var index = text.startIndex
        if index < text.endIndex, text[index] == UInt8(ascii: "-") { index = text.index(after: index) }
        var integerDigits = 0
        while index < text.endIndex, isDigit(text[index]) {
            integerDigits += 1
            index = text.index(after: index)
        }
        guard integerDigits >= 1, integerDigits <= 16 else { return false }
        guard index < text.endIndex else { return !requiresPoint && minimumFractionDigits == 0 }
        guard text[index] == UInt8(ascii: ".") else { return false }
        index = text.index(after: index)
        var fractionDigits = 0
        while index < text.endIndex, isDigit(text[index]) {
            fractionDigits += 1
            index = text.index(after: index)
        }
        guard index == text.endIndex, fractionDigits >= max(minimumFractionDigits, 1) else { return false }
        if let maximumFractionDigits, fractionDigits > maximumFractionDigits { return false }
        return true
    }

    /// Writes a near-miss amount in the standard's form: without a leading `+`, with at least two decimals and no
    /// trailing zero beyond the second. Returns the text and every quirk it showed, or `nil` for text that is no
    /// decimal number (`+-1`, `1e5`, `1,000.00`) or longer than any amount.
    static func repairAmount(_ text: String) -> (text: String, quirks: [DataQuirk])? {
        let utf8 = Array(text.utf8)
        guard utf8.count <= 64 else { return nil }
        var quirks: [DataQuirk] = []
        var index = 0
        if utf8.first == UInt8(ascii: "+") {
            quirks.append(.amountLeadingPlus)
            index = 1
        }
        var result = ""
        if index < utf8.count, utf8[index] == UInt8(ascii: "-"), quirks.isEmpty {
            result = "-"
            index += 1
        }
        let integer = utf8[index...].prefix { isDigit($0) }
        guard (1...16).contains(integer.count) else { return nil }
        index += integer.count
        var fraction: ArraySlice<UInt8> = []
        if index < utf8.count {
            guard utf8[index] == UInt8(ascii: ".") else { return nil }
            fraction = utf8[(index + 1)...]
            guard fraction.allSatisfy(isDigit) else { return nil }
        }
        if fraction.count < 2 {
            quirks.append(.amountMissingDecimals)
            fraction += Array(repeating: UInt8(ascii: "0"), count: 2 - fraction.count)
        } else if fraction.count > 2, fraction.last == UInt8(ascii: "0") {
            quirks.append(.amountExcessDecimals)
            while fraction.count > 2, fraction.last == UInt8(ascii: "0") { fraction = fraction.dropLast() }
        }
        guard !quirks.isEmpty else { return nil }
        result += String(decoding: integer, as: UTF8.self) + "." + String(decoding: fraction, as: UTF8.self)
        guard CDRAmount.isValid(result) else { return nil }
        return (result, quirks)
    }

    /// A number's text when it is exact: plain digits, no exponent, within `Decimal`'s precision.
    static func exactText(_ number: Decimal) -> String? {
        let text = number.description
        guard text.utf8.count <= 32,
            text.utf8.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else { return nil }
        return text
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Plain positional notation for a decimal, or `nil` when it needs more than 16 fractional digits (it is never
    /// rounded).
    static func exact(_ value: Decimal) -> String? {
        guard value.isFinite else { return nil }
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 16, .plain)
        guard rounded == value else { return nil }
        return rounded.description
    }
}
