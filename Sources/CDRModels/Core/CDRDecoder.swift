public import Foundation
import Synchronization

/// Decodes CDS payloads, leniently by default.
///
/// Real holders' data departs from the standard in small ways: a date-time where a date belongs, a field a later
/// version made mandatory that older data lacks, a number sent as a string. In ``Mode-swift.struct/lenient`` mode
/// (the default) such a fault costs the field, never the record, and each one yields a ``DecodingDiagnostic`` that
/// names the ``DataQuirk`` and the path (never the value). In ``Mode-swift.struct/strict`` mode every one of them
/// fails the decode.
///
/// ## What a lenient decode keeps
///
/// A record (an element of a list) is left out only when what identifies it or its money is unusable:
/// - a required identifier (an account, transaction, payee or product ID) is absent or unreadable;
/// - an amount or a currency is unreadable;
/// - one of a transaction's dates is unreadable.
///
/// Every other fault keeps the record:
/// - a repairable value is repaired and kept (``DecodingDiagnostic/Outcome-swift.struct/valueRepaired``): a
///   date-time in a date field (the date is read from it and the original text kept), a date in a date-time field
///   (read as the start of that day in UTC, text kept), a number where the standard specifies a string and the
///   reverse, case or whitespace variants of an enumeration value, and amounts with a leading `+`, without
///   decimals or with more decimals than needed (written again in the standard's form);
/// - an unusable value is left out (``DecodingDiagnostic/Outcome-swift.struct/valueLeftOut``): an optional field
///   reads as `nil` (an empty string for an optional typed field counts as absent too); a required field holds a
///   placeholder (empty text, `false`, `0`, an empty list, or an object of placeholders) and the record names it in
///   its `missingFields`, so `isMissing(\.field)` tells a caller the holder did not send it.
///
/// Faults in the envelope (`data`, `links`, `meta`) and in a single-record response's identity or money fail the
/// decode in both modes. When a record is left out, the diagnostics of its own fields go with it: one diagnostic
/// (``DecodingDiagnostic/Outcome-swift.struct/recordLeftOut``) stands for the record.
///
/// ```swift
/// let page = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: body)
/// for diagnostic in page.diagnostics { logger.info("\(diagnostic)") }
/// let transactions = page.value.data.transactions
/// ```
///
/// A plain `JSONDecoder` decodes the same types strictly: it has nowhere to report a quirk, so it never tolerates
/// one.
///
/// Re-encoding a decoded payload gives back the same JSON, with two exceptions that carry no data: an optional
/// member sent as `null` is read as absent and written as absent (the standard treats the two alike), and members
/// the standard does not define are not kept. A repaired value is written as repaired (dates keep their original
/// text) and a value left out is not written.
public struct CDRDecoder: Sendable {
    /// How departures from the standard are handled.
    public struct Mode: Hashable, Sendable, CustomStringConvertible {
        private let base: Base
        private enum Base: Hashable, Sendable { case lenient, strict }

        /// Repair or leave out what departs from the standard, keeping every record that can be kept, and report
        /// each departure as a diagnostic.
        public static let lenient = Mode(base: .lenient)
        /// Fail the whole decode on the first departure from the standard.
        public static let strict = Mode(base: .strict)

        /// The mode's name.
        public var description: String { base == .lenient ? "lenient" : "strict" }
    }

    /// How departures from the standard are handled.
    public var mode: Mode
    /// Quirks known of the holder (from a quirks registry): their diagnostics are marked
    /// ``DecodingDiagnostic/isExpected``, and strict mode tolerates them too. A record left out is never tolerated
    /// in strict mode.
    public var expectedQuirks: Set<DataQuirk>
    /// Fields whose values are not used, as wire paths with `[*]` for any list index (for example
    /// `data.accounts[*].nickname`): a known bad field of a holder. A present value reads as absent (a required
    /// field is named in its record's `missingFields`) with an expected ``DataQuirk/ignoredField`` diagnostic.
    /// Identifiers, amounts, currencies and transaction dates are never ignored.
    public var ignoredFields: Set<String>

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - mode: ``Mode-swift.struct/lenient`` (the default) or ``Mode-swift.struct/strict``.
    ///   - expectedQuirks: Quirks known of the holder; none by default.
    ///   - ignoredFields: Fields whose values are not used; none by default.
    public init(mode: Mode = .lenient, expectedQuirks: Set<DataQuirk> = [], ignoredFields: Set<String> = []) {
        self.mode = mode
        self.expectedQuirks = expectedQuirks
        self.ignoredFields = ignoredFields
    }

    /// Decodes a payload.
    ///
    /// - Parameters:
    ///   - type: The payload type, for example ``ResponseBankingAccountListV3``.
    ///   - data: The JSON body.
    /// - Returns: The value and one diagnostic per departure tolerated (in strict mode only those of
    ///   ``expectedQuirks`` and ``ignoredFields``).
    /// - Throws: ``PayloadDecodingError`` when the body is not JSON, or a fault that costs a record lies outside any
    ///   list, or (in strict mode) any fault at all. The error names the path and the kind of fault, never the
    ///   offending value.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> Decoded<T> {
        let decoder = JSONDecoder()
        let tolerates = mode == .lenient || !expectedQuirks.isEmpty || !ignoredFields.isEmpty
        let context = DecodingContext(
            isLenient: tolerates, expectedQuirks: expectedQuirks, ignoredFields: ignoredFields)
        decoder.userInfo[.cdrDecodingContext] = context
        let value: T
        do {
            value = try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw PayloadDecodingError(error)
        }
        let diagnostics = context.diagnostics
        if mode == .strict, let fault = diagnostics.first(where: { !$0.isExpected || $0.outcome == .recordLeftOut }) {
            throw PayloadDecodingError(code: fault.reason, path: fault.fieldPath, message: fault.message)
        }
        return Decoded(value: value, diagnostics: diagnostics)
    }
}

/// A decoded payload with the diagnostics of every departure from the standard that was tolerated.
public struct Decoded<Value> {
    /// The decoded payload.
    public var value: Value
    /// One entry per departure tolerated, in document order.
    public var diagnostics: [DecodingDiagnostic]

    /// Creates a result.
    public init(value: Value, diagnostics: [DecodingDiagnostic]) {
        self.value = value
        self.diagnostics = diagnostics
    }
}

extension Decoded: Sendable where Value: Sendable {}

/// A departure from the standard that a lenient decode tolerated: which quirk, where, and what became of it.
///
/// A diagnostic names paths, types and rules, never a value from the payload.
public struct DecodingDiagnostic: Hashable, Sendable, CustomStringConvertible {
    /// What a lenient decode did about a departure.
    public struct Outcome: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case recordLeftOut, valueRepaired, valueLeftOut }
        private let base: Base

        /// The record at ``DecodingDiagnostic/elementPath`` was left out: what identifies it or its money was
        /// unusable.
        public static let recordLeftOut = Outcome(base: .recordLeftOut)
        /// The value was read despite the quirk (repaired where the standard's form differs) and kept.
        public static let valueRepaired = Outcome(base: .valueRepaired)
        /// The value was not used: an optional field reads as `nil`, a required one is named in its record's
        /// `missingFields`.
        public static let valueLeftOut = Outcome(base: .valueLeftOut)

        /// The outcome's name.
        public var description: String { base.rawValue }
    }

    /// The path of the list element the fault belongs to, for example `data.transactions[3]`; empty when no list
    /// encloses it. For ``Outcome-swift.struct/recordLeftOut``, the element that was left out.
    public var elementPath: String
    /// The index of that element in its list; `nil` when no list encloses the fault.
    public var index: Int?
    /// The path of the value at fault, for example `data.transactions[3].amount`.
    public var fieldPath: String
    /// The kind of fault, in the terms of ``PayloadDecodingError``.
    public var reason: PayloadDecodingError.Code
    /// The quirk.
    public var quirk: DataQuirk
    /// What became of the value or its record.
    public var outcome: Outcome
    /// A short explanation. It names types and rules, never the offending value.
    public var message: String
    /// Whether the quirk is known of this holder (``CDRDecoder/expectedQuirks``, ``CDRDecoder/ignoredFields``).
    public var isExpected: Bool

    /// Creates a diagnostic.
    public init(
        elementPath: String, index: Int?, fieldPath: String, reason: PayloadDecodingError.Code, quirk: DataQuirk,
        outcome: Outcome, message: String, isExpected: Bool = false
    ) {
        self.elementPath = elementPath
        self.index = index
        self.fieldPath = fieldPath
        self.reason = reason
        self.quirk = quirk
        self.outcome = outcome
        self.message = message
        self.isExpected = isExpected
    }

    /// ``fieldPath`` with every list index written `[*]` (`data.accounts[*].creationDate`): the same field in
    /// every record, for counting.
    public var fieldPattern: String { CodingPathFormatter.pattern(fieldPath) }

    /// The diagnostic in one line.
    public var description: String {
        switch outcome {
        case .recordLeftOut: "\(elementPath) left out: \(quirk) at \(fieldPath) (\(message))"
        default: "\(quirk) at \(fieldPath), \(outcome) (\(message))"
        }
    }
}

/// A payload that could not be decoded.
public struct PayloadDecodingError: Error, Sendable, CustomStringConvertible {
    /// The kind of fault.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case notJSON, missingField, typeMismatch, invalidValue
        }
        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code(base: $0) } }

        /// The body is not valid JSON.
        public static let notJSON = Code(base: .notJSON)
        /// A required field is absent (or `null`).
        public static let missingField = Code(base: .missingField)
        /// A value has the wrong JSON type.
        public static let typeMismatch = Code(base: .typeMismatch)
        /// A value breaks its field type's rules (an amount, rate, currency, date, date-time or duration).
        public static let invalidValue = Code(base: .invalidValue)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The kind of fault.
    public var code: Code
    /// The path of the value at fault, for example `data.accounts[1].accountId`; empty for the document root.
    public var path: String
    /// A short explanation. It names types and rules, never the offending value.
    public var message: String

    /// Creates an error.
    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// Classifies a Foundation decoding error, keeping its path and dropping any value it might quote.
    public init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(
                code: .missingField,
                path: CodingPathFormatter.string(context.codingPath + [key]),
                message: "required field '\(key.stringValue)' is absent"
            )
        case .valueNotFound(let type, let context):
            self.init(
                code: .missingField,
                path: CodingPathFormatter.string(context.codingPath),
                message: "expected \(type) but found null"
            )
        case .typeMismatch(let type, let context):
            self.init(
                code: .typeMismatch,
                path: CodingPathFormatter.string(context.codingPath),
                message: "expected \(type)"
            )
        case .dataCorrupted(let context):
            // Our own field types describe the rule they check; Foundation's JSON parser reports bad syntax at the root.
            let isOwn = context.debugDescription.hasPrefix("not a valid ")
            self.init(
                code: isOwn ? .invalidValue : (context.codingPath.isEmpty ? .notJSON : .invalidValue),
                path: CodingPathFormatter.string(context.codingPath),
                message: isOwn ? context.debugDescription : "the value is malformed"
            )
        @unknown default:
            self.init(code: .invalidValue, path: "", message: "the payload could not be decoded")
        }
    }

    /// The error in one line, without any payload value.
    public var description: String {
        "PayloadDecodingError.\(code)" + (path.isEmpty ? "" : " at \(path)") + ": \(message)"
    }
}

extension CodingUserInfoKey {
    /// Where ``CDRDecoder`` puts the state of a lenient decode.
    static let cdrDecodingContext = CodingUserInfoKey(rawValue: "au.cdr.decoding-context")!
}

/// The state of one decode: the mode, what is known of the holder, and the diagnostics collected so far.
final class DecodingContext: Sendable {
    let isLenient: Bool
    let expectedQuirks: Set<DataQuirk>
    let ignoredFields: Set<String>
    /// Whether any field is to be ignored (checked before anything else, so the common case costs one load).
    let ignoresFields: Bool
    private let collected = Mutex<[DecodingDiagnostic]>([])

    init(isLenient: Bool, expectedQuirks: Set<DataQuirk> = [], ignoredFields: Set<String> = []) {
        self.isLenient = isLenient
        self.expectedQuirks = expectedQuirks
        self.ignoredFields = ignoredFields
        self.ignoresFields = !ignoredFields.isEmpty
    }

    var diagnostics: [DecodingDiagnostic] { collected.withLock { $0 } }

    var count: Int { collected.withLock { $0.count } }

    /// Whether the field at `path` is one to ignore.
    func ignores(_ path: [any CodingKey]) -> Bool {
        ignoredFields.contains(CodingPathFormatter.pattern(CodingPathFormatter.string(path)))
    }

    /// Adds a diagnostic for a value kept or left out within its record.
    func record(_ diagnostic: DecodingDiagnostic) {
        var diagnostic = diagnostic
        diagnostic.isExpected = diagnostic.quirk == .ignoredField || expectedQuirks.contains(diagnostic.quirk)
        collected.withLock { $0.append(diagnostic) }
    }

    /// Replaces everything collected since `mark` with one diagnostic: an element left out takes its inner
    /// diagnostics with it.
    func record(_ diagnostic: DecodingDiagnostic, discardingFrom mark: Int) {
        collected.withLock {
            if $0.count > mark { $0.removeSubrange(mark...) }
            $0.append(diagnostic)
        }
    }
}

/// Formats coding paths as `data.accounts[1].accountId`.
enum CodingPathFormatter {
    /// The path with every list index written `[*]`.
    static func pattern(_ path: String) -> String {
        guard path.utf8.contains(UInt8(ascii: "[")) else { return path }
        var result = ""
        var inIndex = false
        for character in path {
            if character == "[" {
                inIndex = true
                result += "[*]"
            } else if character == "]" {
                inIndex = false
            } else if !inIndex {
                result.append(character)
            }
        }
        return result
    }

    static func string(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                if !result.isEmpty { result += "." }
                result += key.stringValue
            }
        }
        return result
    }
}

/// Consumes one value of any shape, so an unkeyed container can move past an element that failed to decode.
private struct SkippedValue: Decodable {
    init(from decoder: any Decoder) throws {}
}

extension Decoder {
    /// The lenient-decoding state, when the decode was started by ``CDRDecoder`` in lenient mode.
    var cdrLenientContext: DecodingContext? {
        guard let context = userInfo[.cdrDecodingContext] as? DecodingContext, context.isLenient else { return nil }
        return context
    }
}

extension KeyedDecodingContainer {
    /// Decodes a required list, leaving out malformed elements in lenient mode.
    func decodeList<T: Decodable>(_ type: T.Type, forKey key: Key, lenient: DecodingContext?) throws -> [T] {
        guard let lenient else { return try decode([T].self, forKey: key) }
        var container = try nestedUnkeyedContainer(forKey: key)
        return try container.decodeElements(T.self, lenient: lenient)
    }

    /// Decodes an optional list, leaving out malformed elements in lenient mode.
    func decodeListIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key, lenient: DecodingContext?) throws -> [T]? {
        guard let lenient else { return try decodeIfPresent([T].self, forKey: key) }
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        var container = try nestedUnkeyedContainer(forKey: key)
        return try container.decodeElements(T.self, lenient: lenient)
    }
}

extension UnkeyedDecodingContainer {
    mutating func decodeElements<T: Decodable>(_ type: T.Type, lenient: DecodingContext) throws -> [T] {
        var elements: [T] = []
        if let count { elements.reserveCapacity(count) }
        while !isAtEnd {
            let index = currentIndex
            let mark = lenient.count
            do {
                elements.append(try decode(T.self))
            } catch let error as DecodingError {
                let fault = PayloadDecodingError(error)
                let elementPath = CodingPathFormatter.string(codingPath + [AnyCodingKey(intValue: index)!])
                lenient.record(
                    DecodingDiagnostic(
                        elementPath: elementPath,
                        index: index,
                        fieldPath: fault.path.isEmpty ? elementPath : fault.path,
                        reason: fault.code,
                        quirk: fault.code == .missingField ? .missingRequiredField : .unusableValue,
                        outcome: .recordLeftOut,
                        message: fault.message
                    ),
                    discardingFrom: mark
                )
                // A failed decode leaves the container on the same element: step over it.
                if currentIndex == index { _ = try decode(SkippedValue.self) }
            }
        }
        return elements
    }
}

extension PayloadDecodingError: CDRCategorizedError {
    /// Every code is `invalidResponse`: the other party sent a body that cannot be read (see ``CDRFailureCategory``).
    public var category: CDRFailureCategory { .invalidResponse }
}
