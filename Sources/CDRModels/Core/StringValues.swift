/// A value the standard sends as a string with rules of its own (an amount, a rate, a currency, a date, a date-time
/// or a duration).
///
/// Conforming types are created only from valid text, keep that text exactly (`rawValue`), and share one
/// `Codable` implementation: decoding checks the rules and fails with a message that names the field type, never
/// the value.
public protocol CDRValidatedString: RawRepresentable<String>, Codable, Hashable, Sendable, LosslessStringConvertible {
    /// The name of the field type, used in error messages (for example `AmountString`).
    static var typeName: String { get }

    /// Creates a value from its text, or returns `nil` when the text breaks the field type's rules.
    init?(rawValue: String)
}

extension CDRValidatedString {
    /// Creates a value from its text, or returns `nil` when the text breaks the field type's rules.
    public init?(_ description: String) { self.init(rawValue: description) }

    /// The text of the value, exactly as received.
    public var description: String { rawValue }

    /// Decodes the value from a JSON string and checks it against the field type's rules.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when the text breaks the rules. The message names the field type,
    ///   never the value.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a valid \(Self.typeName)")
            )
        }
        self = value
    }

    /// Encodes the original text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A string value that any text is valid for: the base of ``CDRExtensibleEnum`` and ``CDRIdentifier``.
public protocol CDRStringValue: RawRepresentable<String>, Codable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// Wraps any text.
    init(rawValue: String)
}

extension CDRStringValue {
    /// The value's text.
    public var description: String { rawValue }

    /// Creates a value from a string literal.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Decodes any string.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the value's text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
