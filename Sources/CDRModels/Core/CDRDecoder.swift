public import Foundation
import Synchronization

/// Decodes CDS payloads, leniently by default.
///
/// In ``Mode-swift.struct/lenient`` mode (the default) a malformed element of a list does not lose the page: the
/// element is left out and a ``DecodingDiagnostic`` says which one and why, while the rest decodes. In
/// ``Mode-swift.struct/strict`` mode the same fault fails the whole decode. A fault outside any list (in the
/// envelope, or in a single record) always fails.
///
/// ```swift
/// let page = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: body)
/// for diagnostic in page.diagnostics { logger.info("skipped \(diagnostic.elementPath): \(diagnostic.reason)") }
/// let transactions = page.value.data.transactions
/// ```
///
/// A plain `JSONDecoder` decodes the same types strictly: it has nowhere to report a skipped element, so it
/// never skips one.
///
/// Re-encoding a decoded payload gives back the same JSON, with two exceptions that carry no data: an optional
/// member sent as `null` is read as absent and written as absent (the standard treats the two alike), and members
/// the standard does not define are not kept.
public struct CDRDecoder: Sendable {
    /// How list elements that fail to decode are handled.
    public struct Mode: Hashable, Sendable, CustomStringConvertible {
        private let base: Base
        private enum Base: Hashable, Sendable { case lenient, strict }

        /// Leave malformed list elements out and report them as diagnostics.
        public static let lenient = Mode(base: .lenient)
        /// Fail the whole decode on the first malformed element.
        public static let strict = Mode(base: .strict)

        /// The mode's name.
        public var description: String { base == .lenient ? "lenient" : "strict" }
    }

    /// How list elements that fail to decode are handled.
    public var mode: Mode

    /// Creates a decoder.
    ///
    /// - Parameter mode: ``Mode-swift.struct/lenient`` (the default) or ``Mode-swift.struct/strict``.
    public init(mode: Mode = .lenient) {
        self.mode = mode
    }

    /// Decodes a payload.
    ///
    /// - Parameters:
    ///   - type: The payload type, for example ``ResponseBankingAccountListV3``.
    ///   - data: The JSON body.
    /// - Returns: The value and the diagnostics for any list elements left out (always empty in strict mode).
    /// - Throws: ``PayloadDecodingError`` when the body is not JSON, or a fault lies outside any list, or (in strict
    ///   mode) any fault at all. The error names the path and the kind of fault, never the offending value.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> Decoded<T> {
        let decoder = JSONDecoder()
        let context = DecodingContext(isLenient: mode == .lenient)
        decoder.userInfo[.cdrDecodingContext] = context
        do {
            let value = try decoder.decode(T.self, from: data)
            return Decoded(value: value, diagnostics: context.diagnostics)
        } catch let error as DecodingError {
            throw PayloadDecodingError(error)
        }
    }
}

/// A decoded payload with the diagnostics of any list elements that were left out.
public struct Decoded<Value> {
    /// The decoded payload.
    public var value: Value
    /// One entry per list element left out, in document order.
    public var diagnostics: [DecodingDiagnostic]

    /// Creates a result.
    public init(value: Value, diagnostics: [DecodingDiagnostic]) {
        self.value = value
        self.diagnostics = diagnostics
    }
}

extension Decoded: Sendable where Value: Sendable {}

/// A list element that was left out during a lenient decode.
public struct DecodingDiagnostic: Hashable, Sendable, CustomStringConvertible {
    /// The path of the element left out, for example `data.transactions[3]`.
    public var elementPath: String
    /// The element's index in its list.
    public var index: Int
    /// The path of the value at fault, for example `data.transactions[3].amount`.
    public var fieldPath: String
    /// What was wrong.
    public var reason: PayloadDecodingError.Code
    /// A short explanation. It names types and rules, never the offending value.
    public var message: String

    /// Creates a diagnostic.
    public init(elementPath: String, index: Int, fieldPath: String, reason: PayloadDecodingError.Code, message: String)
    {
        self.elementPath = elementPath
        self.index = index
        self.fieldPath = fieldPath
        self.reason = reason
        self.message = message
    }

    /// The diagnostic in one line.
    public var description: String { "\(elementPath) left out: \(reason) at \(fieldPath) (\(message))" }
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

/// The state of one decode: the mode and the diagnostics collected so far.
final class DecodingContext: Sendable {
    let isLenient: Bool
    private let collected = Mutex<[DecodingDiagnostic]>([])

    init(isLenient: Bool) {
        self.isLenient = isLenient
    }

    var diagnostics: [DecodingDiagnostic] { collected.withLock { $0 } }

    var count: Int { collected.withLock { $0.count } }

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
