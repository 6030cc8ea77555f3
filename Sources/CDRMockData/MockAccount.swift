public import CDRModels

/// An account of a customer of the mock data holder.
///
/// Account `j` of a customer has the category `categoryOrder[j % 13]`, so 13 or more accounts give a customer
/// every category. Account 10 (and every 11th after it) is closed, and accounts 5, 11, 17, … are not owned by
/// the customer (they can only operate them).
public struct MockAccount: Sendable, Hashable {
    /// The account's identifier.
    public let id: String
    /// The ``MockCustomer/id`` of the customer the account belongs to.
    public let customerID: String
    /// The account's position among its customer's accounts, from 0.
    public let index: Int
    /// The kind of product the account is.
    public let productCategory: BankingProductCategory
    /// Whether the account is open or closed.
    public let openStatus: BankingAccountOpenStatus
    /// Whether the customer owns the account, rather than only being able to operate it.
    public let isOwned: Bool
    /// The account's name as the customer sees it.
    public let displayName: String
    /// The account or card number with all but the last four digits masked.
    public let maskedNumber: String
    /// The BSB, six digits, for categories that have one (not cards, buy now pay later or travel cards).
    public let bsb: String?
    /// The account number, digits only, for categories that have a BSB.
    public let accountNumber: String?

    let seed: UInt64
    let customerIndex: Int
    let referenceSeconds: Int64
    let siblingCount: Int
    let productIndex: Int
    let nickname: String?
    let ownership: BankingAccountOwnership
    let creationSeconds: Int64

    /// The order in which a customer's accounts take the categories; it matches the first entries of the product
    /// catalogue.
    static let categoryOrder: [BankingProductCategory] = MockProduct.catalogue.prefix(13).map(\.category)

    init(seed: UInt64, customerIndex: Int, index: Int, referenceSeconds: Int64, accountsPerCustomer: Int) {
        self.seed = seed
        self.customerIndex = customerIndex
        self.index = index
        self.referenceSeconds = referenceSeconds
        siblingCount = accountsPerCustomer
        id = Self.id(seed: seed, customer: customerIndex, index: index)
        customerID = "customer-\(customerIndex + 1)"
        productIndex = index % Self.categoryOrder.count
        productCategory = Self.categoryOrder[productIndex]
        openStatus = index % 11 == 10 ? .closed : .open
        isOwned = index % 6 != 5
        var random = MockRandom(seed, .account, customerIndex, index)
        let product = MockProduct.catalogue[productIndex]
        let round = index / Self.categoryOrder.count
        displayName = round == 0 ? product.name : product.name + " \(round + 1)"
        let hasBSB = ![.credAndChrgCards, .buyNowPayLater, .travelCards].contains(productCategory)
        let number = "1" + random.digits(8)
        if hasBSB {
            bsb = random.pick(["062", "083", "033", "013", "484", "633"]) + random.digits(3)
            accountNumber = number
            maskedNumber = MockText.maskedAccount(number)
        } else {
            bsb = nil
            accountNumber = nil
            maskedNumber = MockText.maskedCard(last4: String(number.suffix(4)))
        }
        nickname =
            random.chance(40) ? random.pick(["Bills", "Holiday fund", "Rainy day", "Household", "Spending"]) : nil
        ownership = customerIndex % 3 == 2 ? .other : index % 4 == 3 ? .twoParty : .oneParty
        creationSeconds = referenceSeconds - Int64(random.int(400...4000)) * 86_400
    }

    static func id(seed: UInt64, customer: Int, index: Int) -> String {
        MockID.make(seed, .account, customer: customer, account: index, index: 0)
    }

    var product: MockProduct { MockProduct(seed: seed, index: productIndex, referenceSeconds: referenceSeconds) }
    var productName: String { MockProduct.catalogue[productIndex].name }
    var hasInstalments: Bool { productCategory == .buyNowPayLater || productCategory == .credAndChrgCards }
    var instalmentPlanCount: Int {
        productCategory == .buyNowPayLater ? 4 : productCategory == .credAndChrgCards ? 2 : 0
    }
    var legacyCategory: BankingProductCategory { MockProduct.legacy(productCategory) }
    private var accountId: BankingAccountId { BankingAccountId(rawValue: id) }

    // MARK: Renderings

    /// The account as Get Accounts v3 lists it.
    public func v3() -> BankingAccountV3 {
        BankingAccountV3(
            accountId: accountId, creationDate: MockText.date(creationSeconds), displayName: displayName,
            nickname: nickname, openStatus: openStatus, isOwned: isOwned, accountOwnership: ownership,
            maskedNumber: maskedNumber, productCategory: productCategory, productName: productName,
            isInstalmentDetailAvailable: hasInstalments)
    }

    /// The account as Get Accounts v2 (the previous version) lists it. That version predates
    /// `BUY_NOW_PAY_LATER`, so such accounts are sent as `PERS_LOANS`.
    public func v2() -> BankingAccountV2 {
        BankingAccountV2(
            accountId: accountId, creationDate: MockText.date(creationSeconds), displayName: displayName,
            nickname: nickname, openStatus: openStatus, isOwned: isOwned, accountOwnership: ownership,
            maskedNumber: maskedNumber, productCategory: legacyCategory, productName: productName)
    }

    /// The account in detail as Get Account Detail v5 returns it: rates, features, fees, addresses, instalment
    /// limits, and the term deposit, credit card or loan part that matches the category.
    public func detailV5() -> BankingAccountDetailV5 {
        let product = product
        let specific: BankingAccountDetailV5.SpecificAccount? =
            switch specificAccount() {
            case .termDeposit(let value): .termDeposit(value)
            case .creditCard(let value): .creditCard(value)
            case .loan(let value): .loan(value)
            case nil: nil
            }
        return BankingAccountDetailV5(
            accountId: accountId, creationDate: MockText.date(creationSeconds), displayName: displayName,
            nickname: nickname, openStatus: openStatus, isOwned: isOwned, accountOwnership: ownership,
            maskedNumber: maskedNumber, productCategory: productCategory, productName: productName,
            isInstalmentDetailAvailable: hasInstalments, bsb: bsb, accountNumber: accountNumber,
            bundleName: bundleName, instalments: product.instalments(),
            depositRate: product.depositRates()?.first?.rate, lendingRate: product.lendingRates()?.first?.rate,
            depositRates: product.depositRates(), lendingRates: product.lendingRates(),
            features: product.features(legacy: false).enumerated().map { offset, feature in
                BankingAccountDetailV5.Feature(
                    featureType: feature.type, additionalValue: feature.value, additionalInfo: feature.info,
                    isActivated: activation(offset))
            },
            fees: product.fees(), addresses: addresses(), specificAccount: specific)
    }

    /// The account in detail as Get Account Detail v4 (the previous version) returns it. That version predates
    /// `BUY_NOW_PAY_LATER` (sent as `PERS_LOANS`), instalment limits and some feature types (left out).
    public func detailV4() -> BankingAccountDetailV4 {
        let product = product
        let specific: BankingAccountDetailV4.SpecificAccount? =
            switch specificAccount() {
            case .termDeposit(let value): .termDeposit(value)
            case .creditCard(let value): .creditCard(value)
            case .loan(let value): .loan(value)
            case nil: nil
            }
        return BankingAccountDetailV4(
            accountId: accountId, creationDate: MockText.date(creationSeconds), displayName: displayName,
            nickname: nickname, openStatus: openStatus, isOwned: isOwned, accountOwnership: ownership,
            maskedNumber: maskedNumber, productCategory: legacyCategory, productName: productName, bsb: bsb,
            accountNumber: accountNumber, bundleName: bundleName,
            depositRate: product.depositRates()?.first?.rate, lendingRate: product.lendingRates()?.first?.rate,
            depositRates: product.depositRates(), lendingRates: product.lendingRates(),
            features: product.features(legacy: true).enumerated().map { offset, feature in
                BankingAccountDetailV4.Feature(
                    featureType: feature.type, additionalValue: feature.value, additionalInfo: feature.info,
                    isActivated: activation(offset))
            },
            fees: product.fees(), addresses: addresses(), specificAccount: specific)
    }

    // MARK: Parts

    private var bundleName: String? {
        [.transAndSavingsAccounts, .residentialMortgages, .credAndChrgCards].contains(productCategory)
            && customerIndex % 2 == 0
            ? "Home and Everyday Package" : nil
    }

    private func activation(_ offset: Int) -> BankingAccountDetailIsActivated {
        [.activated, .activated, .notActivated, .unknown][(offset + index) % 4]
    }

    private func addresses() -> [CommonPhysicalAddress] {
        let customer = MockCustomer(seed: seed, index: customerIndex, referenceSeconds: referenceSeconds)
        return [
            CommonPhysicalAddress(address: .simple(customer.simpleAddress())),
            CommonPhysicalAddress(address: .paf(customer.pafAddress())),
        ]
    }

    private enum Specific {
        case termDeposit([BankingTermDepositAccount])
        case creditCard(BankingCreditCardAccount)
        case loan(BankingLoanAccountV3)
    }

    private func specificAccount() -> Specific? {
        var random = MockRandom(seed, .account, customerIndex, index, 1)
        switch productCategory {
        case .termDeposits:
            let lodged = referenceSeconds - Int64(random.int(10...150)) * 86_400
            let principal = Int64(random.int(10...200)) * 100_000
            return .termDeposit([
                BankingTermDepositAccount(
                    lodgementDate: MockText.date(lodged), maturityDate: MockText.date(lodged, plusDays: 180),
                    maturityAmount: MockText.amount(cents: principal + principal * 205 / 10_000),
                    maturityCurrency: .aud,
                    maturityInstructions: .rolledOver),
                BankingTermDepositAccount(
                    lodgementDate: MockText.date(lodged, plusDays: 1),
                    maturityDate: MockText.date(lodged, plusDays: 366),
                    maturityInstructions: random.pick([.paidOutAtMaturity, .holdOnMaturity])),
            ])
        case .credAndChrgCards:
            let due = Int64(random.int(200...4000)) * 100 + Int64(random.int(0...99))
            return .creditCard(
                BankingCreditCardAccount(
                    minPaymentAmount: MockText.amount(cents: max(2500, due / 50)),
                    paymentDueAmount: MockText.amount(cents: due), paymentCurrency: .aud,
                    paymentDueDate: MockText.date(referenceSeconds, plusDays: random.int(3...25))))
        case .residentialMortgages, .persLoans, .businessLoans, .leases, .marginLoans:
            let isMortgage = productCategory == .residentialMortgages
            let original = Int64(isMortgage ? random.int(300...900) * 1000 : random.int(10...80) * 1000) * 100
            let years = isMortgage ? 30 : 5
            let started = creationSeconds
            return .loan(
                BankingLoanAccountV3(
                    originalStartDate: MockText.date(started), originalLoanAmount: MockText.amount(cents: original),
                    originalLoanCurrency: .aud, loanEndDate: MockText.date(started, plusDays: years * 365 + years / 4),
                    nextInstalmentDate: MockText.date(referenceSeconds, plusDays: random.int(1...30)),
                    minInstalmentAmount: MockText.amount(cents: original / Int64(years * 12) + 1234),
                    minInstalmentCurrency: .aud,
                    maxRedraw: isMortgage ? MockText.amount(cents: Int64(random.int(1000...40_000)) * 100) : nil,
                    maxRedrawCurrency: isMortgage ? .aud : nil,
                    minRedraw: isMortgage ? MockText.amount(dollars: 500) : nil,
                    minRedrawCurrency: isMortgage ? .aud : nil,
                    offsetAccountEnabled: isMortgage,
                    offsetAccountIds: isMortgage
                        ? [BankingAccountId(rawValue: Self.id(seed: seed, customer: customerIndex, index: 0))] : nil,
                    repaymentType: productCategory == .marginLoans ? .interestOnly : .principalAndInterest,
                    repaymentFrequency: MockText.duration(isMortgage ? "P1M" : "P2W")))
        default:
            return nil
        }
    }

    // MARK: Balance

    /// The balance, consistent with the category: deposits are positive, cards and loans negative with a limit
    /// where the category has one, and travel cards hold purses in other currencies.
    func balance() -> BankingBalance {
        var random = MockRandom(seed, .balance, customerIndex, index)
        var current: Int64
        var available: Int64
        var limit: Int64?
        var amortised: Int64?
        var purses: [BankingBalancePurse]?
        switch productCategory {
        case .transAndSavingsAccounts, .regulatedTrustAccounts:
            current = Int64(random.int(5_000...5_000_000))
            available = current - Int64(random.int(0...4_000))
        case .termDeposits:
            current = Int64(random.int(10...200)) * 100_000
            available = 0
        case .travelCards:
            current = Int64(random.int(10_000...500_000))
            available = current
            purses = [
                BankingBalancePurse(
                    amount: MockText.amount(cents: Int64(random.int(1_000...200_000))), currency: "USD"),
                BankingBalancePurse(
                    amount: MockText.amount(cents: Int64(random.int(1_000...200_000))), currency: "EUR"),
                BankingBalancePurse(
                    amount: MockText.amount(cents: Int64(random.int(1_000...200_000))), currency: "JPY"),
            ]
        case .credAndChrgCards, .buyNowPayLater, .overdrafts:
            let creditLimit = Int64(productCategory == .buyNowPayLater ? 2_000 : random.int(20...300) * 100) * 100
            current = -Int64(random.int(0...Int(creditLimit * 8 / 10)))
            available = creditLimit + current
            limit = creditLimit
            if productCategory != .overdrafts { amortised = creditLimit + current / 2 }
        default:
            let owed = Int64(random.int(5_000...900_000)) * 100
            current = -owed
            available = productCategory == .residentialMortgages ? Int64(random.int(0...4_000_000)) : 0
        }
        if openStatus == .closed {
            current = 0
            available = 0
            purses = nil
        }
        return BankingBalance(
            accountId: accountId, currentBalance: MockText.amount(cents: current),
            availableBalance: MockText.amount(cents: max(available, 0)),
            creditLimit: limit.map { MockText.amount(cents: $0) },
            amortisedLimit: amortised.map { MockText.amount(cents: max($0, 0)) }, currency: .aud, purses: purses)
    }
}
