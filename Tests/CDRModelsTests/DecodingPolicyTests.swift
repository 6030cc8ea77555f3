import CDRModels
import Foundation
import Testing

@Suite("Lenient and strict decoding")
struct DecodingPolicyTests {
    static func account(_ id: String, openStatus: String = "OPEN", extra: String = "") -> String {
        """
        {"accountId":"\(id)","displayName":"Everyday \(id)","openStatus":"\(openStatus)","accountOwnership":"ONE_PARTY",\
        "maskedNumber":"xxxx 1234","productCategory":"TRANS_AND_SAVINGS_ACCOUNTS","productName":"Everyday"\(extra)}
        """
    }

    static func page(_ accounts: [String]) -> Data {
        Data(
            """
            {"data":{"accounts":[\(accounts.joined(separator: ","))]},
             "links":{"self":"https://dh.example/cds-au/v1/banking/accounts?page=1"},
             "meta":{"totalRecords":\(accounts.count),"totalPages":1}}
            """.utf8
        )
    }

    @Test func lenientLeavesOutOnlyTheRecordWhoseIdentityIsUnusable() throws {
        let body = Self.page([
            Self.account("a1"),
            #"{"accountId":"a2","displayName":"No category","accountOwnership":"ONE_PARTY","maskedNumber":"x","productName":"p"}"#,
            Self.account("a3", extra: #","isOwned":"yes""#),
            #"{"displayName":"No id","accountOwnership":"ONE_PARTY","maskedNumber":"x","productCategory":"OTHER","productName":"p"}"#,
            Self.account("a5"),
        ])
        let result = try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: body)
        // The account without its id goes; the one without a category and the one with an odd flag stay.
        #expect(result.value.data.accounts.map(\.accountId.rawValue) == ["a1", "a2", "a3", "a5"])
        #expect(result.diagnostics.map(\.elementPath) == ["data.accounts[1]", "data.accounts[2]", "data.accounts[3]"])
        #expect(result.diagnostics.map(\.index) == [1, 2, 3])
        #expect(result.diagnostics.map(\.outcome) == [.valueLeftOut, .valueLeftOut, .recordLeftOut])
        #expect(result.diagnostics[0].quirk == .missingRequiredField)
        #expect(result.diagnostics[0].fieldPath == "data.accounts[1].productCategory")
        #expect(result.diagnostics[1].quirk == .unusableValue && result.diagnostics[1].reason == .typeMismatch)
        #expect(result.diagnostics[1].fieldPath == "data.accounts[2].isOwned")
        #expect(result.diagnostics[2].quirk == .missingRequiredField)
        #expect(result.diagnostics[2].fieldPath == "data.accounts[3].accountId")
        let noCategory = result.value.data.accounts[1]
        #expect(noCategory.isMissing(\.productCategory) && !noCategory.isMissing(\.displayName))
        #expect(noCategory.missingFields == ["productCategory"])
        #expect(result.value.data.accounts[2].isOwned == nil && result.value.data.accounts[2].missingFields.isEmpty)
    }

    @Test func strictRejectsThePage() throws {
        let body = Self.page([Self.account("a1"), Self.account("a2", extra: #","isOwned":"yes""#)])
        let error = try #require(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingAccountListV3.self, from: body)
        }
        #expect(error.code == .typeMismatch)
        #expect(error.path == "data.accounts[1].isOwned")
    }

    @Test func plainJSONDecoderIsStrict() {
        let body = Self.page([Self.account("a1"), Self.account("a2", extra: #","isOwned":"yes""#)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ResponseBankingAccountListV3.self, from: body)
        }
    }

    @Test func envelopeFaultFailsEvenWhenLenient() {
        let body = Data(#"{"data":{"accounts":[]},"links":{},"meta":{"totalRecords":0,"totalPages":0}}"#.utf8)
        let error = #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: body)
        }
        #expect(error?.code == .missingField)
        #expect(error?.path == "links.self")
    }

    @Test func notJSON() {
        let error = #expect(throws: PayloadDecodingError.self) {
            try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: Data("<html>".utf8))
        }
        #expect(error?.code == .notJSON)
    }

    @Test func malformedAmountIsNamedWithoutItsValue() throws {
        let transaction = """
            {"accountId":"a1","isDetailAvailable":false,"type":"PAYMENT","status":"PENDING","description":"Coffee",\
            "amount":"SECRET-4.5","reference":""}
            """
        let body = Data(
            """
            {"data":{"transactions":[\(transaction)]},"links":{"self":"https://dh.example/x"},
             "meta":{"totalRecords":1,"totalPages":1}}
            """.utf8
        )
        let result = try CDRDecoder().decode(ResponseBankingTransactionListV2.self, from: body)
        // An unusable amount costs the transaction: its money cannot be read.
        #expect(result.value.data.transactions.isEmpty)
        let diagnostic = try #require(result.diagnostics.first)
        #expect(diagnostic.reason == .invalidValue && diagnostic.outcome == .recordLeftOut)
        #expect(diagnostic.fieldPath == "data.transactions[0].amount")
        #expect(!diagnostic.description.contains("SECRET"))
        let error = try #require(throws: PayloadDecodingError.self) {
            try CDRDecoder(mode: .strict).decode(ResponseBankingTransactionListV2.self, from: body)
        }
        #expect(!error.description.contains("SECRET"))
        #expect(error.message.contains("AmountString"))
    }

    @Test func innerDiagnosticsGoWithTheirDroppedElement() throws {
        // Payment-set entry 0 has a tolerated quirk, then an unusable amount: the entry is left out and only its
        // diagnostic remains. Payment 0's recurrence lacks the member its UType names: that costs the recurrence's
        // variant, not the payment.
        func payment(_ id: String, recurrence: String) -> String {
            """
            {"scheduledPaymentId":"\(id)","payerReference":"r","status":"ACTIVE","from":{"accountId":"a1"},
             "paymentSet":[{"to":{"toUType":"payeeId","payeeId":"p1"},"isAmountCalculated":"yes","amount":"bad"},
                           {"to":{"toUType":"payeeId","payeeId":"p2"},"amount":"5.00"}],
             "recurrence":\(recurrence)}
            """
        }
        let body = """
            {"data":{"scheduledPayments":[
              \(payment("s0", recurrence: #"{"recurrenceUType":"onceOff"}"#)),
              \(payment("s1", recurrence: #"{"recurrenceUType":"onceOff","onceOff":{"paymentDate":"2026-12-01"}}"#))
            ]},"links":{"self":"https://dh.example/s"},"meta":{"totalRecords":2,"totalPages":1}}
            """
        let result = try CDRDecoder().decode(ResponseBankingScheduledPaymentsListV2.self, from: Data(body.utf8))
        #expect(
            result.diagnostics.map(\.fieldPath) == [
                "data.scheduledPayments[0].paymentSet[0].amount", "data.scheduledPayments[0].recurrence.onceOff",
                "data.scheduledPayments[1].paymentSet[0].amount",
            ])
        #expect(result.diagnostics.map(\.outcome) == [.recordLeftOut, .valueLeftOut, .recordLeftOut])
        #expect(result.value.data.scheduledPayments.map(\.scheduledPaymentId) == ["s0", "s1"])
        #expect(result.value.data.scheduledPayments.allSatisfy { $0.paymentSet.count == 1 })
        #expect(result.value.data.scheduledPayments[0].recurrence.isMissing(\.recurrence))
    }

    @Test func unknownUnionVariantRoundTrips() throws {
        let json = """
            {"nickname":"Rent","toUType":"crypto","crypto":{"wallet":"w-1","chain":["a",1,true,null,2.5],
             "big":12345678901234567890,"precise":123456789.123456789123}}
            """
        let value = try JSONDecoder().decode(BankingScheduledPaymentToV2.self, from: Data(json.utf8))
        guard case .unknown(let variant) = value.to else {
            Issue.record("expected an unknown variant")
            return
        }
        #expect(variant.type == "crypto" && value.to.uType == "crypto")
        let again = try JSONEncoder().encode(value)
        #expect(
            try JSONDecoder().decode(JSONValue.self, from: again)
                == JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)))
        // Numbers in an unknown payload never pass through Double.
        let text = String(decoding: again, as: UTF8.self)
        #expect(text.contains("12345678901234567890") && text.contains("123456789.123456789123"))
    }

    @Test func knownUnionVariantNeedsItsMember() throws {
        let json = #"{"toUType":"domestic"}"#
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(BankingScheduledPaymentToV2.self, from: Data(json.utf8))
        }
        guard case .keyNotFound(let key, _)? = error else {
            Issue.record("expected keyNotFound, got \(String(describing: error))")
            return
        }
        #expect(key.stringValue == "domestic")
        let ok = try JSONDecoder().decode(
            BankingScheduledPaymentToV2.self, from: Data(#"{"toUType":"payeeId","payeeId":"p-9"}"#.utf8))
        #expect(ok.to == .payeeId("p-9"))
    }

    @Test func paginatedResponsesExposeTheirRecords() throws {
        let result = try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: Self.page([Self.account("a1")]))
        #expect(result.value.records.map(\.accountId) == ["a1"])
        #expect(result.value.totalRecords == 1 && result.value.totalPages == 1)
        #expect(result.value.links.selfLink.hasSuffix("page=1"))
    }

    @Test func catalogueCoversEveryOperation() {
        // 19 banking and 4 common operations in v1.36.0, plus 9 previous versions still live.
        #expect(CDSOperation.all.count == 32)
        #expect(Set(CDSOperation.all.map(\.id)).count == 23)
        #expect(CDSOperation.versions(of: "listBankingAccounts") == [3, 2])
        #expect(CDSOperation.versions(of: "getBankingProductDetail") == [7, 6])
        #expect(
            CDSOperation.named("listBankingAccounts", version: 3)?.responseType == ResponseBankingAccountListV3.self)
        #expect(CDSOperation.named("listBankingProducts", version: 5)?.isAuthenticated == false)
        #expect(
            CDSOperation.named("listBankingBalancesSpecificAccounts", version: 1)?.requestType
                == RequestAccountIdListV1.self)
    }

    @Test func catalogueCarriesTheScopesOfEachOperation() {
        #expect(CDSOperation.listBankingAccountsV3.scopes == ["bank:accounts.basic:read"])
        #expect(CDSOperation.listBankingTransactionsV2.scopes == ["bank:transactions:read"])
        #expect(CDSOperation.getCustomerDetailV2.scopes == ["common:customer.detail:read"])
        // Products, status and outages are the only public operations: 2 + 2 product versions, status and outages.
        let publicOperations = CDSOperation.all.filter { !$0.isAuthenticated }.map(\.id)
        #expect(Set(publicOperations) == ["listBankingProducts", "getBankingProductDetail", "getStatus", "getOutages"])
        #expect(publicOperations.count == 6)
    }
}
