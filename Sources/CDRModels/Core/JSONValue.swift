public import Foundation

/// Any JSON value. Used where the standard leaves content open (an unknown union variant's payload), so that it
/// survives a decode and re-encode unchanged.
public enum JSONValue: Codable, Hashable, Sendable {
    /// JSON `null`.
    case null
    /// A boolean.
    case bool(Bool)
    /// A number with no fractional part that fits in 64 bits.
    case integer(Int64)
    /// Any other number, kept as an exact decimal (never `Double`).
    case number(Decimal)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            if let count = array.count { values.reserveCapacity(count) }
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyCodingKey.self) {
            var values: [String: JSONValue] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? single.decode(Decimal.self) {
            self = .number(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    /// Encodes the value.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .integer(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        case .object(let values):
            var container = encoder.container(keyedBy: AnyCodingKey.self)
            for (key, value) in values { try container.encode(value, forKey: AnyCodingKey(key)) }
        }
    }
}

/// A coding key for any string or index.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    /// The key's text.
    public var stringValue: String
    /// The key's index, for array positions.
    public var intValue: Int?

    /// Creates a key for an object member.
    public init(_ string: String) {
        self.stringValue = string
        self.intValue = nil
    }

    /// Creates a key for an object member.
    public init?(stringValue: String) { self.init(stringValue) }

    /// Creates a key for an array position.
    public init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A union variant that this version of the SDK does not know: the value of the `…UType` discriminator and the
/// payload found under the member of that name, kept so the record re-encodes unchanged.
public struct CDRUnknownVariant: Codable, Hashable, Sendable {
    /// The discriminator's value.
    public var type: String
    /// The content of the member named by ``type``, when there is one.
    public var payload: JSONValue?

    /// Creates an unknown variant.
    public init(type: String, payload: JSONValue? = nil) {
        self.type = type
        self.payload = payload
    }
}
