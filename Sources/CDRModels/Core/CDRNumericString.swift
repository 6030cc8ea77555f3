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
    /// trailing zero beyond the second. Returns `nil` for text that is no number at all.
    static func repairAmount(_ text: String) -> (text: String, quirk: DataQuirk)? {
        var body = Substring(text)
        var quirk: DataQuirk?
        if body.first == "+" {
            body = body.dropFirst()
            quirk = .amountLeadingPlus
        }
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integer = parts.first, (1...16).contains(integer.count), integer.utf8.allSatisfy(isDigit) else {
            return nil
        }
        var fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.utf8.allSatisfy(isDigit), parts.count == 1 || !fraction.isEmpty || true else { return nil }
        if fraction.count < 2 {
            quirk = quirk ?? .amountMissingDecimals
            fraction += String(repeating: "0", count: 2 - fraction.count)
        } else if fraction.count > 2, fraction.last == "0" {
            quirk = quirk ?? .amountExcessDecimals
            while fraction.count > 2, fraction.last == "0" { fraction = fraction.dropLast() }
        }
        guard let quirk else { return nil }
        let repaired = (negative ? "-" : "") + integer + "." + fraction
        guard CDRAmount.isValid(repaired) else { return nil }
        return (repaired, quirk)
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
