import CDRAccountData
import Testing

@Suite("Account identity across sources")
struct AccountIdentityTests {
    @Test("BSB and number match an account across sources, whatever the names")
    func bsbAndNumber() async {
        let registry = AccountIdentityRegistry()
        let cdr = await registry.identify(
            .init(bsb: "062-000", accountNumber: "1234 5678", maskedNumber: "xxxx5678", displayName: "Everyday"),
            method: .cdr, sourceAccountID: "cdr-1")
        let ddc = await registry.identify(
            .init(bsb: "062000", accountNumber: "12345678", displayName: "EVERYDAY ACCOUNT"), method: .ddc,
            sourceAccountID: "ddc-9")
        #expect(cdr == ddc)
        #expect(await registry.sourceAccountID(for: cdr, method: .ddc) == "ddc-9")
        #expect(await registry.sourceAccountID(for: cdr, method: .cdr) == "cdr-1")
    }

    @Test("masked number's last digits and the name match when no BSB is disclosed")
    func maskedAndName() async {
        let registry = AccountIdentityRegistry()
        let cdr = await registry.identify(
            .init(maskedNumber: "xxxx xxxx xxxx 4321", displayName: "Platinum Card", category: .creditAndChargeCards),
            method: .cdr, sourceAccountID: "cdr-card")
        let ddc = await registry.identify(
            .init(accountNumber: "5500 0000 0000 4321", displayName: "platinum  card"), method: .ddc,
            sourceAccountID: "ddc-card")
        #expect(cdr == ddc)
    }

    @Test("same last digits but another name, or another category, is another account")
    func noFalseMatch() async {
        let registry = AccountIdentityRegistry()
        let card = await registry.identify(
            .init(maskedNumber: "xxxx 4321", displayName: "Platinum Card", category: .creditAndChargeCards),
            method: .cdr, sourceAccountID: "a")
        let other = await registry.identify(
            .init(maskedNumber: "xxxx 4321", displayName: "Home Loan"), method: .ddc, sourceAccountID: "b")
        let otherCategory = await registry.identify(
            .init(maskedNumber: "xxxx 4321", displayName: "Platinum Card", category: .personalLoans),
            method: .ddc, sourceAccountID: "c")
        #expect(card != other)
        #expect(card != otherCategory)
    }

    @Test("two accounts of one source never merge, and a source's id keeps its key")
    func oneSourceNeverMerges() async {
        let registry = AccountIdentityRegistry()
        let first = await registry.identify(
            .init(maskedNumber: "xxxx 1111", displayName: "Savings"), method: .cdr, sourceAccountID: "s1")
        let second = await registry.identify(
            .init(maskedNumber: "xxxx 1111", displayName: "Savings"), method: .cdr, sourceAccountID: "s2")
        #expect(first != second)
        let again = await registry.identify(
            .init(maskedNumber: "xxxx 1111", displayName: "Renamed"), method: .cdr, sourceAccountID: "s1")
        #expect(again == first)
        #expect(await registry.key(forSourceID: "s2", method: .cdr) == second)
    }
}
