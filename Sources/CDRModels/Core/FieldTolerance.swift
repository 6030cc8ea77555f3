import Foundation

/// A kind of departure from the standard that a lenient ``CDRDecoder`` tolerates, or the fault that cost a record.
///
/// Quirks are named values, not an enumeration: a later version may add one without breaking a `switch`. They
/// carry no payload value and are safe to log, count and store.
public struct DataQuirk: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The quirk's name, as in reports and the quirks registry (for example `dateTimeInDateField`).
    public let rawValue: String

    /// Wraps a quirk's name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A date-time where the standard specifies a `DateString`: the date is read from it and the text kept.
    public static let dateTimeInDateField = DataQuirk(rawValue: "dateTimeInDateField")
    /// A date where the standard specifies a `DateTimeString`: read as the start of that day in UTC, text kept.
    public static let dateInDateTimeField = DataQuirk(rawValue: "dateInDateTimeField")
    /// A required field is absent (or `null`).
    public static let missingRequiredField = DataQuirk(rawValue: "missingRequiredField")
    /// A JSON number where the standard specifies a string (an amount, a rate, an identifier, a text).
    public static let numberForString = DataQuirk(rawValue: "numberForString")
    /// A string where the standard specifies a number or a boolean.
    public static let stringForNumber = DataQuirk(rawValue: "stringForNumber")
    /// An empty string where the standard expects a typed value or the field's absence.
    public static let emptyString = DataQuirk(rawValue: "emptyString")
    /// An enumeration value in other letter case or with surrounding whitespace.
    public static let enumVariant = DataQuirk(rawValue: "enumVariant")
    /// An amount with a leading `+`.
    public static let amountLeadingPlus = DataQuirk(rawValue: "amountLeadingPlus")
    /// An amount with fewer than the two decimals the standard requires.
    public static let amountMissingDecimals = DataQuirk(rawValue: "amountMissingDecimals")
    /// An amount with more decimals than it needs (trailing zeros beyond two).
    public static let amountExcessDecimals = DataQuirk(rawValue: "amountExcessDecimals")
    /// A value that cannot be read as its field type (wrong JSON type or malformed) and cannot be repaired.
    public static let unusableValue = DataQuirk(rawValue: "unusableValue")
    /// A field the quirks registry says to ignore for this holder was present; its value was not used.
    public static let ignoredField = DataQuirk(rawValue: "ignoredField")

    /// The quirks a decoder reports, in a fixed order.
    public static let all: [DataQuirk] = [
        .dateTimeInDateField, .dateInDateTimeField, .missingRequiredField, .numberForString, .stringForNumber,
        .emptyString, .enumVariant, .amountLeadingPlus, .amountMissingDecimals, .amountExcessDecimals,
        .unusableValue, .ignoredField,
    ]

    /// The quirk's name.
    public var description: String { rawValue }

    /// Decodes a quirk's name.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the quirk's name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// What the wire held where a value failed to decode: enough to repair it, never kept beyond the repair.
enum WireScalar {
    case string(String)
    case number(Decimal)
    case bool(Bool)
    case other

    struct Reader: Decodable {
        var scalar: WireScalar
        init(from decoder: any Decoder) throws {
            guard let single = try? decoder.singleValueContainer() else {
                scalar = .other
                return
            }
            if let text = try? single.decode(String.self) {
                scalar = .string(text)
            } else if let flag = try? single.decode(Bool.self) {
                scalar = .bool(flag)
            } else if let number = try? single.decode(Decimal.self) {
                scalar = .number(number)
            } else {
                scalar = .other
            }
        }
    }
}

extension WireScalar {
    /// Whether the wire held a string of nothing but spaces (or nothing at all).
    var isBlank: Bool {
        if case .string(let text) = self { return text.trimmingCharacters(in: .cdrBlank).isEmpty }
        return false
    }
}

extension CharacterSet {
    /// What lenient decoding trims from enumeration values, numbers and booleans, and counts as empty.
    static let cdrBlank = CharacterSet.whitespacesAndNewlines
}

/// What checking a decoded value found.
enum ValueCheck<Value> {
    /// The value is written as the standard says.
    case clean
    /// The value departs from the standard's form; the repaired value and the quirk.
    case repaired(Value, DataQuirk)
    /// The value is an empty string: the field is treated as absent.
    case empty
}

/// A type a lenient decode can tolerate faults in: it has a placeholder for a required member the holder left out,
/// and may repair what failed to decode.
protocol TolerantValue: Decodable {
    /// What a required member holds when the holder left it out (the record names it in `missingFields`).
    static var placeholder: Self { get }
    /// Repairs a value that failed to decode from what the wire held (with every quirk it shows), or returns `nil`.
    static func repair(_ wire: WireScalar) -> (Self, [DataQuirk])?
    /// Checks a value that decoded for a form strict mode refuses.
    static func check(_ value: Self) -> ValueCheck<Self>
    /// Decodes a value of this type. The container's concrete overloads for `String`, `Bool`, `Int` and `Double`
    /// are much faster than its generic `decode(_:forKey:)`, which a generic caller would otherwise reach.
    static func decodeValue<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Self
    /// Decodes a value of this type if the key is present and not `null`.
    static func decodeValueIfPresent<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Self?
}

extension TolerantValue {
    static func repair(_ wire: WireScalar) -> (Self, [DataQuirk])? { nil }
    @inline(__always)
    static func check(_ value: Self) -> ValueCheck<Self> { .clean }
    @inline(__always)
    static func decodeValue<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Self {
        try container.decode(Self.self, forKey: key)
    }
    @inline(__always)
    static func decodeValueIfPresent<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Self? {
        try container.decodeIfPresent(Self.self, forKey: key)
    }
}

extension String: TolerantValue {
    static var placeholder: String { "" }
    @inline(__always)
    static func decodeValue<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> String {
        try container.decode(String.self, forKey: key)
    }
    @inline(__always)
    static func decodeValueIfPresent<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws
        -> String?
    {
        try container.decodeIfPresent(String.self, forKey: key)
    }
    static func repair(_ wire: WireScalar) -> (String, [DataQuirk])? {
        guard case .number(let number) = wire, let text = NumericText.exactText(number) else { return nil }
        return (text, [.numberForString])
    }
}

extension Bool: TolerantValue {
    @inline(__always)
    static func decodeValue<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Bool {
        try container.decode(Bool.self, forKey: key)
    }
    @inline(__always)
    static func decodeValueIfPresent<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Bool? {
        try container.decodeIfPresent(Bool.self, forKey: key)
    }
    static var placeholder: Bool { false }
    static func repair(_ wire: WireScalar) -> (Bool, [DataQuirk])? {
        guard case .string(let text) = wire else { return nil }
        switch text.trimmingCharacters(in: .cdrBlank).lowercased() {
        case "true": return (true, [.stringForNumber])
        case "false": return (false, [.stringForNumber])
        default: return nil
        }
    }
}

extension Int: TolerantValue {
    @inline(__always)
    static func decodeValue<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Int {
        try container.decode(Int.self, forKey: key)
    }
    @inline(__always)
    static func decodeValueIfPresent<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Int? {
        try container.decodeIfPresent(Int.self, forKey: key)
    }
    static var placeholder: Int { 0 }
    static func repair(_ wire: WireScalar) -> (Int, [DataQuirk])? {
        switch wire {
        case .string(let text):
            guard let value = Int(text.trimmingCharacters(in: .cdrBlank)) else { return nil }
            return (value, [.stringForNumber])
        default:
            return nil
        }
    }
}

extension Double: TolerantValue {
    @inline(__always)
    static func decodeValue<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Double {
        try container.decode(Double.self, forKey: key)
    }
    @inline(__always)
    static func decodeValueIfPresent<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> Double? {
        try container.decodeIfPresent(Double.self, forKey: key)
    }
    static var placeholder: Double { 0 }
    static func repair(_ wire: WireScalar) -> (Double, [DataQuirk])? {
        guard case .string(let text) = wire, let value = Double(text.trimmingCharacters(in: .cdrBlank)),
            value.isFinite
        else { return nil }
        return (value, [.stringForNumber])
    }
}

extension Array: TolerantValue where Element: Decodable {
    static var placeholder: [Element] { [] }
}

extension JSONValue: TolerantValue {
    static var placeholder: JSONValue { .null }
}

extension CDRAmount: TolerantValue {
    static var placeholder: CDRAmount { CDRAmount(unchecked: "") }

    static func repair(_ wire: WireScalar) -> (CDRAmount, [DataQuirk])? {
        switch wire {
        case .number(let number):
            return CDRAmount(number).map { ($0, [.numberForString]) }
        case .string(let text):
            return NumericText.repairAmount(text).map { (CDRAmount(unchecked: $0.text), $0.quirks) }
        default:
            return nil
        }
    }
}

extension CDRRate: TolerantValue {
    static var placeholder: CDRRate { CDRRate(unchecked: "") }

    static func repair(_ wire: WireScalar) -> (CDRRate, [DataQuirk])? {
        guard case .number(let number) = wire else { return nil }
        return CDRRate(number).map { ($0, [.numberForString]) }
    }
}

extension CDRCurrency: TolerantValue {
    static var placeholder: CDRCurrency { CDRCurrency(unchecked: "") }

    static func repair(_ wire: WireScalar) -> (CDRCurrency, [DataQuirk])? {
        guard case .string(let text) = wire,
            let currency = CDRCurrency(rawValue: text.trimmingCharacters(in: .cdrBlank).uppercased())
        else { return nil }
        return (currency, [.enumVariant])
    }
}

extension CDRDate: TolerantValue {
    static var placeholder: CDRDate { CDRDate(placeholder: ()) }

    static func repair(_ wire: WireScalar) -> (CDRDate, [DataQuirk])? {
        guard case .string(let text) = wire, let date = CDRDate(dateTimeText: text) else { return nil }
        return (date, [.dateTimeInDateField])
    }
}

extension CDRDateTime: TolerantValue {
    static var placeholder: CDRDateTime { CDRDateTime(placeholder: ()) }

    static func repair(_ wire: WireScalar) -> (CDRDateTime, [DataQuirk])? {
        guard case .string(let text) = wire, let dateTime = CDRDateTime(dateText: text) else { return nil }
        return (dateTime, [.dateInDateTimeField])
    }
}

extension CDRDuration: TolerantValue {
    static var placeholder: CDRDuration { CDRDuration(placeholder: ()) }
}

extension CDRUnknownVariant {
    /// What a required union holds when its discriminator is absent.
    static var placeholder: CDRUnknownVariant { CDRUnknownVariant(type: "") }
}

/// Identifiers: a number is read as its text; an empty identifier counts as absent.
protocol TolerantIdentifier: CDRIdentifier, TolerantValue {}

extension TolerantIdentifier {
    static var placeholder: Self { Self(rawValue: "") }

    static func repair(_ wire: WireScalar) -> (Self, [DataQuirk])? {
        // Only a whole number names an identifier exactly (1.0 and 1 would be the same number).
        guard case .number(let number) = wire, number.exponent >= 0, let text = NumericText.exactText(number) else {
            return nil
        }
        return (Self(rawValue: text), [.numberForString])
    }

    @inline(__always)
    static func check(_ value: Self) -> ValueCheck<Self> { value.rawValue.isEmpty ? .empty : .clean }
}

/// Enumerations: a case or whitespace variant of a known value is read as that value; an empty value counts as
/// absent.
protocol TolerantEnum: CDRExtensibleEnum, TolerantValue {}

extension TolerantEnum {
    static var placeholder: Self { Self(rawValue: "") }

    @inline(__always)
    static func check(_ value: Self) -> ValueCheck<Self> {
        if Self.knownValues.contains(value) { return .clean }
        return nearMiss(value)
    }

    static func nearMiss(_ value: Self) -> ValueCheck<Self> {
        let trimmed = value.rawValue.trimmingCharacters(in: .cdrBlank)
        if trimmed.isEmpty { return .empty }
        let folded = trimmed.uppercased()
        if let known = Self.knownValues.first(where: { $0.rawValue.uppercased() == folded }) {
            return .repaired(known, .enumVariant)
        }
        return .clean
    }
}

extension KeyedDecodingContainer {
    /// A required field whose fault costs the field, not the record: in lenient mode an absent or unusable value
    /// becomes the type's placeholder and its wire name goes into `missing`.
    @inline(__always)
    func tolerant<T: TolerantValue>(
        _ type: T.Type, forKey key: Key, lenient: DecodingContext?, missing: inout [String]
    ) throws -> T {
        guard let lenient else { return try strictValue(T.self, forKey: key) }
        if lenient.ignoresFields, ignoring(key, lenient) {
            missing.append(key.stringValue)
            return T.placeholder
        }
        do {
            if let value = kept(try T.decodeValue(self, key), key, lenient) { return value }
            note(lenient, key, .emptyString, .valueLeftOut, reason: .invalidValue, T.self)
        } catch let error as DecodingError {
            guard isOwn(error, key) else { throw error }
            if let value = repairOrLeaveOut(error, T.self, forKey: key, lenient: lenient) { return value }
        }
        missing.append(key.stringValue)
        return T.placeholder
    }

    /// A required field whose fault costs the record (an identifier, amount, currency or a transaction's date):
    /// repaired in lenient mode where it can be, otherwise the error goes to the enclosing list element.
    @inline(__always)
    func essential<T: TolerantValue>(_ type: T.Type, forKey key: Key, lenient: DecodingContext?) throws -> T {
        guard let lenient else { return try strictValue(T.self, forKey: key) }
        do {
            if let value = kept(try T.decodeValue(self, key), key, lenient) { return value }
            throw emptyError(T.self, key)
        } catch let error as DecodingError {
            if isOwn(error, key), let repaired = repair(error, T.self, forKey: key, lenient: lenient) {
                return repaired
            }
            throw error
        }
    }

    /// An optional field: in lenient mode an unusable value reads as `nil` (`essential` fields rethrow instead).
    @inline(__always)
    func tolerantIfPresent<T: TolerantValue>(
        _ type: T.Type, forKey key: Key, lenient: DecodingContext?, essential: Bool = false
    ) throws -> T? {
        guard let lenient else {
            guard let value = try T.decodeValueIfPresent(self, key) else { return nil }
            if case .clean = T.check(value) { return value }
            throw strictCheckError(T.self, key)
        }
        if lenient.ignoresFields, !essential, ignoring(key, lenient) { return nil }
        do {
            guard let decoded = try T.decodeValueIfPresent(self, key) else { return nil }
            if let value = kept(decoded, key, lenient) { return value }
            note(lenient, key, .emptyString, .valueLeftOut, reason: .invalidValue, T.self)
            return nil
        } catch let error as DecodingError {
            guard isOwn(error, key) else { throw error }
            if essential {
                if wire(T.self, forKey: key).isBlank {
                    note(lenient, key, .emptyString, .valueLeftOut, reason: .invalidValue, T.self)
                    return nil
                }
                if let repaired = repair(error, T.self, forKey: key, lenient: lenient) { return repaired }
                throw error
            }
            return repairOrLeaveOut(error, T.self, forKey: key, lenient: lenient)
        }
    }

    /// A required list whose own fault (not an element's) costs the field, not the record.
    func tolerantList<T: Decodable>(
        _ type: T.Type, forKey key: Key, lenient: DecodingContext?, missing: inout [String]
    ) throws -> [T] {
        guard let lenient else { return try decode([T].self, forKey: key) }
        if lenient.ignoresFields, ignoring(key, lenient) {
            missing.append(key.stringValue)
            return []
        }
        do {
            return try decodeList(T.self, forKey: key, lenient: lenient)
        } catch let error as DecodingError {
            guard isOwn(error, key) else { throw error }
            let fault = PayloadDecodingError(error)
            let quirk: DataQuirk = fault.code == .missingField ? .missingRequiredField : .unusableValue
            note(lenient, key, quirk, .valueLeftOut, reason: fault.code, message: fault.message)
            missing.append(key.stringValue)
            return []
        }
    }

    /// An optional list whose own fault (not an element's) reads as `nil` in lenient mode.
    func tolerantListIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key, lenient: DecodingContext?) throws
        -> [T]?
    {
        guard let lenient else { return try decodeIfPresent([T].self, forKey: key) }
        if lenient.ignoresFields, ignoring(key, lenient) { return nil }
        do {
            return try decodeListIfPresent(T.self, forKey: key, lenient: lenient)
        } catch let error as DecodingError {
            guard isOwn(error, key) else { throw error }
            let fault = PayloadDecodingError(error)
            note(lenient, key, .unusableValue, .valueLeftOut, reason: fault.code, message: fault.message)
            return nil
        }
    }

    /// A required union's discriminator: in lenient mode an absent one leaves the union out (`nil`) with its name
    /// in `missing`.
    func tolerantDiscriminator(forKey key: Key, lenient: DecodingContext?, missing: inout [String]) throws
        -> String?
    {
        guard let lenient else { return try decode(String.self, forKey: key) }
        if let value = try? decodeIfPresent(String.self, forKey: key) { return value }
        let absent = (try? decodeNil(forKey: key)) ?? true
        note(
            lenient, key, absent ? .missingRequiredField : .unusableValue, .valueLeftOut,
            reason: absent ? .missingField : .typeMismatch,
            message: absent ? "required field '\(key.stringValue)' is absent" : "expected String")
        missing.append(key.stringValue)
        return nil
    }

    /// A union's member, named by its discriminator: in lenient mode a member that is absent or unusable leaves the
    /// union out (`nil`) with a diagnostic at the member's path, instead of costing the record.
    func tolerantVariant<U>(named member: String, lenient: DecodingContext?, _ make: () throws -> U) throws -> U? {
        guard let lenient else { return try make() }
        do {
            return try make()
        } catch let error as DecodingError {
            guard isOwn(error, named: member) else { throw error }
            let fault = PayloadDecodingError(error)
            note(
                lenient, AnyCodingKey(member), fault.code == .missingField ? .missingRequiredField : .unusableValue,
                .valueLeftOut, reason: fault.code,
                message: fault.code == .missingField
                    ? "the member '\(member)' its discriminator names is absent" : fault.message)
            return nil
        }
    }

    // MARK: - Helpers

    /// A value that decoded, checked: itself, or its repair (noted); `nil` when it is empty.
    @inline(__always)
    private func kept<T: TolerantValue>(_ value: T, _ key: Key, _ lenient: DecodingContext) -> T? {
        switch T.check(value) {
        case .clean:
            return value
        case .repaired(let repaired, let quirk):
            note(lenient, key, quirk, .valueRepaired, reason: .invalidValue, T.self)
            return repaired
        case .empty:
            return nil
        }
    }

    /// Whether the field is present and one the decode is told to ignore; notes it when so.
    private func ignoring(_ key: Key, _ lenient: DecodingContext) -> Bool {
        guard contains(key), lenient.ignores(codingPath + [key]) else { return false }
        note(
            lenient, key, .ignoredField, .valueLeftOut, reason: .invalidValue,
            message: "the quirks registry says to ignore this field for the holder")
        return true
    }

    /// Strict decoding: the value must decode and be written as the standard says.
    @inline(__always)
    private func strictValue<T: TolerantValue>(_ type: T.Type, forKey key: Key) throws -> T {
        let value = try T.decodeValue(self, key)
        if case .clean = T.check(value) { return value }
        throw strictCheckError(T.self, key)
    }

    private func strictCheckError<T>(_ type: T.Type, _ key: Key) -> DecodingError {
        DecodingError.dataCorrupted(
            .init(
                codingPath: codingPath + [key],
                debugDescription: "not a valid \(T.self) as written (empty, or letter case or spacing differs)"))
    }

    private func emptyError<T>(_ type: T.Type, _ key: Key) -> DecodingError {
        DecodingError.dataCorrupted(
            .init(codingPath: codingPath + [key], debugDescription: "not a valid \(T.self): the value is empty"))
    }

    /// Whether a decoding error is about this field itself (rather than something inside it).
    private func isOwn(_ error: DecodingError, _ key: Key) -> Bool { isOwn(error, named: key.stringValue) }

    /// Whether a decoding error is about the member of this object named `name` itself.
    private func isOwn(_ error: DecodingError, named name: String) -> Bool {
        let depth = codingPath.count
        switch error {
        case .keyNotFound(let missingKey, let context):
            return context.codingPath.count == depth && missingKey.stringValue == name
        case .valueNotFound(_, let context), .typeMismatch(_, let context), .dataCorrupted(let context):
            return context.codingPath.count == depth + 1 && context.codingPath.last?.stringValue == name
        @unknown default:
            return false
        }
    }

    private func wire<T>(_ type: T.Type, forKey key: Key) -> WireScalar {
        (try? decodeIfPresent(WireScalar.Reader.self, forKey: key))??.scalar ?? .other
    }

    /// Repairs a value that failed to decode, noting the quirk; `nil` when it cannot be repaired.
    private func repair<T: TolerantValue>(
        _ error: DecodingError, _ type: T.Type, forKey key: Key, lenient: DecodingContext
    ) -> T? {
        switch error {
        case .typeMismatch, .dataCorrupted: repairFromWire(T.self, forKey: key, lenient: lenient)
        default: nil
        }
    }

    private func repairFromWire<T: TolerantValue>(_ type: T.Type, forKey key: Key, lenient: DecodingContext) -> T? {
        guard let (value, quirks) = T.repair(wire(T.self, forKey: key)) else { return nil }
        for quirk in quirks { note(lenient, key, quirk, .valueRepaired, reason: .invalidValue, T.self) }
        return value
    }

    /// Repairs a value or notes that it was left out; `nil` when left out.
    private func repairOrLeaveOut<T: TolerantValue>(
        _ error: DecodingError, _ type: T.Type, forKey key: Key, lenient: DecodingContext
    ) -> T? {
        let fault = PayloadDecodingError(error)
        if fault.code == .missingField {
            // Absent or null: only a required field reaches here absent.
            note(lenient, key, .missingRequiredField, .valueLeftOut, reason: .missingField, message: fault.message)
            return nil
        }
        if let repaired = repair(error, T.self, forKey: key, lenient: lenient) { return repaired }
        let isEmpty = wire(T.self, forKey: key).isBlank
        note(
            lenient, key, isEmpty ? .emptyString : .unusableValue, .valueLeftOut, reason: fault.code,
            message: fault.message)
        return nil
    }

    private func note<T>(
        _ lenient: DecodingContext, _ key: Key, _ quirk: DataQuirk, _ outcome: DecodingDiagnostic.Outcome,
        reason: PayloadDecodingError.Code, _ type: T.Type
    ) {
        let message: String =
            switch quirk {
            case .dateTimeInDateField: "a date-time where a DateString is specified; the date is read from it"
            case .dateInDateTimeField: "a date where a DateTimeString is specified; read as 00:00 UTC"
            case .numberForString: "a number where \(T.self) (a string) is specified"
            case .stringForNumber: "a string where \(T.self) is specified"
            case .emptyString: "an empty string where \(T.self) is specified; read as absent"
            case .enumVariant: "a value of \(T.self) in other letter case or with spacing"
            case .amountLeadingPlus: "an AmountString with a leading '+'"
            case .amountMissingDecimals: "an AmountString with fewer than two decimals"
            case .amountExcessDecimals: "an AmountString with more decimals than it needs"
            default: "\(T.self) could not be read"
            }
        note(lenient, key, quirk, outcome, reason: reason, message: message)
    }

    private func note(
        _ lenient: DecodingContext, _ key: any CodingKey, _ quirk: DataQuirk, _ outcome: DecodingDiagnostic.Outcome,
        reason: PayloadDecodingError.Code, message: String
    ) {
        let path = codingPath
        let elementDepth = path.lastIndex { $0.intValue != nil }.map { $0 + 1 }
        let elementPath = elementDepth.map { CodingPathFormatter.string(Array(path[..<$0])) } ?? ""
        lenient.record(
            DecodingDiagnostic(
                elementPath: elementPath,
                index: elementDepth.flatMap { path[$0 - 1].intValue },
                fieldPath: CodingPathFormatter.string(path + [key]),
                reason: reason,
                quirk: quirk,
                outcome: outcome,
                message: message
            )
        )
    }
}
