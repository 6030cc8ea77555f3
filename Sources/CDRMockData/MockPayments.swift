public import CDRModels

/// An instalment plan on a buy now pay later or credit card account.
///
/// A buy now pay later account has three active plans and one finished; a credit card has one of each.
public struct MockInstalmentPlan: Sendable, Hashable {
    /// Whether the plan still has instalments to pay (the `plan-status` filter's `ACTIVE`).
    public let isActive: Bool

    let account: MockAccount
    let index: Int

    init(account: MockAccount, index: Int) {
        self.account = account
        self.index = index
        isActive = index < account.instalmentPlanCount - 1
    }

    static func id(account: MockAccount, index: Int) -> String {
        MockID.make(
            account.seed, .instalmentPlan, customer: account.customerIndex, account: account.index, index: index)
    }

    /// The plan as Get Instalment Plans v1 lists it.
    public func plan() -> BankingInstalmentPlan {
        var random = MockRandom(account.seed, .instalmentPlan, account.customerIndex, account.index, index)
        let isCard = account.productCategory == .credAndChrgCards
        let count = isCard ? 6 : 4
        let stepDays = isCard ? 30 : 14
        let created = account.referenceSeconds - Int64(isActive ? 3 + index * 9 : 200 + index) * 86_400
        let shop = random.pick(MockWords.merchants)
        let total = Int64(random.int(isCard ? 60_000...400_000 : 6_000...120_000))
        let charge: Int64 = isCard ? 2_500 : 0
        let share = (total + charge) / Int64(count)
        let schedule = (0..<count).map { number in
            let due = created + Int64(stepDays * number) * 86_400
            // The first instalment takes the cents that do not split evenly.
            let amount = number == 0 ? total + charge - share * Int64(count - 1) : share
            return BankingInstalmentPlanSchedule(
                amountDue: MockText.amount(cents: amount), dueDate: MockText.date(due),
                isPaid: due <= account.referenceSeconds)
        }
        return BankingInstalmentPlan(
            accountId: BankingAccountId(rawValue: account.id),
            planId: BankingInstalmentPlanId(rawValue: Self.id(account: account, index: index)),
            planReference: "ORD-" + random.digits(8), merchantName: shop.name, merchantCategoryCode: shop.code,
            planNickname: shop.name + " purchase", creationDate: MockText.date(created),
            amount: MockText.amount(cents: total), planCurrency: .aud,
            planCharge: MockText.amount(cents: charge), planRate: MockText.rate(tenThousandths: isCard ? 799 : 0),
            duration: MockText.duration(isCard ? "P5M" : "P6W"),
            instalmentInterval: MockText.duration(isCard ? "P1M" : "P2W"), schedule: schedule)
    }
}

/// Direct debits and scheduled payments of accounts.
enum MockPayments {
    /// Everyday accounts have two direct debit authorisations, credit cards one.
    static func directDebits(of account: MockAccount) -> [BankingDirectDebit] {
        let count =
            account.productCategory == .transAndSavingsAccounts
            ? 2 : account.productCategory == .credAndChrgCards ? 1 : 0
        return (0..<count).map { number in
            var random = MockRandom(account.seed, .directDebit, account.customerIndex, account.index, number)
            let debitor = random.pick(MockWords.debitors)
            let viaCard = account.productCategory == .credAndChrgCards
            return BankingDirectDebit(
                accountId: BankingAccountId(rawValue: account.id),
                authorisedEntity: BankingAuthorisedEntity(
                    description: debitor,
                    // Only a debit made through a card scheme may leave out the institution.
                    financialInstitution: viaCard
                        ? nil : random.pick(["Harbour Clearing Bank", "Eastern Settlements"]),
                    abn: random.digits(11), acn: random.digits(9), arbn: number == 1 ? random.digits(9) : nil),
                lastDebitDateTime: MockText.dateTime(account.referenceSeconds - Int64(random.int(86_400...2_592_000))),
                lastDebitAmount: MockText.amount(cents: Int64(random.int(1_500...40_000))))
        }
    }

    /// The first everyday account of each customer pays to every kind of destination with every kind of
    /// recurrence; other open everyday accounts have two payments; other accounts none.
    static func scheduledPayments(of account: MockAccount, dataset: MockDataset) -> [BankingScheduledPaymentV2] {
        guard account.productCategory == .transAndSavingsAccounts, account.openStatus == .open else { return [] }
        let count = account.index == 0 ? 6 : 2
        let payees = dataset.payees(of: dataset.customer(at: account.customerIndex))
        func payee(_ kind: MockPayee.Kind) -> MockPayee? { payees.first { $0.kind == kind } }
        let sibling = account.siblingCount > 1 ? (account.index == 1 ? 0 : 1) : account.index
        let siblingID = MockAccount.id(seed: account.seed, customer: account.customerIndex, index: sibling)
        return (0..<count).compactMap { number in
            var random = MockRandom(account.seed, .scheduledPayment, account.customerIndex, account.index, number)
            let reference = random.pick(["Rent", "Savings", "Loan repayment", "Utilities", "Allowance", "School fees"])
            let destinations: [(BankingScheduledPaymentToV2.To, String?)?] = [
                (.accountId(BankingAccountId(rawValue: siblingID)), "My card"),
                payee(.domesticAccount).map { (.payeeId(BankingPayeeId(rawValue: $0.id)), nil) },
                payee(.payIDEmail).flatMap { p in
                    if case .domestic(let value) = p.destination() { (.domestic(value), "Landlord") } else { nil }
                },
                payee(.biller).flatMap { p in
                    if case .biller(let value) = p.destination() { (.biller(value), value.billerName) } else { nil }
                },
                payee(.international).flatMap { p in
                    if case .international(let value) = p.destination() {
                        (.international(value), "Family in the UK")
                    } else {
                        nil
                    }
                },
                payee(.walletEmail).flatMap { p in
                    if case .digitalWallet(let value) = p.destination() {
                        (.digitalWallet(value), "PayPal")
                    } else {
                        nil
                    }
                },
            ]
            guard let (to, nickname) = destinations[number % destinations.count] else { return nil }
            let recurrenceKind = number % 4
            let isCalculated = recurrenceKind == 3
            var paymentSet = [
                BankingScheduledPaymentSetV2(
                    to: BankingScheduledPaymentToV2(nickname: nickname, payeeReference: reference, to: to),
                    isAmountCalculated: isCalculated,
                    amount: isCalculated ? nil : MockText.amount(cents: Int64(random.int(2_000...150_000))),
                    currency: .aud)
            ]
            if number == 1 {
                paymentSet.append(
                    BankingScheduledPaymentSetV2(
                        to: BankingScheduledPaymentToV2(
                            nickname: "Savings top-up", payeeReference: "Split",
                            to: .accountId(BankingAccountId(rawValue: siblingID))),
                        amount: MockText.amount(cents: 5_000)))
            }
            let next = MockText.date(account.referenceSeconds, plusDays: random.int(1...28))
            let recurrence: BankingScheduledPaymentRecurrence.Recurrence
            switch recurrenceKind {
            case 0:
                recurrence = .onceOff(BankingScheduledPaymentRecurrenceOnceOff(paymentDate: next))
            case 1:
                recurrence = .intervalSchedule(
                    BankingScheduledPaymentRecurrenceIntervalSchedule(
                        finalPaymentDate: MockText.date(account.referenceSeconds, plusDays: 400),
                        paymentsRemaining: 12, nonBusinessDayTreatment: .after,
                        intervals: [
                            BankingScheduledPaymentInterval(
                                interval: MockText.duration("P1M"), dayInInterval: MockText.duration("P15D")),
                            BankingScheduledPaymentInterval(interval: MockText.duration("P1W")),
                        ]))
            case 2:
                recurrence = .lastWeekDay(
                    BankingScheduledPaymentRecurrenceLastWeekday(
                        paymentsRemaining: 6, interval: MockText.duration("P1M"), lastWeekDay: .fri,
                        nonBusinessDayTreatment: .before))
            default:
                recurrence = .eventBased(
                    BankingScheduledPaymentRecurrenceEventBased(description: "When the card statement is issued"))
            }
            let status: BankingScheduledPaymentStatus = number == 4 ? .skip : number == 5 ? .inactive : .active
            return BankingScheduledPaymentV2(
                scheduledPaymentId: BankingScheduledPaymentId(
                    rawValue: MockID.make(
                        account.seed, .scheduledPayment, customer: account.customerIndex, account: account.index,
                        index: number)),
                nickname: reference + " payment", payerReference: reference, payeeReference: reference,
                status: status, from: BankingScheduledPaymentFrom(accountId: BankingAccountId(rawValue: account.id)),
                paymentSet: paymentSet,
                recurrence: BankingScheduledPaymentRecurrence(
                    nextPaymentDate: recurrenceKind == 3 ? nil : next, recurrence: recurrence))
        }
    }
}
