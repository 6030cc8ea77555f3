import CDRModels
import Foundation
import Testing

@Suite("CDS field types")
struct FieldTypeTests {
    @Test(arguments: [
        ("0.01", 1, -2), ("10.00", 1000, -2), ("1234567.89", 123_456_789, -2), ("-1001.23", -100_123, -2),
        ("1.999", 1999, -3), ("0.00", 0, 0), ("-0.015", -15, -3), ("1234567890123456.00", 1_234_567_890_123_456, 0),
    ])
    func validAmounts(_ text: String, _ significand: Int, _ exponent: Int) throws {
        let amount = try #require(CDRAmount(rawValue: text))
        #expect(amount.rawValue == text)
        #expect(amount.decimalValue == Decimal(significand) * pow(Decimal(10), exponent + 16) / pow(Decimal(10), 16))
        #expect(amount.isNegative == (significand < 0))
    }

    @Test(arguments: [
        "", "1", "1.0", "12.3", "1,000.00", "$10.00", "10.00 ", " 10.00", "+10.00", "1e3", "--1.00", "1.", ".50",
        "12345678901234567.00", "10.0a", "NaN", "1.00.00",
    ])
    func invalidAmounts(_ text: String) {
        #expect(CDRAmount(rawValue: text) == nil)
    }

    @Test func amountFromDecimalHasTwoFractionDigits() throws {
        #expect(try #require(CDRAmount(Decimal(string: "12.5")!)).rawValue == "12.50")
        #expect(try #require(CDRAmount(Decimal(100))).rawValue == "100.00")
        #expect(try #require(CDRAmount(Decimal(string: "-0.125")!)).rawValue == "-0.125")
        #expect(try #require(CDRAmount(Decimal(string: "-3")!)).isNegative)
        // Nothing is rounded: a value that needs more than 16 fractional digits is refused.
        #expect(CDRAmount(Decimal(string: "0.12345678901234567")!) == nil)
        #expect(CDRRate(Decimal(string: "0.12345678901234567")!) == nil)
        #expect(CDRRate(Decimal(string: "0.0525")!)?.rawValue == "0.0525")
        #expect(CDRAmount(rawValue: "-0.00")?.isNegative == false)
    }

    @Test(arguments: ["0.05", "-0.05", "12.3456789", "-99.123456789123", "1", "0", "1.0"])
    func validRates(_ text: String) {
        #expect(CDRRate(rawValue: text)?.rawValue == text)
    }

    @Test(arguments: ["", "5%", "0,05", "1.", ".5", "0.12345678901234567", "1e-2", "+0.5"])
    func invalidRates(_ text: String) {
        #expect(CDRRate(rawValue: text) == nil)
    }

    @Test func currencies() {
        #expect(CDRCurrency(rawValue: "AUD") == .aud)
        #expect(CDRCurrency(rawValue: "aud") == nil)
        #expect(CDRCurrency(rawValue: "AUDD") == nil)
        #expect(CDRCurrency(rawValue: "A1D") == nil)
    }

    @Test(arguments: [
        ("2007-05-01T15:43:00.12345Z", 1_178_034_180.12345),
        ("2012-12-25T15:43:00-08:00", 1_356_478_980),
        ("1997-01-12T15:43:00.121Z", 853_083_780.121),
        ("2026-11-20T09:15:00+10:00", 1_795_130_100),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("1970-01-01T00:00:00Z", 0),
        ("2016-12-31T23:59:60Z", 1_483_228_800),
    ])
    func dateTimes(_ text: String, _ epoch: Double) throws {
        let value = try #require(CDRDateTime(rawValue: text))
        #expect(abs(value.date.timeIntervalSince1970 - epoch) < 0.000_01)
        #expect(value.rawValue == text)
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-20T24:00:00Z",
        "2026-11-20T10:00:00", "2026-11-20 10:00:00Z", "20/11/2026", "2026-11-20", "2026-11-20T10:00Z",
        "2026-11-20T10:00:00.Z", "2026-11-20T10:00:00+1000", "2026-11-20T10:00:00Zjunk", "",
    ])
    func invalidDateTimes(_ text: String) {
        #expect(CDRDateTime(rawValue: text) == nil)
    }

    @Test func dateTimeFromDateIsWholeSecondsUTC() throws {
        let value = try #require(CDRDateTime(Date(timeIntervalSince1970: 1_795_130_100.75)))
        #expect(value.rawValue == "2026-11-19T23:15:00Z")
        #expect(value.date.timeIntervalSince1970 == 1_795_130_100)
        #expect(CDRDateTime(Date(timeIntervalSince1970: -62_135_596_800))?.rawValue == "0001-01-01T00:00:00Z")
        #expect(CDRDateTime(Date(timeIntervalSince1970: 1e12)) == nil)
        #expect(CDRDateTime(Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(CDRDateTime(rawValue: "0000-01-01T00:00:00Z") == nil)
    }

    @Test func dates() throws {
        let date = try #require(CDRDate(rawValue: "2024-02-29"))
        #expect((date.year, date.month, date.day) == (2024, 2, 29))
        #expect(date.startOfDayUTC.timeIntervalSince1970 == 1_709_164_800)
        #expect(CDRDate(rawValue: "2023-02-29") == nil)
        #expect(CDRDate(rawValue: "2024-2-9") == nil)
        #expect(CDRDate(rawValue: "2024-02-29T00:00:00Z") == nil)
        #expect(CDRDate(year: 2026, month: 1, day: 5)?.rawValue == "2026-01-05")
        let later = try #require(CDRDate(rawValue: "2026-01-05"))
        #expect(date < later)
        #expect(!(later < date))
    }

    @Test func durations() throws {
        let month = try #require(CDRDuration(rawValue: "P1M"))
        #expect(month.months == 1 && month.minutes == 0 && month.fixedTimeInterval == nil)
        let minutes = try #require(CDRDuration(rawValue: "PT1M"))
        #expect(minutes.minutes == 1 && minutes.months == 0 && minutes.fixedTimeInterval == 60)
        let mixed = try #require(CDRDuration(rawValue: "P1Y2M3DT4H5M6.5S"))
        #expect(mixed.years == 1 && mixed.months == 2 && mixed.days == 3)
        #expect(mixed.hours == 4 && mixed.minutes == 5 && mixed.seconds == 6.5)
        #expect(CDRDuration(rawValue: "P2W")?.fixedTimeInterval == TimeInterval(14 * 86_400))
        #expect(CDRDuration(rawValue: "P999999999D")?.fixedTimeInterval == TimeInterval(999_999_999) * 86_400)
        // Oversized parts are rejected, never a crash.
        for bad in [
            "", "P", "PT", "1M", "P1", "P1MT", "PM", "P1D1M", "PT1H1H", "P1.5D", "P-1D", "PT1S2M", "PT1.S", "P1DT",
            "P99999999999999999999D", "PT99999999999999999999H", "P1234567890Y",
        ] {
            #expect(CDRDuration(rawValue: bad) == nil, "\(bad) should be rejected")
        }
    }

    @Test func extensibleEnumKeepsUnknownValues() throws {
        let json = Data(#"["OPEN","CLOSED","DORMANT"]"#.utf8)
        let statuses = try JSONDecoder().decode([BankingAccountOpenStatus].self, from: json)
        #expect(statuses[0] == .open && statuses[0].isKnown)
        #expect(statuses[2].rawValue == "DORMANT" && !statuses[2].isKnown)
        #expect(try JSONEncoder().encode(statuses) == json)
    }

    @Test func productCategoryKnowsBothVersions() {
        // BUY_NOW_PAY_LATER arrived with BankingProductCategoryV2 (standard 1.35.0); one type serves both versions.
        #expect(BankingProductCategory.buyNowPayLater.isKnown)
        #expect(BankingProductCategory.transAndSavingsAccounts.isKnown)
    }

    @Test func identifiersAreDistinctTypes() throws {
        let account: BankingAccountId = "acc-1"
        let json = try JSONEncoder().encode(account)
        #expect(String(decoding: json, as: UTF8.self) == #""acc-1""#)
        #expect(try JSONDecoder().decode(BankingAccountId.self, from: json) == account)
    }
}

@Suite("Register shapes")
struct RegisterShapeTests {
    @Test func softwareStatementClaimsUseTheWireNames() throws {
        let json = """
            {"iss":"cdr-register","iat":1795130100,"exp":1795130700,"jti":"j-1","org_id":"brand-1","org_name":"Budget Co",
             "client_name":"Budget App","client_description":"Budgeting","client_uri":"https://budget.example",
             "redirect_uris":["https://budget.example/cb"],"logo_uri":"https://budget.example/logo.png",
             "jwks_uri":"https://budget.example/jwks","recipient_base_uri":"https://budget.example",
             "software_id":"sp-1","software_roles":"data-recipient-software-product",
             "scope":"openid profile bank:accounts.basic:read bank:transactions:read"}
            """
        let claims = try JSONDecoder().decode(SoftwareStatementClaims.self, from: Data(json.utf8))
        #expect(claims.orgId == "brand-1" && claims.softwareId == "sp-1")
        #expect(claims.scopes.contains("bank:transactions:read"))
        #expect(claims.recipientBaseUri == "https://budget.example")
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(claims))
        #expect(again == (try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))))
    }
}

@Suite("Standard error codes")
struct ErrorCodeTests {
    @Test func standardCodePrefersMetaURN() throws {
        let json = """
            {"errors":[
              {"code":"acme:JointElectionRemoved","title":"t","detail":"d",
               "meta":{"urn":"urn:au-cds:error:cds-banking:Authorisation/UnavailableBankingAccount"}},
              {"code":"urn:au-cds:error:cdr-all:Header/UnsupportedVersion","title":"t","detail":"d"},
              {"code":"urn:au-cds:error:cds-all:Field/SomethingNew","title":"t","detail":"d"},
              {"code":"acme:Other","title":"t","detail":"d"}
            ]}
            """
        let list = try JSONDecoder().decode(ResponseErrorListV2.self, from: Data(json.utf8))
        #expect(list.standardCodes.count == 3)
        #expect(list.errors[0].standardCode == .unavailableBankingAccount)
        #expect(list.errors[1].standardCode == .unsupportedVersion)
        let new = try #require(list.errors[2].standardCode)
        #expect(!new.isKnown && new.category == "Field" && new.code == "SomethingNew" && new.subType == "cds-all")
        #expect(list.errors[3].standardCode == nil)
        #expect(CDSErrorCode.knownValues.count == Set(CDSErrorCode.knownValues).count)
    }
}
