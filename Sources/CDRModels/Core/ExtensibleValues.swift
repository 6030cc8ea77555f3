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
public protocol CDRExtensibleEnum: CDRStringValue {
    /// Every value the standard defines for this set (across the supported versions).
    static var knownValues: [Self] { get }
}

extension CDRExtensibleEnum {
    /// Whether the standard defines this value (in a version the SDK supports).
    public var isKnown: Bool { Self.knownValues.contains(self) }
}

/// An identifier the standard defines as an opaque string (an account, transaction, payee or product ID).
///
/// Each kind of identifier is its own type, so an account ID cannot be passed where a transaction ID is expected.
public protocol CDRIdentifier: CDRStringValue {}

/// A currency code (the standard's `CurrencyString`): three upper-case letters of ISO 4217, such as `AUD`.
public struct CDRCurrency: CDRValidatedString, ExpressibleByStringLiteral {
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

    /// The standard's name for this field type.
    public static var typeName: String { "CurrencyString" }

    /// Wraps a placeholder.
    init(unchecked text: String) {
        self.rawValue = text
    }

    /// Creates a currency from a literal code; the literal must be valid.
    public init(stringLiteral value: String) {
        guard let currency = Self(rawValue: value) else { preconditionFailure("not an ISO 4217 code literal") }
        self = currency
    }
}
