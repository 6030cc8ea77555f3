public import CDRModels
public import Foundation

/// One transaction of an account, computed on demand from the seed, the account and its index.
///
/// Every ``/CDRModels/BankingTransactionType`` occurs, as credits and debits. The newest three transactions of an open
/// account are pending (they have an execution time but no posting time). Transfers carry NPP details in their
/// detail rendering; card purchases carry a merchant, BPAY payments a biller, direct debits an APCA number, and
/// purchases on buy now pay later and credit card accounts an instalment plan.
public struct MockTransaction: Sendable, Hashable {
    /// The transaction's identifier, unique within the dataset.
    public let id: String
    /// The identifier of the account the transaction belongs to.
    public let accountID: String
    /// The transaction's position in its account's history; 0 is the newest.
    public let index: Int
    /// The time the standard filters and orders by: the posting time, or the execution time while pending.
    public let effectiveTime: Date
    /// The amount, negative for debits as the standard signs them.
    public let amount: Decimal
    /// The description the bank gives the transaction.
    public let description: String
    /// The reference from the originating institution; empty when there is none.
    public let reference: String
    /// Whether the transaction is still pending (not yet posted).
    public let isPending: Bool

    let type: BankingTransactionType
    let cents: Int64
    let seconds: Int64
    let executionSeconds: Int64
    let merchantName: String?
    let merchantCategoryCode: String?
    let billerCode: String?
    let billerName: String?
    let crn: String?
    let apcaNumber: String?
    let counterparty: String?
    let npp: NPP?
    let instalmentPlanID: String?

    /// The NPP details of a transfer.
    struct NPP: Hashable {
        let service: NppPaymentService
        let serviceVersion: String
        let endToEndID: String
        let purposeCode: String
    }

    /// Every transaction type, in the order the newest transactions of an account cycle through them.
    static let types: [BankingTransactionType] = [
        .payment, .transferOutgoing, .transferIncoming, .directDebit, .fee, .interestPaid, .interestCharged, .other,
    ]

    init(account: MockAccount, index: Int, seconds: Int64, pendingCount: Int) {
        var random = MockRandom(account.seed, .transaction, account.customerIndex, account.index, index)
        id = MockID.make(
            account.seed, .transaction, customer: account.customerIndex, account: account.index, index: index)
        accountID = account.id
        self.index = index
        self.seconds = seconds
        isPending = index < pendingCount
        effectiveTime = Date(timeIntervalSince1970: TimeInterval(seconds))
        executionSeconds = isPending ? seconds : seconds - Int64(random.int(0...7_200))

        let type: BankingTransactionType
        if index < 11 {
            // The newest transactions of each account cycle through every type, so small datasets cover them all.
            type = Self.types[(index + account.index + account.customerIndex) % Self.types.count]
        } else {
            let roll = random.int(0...99)
            type =
                roll < 40
                ? .payment
                : roll < 52
                    ? .transferOutgoing
                    : roll < 64
                        ? .transferIncoming
                        : roll < 74
                            ? .directDebit
                            : roll < 80
                                ? .fee
                                : roll < 86
                                    ? .interestPaid
                                    : roll < 91 ? .interestCharged : .other
        }
        self.type = type

        var cents: Int64
        var description: String
        var reference = ""
        var merchant: (name: String, code: String)?
        var biller: (name: String, code: String)?
        var crn: String?
        var apca: String?
        var counterparty: String?
        var npp: NPP?
        var planID: String?
        switch type {
        case .payment:
            let kind = random.int(0...9)
            if kind <= 5 || kind >= 8 {
                let shop = random.pick(MockWords.merchants)
                merchant = shop
                if kind >= 8 {
                    cents = Int64(random.int(300...15_000))
                    description = "Refund " + shop.name
                } else {
                    cents = -Int64(random.int(300...25_000))
                    description = "Card purchase " + shop.name
                    if account.instalmentPlanCount > 0 {
                        planID = MockInstalmentPlan.id(account: account, index: index % account.instalmentPlanCount)
                    }
                }
            } else {
                let payee = random.pick(MockWords.billers)
                biller = payee
                crn = random.digits(10)
                cents = -Int64(random.int(5_000...60_000))
                description = "BPAY " + payee.name
                reference = crn ?? ""
            }
        case .transferOutgoing, .transferIncoming:
            let isIncoming = type == .transferIncoming
            let salary = isIncoming && random.chance(30)
            let name =
                salary
                ? random.pick(MockWords.businessNames)
                : random.pick(MockWords.firstNames) + " "
                    + random.pick(MockWords.lastNames)
            counterparty = name
            reference = salary ? "Salary" : random.pick(MockWords.transferReferences)
            cents = Int64(salary ? random.int(150_000...650_000) : random.int(500...80_000))
            if !isIncoming { cents = -cents }
            description = (isIncoming ? "Transfer from " : "Transfer to ") + name
            let services: [NppPaymentService] =
                isIncoming ? [.x2p1, .x2p1, .bsct, .ifti] : [.x2p1, .x2p1, .bsct, .catsct]
            npp = NPP(
                service: random.pick(services), serviceVersion: random.pick(["01", "02"]),
                endToEndID: "E2E" + random.digits(16),
                purposeCode: salary ? "SALA" : random.pick(["OTHR", "RENT", "GDSV"]))
        case .directDebit:
            let debitor = random.pick(MockWords.debitors)
            cents = -Int64(random.int(1_500...40_000))
            description = "Direct debit " + debitor
            reference = "DD" + random.digits(8)
            apca = random.digits(6)
        case .fee:
            cents = -Int64(random.pick([250, 500, 1_000, 1_500, 3_000]))
            description = random.pick([
                "Monthly account fee", "Overseas ATM fee", "Late payment fee", "Paper statement fee",
            ])
        case .interestPaid:
            cents = Int64(random.int(1...9_000))
            description = "Interest credit"
        case .interestCharged:
            cents = -Int64(random.int(100...250_000))
            description = "Interest charged"
        default:
            let isCredit = random.chance(50)
            cents = Int64(random.int(1_000...50_000)) * (isCredit ? 1 : -1)
            description = isCredit ? "Cash deposit at branch" : "ATM withdrawal"
            reference = isCredit ? "" : "ATM" + random.digits(6)
        }
        self.cents = cents
        amount = MockText.decimal(cents: cents)
        self.description = description
        self.reference = reference
        merchantName = merchant?.name
        merchantCategoryCode = merchant?.code
        billerName = biller?.name
        billerCode = biller?.code
        self.crn = crn
        apcaNumber = apca
        self.counterparty = counterparty
        self.npp = npp
        instalmentPlanID = planID
    }

    /// Whether `text` occurs in the description or the reference, ignoring case (the `text` filter). Empty text
    /// matches every transaction.
    public func matches(text: String) -> Bool {
        guard !text.isEmpty else { return true }
        let needle = text.lowercased()
        return description.lowercased().contains(needle) || reference.lowercased().contains(needle)
    }

    // MARK: Renderings

    private var status: BankingTransactionStatus { isPending ? .pending : .posted }
    private var postingTime: CDRDateTime? { isPending ? nil : MockText.dateTime(seconds) }
    private var valueTime: CDRDateTime? { isPending ? nil : MockText.dateTime(seconds) }
    private var executionTime: CDRDateTime { MockText.dateTime(executionSeconds) }
    private var amountText: CDRAmount { MockText.amount(cents: cents) }
    private var isDetailAvailable: Bool { npp != nil }

    /// The transaction as Get Transactions v2 lists it.
    public func v2() -> BankingTransactionV2 {
        BankingTransactionV2(
            accountId: BankingAccountId(rawValue: accountID), transactionId: BankingTransactionId(rawValue: id),
            isDetailAvailable: isDetailAvailable, type: type, status: status, description: description,
            postingDateTime: postingTime, valueDateTime: valueTime, executionDateTime: executionTime,
            amount: amountText, currency: .aud, reference: reference, merchantName: merchantName,
            merchantCategoryCode: merchantCategoryCode,
            instalmentPlanId: instalmentPlanID.map { BankingInstalmentPlanId(rawValue: $0) }, billerCode: billerCode,
            billerName: billerName, crn: crn, apcaNumber: apcaNumber)
    }

    /// The transaction as Get Transactions v1 (the previous version) lists it, without an instalment plan.
    public func v1() -> BankingTransaction {
        BankingTransaction(
            accountId: BankingAccountId(rawValue: accountID), transactionId: BankingTransactionId(rawValue: id),
            isDetailAvailable: isDetailAvailable, type: type, status: status, description: description,
            postingDateTime: postingTime, valueDateTime: valueTime, executionDateTime: executionTime,
            amount: amountText, currency: .aud, reference: reference, merchantName: merchantName,
            merchantCategoryCode: merchantCategoryCode, billerCode: billerCode, billerName: billerName, crn: crn,
            apcaNumber: apcaNumber)
    }

    /// The transaction with its extended data, as Get Transaction Detail v3 returns it. Incoming payments name
    /// the payer, outgoing ones the payee, and transfers carry an NPP payload with its extended description.
    public func detailV3() -> BankingTransactionDetailV3 {
        typealias Extended = BankingTransactionDetailV3.ExtendedData
        let variant = npp.map {
            Extended.ExtensionVariant.nppPayload(
                Extended.NppPayload(
                    extendedDescription: extendedDescription, endToEndId: $0.endToEndID, purposeCode: $0.purposeCode,
                    service: $0.service, serviceVersion: $0.serviceVersion))
        }
        return BankingTransactionDetailV3(
            accountId: BankingAccountId(rawValue: accountID), transactionId: BankingTransactionId(rawValue: id),
            isDetailAvailable: isDetailAvailable, type: type, status: status, description: description,
            postingDateTime: postingTime, valueDateTime: valueTime, executionDateTime: executionTime,
            amount: amountText, currency: .aud, reference: reference, merchantName: merchantName,
            merchantCategoryCode: merchantCategoryCode,
            instalmentPlanId: instalmentPlanID.map { BankingInstalmentPlanId(rawValue: $0) }, billerCode: billerCode,
            billerName: billerName, crn: crn, apcaNumber: apcaNumber,
            extendedData: Extended(payer: payer, payee: payee, extensionVariant: variant))
    }

    /// The transaction with its extended data, as Get Transaction Detail v2 (the previous version) returns it,
    /// without an instalment plan.
    public func detailV2() -> BankingTransactionDetailV2 {
        typealias Extended = BankingTransactionDetailV2.ExtendedData
        let variant = npp.map {
            Extended.ExtensionVariant.nppPayload(
                Extended.NppPayload(
                    extendedDescription: extendedDescription, endToEndId: $0.endToEndID, purposeCode: $0.purposeCode,
                    service: $0.service, serviceVersion: $0.serviceVersion))
        }
        return BankingTransactionDetailV2(
            accountId: BankingAccountId(rawValue: accountID), transactionId: BankingTransactionId(rawValue: id),
            isDetailAvailable: isDetailAvailable, type: type, status: status, description: description,
            postingDateTime: postingTime, valueDateTime: valueTime, executionDateTime: executionTime,
            amount: amountText, currency: .aud, reference: reference, merchantName: merchantName,
            merchantCategoryCode: merchantCategoryCode, billerCode: billerCode, billerName: billerName, crn: crn,
            apcaNumber: apcaNumber, extendedData: Extended(payer: payer, payee: payee, extensionVariant: variant))
    }

    private var extendedDescription: String {
        (cents < 0 ? "Paid to " : "Received from ") + (counterparty ?? "unknown") + ": " + reference
    }

    /// The payer's label, for incoming payments.
    private var payer: String? { cents >= 0 ? counterparty ?? merchantName ?? "Wattle Bank" : nil }

    /// The payee's label, for outgoing payments.
    private var payee: String? { cents < 0 ? counterparty ?? merchantName ?? billerName ?? description : nil }
}
