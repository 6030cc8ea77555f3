public import Foundation

/// A JSON value in a JWT header or claim set.
///
/// Integers and fractional numbers are kept apart so that NumericDate claims are written as whole seconds.
public enum ClaimValue: Sendable, Hashable, Codable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number.
    case integer(Int)
    /// A fractional number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([ClaimValue])
    /// An object.
    case object([String: ClaimValue])

    /// Decodes any JSON value, preferring ``integer(_:)`` for whole numbers.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` for input that is not JSON.
    public init(from decoder: any Decoder) throws {
        guard decoder.codingPath.count < 32 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "too deep"))
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ClaimValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ClaimValue].self))
        }
    }

    /// Encodes the value as JSON.
    /// - Parameter encoder: The encoder.
    /// - Throws: Errors from the encoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, if this is a ``string(_:)``.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as seconds since 1970, if this is a number.
    public var numberValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// The object, if this is an ``object(_:)``.
    public var objectValue: [String: ClaimValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The array, if this is an ``array(_:)``.
    public var arrayValue: [ClaimValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// A NumericDate claim written as whole seconds.
    /// - Parameter date: The date; fractions of a second are dropped.
    /// - Returns: An ``integer(_:)`` value.
    public static func date(_ date: Date) -> ClaimValue { .integer(date.jwtSeconds) }
}

extension ClaimValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    /// Creates a ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates an ``integer(_:)``.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// Creates a ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates an ``array(_:)``.
    public init(arrayLiteral elements: ClaimValue...) { self = .array(elements) }
    /// Creates an ``object(_:)``.
    public init(dictionaryLiteral elements: (String, ClaimValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// Creates ``null``.
    public init(nilLiteral: ()) { self = .null }
}
