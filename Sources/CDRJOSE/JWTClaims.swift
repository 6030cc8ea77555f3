public import Foundation

/// A JWT claim set: a JSON object with typed accessors for the registered claims.
///
/// Dates are read from and written as whole-second NumericDates.
public struct JWTClaims: Sendable, Hashable, Codable {
    /// Every claim, by name.
    public var values: [String: ClaimValue]

    /// Creates a claim set.
    /// - Parameter values: The claims.
    public init(_ values: [String: ClaimValue] = [:]) { self.values = values }

    /// Decodes a JSON object.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` if the payload is not a JSON object.
    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: ClaimValue].self)
    }

    /// Encodes the claims as a JSON object.
    /// - Parameter encoder: The encoder.
    /// - Throws: Errors from the encoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// Reads or writes one claim.
    public subscript(name: String) -> ClaimValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// `iss`.
    public var issuer: String? {
        get { values["iss"]?.stringValue }
        set { values["iss"] = newValue.map(ClaimValue.string) }
    }

    /// `sub`.
    public var subject: String? {
        get { values["sub"]?.stringValue }
        set { values["sub"] = newValue.map(ClaimValue.string) }
    }

    /// `aud`, read as a list whether it was written as a string or an array; `nil` when absent or malformed.
    public var audience: [String]? {
        switch values["aud"] {
        case .string(let value): return [value]
        case .array(let items):
            let strings = items.compactMap(\.stringValue)
            return strings.count == items.count ? strings : nil
        default: return nil
        }
    }

    /// `jti`.
    public var jwtID: String? {
        get { values["jti"]?.stringValue }
        set { values["jti"] = newValue.map(ClaimValue.string) }
    }

    /// `exp`.
    public var expiresAt: Date? {
        get { date("exp") }
        set { values["exp"] = newValue.map(ClaimValue.date) }
    }

    /// `nbf`.
    public var notBefore: Date? {
        get { date("nbf") }
        set { values["nbf"] = newValue.map(ClaimValue.date) }
    }

    /// `iat`.
    public var issuedAt: Date? {
        get { date("iat") }
        set { values["iat"] = newValue.map(ClaimValue.date) }
    }

    /// Reads a NumericDate claim.
    /// - Parameter name: The claim name.
    /// - Returns: The date, or `nil` if absent or not a number.
    public func date(_ name: String) -> Date? {
        values[name]?.numberValue.map { Date(timeIntervalSince1970: $0) }
    }

    /// Reads a string claim.
    /// - Parameter name: The claim name.
    /// - Returns: The string, or `nil` if absent or not a string.
    public func string(_ name: String) -> String? { values[name]?.stringValue }
}
