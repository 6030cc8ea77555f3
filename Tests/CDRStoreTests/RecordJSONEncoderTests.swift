import CDRAccountData
import Foundation
import Testing

@testable import CDRStore

/// The records' fast JSON encoder writes what the store's `JSONEncoder` writes (as JSON values), reads back with the
/// store's `JSONDecoder` to the same record, and refuses the encoding patterns it does not follow, so the store falls
/// back to `JSONEncoder` for them.
@Suite("RecordJSONEncoder")
struct RecordJSONEncoderTests {
    static let awkward = "quote \" backslash \\ slash / newline \n tab \t nul \u{0} bell \u{7} é 漢字 🏦 \u{1F}"

    static func provenances() -> [Provenance] {
        [
            .cdr(
                .init(holderBrandID: "bank", arrangementID: "arr-1", version: 2, interactionID: "int-1"),
                fetchedAt: Date(timeIntervalSince1970: 1_800_000_000.123)),
            .cdr(
                .init(holderBrandID: "bank", arrangementID: "arr-1", version: 1),
                fetchedAt: Date(timeIntervalSince1970: -86_400.5)),
            .ddc(
                .init(providerID: "p", connectionID: "c-1", jobID: awkward), fetchedAt: Date(timeIntervalSince1970: 0)),
        ]
    }

    /// Every kind of record, with every optional field set and unset, awkward text, and awkward numbers.
    static func records() -> [StoredRecord] {
        var records: [StoredRecord] = []
        let amounts: [Decimal] = [0, -12.5, Decimal(string: "123456789012345678.0123456789")!, -0.000001, 1e20]
        for (index, provenance) in provenances().enumerated() {
            let account = AccountKey(rawValue: "acc-\(index) \(awkward)")
            records.append(
                .account(
                    Account(
                        id: account, sourceAccountID: "src", displayName: awkward, nickname: "nick",
                        maskedNumber: "xxxx 1234", bsb: "062-000", accountNumber: "12345678",
                        category: .transactionAndSavings, productName: "Everyday", isOpen: true, isOwned: false,
                        provenance: provenance)))
            records.append(
                .account(
                    Account(
                        id: account, sourceAccountID: "", displayName: "", maskedNumber: "",
                        category: .creditAndChargeCards,
                        productName: "", provenance: provenance)))
            for amount in amounts {
                records.append(
                    .balance(
                        Balance(
                            accountID: account, current: amount, available: -amount, creditLimit: amount,
                            provenance: provenance)))
                records.append(
                    .transaction(
                        Transaction(
                            id: "txn-\(index)", accountID: account, status: .pending, description: awkward,
                            amount: amount, currency: "AUD", date: Date(timeIntervalSince1970: 1_799_999_999.999),
                            reference: awkward, merchantName: "Café", merchantCategoryCode: "5812",
                            provenance: provenance)))
            }
            records.append(
                .balance(Balance(accountID: account, current: 1, available: 2, currency: "NZD", provenance: provenance))
            )
            records.append(
                .transaction(
                    Transaction(
                        id: "", accountID: account, status: .posted, description: "", amount: 0,
                        date: Date(timeIntervalSince1970: 0), provenance: provenance)))
            records.append(
                .payee(Payee(id: "payee", nickname: awkward, details: "BSB", kind: "BPAY", provenance: provenance)))
            records.append(.payee(Payee(id: "payee", nickname: "", kind: "", provenance: provenance)))
            records.append(
                .regularPayment(
                    RegularPayment(
                        id: "dd", kind: .directDebit, accountID: account, counterparty: awkward, amount: -99.95,
                        date: Date(timeIntervalSince1970: 1_234_567_890.5), provenance: provenance)))
            records.append(
                .regularPayment(
                    RegularPayment(
                        id: "sp", kind: .scheduledPayment, accountID: account, counterparty: "", provenance: provenance)
                ))
        }
        return records
    }

    static func storeCoders() -> (JSONEncoder, JSONDecoder) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return (encoder, decoder)
    }

    @Test("every kind of record reads back unchanged, and is the same JSON value as JSONEncoder's")
    func matchesJSONEncoder() throws {
        let (encoder, decoder) = Self.storeCoders()
        let records = Self.records()
        #expect(records.count == 54)
        for record in records {
            let fast = try RecordJSONEncoder.encode(record)
            #expect(try decoder.decode(StoredRecord.self, from: Data(fast)) == record)
            let ours = try JSONSerialization.jsonObject(with: Data(fast)) as? NSDictionary
            let theirs = try JSONSerialization.jsonObject(with: encoder.encode(record)) as? NSDictionary
            #expect(ours != nil)
            #expect(ours == theirs)
        }
    }

    @Test("control characters, quotes and backslashes are escaped; other text is kept as UTF-8")
    func escapes() throws {
        let bytes = try RecordJSONEncoder.encode(["k": "a\"b\\c\nd\u{1}é"])
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"k":"a\"b\\c\nd\u0001é"}"#)
    }

    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    struct Nested: Encodable {
        enum Keys: String, CodingKey { case a, b, c }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
            try inner.encode(1, forKey: .b)
            var list = inner.nestedUnkeyedContainer(forKey: .c)
            try list.encode("x")
            try list.encodeNil()
            var deeper = list.nestedContainer(keyedBy: Keys.self)
            try deeper.encode(true, forKey: .a)
            try container.encode([1.5, -2], forKey: .b)
        }
    }

    @Test("nested containers end when their parent writes again or the value returns; a value with nothing is {}")
    func nesting() throws {
        let bytes = try RecordJSONEncoder.encode(Nested())
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a":{"b":1,"c":["x",null,{"a":true}]},"b":[1.5,-2.0]}"#)
        #expect(String(decoding: try RecordJSONEncoder.encode([Nothing()]), as: UTF8.self) == "[{}]")
    }

    struct LateWrite: Encodable {
        enum Keys: String, CodingKey { case a, b }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
            try container.encode(1, forKey: .b)
            try inner.encode(2, forKey: .b)  // into a container that has ended
        }
    }

    struct UsesSuper: Encodable {
        enum Keys: String, CodingKey { case a }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(1, forKey: .a)
            try "x".encode(to: container.superEncoder())
        }
    }

    struct TwoValues: Encodable {
        func encode(to encoder: any Encoder) throws {
            var single = encoder.singleValueContainer()
            try single.encode(1)
            try single.encode(2)
        }
    }

    @Test("patterns it does not follow throw Unsupported (the store then uses JSONEncoder)")
    func refuses() throws {
        #expect(throws: RecordJSONEncoder.Unsupported.self) { try RecordJSONEncoder.encode(LateWrite()) }
        #expect(throws: RecordJSONEncoder.Unsupported.self) { try RecordJSONEncoder.encode(UsesSuper()) }
        #expect(throws: RecordJSONEncoder.Unsupported.self) { try RecordJSONEncoder.encode(TwoValues()) }
        #expect(throws: EncodingError.self) { try RecordJSONEncoder.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try RecordJSONEncoder.encode(["k": Double.infinity]) }
    }
}

/// The hand-written transaction path writes what the `Encodable` path writes, and names every stored property.
@Suite("RecordJSONEncoder: transactions written field by field")
struct TransactionRecordJSONTests {
    @Test("every transaction record is the same JSON value by hand as through Encodable, and reads back")
    func sameAsEncodable() throws {
        let (_, decoder) = RecordJSONEncoderTests.storeCoders()
        let transactions = RecordJSONEncoderTests.records().filter {
            if case .transaction = $0 { true } else { false }
        }
        #expect(transactions.count == 18)
        for record in transactions {
            let byHand = try RecordJSONEncoder.encode(record)
            let generic = try RecordJSONEncoder.encode(encodable: record)
            #expect(try decoder.decode(StoredRecord.self, from: Data(byHand)) == record)
            let ours = try JSONSerialization.jsonObject(with: Data(byHand)) as? NSDictionary
            let theirs = try JSONSerialization.jsonObject(with: Data(generic)) as? NSDictionary
            #expect(ours != nil)
            #expect(ours == theirs)
        }
    }

    /// When a stored property is added to one of these types, the hand-written path must learn it: this test fails
    /// until the counts here (and `JSONByteWriter.writeTransactionRecord`) are updated.
    @Test("the hand-written path knows every stored property of Transaction and Provenance")
    func knowsEveryProperty() throws {
        let provenance = Provenance.cdr(
            .init(holderBrandID: "b", arrangementID: "a", version: 1, interactionID: "i"), fetchedAt: Date())
        let transaction = Transaction(
            id: "t", accountID: AccountKey(rawValue: "a"), status: .posted, description: "d", amount: 1, date: Date(),
            reference: "r", merchantName: "m", merchantCategoryCode: "c", provenance: provenance)
        let names = { (value: Any) in Mirror(reflecting: value).children.compactMap(\.label) }
        #expect(
            names(transaction) == [
                "id", "accountID", "status", "description", "amount", "currency", "date", "reference", "merchantName",
                "merchantCategoryCode", "provenance",
            ])
        #expect(names(provenance) == ["method", "cdr", "ddc", "fetchedAt"])
        #expect(names(try #require(provenance.cdr)) == ["holderBrandID", "arrangementID", "version", "interactionID"])
        #expect(
            names(Provenance.DDC(providerID: "p", connectionID: "c", jobID: "j")) == [
                "providerID", "connectionID", "jobID",
            ])
        for value in [AccountKey(rawValue: "a"), Transaction.Status.posted, AccessMethod.cdr] as [Any] {
            #expect(names(value) == ["rawValue"])
        }
        // Every key the Encodable path writes for a transaction with every optional set is one the hand-written
        // path writes too.
        let byHand = try JSONSerialization.jsonObject(with: Data(RecordJSONEncoder.encode(.transaction(transaction))))
        let generic = try JSONSerialization.jsonObject(
            with: Data(RecordJSONEncoder.encode(encodable: StoredRecord.transaction(transaction))))
        #expect((byHand as? NSDictionary) == (generic as? NSDictionary))
    }
}
