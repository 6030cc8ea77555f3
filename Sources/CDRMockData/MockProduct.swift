public import CDRModels
public import Foundation

/// A product of the mock data holder's public catalogue (Get Products and Get Product Detail).
///
/// The catalogue has one current product of every ``/CDRModels/BankingProductCategory`` and a few that take effect
/// in the future. Accounts refer to the current product of their category.
public struct MockProduct: Sendable, Hashable {
    /// The product's identifier.
    public let id: String
    /// The product's category.
    public let productCategory: BankingProductCategory
    /// The brand the product is sold under.
    public let brand: String
    /// Whether the product is in effect now; `false` means it takes effect in the future.
    public let isCurrent: Bool
    /// When the product's details last changed.
    public let lastUpdated: Date

    let seed: UInt64
    let index: Int
    let referenceSeconds: Int64
    let name: String

    /// One entry of the catalogue: category, name, brand index, whether current.
    struct Entry {
        let category: BankingProductCategory
        let name: String
        let brand: Int
        let isCurrent: Bool
    }

    /// The catalogue. The first 13 entries, one per category, are in ``MockAccount/categoryOrder``'s order.
    static let catalogue: [Entry] = [
        Entry(category: .transAndSavingsAccounts, name: "Everyday Account", brand: 0, isCurrent: true),
        Entry(category: .credAndChrgCards, name: "Low Rate Visa Card", brand: 0, isCurrent: true),
        Entry(category: .buyNowPayLater, name: "Split Four", brand: 1, isCurrent: true),
        Entry(category: .residentialMortgages, name: "Simple Home Loan", brand: 0, isCurrent: true),
        Entry(category: .termDeposits, name: "Fixed Term Deposit", brand: 0, isCurrent: true),
        Entry(category: .persLoans, name: "Fixed Rate Personal Loan", brand: 1, isCurrent: true),
        Entry(category: .businessLoans, name: "Business Term Loan", brand: 0, isCurrent: true),
        Entry(category: .overdrafts, name: "Personal Overdraft", brand: 0, isCurrent: true),
        Entry(category: .travelCards, name: "Multi-Currency Travel Card", brand: 1, isCurrent: true),
        Entry(category: .leases, name: "Equipment Finance Lease", brand: 0, isCurrent: true),
        Entry(category: .marginLoans, name: "Share Margin Loan", brand: 0, isCurrent: true),
        Entry(category: .regulatedTrustAccounts, name: "Statutory Trust Account", brand: 0, isCurrent: true),
        Entry(category: .tradeFinance, name: "Import Trade Finance", brand: 0, isCurrent: true),
        Entry(category: .transAndSavingsAccounts, name: "Goal Saver", brand: 1, isCurrent: false),
        Entry(category: .credAndChrgCards, name: "Rewards Platinum Card", brand: 0, isCurrent: false),
        Entry(category: .buyNowPayLater, name: "Split Six", brand: 1, isCurrent: false),
    ]

    static let brands = ["Wattle Bank", "Bottlebrush Direct"]
    static let brandGroup = "Wattle Banking Group"

    init(seed: UInt64, index: Int, referenceSeconds: Int64) {
        let entry = Self.catalogue[index]
        self.seed = seed
        self.index = index
        self.referenceSeconds = referenceSeconds
        id = Self.id(seed: seed, index: index)
        productCategory = entry.category
        brand = Self.brands[entry.brand]
        isCurrent = entry.isCurrent
        name = entry.name
        var random = MockRandom(seed, .product, index)
        lastUpdated = Date(timeIntervalSince1970: TimeInterval(referenceSeconds - Int64(random.int(2...120)) * 86_400))
    }

    static func id(seed: UInt64, index: Int) -> String {
        MockID.make(seed, .product, customer: 0, account: 0, index: index)
    }

    private var site: String { "https://www." + MockText.slug(brand) + ".example.com.au" }
    private var page: String { site + "/products/" + MockText.slug(name) }
    private var effectiveFrom: CDRDateTime {
        MockText.dateTime(
            referenceSeconds + (isCurrent ? -Int64(400 + index * 7) * 86_400 : Int64(30 + index) * 86_400))
    }
    /// Some current products are to be withdrawn at a set time in the future.
    private var effectiveTo: CDRDateTime? {
        index % 4 == 3 ? MockText.dateTime(referenceSeconds + Int64(200 + index) * 86_400) : nil
    }
    private var lastUpdatedText: CDRDateTime { MockText.dateTime(Int64(lastUpdated.timeIntervalSince1970)) }
    private var description: String {
        "A made-up \(name.lowercased()) from \(brand) for testing Consumer Data Right clients."
    }
    private var brandName: String { brand + (index % 2 == 0 ? "" : " Online") }
    /// Business products are tailored to the customer.
    private var isTailored: Bool { [.businessLoans, .tradeFinance, .leases].contains(productCategory) }

    /// The category as the previous versions of the endpoints know it: they predate `BUY_NOW_PAY_LATER`, which
    /// is sent as `PERS_LOANS`.
    var legacyCategory: BankingProductCategory { Self.legacy(productCategory) }

    static func legacy(_ category: BankingProductCategory) -> BankingProductCategory {
        category == .buyNowPayLater ? .persLoans : category
    }

    // MARK: Renderings

    /// The product as Get Products v5 lists it.
    public func v6() -> BankingProductV6 {
        BankingProductV6(
            productId: BankingProductId(rawValue: id), effectiveFrom: effectiveFrom, effectiveTo: effectiveTo,
            lastUpdated: lastUpdatedText, productCategory: productCategory, name: name, description: description,
            brand: brand, brandName: brandName, brandGroup: Self.brandGroup, applicationUri: page + "/apply",
            isTailored: isTailored, additionalInformation: additionalInformation(), cardArt: cardArt())
    }

    /// The product as Get Products v4 (the previous version) lists it. That version predates
    /// `BUY_NOW_PAY_LATER`, so such products are sent as `PERS_LOANS`.
    public func v5() -> BankingProductV5 {
        BankingProductV5(
            productId: BankingProductId(rawValue: id), effectiveFrom: effectiveFrom, effectiveTo: effectiveTo,
            lastUpdated: lastUpdatedText, productCategory: legacyCategory, name: name, description: description,
            brand: brand, brandName: brandName, applicationUri: page + "/apply", isTailored: isTailored,
            additionalInformation: additionalInformation(), cardArt: cardArt())
    }

    /// The product with its features, constraints, eligibility, fees, rates and instalment limits, as Get
    /// Product Detail v7 returns it.
    public func detailV7() -> BankingProductDetailV7 {
        BankingProductDetailV7(
            productId: BankingProductId(rawValue: id), effectiveFrom: effectiveFrom, effectiveTo: effectiveTo,
            lastUpdated: lastUpdatedText, productCategory: productCategory, name: name, description: description,
            brand: brand, brandName: brandName, brandGroup: Self.brandGroup, applicationUri: page + "/apply",
            isTailored: isTailored, additionalInformation: additionalInformation(), cardArt: cardArt(),
            bundles: bundles(),
            features: features(legacy: false).map {
                BankingProductFeatureV4(
                    featureType: $0.type, additionalValue: $0.value, additionalInfo: $0.info,
                    additionalInfoUri: page + "/features")
            },
            constraints: constraints(), eligibility: eligibility(), fees: fees(), depositRates: depositRates(),
            lendingRates: lendingRates(), instalments: instalments())
    }

    /// The product in detail as Get Product Detail v6 (the previous version) returns it. `BUY_NOW_PAY_LATER` is
    /// sent as `PERS_LOANS`, and feature types that version does not know are left out.
    public func detailV6() -> BankingProductDetailV6 {
        BankingProductDetailV6(
            productId: BankingProductId(rawValue: id), effectiveFrom: effectiveFrom, effectiveTo: effectiveTo,
            lastUpdated: lastUpdatedText, productCategory: legacyCategory, name: name, description: description,
            brand: brand, brandName: brandName, applicationUri: page + "/apply", isTailored: isTailored,
            additionalInformation: additionalInformation(), cardArt: cardArt(), bundles: bundles(),
            features: features(legacy: true).map {
                BankingProductFeatureV3(
                    featureType: $0.type, additionalValue: $0.value, additionalInfo: $0.info,
                    additionalInfoUri: page + "/features")
            },
            constraints: constraints(), eligibility: eligibility(), fees: fees(), depositRates: depositRates(),
            lendingRates: lendingRates())
    }

    // MARK: Parts shared with account details

    struct FeatureSpec {
        let type: BankingProductFeatureType
        let value: String?
        let info: String?
    }

    private var isLending: Bool {
        [
            .credAndChrgCards, .buyNowPayLater, .residentialMortgages, .persLoans, .businessLoans, .overdrafts, .leases,
            .marginLoans, .tradeFinance,
        ].contains(productCategory)
    }

    /// Features; `legacy` leaves out the feature types added after the previous versions.
    func features(legacy: Bool) -> [FeatureSpec] {
        var list: [FeatureSpec]
        switch productCategory {
        case .transAndSavingsAccounts:
            list = [
                FeatureSpec(type: .cardAccess, value: "Visa debit card", info: nil),
                FeatureSpec(type: .nppPayid, value: nil, info: "Receive payments to your mobile number or email."),
                FeatureSpec(type: .nppEnabled, value: nil, info: nil),
                FeatureSpec(type: .digitalWallet, value: "Apple Pay, Google Pay and Samsung Pay", info: nil),
                FeatureSpec(type: .freeTxns, value: "30", info: "Free transactions each month."),
                FeatureSpec(type: .notifications, value: "Push, SMS and email", info: nil),
                FeatureSpec(type: .fundsAvailableAfter, value: "PT4H", info: "Cheque deposits clear within hours."),
            ]
        case .credAndChrgCards:
            list = [
                FeatureSpec(type: .interestFree, value: "P55D", info: "Up to 55 days interest free on purchases."),
                FeatureSpec(type: .bonusRewards, value: "20000", info: "Bonus points after the first purchase."),
                FeatureSpec(type: .loyaltyProgram, value: "Wattle Rewards", info: nil),
                FeatureSpec(type: .additionalCards, value: "3", info: nil),
                FeatureSpec(type: .cashbackOffer, value: "100.00", info: "Cashback when you spend $1,000 in 90 days."),
                FeatureSpec(type: .balanceTransfers, value: nil, info: nil),
                FeatureSpec(type: .instalmentPlan, value: nil, info: "Split larger purchases into instalments."),
                FeatureSpec(type: .fraudProtection, value: nil, info: nil),
            ]
        case .buyNowPayLater:
            list = [
                FeatureSpec(type: .instalmentPlan, value: nil, info: "Pay in four fortnightly instalments."),
                FeatureSpec(type: .interestFree, value: "P6W", info: nil),
                FeatureSpec(type: .extraDownPayment, value: "50.00", info: "Pay more up front to lower instalments."),
                FeatureSpec(type: .digitalWallet, value: "Apple Pay and Google Pay", info: nil),
            ]
        case .residentialMortgages:
            list = [
                FeatureSpec(type: .offset, value: nil, info: "A linked everyday account offsets interest."),
                FeatureSpec(type: .redraw, value: nil, info: nil),
                FeatureSpec(type: .extraRepayments, value: nil, info: nil),
                FeatureSpec(type: .guarantor, value: nil, info: "Family members may guarantee part of the loan."),
                FeatureSpec(type: .complementaryProductDiscounts, value: nil, info: "Discounts on home insurance."),
            ]
        case .termDeposits:
            list = [
                FeatureSpec(type: .donateInterest, value: nil, info: "Interest may be donated to a listed charity."),
                FeatureSpec(type: .other, value: nil, info: "Maturity reminders are sent 14 days ahead."),
            ]
        case .persLoans, .leases:
            list = [
                FeatureSpec(type: .extraRepayments, value: nil, info: nil),
                FeatureSpec(type: .redraw, value: nil, info: nil),
            ]
        case .businessLoans, .tradeFinance:
            list = [
                FeatureSpec(type: .relationshipManagement, value: nil, info: "A named business banker."),
                FeatureSpec(type: .digitalBanking, value: nil, info: nil),
            ]
        case .overdrafts:
            list = [
                FeatureSpec(type: .overdraft, value: nil, info: nil),
                FeatureSpec(type: .unlimitedTxns, value: nil, info: nil),
            ]
        case .travelCards:
            list = [
                FeatureSpec(
                    type: .freeTxnsAllowance, value: "500.00", info: "Fee-free overseas withdrawals each month."),
                FeatureSpec(type: .interestFreeTransfers, value: "P1M", info: nil),
                FeatureSpec(type: .cardAccess, value: "Mastercard prepaid card", info: nil),
                FeatureSpec(type: .insurance, value: nil, info: "Complimentary travel insurance."),
            ]
        default:
            list = [
                FeatureSpec(type: .billPayment, value: nil, info: nil),
                FeatureSpec(type: .digitalBanking, value: nil, info: nil),
            ]
        }
        if legacy { list.removeAll { $0.type == .extraDownPayment } }
        return list
    }

    func constraints() -> [BankingProductConstraintV3] {
        func make(_ type: BankingProductConstraintType, _ value: String?, _ info: String? = nil)
            -> BankingProductConstraintV3
        {
            BankingProductConstraintV3(
                constraintType: type, additionalValue: value, additionalInfo: info, additionalInfoUri: page + "/terms")
        }
        switch productCategory {
        case .transAndSavingsAccounts, .regulatedTrustAccounts:
            return [make(.openingBalance, "0.00"), make(.maxBalance, "5000000.00")]
        case .termDeposits:
            return [make(.minBalance, "5000.00"), make(.maxBalance, "2000000.00"), make(.openingBalance, "5000.00")]
        case .residentialMortgages:
            return [make(.maxLvr, "0.95"), make(.minLvr, "0.10"), make(.minLimit, "50000.00")]
        case .credAndChrgCards, .overdrafts, .buyNowPayLater:
            return [make(.minLimit, "1000.00"), make(.maxLimit, "30000.00")]
        case .travelCards:
            return [make(.maxBalance, "100000.00"), make(.other, nil, "Up to ten currencies may be held.")]
        default:
            return [make(.minLimit, "2000.00"), make(.maxLimit, "1000000.00")]
        }
    }

    func eligibility() -> [BankingProductEligibilityV2] {
        func make(_ type: BankingProductEligibilityType, _ value: String?, _ info: String? = nil)
            -> BankingProductEligibilityV2
        {
            BankingProductEligibilityV2(
                eligibilityType: type, additionalValue: value, additionalInfo: info,
                additionalInfoUri: page + "/eligibility")
        }
        var list = [make(.minAge, "18"), make(.residencyStatus, "Australian citizen or permanent resident")]
        switch productCategory {
        case .businessLoans, .tradeFinance, .leases:
            list += [make(.business, nil), make(.minTurnover, "250000.00")]
        case .credAndChrgCards, .residentialMortgages, .persLoans, .buyNowPayLater, .marginLoans, .overdrafts:
            list += [make(.minIncome, "35000.00"), make(.employmentStatus, "Employed or self-employed")]
        case .transAndSavingsAccounts:
            list += [make(.naturalPerson, nil), make(.other, nil, "One account per customer.")]
        default:
            list += [make(.naturalPerson, nil)]
        }
        return list
    }

    func fees() -> [BankingProductFeeV2] {
        let uri = page + "/fees"
        func fixed(
            _ name: String, _ type: BankingProductFeeType, _ cents: Int64, value: String? = nil,
            discounts: [BankingProductDiscountV2]? = nil, cap: Int64? = nil
        ) -> BankingProductFeeV2 {
            BankingProductFeeV2(
                name: name, feeType: type, feeCap: cap.map { MockText.amount(cents: $0) },
                feeCapPeriod: cap == nil ? nil : MockText.duration("P1Y"), currency: .aud, additionalValue: value,
                additionalInfo: "Charged as the fee schedule sets out.", additionalInfoUri: uri, discounts: discounts,
                feeMethod: .fixedAmount(BankingFeeAmount(amount: MockText.amount(cents: cents))))
        }
        func rated(
            _ name: String, _ type: BankingProductFeeType, _ rateType: BankingFeeRateType, _ rate: Int,
            value: String? = nil
        ) -> BankingProductFeeV2 {
            BankingProductFeeV2(
                name: name, feeType: type, currency: .aud, additionalValue: value,
                additionalInfo: "A share of the amount.", additionalInfoUri: uri,
                feeMethod: .rateBased(
                    BankingFeeRate(
                        rateType: rateType, rate: MockText.rate(tenThousandths: rate),
                        accrualFrequency: rateType == .balance ? MockText.duration("P1D") : nil,
                        amountRange: BankingFeeRange(
                            feeMinimum: MockText.amount(cents: 200), feeMaximum: MockText.amount(cents: 5000)))))
        }
        let dishonour = BankingProductFeeV2(
            name: "Dishonour fee", feeType: .dishonour, currency: .aud, additionalInfoUri: uri,
            feeMethod: .variable(
                BankingFeeRange(feeMinimum: MockText.amount(cents: 500), feeMaximum: MockText.amount(cents: 1500))))
        switch productCategory {
        case .transAndSavingsAccounts, .regulatedTrustAccounts:
            let waivers = [
                BankingProductDiscountV2(
                    description: "Waived when $2,000 or more is deposited in the month", discountType: .deposits,
                    additionalValue: "2000.00", additionalInfoUri: uri,
                    eligibility: [
                        BankingProductDiscountEligibility(
                            discountEligibilityType: .minAge, additionalValue: "18", additionalInfoUri: uri),
                        BankingProductDiscountEligibility(
                            discountEligibilityType: .introductory, additionalValue: "P6M",
                            additionalInfo: "For the first six months."),
                    ],
                    discountMethod: .fixedAmount(BankingFeeDiscountAmount(amount: MockText.amount(cents: 500)))),
                BankingProductDiscountV2(
                    description: "Half price for students", discountType: .eligibilityOnly,
                    eligibility: [
                        BankingProductDiscountEligibility(
                            discountEligibilityType: .student, additionalInfo: "Full-time tertiary students."),
                        BankingProductDiscountEligibility(
                            discountEligibilityType: .other, additionalInfo: "Proof of enrolment is needed."),
                    ],
                    discountMethod: .rateBased(
                        BankingFeeDiscountRate(
                            rateType: .fee, rate: MockText.rate(tenThousandths: 5000),
                            amountRange: BankingFeeDiscountRange(
                                discountMinimum: MockText.amount(cents: 100),
                                discountMaximum: MockText.amount(cents: 250))))),
            ]
            return [
                fixed("Monthly account fee", .periodic, 500, value: "P1M", discounts: waivers),
                fixed("Overseas ATM withdrawal fee", .withdrawal, 500),
                rated("International transaction fee", .transaction, .transaction, 300),
                fixed("Paper statement fee", .other, 250),
                dishonour,
            ]
        case .credAndChrgCards:
            return [
                fixed(
                    "Annual fee", .periodic, 9900, value: "P1Y",
                    discounts: [
                        BankingProductDiscountV2(
                            description: "Waived when you spend $10,000 in a year", discountType: .payments,
                            additionalValue: "10000.00",
                            discountMethod: .fixedAmount(BankingFeeDiscountAmount(amount: MockText.amount(cents: 9900)))
                        )
                    ]),
                fixed("Late payment fee", .latePayment, 1500),
                rated("Cash advance fee", .cashAdvance, .transaction, 200),
                fixed("Replacement card fee", .replacement, 1000),
                fixed("Instalment plan fee", .upfrontPerPlan, 0),
            ]
        case .buyNowPayLater:
            return [
                fixed("Missed instalment fee", .latePayment, 1000, cap: 6800),
                fixed("Plan set-up fee", .upfrontPerPlan, 0),
                fixed("Account keeping fee", .periodic, 400, value: "P1M"),
            ]
        case .termDeposits:
            return [fixed("Early withdrawal fee", .exit, 3000), fixed("Enquiry fee", .enquiry, 0)]
        case .travelCards:
            return [
                rated("Reload fee", .deposit, .transaction, 50), fixed("Card purchase fee", .purchase, 0),
                rated("Currency conversion fee", .transaction, .transaction, 250),
            ]
        case .marginLoans:
            return [
                rated("Loan management fee", .periodic, .balance, 25, value: "P1Y"),
                rated("Interest accrual fee", .other, .interestAccrued, 100),
            ]
        default:
            return [
                fixed("Establishment fee", .upfront, 60000),
                fixed("Monthly service fee", .periodic, 1000, value: "P1M"),
                fixed("Loan variation fee", .variation, 15000),
                fixed("Discharge fee", .exit, 35000),
                fixed("Payment fee", .payment, 0),
                dishonour,
            ]
        }
    }

    func depositRates() -> [BankingProductDepositRateV2]? {
        let uri = page + "/rates"
        switch productCategory {
        case .transAndSavingsAccounts, .regulatedTrustAccounts, .travelCards:
            var random = MockRandom(seed, .product, index, 1)
            let base = random.int(5...150)
            let conditions = [
                BankingProductRateConditionV2(
                    rateApplicabilityType: .minDepositAmount, additionalValue: "1000.00",
                    additionalInfo: "Deposit at least $1,000 each month.", additionalInfoUri: uri),
                BankingProductRateConditionV2(rateApplicabilityType: .maxWithdrawals, additionalValue: "0"),
                BankingProductRateConditionV2(
                    rateApplicabilityType: .other, additionalInfo: "The balance must grow in the month."),
            ]
            return [
                BankingProductDepositRateV2(
                    depositRateType: .variable, rate: MockText.rate(tenThousandths: base),
                    calculationFrequency: MockText.duration("P1D"), applicationType: .periodic,
                    applicationFrequency: MockText.duration("P1M"),
                    tiers: [
                        BankingProductRateTierV4(
                            name: "Balances up to $50,000", unitOfMeasure: .dollar, minimumValue: "0.00",
                            maximumValue: "50000.00", rateApplicationMethod: .perTier),
                        BankingProductRateTierV4(
                            name: "Balances over $50,000", unitOfMeasure: .dollar, minimumValue: "50000.01",
                            rateApplicationMethod: .perTier, additionalInfo: "No upper limit.",
                            additionalInfoUri: uri),
                    ], additionalInfoUri: uri),
                BankingProductDepositRateV2(
                    depositRateType: .bonus, rate: MockText.rate(tenThousandths: 300),
                    calculationFrequency: MockText.duration("P1D"), applicationType: .periodic,
                    applicationFrequency: MockText.duration("P1M"), applicabilityConditions: conditions,
                    additionalValue: "Bonus for growing the balance", additionalInfo: "Paid monthly."),
                BankingProductDepositRateV2(
                    depositRateType: .introductory, rate: MockText.rate(tenThousandths: 450),
                    applicationType: .periodic, applicationFrequency: MockText.duration("P1M"),
                    additionalValue: "P4M"),
                BankingProductDepositRateV2(
                    depositRateType: .bundleBonus, rate: MockText.rate(tenThousandths: 25),
                    applicationType: .periodic, applicationFrequency: MockText.duration("P1M"),
                    additionalValue: "Home and Everyday Package"),
            ]
        case .termDeposits:
            return [
                BankingProductDepositRateV2(
                    depositRateType: .fixed, rate: MockText.rate(tenThousandths: 410), applicationType: .maturity,
                    tiers: [
                        BankingProductRateTierV4(
                            name: "Up to 180 days", unitOfMeasure: .day, minimumValue: "30", maximumValue: "180",
                            rateApplicationMethod: .wholeBalance,
                            applicabilityConditions: [
                                BankingProductRateConditionV2(rateApplicabilityType: .newAccounts)
                            ]),
                        BankingProductRateTierV4(
                            name: "Up to 12 months", unitOfMeasure: .month, minimumValue: "7", maximumValue: "12"),
                    ], additionalValue: "P6M"),
                BankingProductDepositRateV2(
                    depositRateType: .fixed, rate: MockText.rate(tenThousandths: 435), applicationType: .periodic,
                    applicationFrequency: MockText.duration("P1M"), additionalValue: "P12M"),
                BankingProductDepositRateV2(
                    depositRateType: .marketLinked, rate: MockText.rate(tenThousandths: 395),
                    applicationType: .upfront, additionalValue: "Tracks the cash rate"),
            ]
        default:
            return nil
        }
    }

    func lendingRates() -> [BankingProductLendingRateV3]? {
        guard isLending else { return nil }
        let uri = page + "/rates"
        func rate(
            _ type: BankingProductLendingRateType, _ value: Int, comparison: Int? = nil, text additional: String? = nil,
            repayment: BankingProductLendingRateRepaymentType = .principalAndInterest,
            purpose: BankingProductLendingRateLoanPurpose = .unconstrained,
            tiers: [BankingProductRateTierV4]? = nil
        ) -> BankingProductLendingRateV3 {
            BankingProductLendingRateV3(
                lendingRateType: type, rate: MockText.rate(tenThousandths: value),
                comparisonRate: comparison.map { MockText.rate(tenThousandths: $0) },
                calculationFrequency: MockText.duration("P1D"), applicationType: .periodic,
                applicationFrequency: MockText.duration("P1M"), interestPaymentDue: .inArrears,
                repaymentType: repayment,
                loanPurpose: purpose, tiers: tiers,
                applicabilityConditions: [BankingProductRateConditionV2(rateApplicabilityType: .existingCust)],
                additionalValue: additional, additionalInfoUri: uri)
        }
        switch productCategory {
        case .residentialMortgages:
            let lvrTiers = [
                BankingProductRateTierV4(
                    name: "LVR up to 80%", unitOfMeasure: .percent, minimumValue: "0", maximumValue: "80",
                    rateApplicationMethod: .wholeBalance),
                BankingProductRateTierV4(
                    name: "LVR over 80%", unitOfMeasure: .percent, minimumValue: "80.01", maximumValue: "95",
                    rateApplicationMethod: .wholeBalance),
            ]
            return [
                rate(.variable, 614, comparison: 629, purpose: .ownerOccupied, tiers: lvrTiers),
                rate(.fixed, 589, comparison: 631, text: "P3Y", repayment: .interestOnly, purpose: .investment),
                rate(.discount, 50, text: "Off the standard variable rate"),
                rate(.bundleDiscountVariable, 15, text: "Home and Everyday Package"),
            ]
        case .credAndChrgCards:
            return [
                rate(.purchase, 1399, repayment: .unconstrained), rate(.cashAdvance, 2149, repayment: .unconstrained),
                rate(.introductory, 0, text: "P6M", repayment: .unconstrained),
                rate(.balanceTransfer, 599, repayment: .unconstrained),
            ]
        case .buyNowPayLater:
            return [rate(.purchase, 0, repayment: .other), rate(.penalty, 0, text: "No interest is ever charged")]
        case .persLoans, .leases:
            return [rate(.fixed, 899, comparison: 949, text: "P5Y"), rate(.introductory, 699, text: "P1Y")]
        case .overdrafts:
            return [rate(.variable, 1195, repayment: .unconstrained), rate(.penalty, 300, text: "When over the limit")]
        case .marginLoans:
            return [
                rate(.marketLinked, 799, text: "Cash rate plus a margin", purpose: .investment),
                rate(.floating, 815, text: "Reviewed monthly", purpose: .investment),
            ]
        case .tradeFinance:
            return [
                rate(.floating, 720, text: "Bank bill swap rate plus 2.5%", repayment: .interestOnly),
                rate(.bundleDiscountFixed, 20, text: "Business banking bundle"),
            ]
        default:
            return [rate(.variable, 845, comparison: 870), rate(.fixed, 799, text: "P2Y")]
        }
    }

    /// Instalment limits, for the categories that offer instalment plans.
    func instalments() -> BankingProductInstalments? {
        switch productCategory {
        case .buyNowPayLater:
            return BankingProductInstalments(
                maximumConcurrentPlans: 6, instalmentsLimit: MockText.amount(dollars: 2000),
                minimumPlanValue: MockText.amount(dollars: 50), maximumPlanValue: MockText.amount(dollars: 1500),
                minimumSplit: 4, maximumSplit: 6)
        case .credAndChrgCards:
            return BankingProductInstalments(
                maximumConcurrentPlans: 3, instalmentsLimit: MockText.amount(dollars: 5000),
                minimumPlanValue: MockText.amount(dollars: 200), maximumPlanValue: MockText.amount(dollars: 5000),
                minimumSplit: 3, maximumSplit: 24)
        default:
            return nil
        }
    }

    private func additionalInformation() -> BankingProductAdditionalInformationV2 {
        typealias Link = BankingProductAdditionalInformationV2.AdditionalInformationUris
        return BankingProductAdditionalInformationV2(
            overviewUri: page, termsUri: page + "/terms", eligibilityUri: page + "/eligibility",
            feesAndPricingUri: page + "/fees", bundleUri: site + "/bundles",
            additionalOverviewUris: [
                Link(description: "Product guide", additionalInfoUri: page + "/guide"),
                Link(description: "Questions and answers", additionalInfoUri: page + "/faq"),
            ],
            additionalTermsUris: [
                Link(description: "Terms and conditions (PDF)", additionalInfoUri: page + "/terms.pdf")
            ],
            additionalEligibilityUris: [Link(additionalInfoUri: page + "/eligibility/calculator")],
            additionalFeesAndPricingUris: [Link(description: "Fee schedule", additionalInfoUri: site + "/fees.pdf")],
            additionalBundleUris: [Link(description: "Package benefits", additionalInfoUri: site + "/bundles/benefits")]
        )
    }

    private func cardArt() -> [BankingProductCardArt]? {
        switch productCategory {
        case .transAndSavingsAccounts:
            return [
                BankingProductCardArt(
                    cardScheme: .visa, cardType: .debit, title: "Visa Debit", imageUri: page + "/card.png"),
                BankingProductCardArt(cardScheme: .eftpos, cardType: .debit, imageUri: page + "/eftpos.png"),
            ]
        case .credAndChrgCards:
            return [
                BankingProductCardArt(
                    cardScheme: index < 13 ? .visa : .amex, cardType: index < 13 ? .credit : .charge, title: name,
                    imageUri: page + "/card.png")
            ]
        case .travelCards:
            return [BankingProductCardArt(cardScheme: .mastercard, cardType: .debit, imageUri: page + "/card.png")]
        case .buyNowPayLater:
            return [
                BankingProductCardArt(
                    cardScheme: .other, cardType: .credit, title: "Virtual card", imageUri: page + "/card.png")
            ]
        default:
            return nil
        }
    }

    private func bundles() -> [BankingProductBundle]? {
        guard [.transAndSavingsAccounts, .residentialMortgages, .credAndChrgCards].contains(productCategory) else {
            return nil
        }
        return [
            BankingProductBundle(
                name: "Home and Everyday Package",
                description: "An everyday account, a home loan and a credit card together for one annual fee.",
                additionalInfo: "The package fee is $395 a year.", additionalInfoUri: site + "/bundles/home",
                productIds: [0, 1, 3].map { BankingProductId(rawValue: Self.id(seed: seed, index: $0)) })
        ]
    }
}
