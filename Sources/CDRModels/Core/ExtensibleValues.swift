/// A set of string values that a newer version of the standard may extend.
///
/// Conforming types are structs, not enums: a value the SDK does not know yet decodes, is visible to the caller
/// (``isKnown`` is `false`) and re-encodes unchanged, and adding a value is never a breaking change for a
/// `switch` in client code.
///
/// ```swift
/// switch account.openStatus {
/// case .open: …
/// case .closed: …
/// default: print("new status:", account.openStatus.rawValue)
/// }
/// ```
public protocol CDRExtensibleEnum: RawRepresentable<String>, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// Wraps any value, known or not.
    init(rawValue: String)

    /// Every value the standard defines for this set (across the supported versions).
    static var knownValues: [Self] { get }
}

extension CDRExtensibleEnum {
    /// Whether the standard defines this value (in a version the SDK supports).
    public var isKnown: Bool { Self.knownValues.contains(self) }

    /// The value's text.
    public var description: String { rawValue }

    /// Creates a value from a string literal.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Decodes any string; unknown values are kept, not rejected.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the value's text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An identifier the standard defines as an opaque string (an account, transaction, payee or product ID).
///
/// Each kind of identifier is its own type, so an account ID cannot be passed where a transaction ID is expected.
public protocol CDRIdentifier: RawRepresentable<String>, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// Wraps an identifier.
    init(rawValue: String)
}

extension CDRIdentifier {
    /// The identifier's text.
    public var description: String { rawValue }

    /// Creates an identifier from a string literal.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Decodes the identifier from a JSON string.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the identifier's text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A currency code (the standard's `CurrencyString`): three upper-case letters of ISO 4217, such as `AUD`.
public struct CDRCurrency: RawRepresentable, Codable, Hashable, Sendable, LosslessStringConvertible,
    ExpressibleByStringLiteral
{
    /// The three-letter code.
    public let rawValue: String

    /// Australian dollars, the standard's default where a currency field is absent.
    public static let aud: CDRCurrency = "AUD"

    /// Creates a currency from its code, or returns `nil` when the text is not three upper-case ASCII letters.
    public init?(rawValue: String) {
        let utf8 = rawValue.utf8
        guard utf8.count == 3, utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return nil
        }
        self.rawValue = rawValue
    }

    /// Creates a currency from its code, or returns `nil` when the text is not three upper-case ASCII letters.
    public init?(_ description: String) { self.init(rawValue: description) }

    /// Creates a currency from a literal code; the literal must be valid.
    public init(stringLiteral value: String) {
        guard let currency = Self(rawValue: value) else { preconditionFailure("not an ISO 4217 code literal") }
        self = currency
    }

    /// The three-letter code.
    public var description: String { rawValue }

    /// Decodes and validates the code.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when the text is not three upper-case letters.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a valid CurrencyString")
            )
        }
        self = value
    }

    /// Encodes the code.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
