import CDRAccountData
import Foundation

/// Encodes a value as JSON straight into bytes: the same JSON, for what the records store, as the store's
/// `JSONEncoder` (dates as milliseconds since 1970, `Decimal` as a number, `Data` as Base64, `URL` as its absolute
/// string), readable by the same `JSONDecoder`, several times faster (no tree of intermediate values, no key sorting).
///
/// It follows how `Encodable` types encode: containers are written in order, and a nested container ends when its
/// parent writes again or the value that opened it returns. Anything else (writing into a container that has already
/// ended, a second value into one single-value container, `superEncoder`) throws ``Unsupported``, and the caller
/// encodes that value with `JSONEncoder` instead, so the fast path never changes what is kept.
enum RecordJSONEncoder {
    /// The value uses an encoding pattern this encoder does not follow.
    struct Unsupported: Error {}

    /// The value's JSON.
    /// - Throws: ``Unsupported``, or `EncodingError` for a value JSON cannot hold (a non-finite number).
    static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        try encode(encodable: value)
    }

    /// The value's JSON through its `Encodable` conformance (for a record, what ``encode(_:)-(StoredRecord)`` does
    /// for the kinds it does not write itself).
    static func encode<Value: Encodable>(encodable value: Value) throws -> [UInt8] {
        let writer = JSONByteWriter()
        try writer.writeValue(value)
        writer.close(downTo: 0)
        if writer.failed { throw Unsupported() }
        return writer.bytes
    }

    /// A record's JSON. A transaction (nearly every record of a sync) is written field by field, the same JSON as
    /// its `Encodable` conformance gives (`{"transaction":{"_0":{…}}}`, a missing optional left out); the other
    /// kinds go through `Encodable`.
    static func encode(_ record: StoredRecord) throws -> [UInt8] {
        guard case .transaction(let transaction) = record else { return try encode(encodable: record) }
        let writer = JSONByteWriter()
        try writer.writeTransactionRecord(transaction)
        return writer.bytes
    }
}

extension JSONByteWriter {
    /// `{"transaction":{"_0":{…}}}`: the transaction's stored properties in declaration order, as its synthesised
    /// `Encodable` conformance writes them (`RecordJSONEncoderTests` checks that every stored property is here).
    func writeTransactionRecord(_ transaction: Transaction) throws {
        writeMember(#"{"transaction":{"_0":{"id":"#, transaction.id)
        writeMember(#","accountID":"#, transaction.accountID.rawValue)
        writeMember(#","status":"#, transaction.status.rawValue)
        writeMember(#","description":"#, transaction.description)
        writeRaw(#","amount":"#)
        try writeDecimal(transaction.amount)
        writeMember(#","currency":"#, transaction.currency)
        writeRaw(#","date":"#)
        try writeDate(transaction.date)
        writeMember(#","reference":"#, transaction.reference)
        if let merchantName = transaction.merchantName {
            writeMember(#","merchantName":"#, merchantName)
        }
        if let code = transaction.merchantCategoryCode {
            writeMember(#","merchantCategoryCode":"#, code)
        }
        writeRaw(#","provenance":"#)
        try writeProvenance(transaction.provenance)
        writeRaw("}}}")
    }

    /// A ``Provenance`` as its synthesised `Encodable` conformance writes it.
    func writeProvenance(_ provenance: Provenance) throws {
        writeMember(#"{"method":"#, provenance.method.rawValue)
        if let cdr = provenance.cdr {
            writeMember(#","cdr":{"holderBrandID":"#, cdr.holderBrandID)
            writeMember(#","arrangementID":"#, cdr.arrangementID)
            writeRaw(#","version":"#)
            writeInteger(cdr.version)
            if let interactionID = cdr.interactionID {
                writeMember(#","interactionID":"#, interactionID)
            }
            writeRaw("}")
        }
        if let ddc = provenance.ddc {
            writeMember(#","ddc":{"providerID":"#, ddc.providerID)
            writeMember(#","connectionID":"#, ddc.connectionID)
            writeMember(#","jobID":"#, ddc.jobID)
            writeRaw("}")
        }
        writeRaw(#","fetchedAt":"#)
        try writeDate(provenance.fetchedAt)
        writeRaw("}")
    }
}

/// The bytes written so far and the containers still open.
final class JSONByteWriter {
    /// An open object or array.
    struct Frame {
        let id: Int
        let closer: UInt8
        var count: Int
    }

    var bytes: [UInt8] = []
    var frames: [Frame] = []
    var nextID = 0
    /// Set when the value used a pattern this writer cannot follow (from calls that cannot throw).
    var failed = false

    init() { bytes.reserveCapacity(512) }

    /// Closes every container at `depth` or deeper.
    func close(downTo depth: Int) {
        while frames.count > depth {
            bytes.append(frames.removeLast().closer)
        }
    }

    /// Opens an object or array; returns its depth and id.
    func open(_ opener: UInt8, closer: UInt8) -> (depth: Int, id: Int) {
        bytes.append(opener)
        nextID += 1
        frames.append(Frame(id: nextID, closer: closer, count: 0))
        return (frames.count - 1, nextID)
    }

    /// Starts the next member of the container at `depth`: closes the containers nested in it, writes the comma.
    /// - Returns: `false` when that container has already ended.
    func beginMember(depth: Int, id: Int) -> Bool {
        guard depth < frames.count, frames[depth].id == id else {
            failed = true
            return false
        }
        close(downTo: depth + 1)
        if frames[depth].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[depth].count += 1
        return true
    }

    /// Starts a member and writes its key.
    func beginMember(depth: Int, id: Int, key: String) -> Bool {
        guard beginMember(depth: depth, id: id) else { return false }
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
        return true
    }

    // MARK: Values

    func writeValue<Value: Encodable>(_ value: Value) throws {
        if Value.self == String.self {
            writeString(value as! String)
        } else if Value.self == Date.self {
            try writeDate(value as! Date)
        } else if Value.self == Decimal.self {
            try writeDecimal(value as! Decimal)
        } else if Value.self == Int.self {
            writeInteger(value as! Int)
        } else if Value.self == Bool.self {
            writeBool(value as! Bool)
        } else if Value.self == Double.self {
            try writeDouble(value as! Double)
        } else if Value.self == Data.self {
            writeString((value as! Data).base64EncodedString())
        } else if Value.self == URL.self {
            writeString((value as! URL).absoluteString)
        } else {
            let depth = frames.count
            let encoder = ByteEncoder(writer: self)
            try value.encode(to: encoder)
            if !encoder.wroteSomething { bytes.append(contentsOf: "{}".utf8) }
            close(downTo: depth)
        }
    }

    func writeNull() { bytes.append(contentsOf: "null".utf8) }

    /// A date as the store's `JSONEncoder` writes it: milliseconds since 1970.
    func writeDate(_ date: Date) throws { try writeDouble(1000.0 * date.timeIntervalSince1970) }

    func writeDecimal(_ decimal: Decimal) throws {
        guard !decimal.isNaN else {
            throw EncodingError.invalidValue(decimal, .init(codingPath: [], debugDescription: "NaN"))
        }
        bytes.append(contentsOf: decimal.description.utf8)
    }

    /// `prefix` as it is (punctuation and a key, which need no escaping), then `value` as a JSON string.
    func writeMember(_ prefix: StaticString, _ value: String) {
        writeRaw(prefix)
        writeString(value)
    }

    /// Text that needs no escaping (keys and punctuation), as it is.
    func writeRaw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    func writeBool(_ value: Bool) { bytes.append(contentsOf: value ? "true".utf8 : "false".utf8) }

    func writeInteger<Integer: BinaryInteger>(_ value: Integer) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        while magnitude > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        }
        bytes[start...].reverse()
    }

    func writeDouble(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "not a finite number"))
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    func writeFloat(_ value: Float) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "not a finite number"))
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var clean = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
                escape(byte)
                clean = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22, 0x5C: bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
    }
}

/// The `Encoder` handed to one value's `encode(to:)`.
final class ByteEncoder: Encoder {
    let writer: JSONByteWriter
    /// The container this value opened, if any.
    var opened: (depth: Int, id: Int, keyed: Bool)?
    var wroteSingleValue = false

    var wroteSomething: Bool { opened != nil || wroteSingleValue }
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(writer: JSONByteWriter) { self.writer = writer }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if let opened, opened.keyed {
            return KeyedEncodingContainer(ByteKeyedContainer(writer: writer, depth: opened.depth, id: opened.id))
        }
        if wroteSomething { writer.failed = true }
        let frame = writer.open(UInt8(ascii: "{"), closer: UInt8(ascii: "}"))
        opened = (frame.depth, frame.id, true)
        return KeyedEncodingContainer(ByteKeyedContainer(writer: writer, depth: frame.depth, id: frame.id))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if let opened, !opened.keyed { return ByteUnkeyedContainer(writer: writer, depth: opened.depth, id: opened.id) }
        if wroteSomething { writer.failed = true }
        let frame = writer.open(UInt8(ascii: "["), closer: UInt8(ascii: "]"))
        opened = (frame.depth, frame.id, false)
        return ByteUnkeyedContainer(writer: writer, depth: frame.depth, id: frame.id)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { ByteSingleValueContainer(encoder: self) }
}

struct ByteKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONByteWriter
    let depth: Int
    let id: Int
    var codingPath: [any CodingKey] { [] }

    private func begin(_ key: Key) throws {
        guard writer.beginMember(depth: depth, id: id, key: key.stringValue) else {
            throw RecordJSONEncoder.Unsupported()
        }
    }

    mutating func encodeNil(forKey key: Key) throws {
        try begin(key)
        writer.writeNull()
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try begin(key)
        writer.writeBool(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try begin(key)
        writer.writeString(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try begin(key)
        try writer.writeDouble(value)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        try begin(key)
        try writer.writeFloat(value)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int16, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt8, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        try begin(key)
        writer.writeInteger(value)
    }
    mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
        try begin(key)
        try writer.writeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        _ = writer.beginMember(depth: depth, id: id, key: key.stringValue)
        let frame = writer.open(UInt8(ascii: "{"), closer: UInt8(ascii: "}"))
        return KeyedEncodingContainer(ByteKeyedContainer<NestedKey>(writer: writer, depth: frame.depth, id: frame.id))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        _ = writer.beginMember(depth: depth, id: id, key: key.stringValue)
        let frame = writer.open(UInt8(ascii: "["), closer: UInt8(ascii: "]"))
        return ByteUnkeyedContainer(writer: writer, depth: frame.depth, id: frame.id)
    }

    mutating func superEncoder() -> any Encoder {
        writer.failed = true
        return ByteEncoder(writer: JSONByteWriter())
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writer.failed = true
        return ByteEncoder(writer: JSONByteWriter())
    }
}

struct ByteUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: JSONByteWriter
    let depth: Int
    let id: Int
    private(set) var count = 0
    var codingPath: [any CodingKey] { [] }

    init(writer: JSONByteWriter, depth: Int, id: Int) {
        self.writer = writer
        self.depth = depth
        self.id = id
    }

    private mutating func begin() throws {
        guard writer.beginMember(depth: depth, id: id) else { throw RecordJSONEncoder.Unsupported() }
        count += 1
    }

    mutating func encodeNil() throws {
        try begin()
        writer.writeNull()
    }
    mutating func encode(_ value: Bool) throws {
        try begin()
        writer.writeBool(value)
    }
    mutating func encode(_ value: String) throws {
        try begin()
        writer.writeString(value)
    }
    mutating func encode(_ value: Double) throws {
        try begin()
        try writer.writeDouble(value)
    }
    mutating func encode(_ value: Float) throws {
        try begin()
        try writer.writeFloat(value)
    }
    mutating func encode(_ value: Int) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int64) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int8) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int16) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: Int32) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt8) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt16) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt32) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt64) throws {
        try begin()
        writer.writeInteger(value)
    }
    mutating func encode<Value: Encodable>(_ value: Value) throws {
        try begin()
        try writer.writeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        if writer.beginMember(depth: depth, id: id) { count += 1 }
        let frame = writer.open(UInt8(ascii: "{"), closer: UInt8(ascii: "}"))
        return KeyedEncodingContainer(ByteKeyedContainer<NestedKey>(writer: writer, depth: frame.depth, id: frame.id))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        if writer.beginMember(depth: depth, id: id) { count += 1 }
        let frame = writer.open(UInt8(ascii: "["), closer: UInt8(ascii: "]"))
        return ByteUnkeyedContainer(writer: writer, depth: frame.depth, id: frame.id)
    }

    mutating func superEncoder() -> any Encoder {
        writer.failed = true
        return ByteEncoder(writer: JSONByteWriter())
    }
}

struct ByteSingleValueContainer: SingleValueEncodingContainer {
    let encoder: ByteEncoder
    var codingPath: [any CodingKey] { [] }

    private func begin() throws {
        guard !encoder.wroteSomething else { throw RecordJSONEncoder.Unsupported() }
        encoder.wroteSingleValue = true
    }

    mutating func encodeNil() throws {
        try begin()
        encoder.writer.writeNull()
    }
    mutating func encode(_ value: Bool) throws {
        try begin()
        encoder.writer.writeBool(value)
    }
    mutating func encode(_ value: String) throws {
        try begin()
        encoder.writer.writeString(value)
    }
    mutating func encode(_ value: Double) throws {
        try begin()
        try encoder.writer.writeDouble(value)
    }
    mutating func encode(_ value: Float) throws {
        try begin()
        try encoder.writer.writeFloat(value)
    }
    mutating func encode(_ value: Int) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: Int64) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: Int8) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: Int16) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: Int32) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt8) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt16) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt32) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode(_ value: UInt64) throws {
        try begin()
        encoder.writer.writeInteger(value)
    }
    mutating func encode<Value: Encodable>(_ value: Value) throws {
        try begin()
        try encoder.writer.writeValue(value)
    }
}
