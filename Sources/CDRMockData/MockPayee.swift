public import CDRModels

/// A payee a customer has saved.
///
/// Each customer has the same set of payee kinds: billers, domestic payees by account, card and PayID (email,
/// telephone and ABN), an international payee and digital wallets.
public struct MockPayee: Sendable, Hashable {
    /// The payee's identifier.
    public let id: String
    /// The ``MockCustomer/id`` of the customer who saved the payee.
    public let customerID: String
    /// The kind of payee.
    public let type: BankingPayeeType

    let seed: UInt64
    let customerIndex: Int
    let index: Int
    let referenceSeconds: Int64
    let kind: Kind

    /// The kinds of payee, in the order each customer's payees take them.
    enum Kind: Hashable, CaseIterable {
        case biller, domesticAccount, domesticCard, payIDEmail, payIDTelephone, payIDABN, international, walletEmail
        case walletTelephone, secondBiller

        var type: BankingPayeeType {
            switch self {
            case .biller, .secondBiller: .biller
            case .international: .international
            case .walletEmail, .walletTelephone: .digitalWallet
            default: .domestic
            }
        }
    }

    static let kinds = Kind.allCases

    init(seed: UInt64, customerIndex: Int, index: Int, referenceSeconds: Int64) {
        self.seed = seed
        self.customerIndex = customerIndex
        self.index = index
        self.referenceSeconds = referenceSeconds
        kind = Self.kinds[index]
        type = kind.type
        id = MockID.make(seed, .payee, customer: customerIndex, account: 0, index: index)
        customerID = "customer-\(customerIndex + 1)"
    }

    private var random: MockRandom { MockRandom(seed, .payee, customerIndex, index) }

    private var name: String {
        var random = random
        switch kind {
        case .biller, .secondBiller: return random.pick(MockWords.billers).name
        case .payIDABN: return random.pick(MockWords.businessNames)
        default: return random.pick(MockWords.firstNames) + " " + random.pick(MockWords.lastNames)
        }
    }

    private var nickname: String {
        switch kind {
        case .biller, .secondBiller: name
        case .international: name + " (UK)"
        default: String(name.split(separator: " ").first ?? "Payee")
        }
    }

    private var creationDate: CDRDate {
        var random = random
        return MockText.date(referenceSeconds - Int64(random.int(20...1500)) * 86_400)
    }

    /// The payee as Get Payees v2 lists it.
    public func v2() -> BankingPayeeV2 {
        BankingPayeeV2(
            payeeId: BankingPayeeId(rawValue: id), nickname: nickname,
            description: "Saved " + type.rawValue.lowercased() + " payee",
            type: type, creationDate: creationDate)
    }

    /// The payee with where payments to it go, as Get Payee Detail v2 returns it.
    public func detailV2() -> BankingPayeeDetailV2 {
        BankingPayeeDetailV2(
            payeeId: BankingPayeeId(rawValue: id), nickname: nickname,
            description: "Saved " + type.rawValue.lowercased() + " payee",
            type: type, creationDate: creationDate, payee: destination())
    }

    /// Where payments to the payee go.
    func destination() -> BankingPayeeDetailV2.Payee {
        var random = random
        let name = name
        let local = String(name.lowercased().map { $0 == " " ? "." : $0 })
        switch kind {
        case .biller, .secondBiller:
            let biller = MockWords.billers.first { $0.name == name } ?? MockWords.billers[0]
            return .biller(BankingBillerPayee(billerCode: biller.code, crn: random.digits(10), billerName: biller.name))
        case .domesticAccount:
            return .domestic(
                BankingDomesticPayee(
                    payeeAccount: .account(
                        BankingDomesticPayeeAccount(
                            accountName: name, bsb: "0" + random.digits(5), accountNumber: random.digits(9)))))
        case .domesticCard:
            return .domestic(
                BankingDomesticPayee(
                    payeeAccount: .card(
                        BankingDomesticPayeeCard(cardNumber: MockText.maskedCard(last4: random.digits(4))))))
        case .payIDEmail:
            return .domestic(
                BankingDomesticPayee(
                    payeeAccount: .payId(
                        BankingDomesticPayeePayId(name: name, identifier: local + "@example.org", type: .email))))
        case .payIDTelephone:
            return .domestic(
                BankingDomesticPayee(
                    payeeAccount: .payId(
                        BankingDomesticPayeePayId(name: name, identifier: "+61-4" + random.digits(8), type: .telephone))
                ))
        case .payIDABN:
            return .domestic(
                BankingDomesticPayee(
                    payeeAccount: .payId(
                        BankingDomesticPayeePayId(name: name, identifier: random.digits(11), type: .abn))))
        case .international:
            return .international(
                BankingInternationalPayee(
                    beneficiaryDetails: .init(name: name, country: "GBR", message: "Family support"),
                    bankDetails: .init(
                        country: "GBR", accountNumber: random.digits(8),
                        bankAddress: .init(name: "Thames Mutual Bank", address: "1 River Walk, London EC4A 1AA"),
                        beneficiaryBankBIC: "THMSGB2L", sortCode: random.digits(6),
                        legalEntityIdentifier: "5493001KJTIIGC8Y1R12")))
        case .walletEmail:
            return .digitalWallet(
                BankingDigitalWalletPayee(
                    name: name, identifier: local + "@example.net", type: .email, provider: .paypalAu))
        case .walletTelephone:
            return .digitalWallet(
                BankingDigitalWalletPayee(
                    name: name, identifier: "+61 4" + random.digits(8), type: .telephone, provider: .other))
        }
    }
}
