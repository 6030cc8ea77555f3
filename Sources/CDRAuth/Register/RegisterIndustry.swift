/// An `industry` path segment of the CDR Register's API.
///
/// The data holder endpoints accept every value; the software statement and data recipient endpoints accept only
/// ``all``. Values added by later versions of the standard can be written as string literals.
public struct RegisterIndustry: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The path segment.
    public let rawValue: String

    /// Wraps a path segment.
    /// - Parameter rawValue: The segment, for example `banking`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a path segment written as a literal.
    /// - Parameter value: The segment.
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    /// Every industry.
    public static let all = RegisterIndustry(rawValue: "all")
    /// Banking.
    public static let banking = RegisterIndustry(rawValue: "banking")
    /// Energy.
    public static let energy = RegisterIndustry(rawValue: "energy")
    /// Non-bank lending.
    public static let nonBankLending = RegisterIndustry(rawValue: "non-bank-lending")
    /// Telecommunications.
    public static let telco = RegisterIndustry(rawValue: "telco")

    /// The path segment.
    public var description: String { rawValue }
}
