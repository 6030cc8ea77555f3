import CDRModels
import Foundation
import Testing

/// The faults real holders' data shows, each costing a field at most, never the record (see `CDRDecoder`).
@Suite("Tolerance by field: a quirk never loses a record")
struct FieldToleranceTests {
    /// A contract fixture as a JSON value, to edit one field at a time.
    static func fixture(_ path: String) throws -> JSONValue {
        let url = Fixture.specsDirectory.appendingPathComponent("fixtures").appendingPathComponent(path)
        return try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
    }

    static func body(_ value: JSONValue) throws -> Data { try JSONEncoder().encode(value) }

    static func transactionPage(_ fields: String, type: String = "PAYMENT", status: String = "POSTED") -> Data {
        Data(
            """
            {"data":{"transactions":[{"accountId":"a1","isDetailAvailable":false,"type":"\(type)",\
            "status":"\(status)","description":"Coffee","reference":"","postingDateTime":"2026-11-20T09:00:00Z",\
            \(fields)}]},"links":{"self":"https://dh.example/t"},"meta":{"totalRecords":1,"totalPages":1}}
            """.utf8)
    }

    @Test func dateTimesInDateFieldsKeepEveryAccountAndTheirDates() throws {
        var page = try Self.fixture("banking/listBankingAccounts/v3/full.json")
        for index in 0..<3 {
            page = page.replacing([
                "data.accounts[\(index)].creationDate": .string("2025-03-0\(index + 1)T23:30:00-05:00")
            ])
        }
        let result = try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: Self.body(page))
        let accounts = result.value.data.accounts
        #expect(accounts.count == 3)
        // The date as written, before the offset is applied; the text kept exactly.
        #expect(
            accounts.map { $0.creationDate.map { [$0.year, $0.month, $0.day] } } == [
                [2025, 3, 1], [2025, 3, 2], [2025, 3, 3],
            ])
        #expect(accounts[0].creationDate?.rawValue == "2025-03-01T23:30:00-05:00")
        #expect(result.diagnostics.map(\.quirk) == Array(repeating: .dateTimeInDateField, count: 3))
        #expect(result.diagnostics.map(\.outcome) == Array(repeating: .valueRepaired, count: 3))
        #expect(result.diagnostics.map(\.fieldPath) == (0..<3).map { "data.accounts[\($0)].creationDate" })
        #expect(result.diagnostics.map(\.elementPath) == (0..<3).map { "data.accounts[\($0)]" })
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingAccountListV3.self, from: Self.body(page))
        }
        // The account detail no longer fails outright.
        let detail = try Self.fixture("banking/getBankingAccountDetail/v5/full.json")
            .replacing(["data.creationDate": .string("2025-03-01T10:00:00Z")])
        let decoded = try CDRDecoder().decode(ResponseBankingAccountByIdV5.self, from: Self.body(detail))
        #expect(decoded.value.data.creationDate?.day == 1)
        #expect(decoded.diagnostics.map(\.elementPath) == [""] && decoded.diagnostics.map(\.index) == [nil])
    }

    @Test func payeesScheduledPaymentsAndOrganisationsKeepTheirRecords() throws {
        let payees = try Self.fixture("banking/listBankingPayees/v2/full.json")
            .replacing(["data.payees[1].creationDate": .string("2024-07-14T08:00:00+10:00")])
        let payeeResult = try CDRDecoder().decode(ResponseBankingPayeeListV2.self, from: Self.body(payees))
        #expect(payeeResult.value.data.payees.count == 3)
        #expect(payeeResult.value.data.payees[1].creationDate?.rawValue == "2024-07-14T08:00:00+10:00")

        var payments = try Self.fixture("banking/listScheduledPayments/v2/full.json")
        let paymentCount = try #require(payments.value(at: "data.scheduledPayments")?.arrayCount)
        for index in 0..<paymentCount {
            payments = payments.replacing([
                "data.scheduledPayments[\(index)].recurrence.nextPaymentDate": .string(
                    "2026-12-0\(index + 1)T00:00:00Z")
            ])
        }
        let paymentResult = try CDRDecoder().decode(
            ResponseBankingScheduledPaymentsListV2.self, from: Self.body(payments))
        #expect(paymentResult.value.data.scheduledPayments.count == paymentCount)
        #expect(
            paymentResult.value.data.scheduledPayments.map { $0.recurrence.nextPaymentDate?.day }
                == (0..<paymentCount).map { $0 + 1 })

        let customer = try Self.fixture("common/getCustomer/v1/full.json")
        #expect(customer.value(at: "data.organisation.establishmentDate") != nil)
        let odd = customer.replacing(["data.organisation.establishmentDate": .string("1998-05-20T00:00:00+10:00")])
        let customerResult = try CDRDecoder().decode(ResponseCommonCustomer.self, from: Self.body(odd))
        #expect(customerResult.diagnostics.map(\.fieldPath) == ["data.organisation.establishmentDate"])
        guard case .organisation(let organisation) = customerResult.value.data.customer else {
            Issue.record("the organisation was not kept")
            return
        }
        #expect(organisation.establishmentDate?.year == 1998)
    }

    @Test func fieldsLaterVersionsMadeMandatoryAreMissingNotFatal() throws {
        let product = try Self.fixture("banking/getBankingProductDetail/v7/full.json")
            .removing(paths: [
                "data.cardArt[0].cardScheme", "data.depositRates[0].applicationType",
                "data.lendingRates[1].applicationType", "data.fees[0].feeMethodUType",
            ])
        let result = try CDRDecoder().decode(ResponseBankingProductByIdV7.self, from: Self.body(product))
        let detail = result.value.data
        #expect(detail.cardArt?.count == 2 && detail.fees?.count == 2)
        #expect(detail.depositRates?.count == 2 && detail.lendingRates?.count == 2)
        let art = try #require(detail.cardArt?.first)
        #expect(art.isMissing(\.cardScheme) && !art.isMissing(\.cardType) && art.missingFields == ["cardScheme"])
        #expect(detail.depositRates?[0].isMissing(\.applicationType) == true)
        #expect(detail.depositRates?[1].isMissing(\.applicationType) == false)
        #expect(detail.lendingRates?[1].isMissing(\.applicationType) == true)
        let fee = try #require(detail.fees?.first)
        #expect(fee.isMissing(\.feeMethod) && fee.feeMethod.uType == "")
        #expect(
            result.diagnostics.map(\.fieldPath) == [
                "data.cardArt[0].cardScheme", "data.fees[0].feeMethodUType", "data.depositRates[0].applicationType",
                "data.lendingRates[1].applicationType",
            ])
        #expect(result.diagnostics.allSatisfy { $0.quirk == .missingRequiredField && $0.outcome == .valueLeftOut })
        // What was missing stays missing when written again; everything else is as sent.
        let written = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(result.value))
        #expect(written.value(at: "data.cardArt[0].cardScheme") == nil)
        #expect(written.value(at: "data.cardArt[0].cardType") == product.value(at: "data.cardArt[0].cardType"))
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingProductByIdV7.self, from: Self.body(product))
        }
    }

    @Test(arguments: [
        (#""amount":"+12.00""#, "12.00", DataQuirk.amountLeadingPlus),
        (#""amount":"-12""#, "-12.00", .amountMissingDecimals),
        (#""amount":"12.3""#, "12.30", .amountMissingDecimals),
        (#""amount":"12.500""#, "12.50", .amountExcessDecimals),
        (#""amount":"0.1250""#, "0.125", .amountExcessDecimals),
        (#""amount":12.5"#, "12.50", .numberForString),
    ])
    func nearMissAmountsAreWrittenInTheStandardsForm(field: String, amount: String, quirk: DataQuirk) throws {
        let body = Self.transactionPage(field)
        let result = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: body)
        #expect(result.value.data.transactions.map(\.amount.rawValue) == [amount])
        #expect(result.diagnostics.map(\.quirk) == [quirk])
        #expect(result.diagnostics.map(\.outcome) == [.valueRepaired])
        #expect(result.diagnostics.map(\.fieldPath) == ["data.transactions[0].amount"])
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingTransactionListV2.self, from: body)
        }
    }

    @Test func anAmountWithTwoQuirksYieldsBothAndStrictNeedsBothExpected() throws {
        let body = Self.transactionPage(#""amount":"+1.500""#)
        let result = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: body)
        #expect(result.value.data.transactions.map(\.amount.rawValue) == ["1.50"])
        #expect(result.diagnostics.map(\.quirk) == [.amountLeadingPlus, .amountExcessDecimals])
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict, expectedQuirks: [.amountLeadingPlus]).decode(
                ResponseBankingTransactionListV2.self, from: body)
        }
        let both = CDRDecoder(mode: .strict, expectedQuirks: [.amountLeadingPlus, .amountExcessDecimals])
        #expect(try both.decode(ResponseBankingTransactionListV2.self, from: body).value.data.transactions.count == 1)
    }

    @Test(arguments: [
        #""amount":"+-1.00""#, #""amount":"1e5""#, #""amount":"1,000.00""#, #""amount":".5""#, #""amount":"  ""#,
        #""amount":12345678901234567.5"#,
    ])
    func unusableAmountsCostTheirRecordWithoutTrapping(field: String) throws {
        let result = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: Self.transactionPage(field))
        #expect(result.value.data.transactions.isEmpty)
        #expect(result.diagnostics.map(\.outcome) == [.recordLeftOut])
    }

    @Test func aVeryLongAmountIsRefusedQuickly() throws {
        let field = #""amount":"1.5"# + String(repeating: "0", count: 1_000_000) + #"""#
        let result = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: Self.transactionPage(field))
        #expect(result.value.data.transactions.isEmpty)
    }

    @Test func aUnionWhoseMemberIsAbsentCostsTheUnionNotTheRecord() throws {
        let detail = try Self.fixture("banking/getBankingAccountDetail/v5/full.json")
        let union = try #require(detail.value(at: "data.specificAccountUType")?.stringValue)
        let broken = detail.removing(paths: ["data.\(union)"])
        let result = try CDRDecoder().decode(ResponseBankingAccountByIdV5.self, from: Self.body(broken))
        #expect(result.value.data.specificAccount == nil)
        #expect(result.diagnostics.map(\.fieldPath) == ["data.\(union)"])
        #expect(result.diagnostics.map(\.quirk) == [.missingRequiredField])
        let fees = try Self.fixture("banking/getBankingProductDetail/v7/full.json")
        let method = try #require(fees.value(at: "data.fees[0].feeMethodUType")?.stringValue)
        let noMember = fees.removing(paths: ["data.fees[0].\(method)"])
        let product = try CDRDecoder().decode(ResponseBankingProductByIdV7.self, from: Self.body(noMember))
        let fee = try #require(product.value.data.fees?.first)
        #expect(fee.isMissing(\.feeMethod) && product.value.data.fees?.count == 2)
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingProductByIdV7.self, from: Self.body(noMember))
        }
    }

    @Test func otherQuirksAreRepairedOrLeftOutOnePerOccurrence() throws {
        let body = Self.transactionPage(
            #""amount":"-4.50","valueDateTime":"2026-11-19","merchantName":4321,"executionDateTime":"","crn":"""#,
            type: "payment", status: " posted")
        let result = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: body)
        let transaction = try #require(result.value.data.transactions.first)
        #expect(transaction.status == .posted && transaction.type == .payment)
        #expect(transaction.merchantName == "4321")
        #expect(transaction.valueDateTime?.rawValue == "2026-11-19")
        #expect(transaction.valueDateTime?.date == Date(timeIntervalSince1970: 1_795_046_400))
        #expect(transaction.executionDateTime == nil)
        #expect(transaction.crn == "")  // an empty text is a text: kept as sent
        #expect(
            result.diagnostics.map { "\($0.fieldPath) \($0.quirk) \($0.outcome)" } == [
                "data.transactions[0].type enumVariant valueRepaired",
                "data.transactions[0].status enumVariant valueRepaired",
                "data.transactions[0].valueDateTime dateInDateTimeField valueRepaired",
                "data.transactions[0].executionDateTime emptyString valueLeftOut",
                "data.transactions[0].merchantName numberForString valueRepaired",
            ])
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingTransactionListV2.self, from: body)
        }
    }

    @Test func stringsForNumbersAndBooleansAreRead() throws {
        let account = try Self.fixture("banking/getBankingAccountDetail/v5/full.json")
            .replacing(["data.isOwned": .string("TRUE")])
        let result = try CDRDecoder().decode(ResponseBankingAccountByIdV5.self, from: Self.body(account))
        #expect(result.value.data.isOwned == true)
        #expect(result.diagnostics.map(\.quirk) == [.stringForNumber])
        let page = try Self.fixture("banking/listBankingAccounts/v3/full.json")
            .replacing(["meta.totalRecords": .string("3")])
        // The envelope is not a record: its faults still fail the page.
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: Self.body(page))
        }
    }

    @Test func diagnosticsNeverQuoteTheValue() throws {
        let secret = "SECRET-2026-11-20T10:00:00Z-9f3a"
        let account = try Self.fixture("banking/getBankingAccountDetail/v5/full.json")
            .replacing(["data.creationDate": .string(secret), "data.openStatus": .string(" \(secret) ")])
        let result = try CDRDecoder().decode(ResponseBankingAccountByIdV5.self, from: Self.body(account))
        #expect(result.diagnostics.count == 1)  // an unknown enumeration value is kept, not a quirk
        for diagnostic in result.diagnostics {
            #expect(!diagnostic.description.contains("SECRET") && !diagnostic.message.contains("SECRET"))
        }
        let error = try #require(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingAccountByIdV5.self, from: Self.body(account))
        }
        #expect(!error.description.contains("SECRET"))
    }

    @Test func quirksKnownOfTheHolderAreExpectedAndStrictModeToleratesThem() throws {
        var page = try Self.fixture("banking/listBankingAccounts/v3/full.json")
            .replacing(["data.accounts[0].creationDate": .string("2025-03-01T10:00:00Z")])
        let strict = CDRDecoder(mode: .strict, expectedQuirks: [.dateTimeInDateField])
        let known = try strict.decode(ResponseBankingAccountListV3.self, from: Self.body(page))
        #expect(known.value.data.accounts[0].creationDate?.day == 1)
        #expect(known.diagnostics.map(\.isExpected) == [true])
        #expect(
            try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: Self.body(page)).diagnostics.map(
                \.isExpected) == [false])
        // Another quirk is still refused in strict mode, and so is a record left out.
        page = page.replacing(["data.accounts[1].openStatus": .string("closed")])
        let other = try #require(throws: PayloadDecodingError.self) {
            try strict.decode(ResponseBankingAccountListV3.self, from: Self.body(page))
        }
        #expect(other.path == "data.accounts[1].openStatus")
        let noID = try Self.fixture("banking/listBankingAccounts/v3/full.json").removing(paths: [
            "data.accounts[2].accountId"
        ])
        #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict, expectedQuirks: Set(DataQuirk.all)).decode(
                ResponseBankingAccountListV3.self, from: Self.body(noID))
        }
    }

    @Test func ignoredFieldsAreNotUsedButNeverAnIdentityOrAmount() throws {
        let page = try Self.fixture("banking/listBankingAccounts/v3/full.json")
        let decoder = CDRDecoder(
            ignoredFields: ["data.accounts[*].nickname", "data.accounts[*].displayName", "data.accounts[*].accountId"])
        let result = try decoder.decode(ResponseBankingAccountListV3.self, from: Self.body(page))
        let accounts = result.value.data.accounts
        #expect(accounts.count == 3 && accounts.allSatisfy { $0.nickname == nil && $0.isMissing(\.displayName) })
        #expect(
            accounts.map(\.accountId.rawValue)
                == (0..<3).compactMap { page.value(at: "data.accounts[\($0)].accountId")?.stringValue })
        #expect(result.diagnostics.count == 6)
        #expect(
            result.diagnostics.allSatisfy { $0.quirk == .ignoredField && $0.isExpected && $0.outcome == .valueLeftOut })
        #expect(result.diagnostics.map(\.fieldPattern).first == "data.accounts[*].displayName")
        // Strict mode honours the registry too.
        #expect(throws: Never.self) {
            try CDRDecoder(mode: .strict, ignoredFields: ["data.accounts[*].nickname"]).decode(
                ResponseBankingAccountListV3.self, from: Self.body(page))
        }
    }

    @Test func wellFormedPayloadsHaveNoMissingFields() throws {
        let page = try Self.fixture("banking/listBankingAccounts/v3/full.json")
        let result = try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: Self.body(page))
        #expect(result.diagnostics.isEmpty)
        #expect(result.value.data.accounts.allSatisfy { $0.missingFields.isEmpty && !$0.isMissing(\.displayName) })
    }
}

extension JSONValue {
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var arrayCount: Int? {
        if case .array(let values) = self { return values.count }
        return nil
    }
}
