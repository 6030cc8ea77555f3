import CDRModels
import Foundation

/// The wire fields each data quirk hits, by CDS operation.
///
/// Each entry names fields of the banking and common record types only (never `data` itself, `links` or `meta`),
/// chosen so that a lenient client keeps every record: no identifier, no currency and no transaction date-time is
/// touched except in a way the decoder repairs. Within one operation each quirk has its own fields, except where a
/// record has a single amount (a transaction's `amount`, a payment's `amount`, a direct debit's `lastDebitAmount`):
/// there the amount quirks share it, and each occurrence goes to the first enabled quirk its value allows, in the
/// table's order.
enum QuirkTable {
    /// Every operation's targets as path patterns, `[*]` standing for every element of a list.
    static func targets(forOperation operationID: String) -> [DataQuirk: [String]] {
        var result: [DataQuirk: [String]] = [:]
        for target in compiled(forOperation: operationID) { result[target.quirk, default: []].append(target.pattern) }
        return result
    }

    /// The targets of an operation in the order they are applied: removals first, so that nothing is written into
    /// a part of the record the client will drop.
    static func compiled(forOperation operationID: String) -> [QuirkTarget] {
        compiledTable[operationID] ?? []
    }

    private static let compiledTable: [String: [QuirkTarget]] = {
        var table: [String: [QuirkTarget]] = [:]
        for (operations, entries) in entries {
            var targets: [QuirkTarget] = []
            for (quirk, patterns) in entries {
                targets += patterns.map { QuirkTarget(quirk: quirk, pattern: $0) }
            }
            let removals = targets.filter { $0.quirk == .missingRequiredField }
            let others = targets.filter { $0.quirk != .missingRequiredField }
            for operation in operations { table[operation] = removals + others }
        }
        return table
    }()

    /// Prefixes every pattern with `prefix`.
    private static func under(_ prefix: String, _ entries: [(DataQuirk, [String])]) -> [(DataQuirk, [String])] {
        entries.map { quirk, patterns in (quirk, patterns.map { prefix + $0 }) }
    }

    // MARK: The table

    private static let account: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["maskedNumber"]),
        (.dateTimeInDateField, ["creationDate"]),
        (.emptyString, ["openStatus"]),
        (.enumVariant, ["productCategory", "accountOwnership"]),
        (.stringForNumber, ["isOwned", "isInstalmentDetailAvailable"]),
    ]

    private static let accountDetail: [(DataQuirk, [String])] = [
        (
            .missingRequiredField,
            ["depositRates[*].applicationType", "lendingRates[*].applicationType", "fees[*].feeMethodUType"]
        ),
        (
            .dateTimeInDateField,
            ["creationDate", "termDeposit[*].lodgementDate", "creditCard.paymentDueDate", "loan.nextInstalmentDate"]
        ),
        (
            .emptyString,
            [
                "openStatus", "depositRates[*].calculationFrequency", "lendingRates[*].calculationFrequency",
                "fees[*].feeCapPeriod", "loan.repaymentFrequency",
            ]
        ),
        (
            .enumVariant,
            [
                "productCategory", "accountOwnership", "depositRates[*].depositRateType",
                "lendingRates[*].lendingRateType", "fees[*].feeType", "features[*].featureType",
                "termDeposit[*].maturityInstructions", "loan.repaymentType",
            ]
        ),
        (
            .numberForString,
            ["accountNumber", "depositRate", "lendingRate", "depositRates[*].rate", "lendingRates[*].rate"]
        ),
        (
            .stringForNumber,
            [
                "isOwned", "isInstalmentDetailAvailable", "loan.offsetAccountEnabled",
                "instalments.maximumConcurrentPlans", "addresses[*].paf.thoroughfareNumber1",
            ]
        ),
        (
            .amountLeadingPlus,
            [
                "termDeposit[*].maturityAmount", "creditCard.minPaymentAmount", "loan.originalLoanAmount",
                "instalments.instalmentsLimit",
            ]
        ),
        (
            .amountMissingDecimals,
            ["loan.minRedraw", "loan.maxRedraw", "creditCard.paymentDueAmount", "instalments.minimumPlanValue"]
        ),
        (.amountExcessDecimals, ["loan.minInstalmentAmount", "fees[*].feeCap", "instalments.maximumPlanValue"]),
    ]

    private static let balance: [(DataQuirk, [String])] = [
        (.numberForString, ["availableBalance"]),
        (.amountLeadingPlus, ["currentBalance"]),
        (.amountMissingDecimals, ["creditLimit"]),
        (.amountExcessDecimals, ["amortisedLimit", "purses[*].amount"]),
    ]

    private static let transaction: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["reference"]),
        (.dateInDateTimeField, ["postingDateTime"]),
        (.emptyString, ["valueDateTime"]),
        (.enumVariant, ["type", "status"]),
        (.numberForString, ["merchantCategoryCode", "billerCode", "crn", "apcaNumber"]),
        (.stringForNumber, ["isDetailAvailable"]),
        // One amount per transaction: each occurrence goes to the first of these its value allows.
        (.amountLeadingPlus, ["amount"]),
        (.amountMissingDecimals, ["amount"]),
        (.amountExcessDecimals, ["amount"]),
    ]

    private static let payee: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["nickname"]),
        (.dateTimeInDateField, ["creationDate"]),
        (.enumVariant, ["type"]),
    ]

    private static let payeeDetail: [(DataQuirk, [String])] = [
        (.enumVariant, ["domestic.payId.type", "digitalWallet.type", "digitalWallet.provider"]),
        (
            .numberForString,
            [
                "biller.billerCode", "biller.crn", "domestic.account.accountNumber",
                "international.bankDetails.accountNumber",
            ]
        ),
    ]

    private static let scheduledPayment: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["payerReference"]),
        (
            .dateTimeInDateField,
            [
                "recurrence.nextPaymentDate", "recurrence.onceOff.paymentDate",
                "recurrence.intervalSchedule.finalPaymentDate",
            ]
        ),
        (
            .emptyString,
            ["recurrence.intervalSchedule.nonBusinessDayTreatment", "recurrence.lastWeekDay.nonBusinessDayTreatment"]
        ),
        (.enumVariant, ["status", "recurrence.lastWeekDay.lastWeekDay"]),
        (
            .numberForString,
            [
                "paymentSet[*].to.biller.billerCode", "paymentSet[*].to.biller.crn",
                "paymentSet[*].to.domestic.account.accountNumber",
                "paymentSet[*].to.international.bankDetails.accountNumber",
            ]
        ),
        (
            .stringForNumber,
            [
                "paymentSet[*].isAmountCalculated", "recurrence.intervalSchedule.paymentsRemaining",
                "recurrence.lastWeekDay.paymentsRemaining",
            ]
        ),
        // One amount per payment: each occurrence goes to the first of these its value allows.
        (.amountLeadingPlus, ["paymentSet[*].amount"]),
        (.amountMissingDecimals, ["paymentSet[*].amount"]),
        (.amountExcessDecimals, ["paymentSet[*].amount"]),
    ]

    private static let directDebit: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["authorisedEntity"]),
        (.dateInDateTimeField, ["lastDebitDateTime"]),
        (.numberForString, ["authorisedEntity.abn", "authorisedEntity.acn", "authorisedEntity.arbn"]),
        // One amount per authorisation: each occurrence goes to the first of these its value allows.
        (.amountLeadingPlus, ["lastDebitAmount"]),
        (.amountMissingDecimals, ["lastDebitAmount"]),
        (.amountExcessDecimals, ["lastDebitAmount"]),
    ]

    private static let instalmentPlan: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["planReference"]),
        (.dateTimeInDateField, ["creationDate", "schedule[*].dueDate"]),
        (.emptyString, ["planRate"]),
        (.numberForString, ["merchantCategoryCode"]),
        (.stringForNumber, ["schedule[*].isPaid"]),
        (.amountLeadingPlus, ["amount"]),
        (.amountMissingDecimals, ["planCharge"]),
        (.amountExcessDecimals, ["schedule[*].amountDue"]),
    ]

    private static let product: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["cardArt[*].cardScheme"]),
        (.dateInDateTimeField, ["effectiveFrom", "lastUpdated"]),
        (.emptyString, ["effectiveTo"]),
        (.enumVariant, ["productCategory", "cardArt[*].cardType"]),
        (.stringForNumber, ["isTailored"]),
    ]

    private static let productDetail: [(DataQuirk, [String])] = [
        (
            .missingRequiredField,
            [
                "depositRates[*].applicationType", "lendingRates[*].applicationType",
                "fees[*].feeMethodUType",
            ]
        ),
        (
            .emptyString,
            [
                "fees[*].feeCapPeriod", "depositRates[*].calculationFrequency",
                "lendingRates[*].calculationFrequency", "lendingRates[*].interestPaymentDue",
            ]
        ),
        (
            .enumVariant,
            [
                "depositRates[*].depositRateType", "lendingRates[*].lendingRateType",
                "lendingRates[*].repaymentType", "lendingRates[*].loanPurpose", "fees[*].feeType",
                "features[*].featureType", "constraints[*].constraintType", "eligibility[*].eligibilityType",
            ]
        ),
        (.numberForString, ["depositRates[*].rate", "lendingRates[*].rate", "lendingRates[*].comparisonRate"]),
        (
            .stringForNumber,
            ["instalments.maximumConcurrentPlans", "instalments.minimumSplit", "instalments.maximumSplit"]
        ),
        (.amountLeadingPlus, ["instalments.instalmentsLimit"]),
        (.amountMissingDecimals, ["instalments.minimumPlanValue"]),
        (.amountExcessDecimals, ["fees[*].feeCap", "instalments.maximumPlanValue"]),
    ]

    private static let customer: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["person.middleNames", "organisation.agentRole"]),
        (.dateTimeInDateField, ["organisation.establishmentDate"]),
        (.dateInDateTimeField, ["person.lastUpdateTime", "organisation.lastUpdateTime"]),
        (.emptyString, ["person.occupationCodeVersion", "organisation.industryCodeVersion"]),
        (.enumVariant, ["organisation.organisationType"]),
        (
            .numberForString,
            ["person.occupationCode", "organisation.abn", "organisation.acn", "organisation.industryCode"]
        ),
        (.stringForNumber, ["organisation.isACNCRegistered"]),
    ]

    private static let customerDetail: [(DataQuirk, [String])] = [
        (
            .enumVariant,
            [
                "person.phoneNumbers[*].purpose", "person.emailAddresses[*].purpose",
                "person.physicalAddresses[*].purpose", "organisation.physicalAddresses[*].purpose",
            ]
        ),
        (
            .stringForNumber,
            [
                "person.phoneNumbers[*].isPreferred", "person.emailAddresses[*].isPreferred",
                "person.physicalAddresses[*].paf.thoroughfareNumber1",
                "organisation.physicalAddresses[*].paf.thoroughfareNumber1",
            ]
        ),
    ]

    private static let outage: [(DataQuirk, [String])] = [
        (.missingRequiredField, ["explanation"]),
        (.dateInDateTimeField, ["outageTime"]),
        (.stringForNumber, ["isPartial"]),
    ]

    /// The operations and their targets. Single-record responses name their record `data.`.
    private static let entries: [([String], [(DataQuirk, [String])])] = [
        (["listBankingAccounts"], under("data.accounts[*].", account)),
        (["getBankingAccountDetail"], under("data.", account + accountDetail)),
        (["getBankingBalance"], under("data.", balance)),
        (["listBankingBalancesBulk", "listBankingBalancesSpecificAccounts"], under("data.balances[*].", balance)),
        (["listBankingTransactions"], under("data.transactions[*].", transaction)),
        (["getBankingTransactionDetail"], under("data.", transaction)),
        (["listBankingPayees"], under("data.payees[*].", payee)),
        (["getBankingPayeeDetail"], under("data.", payee + payeeDetail)),
        (
            ["listScheduledPayments", "listScheduledPaymentsBulk", "listScheduledPaymentsSpecificAccounts"],
            under("data.scheduledPayments[*].", scheduledPayment)
        ),
        (
            ["listDirectDebits", "listDirectDebitsBulk", "listDirectDebitsSpecificAccounts"],
            under("data.directDebitAuthorisations[*].", directDebit)
        ),
        (["listInstalmentPlans", "listInstalmentPlansBulk"], under("data.plans[*].", instalmentPlan)),
        (["listBankingProducts"], under("data.products[*].", product)),
        (["getBankingProductDetail"], under("data.", product + productDetail)),
        (["getCustomer"], under("data.", customer)),
        (["getCustomerDetail"], under("data.", customer + customerDetail)),
        (["getOutages"], under("data.outages[*].", outage)),
    ]
}

/// One wire field (pattern) a quirk hits.
struct QuirkTarget: Sendable {
    /// A step of a path pattern.
    enum Step: Hashable, Sendable {
        case key(String)
        case everyElement
    }

    let quirk: DataQuirk
    let pattern: String
    let steps: [Step]

    init(quirk: DataQuirk, pattern: String) {
        self.quirk = quirk
        self.pattern = pattern
        var steps: [Step] = []
        for part in pattern.split(separator: ".") {
            var name = Substring(part)
            var elements = 0
            while name.hasSuffix("[*]") {
                name = name.dropLast(3)
                elements += 1
            }
            steps.append(.key(String(name)))
            steps += Array(repeating: .everyElement, count: elements)
        }
        self.steps = steps
    }
}

/// Writes the enabled quirks into one response body and notes each field occurrence it changed.
struct QuirkWriter {
    /// A change to one field occurrence.
    private enum Edit {
        case replace(JSONValue)
        case remove
    }

    /// The occurrences changed, in the order written.
    private(set) var injected: [(path: String, quirk: DataQuirk)] = []
    /// Occurrences already changed: a second quirk never hits them.
    private var touched: Set<String> = []
    /// Union members whose discriminator was removed: the client drops them, so nothing is written inside.
    private var dropped: Set<String> = []

    /// Writes `quirks` into `body` at the operation's targets.
    /// - Returns: The writer, with the occurrences it changed.
    static func write(_ quirks: Set<DataQuirk>, operation: String, into body: inout JSONValue) -> QuirkWriter {
        var writer = QuirkWriter()
        for target in QuirkTable.compiled(forOperation: operation) where quirks.contains(target.quirk) {
            var occurrence = 0
            writer.visit(&body, target.steps[...], path: "", quirk: target.quirk, occurrence: &occurrence)
        }
        return writer
    }

    private mutating func visit(
        _ value: inout JSONValue, _ steps: ArraySlice<QuirkTarget.Step>, path: String, quirk: DataQuirk,
        occurrence: inout Int
    ) {
        guard let step = steps.first else { return }
        let rest = steps.dropFirst()
        switch (step, value) {
        case (.everyElement, .array(var elements)):
            value = .null  // releases the array, so the elements are changed in place
            for index in elements.indices {
                let elementPath = path + "[\(index)]"
                if dropped.contains(elementPath) { continue }
                visit(&elements[index], rest, path: elementPath, quirk: quirk, occurrence: &occurrence)
            }
            value = .array(elements)
        case (.key(let key), .object(var members)):
            guard var member = members[key] else { return }
            let memberPath = path.isEmpty ? key : path + "." + key
            guard !dropped.contains(memberPath) else { return }
            value = .null
            if rest.isEmpty {
                if !touched.contains(memberPath), let edit = Self.edit(quirk, member, occurrence: occurrence) {
                    switch edit {
                    case .replace(let replacement):
                        members[key] = replacement
                    case .remove:
                        members[key] = nil
                        if key.hasSuffix("UType"), case .string(let variant) = member {
                            dropped.insert(path.isEmpty ? variant : path + "." + variant)
                        }
                    }
                    touched.insert(memberPath)
                    injected.append((memberPath, quirk))
                    occurrence += 1
                }
            } else {
                members[key] = .null
                visit(&member, rest, path: memberPath, quirk: quirk, occurrence: &occurrence)
                members[key] = member
            }
            value = .object(members)
        default:
            return
        }
    }

    /// The change `quirk` makes to `value`, or `nil` when the value cannot carry it.
    private static func edit(_ quirk: DataQuirk, _ value: JSONValue, occurrence: Int) -> Edit? {
        if quirk == .missingRequiredField { return value == .null ? nil : .remove }
        if quirk == .stringForNumber {
            switch value {
            case .integer(let number): return .replace(.string(String(number)))
            case .bool(let flag): return .replace(.string(flag ? "true" : "false"))
            default: return nil
            }
        }
        guard case .string(let text) = value, !text.isEmpty else { return nil }
        switch quirk {
        case .dateTimeInDateField:
            guard CDRDate(rawValue: text) != nil else { return nil }
            return .replace(.string(text + "T09:30:00+10:00"))
        case .dateInDateTimeField:
            let day = String(text.prefix(10))
            guard text.count > 10, CDRDateTime(rawValue: text) != nil, CDRDate(rawValue: day) != nil else {
                return nil
            }
            return .replace(.string(day))
        case .numberForString:
            return exactNumber(text).map { .replace($0) }
        case .emptyString:
            return .replace(.string(""))
        case .enumVariant:
            guard text == text.trimmingCharacters(in: .whitespaces), text.contains(where: \.isLetter) else {
                return nil
            }
            let lower = text.lowercased()
            return .replace(.string(occurrence.isMultiple(of: 2) && lower != text ? lower : " " + text + " "))
        case .amountLeadingPlus:
            guard CDRAmount(rawValue: text) != nil, !text.hasPrefix("-") else { return nil }
            return .replace(.string("+" + text))
        case .amountMissingDecimals:
            guard CDRAmount(rawValue: text) != nil, hasTwoDecimals(text), text.hasSuffix("0") else { return nil }
            return .replace(.string(text.hasSuffix(".00") ? String(text.dropLast(3)) : String(text.dropLast())))
        case .amountExcessDecimals:
            guard CDRAmount(rawValue: text) != nil, hasTwoDecimals(text) else { return nil }
            return .replace(.string(text + "0"))
        default:
            return nil
        }
    }

    private static func hasTwoDecimals(_ text: String) -> Bool {
        guard let dot = text.firstIndex(of: ".") else { return false }
        return text.distance(from: dot, to: text.endIndex) == 3
    }

    /// `text` as a JSON number that a client reads back as the same text (a plain string or identifier) or the
    /// same value (an amount or a rate): digits with an optional sign and fraction, and no leading zero that a
    /// number would lose. `nil` for any other text.
    private static func exactNumber(_ text: String) -> JSONValue? {
        var body = Substring(text)
        if body.hasPrefix("-") { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integer = parts.first, (1...15).contains(integer.count), integer.allSatisfy(\.isASCIIDigit),
            integer == "0" || !integer.hasPrefix("0")
        else { return nil }
        guard parts.count == 2 else { return Int64(text).map { .integer($0) } }
        let fraction = parts[1]
        guard (1...16).contains(fraction.count), fraction.allSatisfy(\.isASCIIDigit),
            let number = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        return .number(number)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// The `x-fapi-interaction-id` of the response being built, bound by the holder's middleware for each request.
enum ResponseInteraction {
    @TaskLocal static var id: String?
}

extension MockDataHolder {
    /// The encoder of a body with quirks written in: sorted keys, so the bytes are the same on every run.
    static let quirkEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    /// The JSON body of a resource response, with the enabled data quirks written in and recorded.
    func resourceBody(_ value: some Encodable, operation: String) throws -> Data {
        let data = try HolderResponse.jsonEncoder.encode(value)
        let quirks = faults.quirks
        guard !quirks.isEmpty, !QuirkTable.compiled(forOperation: operation).isEmpty else { return data }
        var body = try JSONDecoder().decode(JSONValue.self, from: data)
        let writer = QuirkWriter.write(quirks, operation: operation, into: &body)
        guard !writer.injected.isEmpty else { return data }
        let interactionID = ResponseInteraction.id
        faults.recordInjected(
            writer.injected.map {
                MockFaults.InjectedQuirk(
                    operation: operation, path: $0.path, quirk: $0.quirk, interactionID: interactionID)
            })
        return try Self.quirkEncoder.encode(body)
    }
}
