/// A CDR data scope the recipient may ask for: read scopes only.
///
/// The SDK keeps the business's read-only promise here: ``init(rawValue:)`` refuses anything that is not a `:read`
/// scope, so no write or payment scope can be requested. `openid` and `profile` are added by the flow.
public struct CDRScope: Hashable, Sendable, RawRepresentable, Codable, CustomStringConvertible {
    /// The scope string, for example `bank:accounts.basic:read`.
    public let rawValue: String

    /// Accepts a read scope.
    /// - Parameter rawValue: The scope string.
    /// - Returns: `nil` unless the string ends in `:read`, has a name before it, and is one RFC 6749 scope token
    ///   (printable ASCII without space, `"` or `\`), so no other scope can be smuggled in beside it.
    public init?(rawValue: String) {
        guard rawValue.hasSuffix(":read"), rawValue.count > ":read".count, rawValue.count <= 128,
            rawValue.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    /// Decodes a scope string, rejecting non-read scopes.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError.dataCorrupted` for a non-read scope.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let scope = CDRScope(rawValue: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a read scope"))
        }
        self = scope
    }

    /// Encodes the scope string.
    /// - Parameter encoder: The encoder.
    /// - Throws: The encoder's error.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The scope string.
    public var description: String { rawValue }

    /// `bank:accounts.basic:read`: account lists and balances.
    public static let bankAccountsBasic = CDRScope(known: "bank:accounts.basic:read")
    /// `bank:accounts.detail:read`: account details.
    public static let bankAccountsDetail = CDRScope(known: "bank:accounts.detail:read")
    /// `bank:transactions:read`: transactions.
    public static let bankTransactions = CDRScope(known: "bank:transactions:read")
    /// `bank:payees:read`: saved payees.
    public static let bankPayees = CDRScope(known: "bank:payees:read")
    /// `bank:regular_payments:read`: direct debits and scheduled payments.
    public static let bankRegularPayments = CDRScope(known: "bank:regular_payments:read")
    /// `common:customer.basic:read`: the customer's name and occupation.
    public static let commonCustomerBasic = CDRScope(known: "common:customer.basic:read")
    /// `common:customer.detail:read`: the customer's contact details.
    public static let commonCustomerDetail = CDRScope(known: "common:customer.detail:read")

    /// Every banking and common read scope.
    public static let allBanking: [CDRScope] = [
        .bankAccountsBasic, .bankAccountsDetail, .bankTransactions, .bankPayees, .bankRegularPayments,
        .commonCustomerBasic, .commonCustomerDetail,
    ]
}

/// A level of assurance (`acr`) the recipient asks the holder to authenticate the customer at.
public struct AuthenticationContext: Hashable, Sendable, RawRepresentable, Codable, CustomStringConvertible {
    /// The `acr` value.
    public let rawValue: String

    /// Wraps an `acr` value.
    /// - Parameter rawValue: For example `urn:cds.au:cdr:3`.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `urn:cds.au:cdr:2`: single-factor authentication.
    public static let singleFactor = AuthenticationContext(rawValue: "urn:cds.au:cdr:2")
    /// `urn:cds.au:cdr:3`: multi-factor authentication.
    public static let multiFactor = AuthenticationContext(rawValue: "urn:cds.au:cdr:3")

    /// The `acr` value.
    public var description: String { rawValue }
}
