import CDRMockData
import CDRModels
import Foundation
import Testing

@Suite struct MockDatasetTests {
    static let reference = Date(timeIntervalSince1970: 1_795_219_200)  // 2026-11-21T00:00:00Z

    static func dataset(
        seed: UInt64 = 2026, customers: Int = 3, accounts: Int = 14, transactions: Int = 250,
        history: Duration = .seconds(365 * 86_400)
    ) -> MockDataset {
        MockDataset(
            configuration: .init(
                seed: seed, customerCount: customers, accountsPerCustomer: accounts,
                transactionsPerAccount: transactions, referenceDate: reference, history: history))
    }

    // MARK: Configuration

    @Test func defaultConfiguration() {
        let configuration = MockDataset.Configuration()
        #expect(configuration.seed == 2026)
        #expect(configuration.customerCount == 3)
        #expect(configuration.accountsPerCustomer == 14)
        #expect(configuration.transactionsPerAccount == 250)
        #expect(configuration.history == .seconds(365 * 86_400))
        let seconds = configuration.referenceDate.timeIntervalSince1970
        #expect(seconds == seconds.rounded(.down))
        #expect(abs(seconds - Date().timeIntervalSince1970) < 60)
    }

    // MARK: Determinism

    @Test func sameSeedGivesSameData() {
        let a = Self.dataset()
        let b = Self.dataset()
        #expect(a.customers == b.customers)
        for (x, y) in zip(a.customers, b.customers) {
            #expect(a.accounts(of: x) == b.accounts(of: y))
            #expect(a.payees(of: x).map { $0.detailV2() } == b.payees(of: y).map { $0.detailV2() })
            #expect(x.customerDetail() == y.customerDetail())
        }
        let accountA = a.accounts(of: a.customers[1])[3]
        let accountB = b.accounts(of: b.customers[1])[3]
        for index in [0, 1, 17, 249] {
            #expect(a.transaction(of: accountA, at: index) == b.transaction(of: accountB, at: index))
            #expect(
                a.transaction(of: accountA, at: index).detailV3() == b.transaction(of: accountB, at: index).detailV3())
        }
        #expect(a.balance(of: accountA) == b.balance(of: accountB))
        #expect(accountA.detailV5() == accountB.detailV5())
        #expect(a.products.map { $0.detailV7() } == b.products.map { $0.detailV7() })
        #expect(
            a.scheduledPayments(of: a.accounts(of: a.customers[0])[0])
                == b.scheduledPayments(of: b.accounts(of: b.customers[0])[0]))
    }

    @Test func otherSeedGivesOtherData() {
        let a = Self.dataset(seed: 1)
        let b = Self.dataset(seed: 2)
        let accountA = a.accounts(of: a.customers[0])[0]
        let accountB = b.accounts(of: b.customers[0])[0]
        #expect(accountA.id != accountB.id)
        #expect(accountA.accountNumber != accountB.accountNumber)
        let amountsA = (0..<50).map { a.transaction(of: accountA, at: $0).amount }
        let amountsB = (0..<50).map { b.transaction(of: accountB, at: $0).amount }
        #expect(amountsA != amountsB)
        #expect(a.products.map(\.id) != b.products.map(\.id))
        #expect(a.balance(of: accountA).currentBalance != b.balance(of: accountB).currentBalance)
    }

    // MARK: Random access

    @Test func millionTransactionsAreReachableDirectly() throws {
        let data = Self.dataset(customers: 1, accounts: 2, transactions: 1_000_000)
        let account = data.accounts(of: data.customers[0])[1]
        #expect(data.transactionCount(of: account) == 1_000_000)
        let oldest = data.transaction(of: account, at: 999_999)
        #expect(oldest.index == 999_999)
        #expect(oldest.effectiveTime == Self.reference - 365 * 86_400)
        #expect(data.transaction(of: account, at: 0).effectiveTime == Self.reference)
        #expect(data.transaction(id: oldest.id, of: account) == oldest)
        let rendered = oldest.v2()
        #expect(rendered.transactionId?.rawValue == oldest.id)
        let window = data.transactionIndices(of: account, from: oldest.effectiveTime, through: oldest.effectiveTime)
        #expect(window.contains(999_999))
        // Cost of one access, printed for information only (no timing is asserted).
        let clock = ContinuousClock()
        var checksum = Decimal(0)
        let elapsed = clock.measure {
            for index in stride(from: 0, to: 1_000_000, by: 100) {
                checksum += data.transaction(of: account, at: index).amount
            }
        }
        print("transaction(of:at:) average over 10,000 calls: \(elapsed / 10_000) (checksum \(checksum))")
    }

    @Test func effectiveTimesNeverIncrease() {
        let data = Self.dataset(customers: 1, accounts: 1, transactions: 500)
        let account = data.accounts(of: data.customers[0])[0]
        let times = (0..<500).map { data.transaction(of: account, at: $0).effectiveTime }
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(times.first == Self.reference)
        #expect(times.last == Self.reference - 365 * 86_400)
    }

    // MARK: Time windows

    @Test func transactionIndicesHonourInclusiveBounds() {
        // 11 transactions, 10 seconds apart: index i is at reference - 10 i.
        let data = Self.dataset(customers: 1, accounts: 1, transactions: 11, history: .seconds(100))
        let account = data.accounts(of: data.customers[0])[0]
        let r = Self.reference
        #expect(data.transactionIndices(of: account, from: r - 30, through: r - 10) == 1..<4)
        #expect(data.transactionIndices(of: account, from: r - 29.5, through: r - 10.5) == 2..<3)
        #expect(data.transactionIndices(of: account, from: r - 100, through: r) == 0..<11)
        #expect(data.transactionIndices(of: account, from: .distantPast, through: .distantFuture) == 0..<11)
        #expect(data.transactionIndices(of: account, from: r, through: r) == 0..<1)
        #expect(data.transactionIndices(of: account, from: r - 100, through: r - 100) == 10..<11)
        #expect(data.transactionIndices(of: account, from: r - 25, through: r - 21).isEmpty)
        #expect(data.transactionIndices(of: account, from: r - 10, through: r - 30).isEmpty)
        #expect(data.transactionIndices(of: account, from: r + 1, through: .distantFuture).isEmpty)
        #expect(data.transactionIndices(of: account, from: .distantPast, through: r - 100.5).isEmpty)
        #expect(data.transactionIndices(of: account, from: r - 1_000, through: r - 200).isEmpty)
    }

    @Test(arguments: [(1, 0), (1, 50), (2, 1), (7, 100), (13, 5), (250, 31_536_000), (1_000, 999)])
    func transactionIndicesMatchALinearScan(count: Int, historySeconds: Int) {
        let data = Self.dataset(customers: 1, accounts: 1, transactions: count, history: .seconds(historySeconds))
        let account = data.accounts(of: data.customers[0])[0]
        let times = (0..<count).map { data.transaction(of: account, at: $0).effectiveTime }
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let span = Double(historySeconds) + 20
        for _ in 0..<300 {
            // Whole and fractional seconds, inside and around the history.
            var a = Self.reference - next() * span + 10
            var b = Self.reference - next() * span + 10
            if next() < 0.5 { a = Date(timeIntervalSince1970: a.timeIntervalSince1970.rounded()) }
            if next() < 0.5 { b = Date(timeIntervalSince1970: b.timeIntervalSince1970.rounded()) }
            let (oldest, newest) = next() < 0.9 ? (min(a, b), max(a, b)) : (max(a, b), min(a, b))
            let expected = times.indices.filter { oldest <= times[$0] && times[$0] <= newest }
            let range = data.transactionIndices(of: account, from: oldest, through: newest)
            #expect(Array(range) == expected, "window \(oldest) ... \(newest)")
        }
    }

    // MARK: Identifiers

    @Test func identifiersRoundTrip() throws {
        let data = Self.dataset()
        for customer in data.customers {
            #expect(data.customer(id: customer.id) == customer)
            for account in data.accounts(of: customer) {
                #expect(data.account(id: account.id) == account)
                #expect(account.customerID == customer.id)
                for index in [0, 5, 249] {
                    let transaction = data.transaction(of: account, at: index)
                    #expect(data.transaction(id: transaction.id, of: account) == transaction)
                    #expect(transaction.accountID == account.id)
                }
            }
            for payee in data.payees(of: customer) {
                #expect(data.payee(id: payee.id) == payee)
                #expect(payee.customerID == customer.id)
            }
        }
        for product in data.products { #expect(data.product(id: product.id) == product) }
        let ids = data.customers.flatMap { data.accounts(of: $0) }.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.allSatisfy(\.isASCII) })
    }

    @Test func unknownIdentifiersGiveNil() throws {
        let data = Self.dataset()
        let other = Self.dataset(seed: 99)
        let bigger = Self.dataset(customers: 5, accounts: 20, transactions: 300)
        let account = data.accounts(of: data.customers[0])[0]
        let sibling = data.accounts(of: data.customers[0])[1]
        for id in ["", "customer-0", "customer-4", "customer-01", "customer-x", "Customer-1"] {
            #expect(data.customer(id: id) == nil)
        }
        for id in ["", "acc-", "nonsense", account.id + "0", account.id.uppercased(), String(account.id.dropLast())] {
            #expect(data.account(id: id) == nil)
        }
        #expect(data.account(id: other.accounts(of: other.customers[0])[0].id) == nil)
        #expect(data.account(id: bigger.accounts(of: bigger.customers[4])[0].id) == nil)
        #expect(data.account(id: bigger.accounts(of: bigger.customers[0])[16].id) == nil)
        let transaction = data.transaction(of: account, at: 3)
        #expect(data.transaction(id: transaction.id, of: sibling) == nil)
        #expect(data.transaction(id: account.id, of: account) == nil)
        let late = bigger.transaction(of: bigger.accounts(of: bigger.customers[0])[0], at: 280)
        #expect(data.transaction(id: late.id, of: account) == nil)
        #expect(data.payee(id: account.id) == nil)
        #expect(data.payee(id: other.payees(of: other.customers[0])[0].id) == nil)
        #expect(data.product(id: "prd-unknown") == nil)
        #expect(data.product(id: other.products[0].id) == nil)
    }

    // MARK: Coverage

    @Test func everyCustomerHasEveryCategory() {
        let data = Self.dataset()
        #expect(data.customers.contains { $0.isOrganisation })
        #expect(data.customers.contains { !$0.isOrganisation })
        for customer in data.customers {
            let accounts = data.accounts(of: customer)
            #expect(Set(accounts.map(\.productCategory)) == Set(BankingProductCategory.knownValues))
            #expect(accounts.contains { $0.openStatus == .closed })
            #expect(accounts.contains { !$0.isOwned })
            #expect(accounts.contains { $0.bsb != nil }, "some accounts have a BSB to check")
            for account in accounts {
                let detail = account.detailV5()
                switch account.productCategory {
                case .termDeposits:
                    guard case .termDeposit(let deposits) = detail.specificAccount else {
                        Issue.record("term deposit lacks its part")
                        continue
                    }
                    #expect(!deposits.isEmpty)
                    #expect(detail.depositRates?.isEmpty == false)
                case .credAndChrgCards:
                    guard case .creditCard = detail.specificAccount else {
                        Issue.record("card lacks its part")
                        continue
                    }
                    #expect(detail.instalments != nil)
                    #expect(detail.lendingRates?.isEmpty == false)
                case .residentialMortgages, .persLoans, .businessLoans:
                    guard case .loan = detail.specificAccount else {
                        Issue.record("loan lacks its part")
                        continue
                    }
                case .buyNowPayLater:
                    #expect(detail.instalments != nil)
                    #expect(account.v2().productCategory == .persLoans)
                    #expect(account.detailV4().productCategory == .persLoans)
                default:
                    break
                }
                #expect(detail.features?.isEmpty == false)
                #expect(detail.fees?.isEmpty == false)
                #expect(detail.addresses?.isEmpty == false)
                #expect((account.bsb == nil) == (account.accountNumber == nil))
                #expect(account.bsb.map { $0.count == 6 && $0.allSatisfy(\.isNumber) } ?? true)
            }
        }
        let balances = data.customers.flatMap { data.accounts(of: $0) }.map { data.balance(of: $0) }
        #expect(balances.contains { $0.purses?.isEmpty == false })
        #expect(balances.allSatisfy { !$0.availableBalance.isNegative })
    }

    @Test func transactionsCoverEveryTypeSignAndStatus() {
        let data = Self.dataset()
        var seen: Set<String> = []
        var sawNPP = false
        for customer in data.customers {
            for account in data.accounts(of: customer) {
                for index in 0..<data.transactionCount(of: account) {
                    let transaction = data.transaction(of: account, at: index)
                    let rendered = transaction.v2()
                    let sign = transaction.amount < 0 ? "debit" : "credit"
                    seen.insert(rendered.type.rawValue)
                    seen.insert(sign)
                    seen.insert(rendered.status.rawValue)
                    seen.insert(rendered.type.rawValue + "/" + rendered.status.rawValue)
                    #expect(rendered.amount.isNegative == (transaction.amount < 0))
                    #expect((rendered.postingDateTime == nil) == transaction.isPending)
                    #expect((rendered.postingDateTime ?? rendered.executionDateTime)?.date == transaction.effectiveTime)
                    if index < 11 {
                        let detail = transaction.detailV3()
                        if case .nppPayload(let payload) = detail.extendedData.extensionVariant {
                            sawNPP = true
                            #expect(payload.extendedDescription?.isEmpty == false)
                        }
                        if transaction.amount < 0 { #expect(detail.extendedData.payee != nil) }
                        if transaction.amount > 0 { #expect(detail.extendedData.payer != nil) }
                    }
                }
            }
        }
        for type in BankingTransactionType.knownValues { #expect(seen.contains(type.rawValue), "\(type)") }
        for label in ["debit", "credit", "PENDING", "POSTED"] { #expect(seen.contains(label), "\(label)") }
        #expect(sawNPP)
        #expect(seen.contains { $0.hasSuffix("/PENDING") })
    }

    @Test func textFilterMatchesDescriptionOrReference() throws {
        let data = Self.dataset()
        let account = data.accounts(of: data.customers[0])[0]
        let transaction = data.transaction(of: account, at: 0)
        #expect(transaction.matches(text: String(transaction.description.uppercased().prefix(5))))
        #expect(transaction.matches(text: ""))
        #expect(!transaction.matches(text: "no such text anywhere"))
        let withReference = try #require(
            (0..<250).map { data.transaction(of: account, at: $0) }.first { !$0.reference.isEmpty },
            "the first 250 transactions include one with a reference")
        #expect(withReference.matches(text: withReference.reference.lowercased()))
    }

    @Test func payeesCoverEveryType() {
        let data = Self.dataset()
        for customer in data.customers {
            let details = data.payees(of: customer).map { $0.detailV2() }
            #expect(Set(details.map(\.type)) == Set(BankingPayeeType.knownValues))
            var members: Set<String> = []
            for detail in details {
                members.insert(detail.payee.uType)
                if case .domestic(let domestic) = detail.payee {
                    switch domestic.payeeAccount {
                    case .account: members.insert("account")
                    case .card: members.insert("card")
                    case .payId: members.insert("payId")
                    case .unknown: break
                    }
                }
            }
            #expect(members == ["biller", "domestic", "international", "digitalWallet", "account", "card", "payId"])
        }
    }

    @Test func regularPaymentsCoverEveryDestinationAndRecurrence() {
        let data = Self.dataset()
        for customer in data.customers {
            let accounts = data.accounts(of: customer)
            let payments = accounts.flatMap { data.scheduledPayments(of: $0) }
            #expect(
                Set(payments.flatMap { $0.paymentSet.map(\.to.to.uType) })
                    == ["accountId", "payeeId", "domestic", "biller", "international", "digitalWallet"])
            #expect(
                Set(payments.map(\.recurrence.recurrence.uType))
                    == ["onceOff", "intervalSchedule", "lastWeekDay", "eventBased"])
            for account in accounts {
                for payment in data.scheduledPayments(of: account) {
                    #expect(payment.from.accountId.rawValue == account.id)
                    for set in payment.paymentSet { #expect(set.amount != nil || set.isAmountCalculated == true) }
                }
            }
            #expect(!accounts.flatMap { data.directDebits(of: $0) }.isEmpty)
            let plans = accounts.flatMap { account in data.instalmentPlans(of: account).map { (account, $0) } }
            #expect(plans.contains { $0.1.isActive })
            #expect(plans.contains { !$0.1.isActive })
            #expect(Set(plans.map(\.0.productCategory)) == [.buyNowPayLater, .credAndChrgCards])
            for (account, plan) in plans {
                let rendered = plan.plan()
                #expect(rendered.accountId.rawValue == account.id)
                #expect(plan.isActive == rendered.schedule.contains { $0.isPaid != true })
            }
        }
    }

    @Test func productsCoverEveryCategoryNowAndLater() {
        let data = Self.dataset()
        let products = data.products
        #expect(Set(products.filter(\.isCurrent).map(\.productCategory)) == Set(BankingProductCategory.knownValues))
        #expect(products.contains { !$0.isCurrent })
        #expect(Set(products.map(\.brand)).count > 1)
        for product in products {
            let detail = product.detailV7()
            #expect(detail.features?.isEmpty == false)
            #expect(detail.constraints?.isEmpty == false)
            #expect(detail.eligibility?.isEmpty == false)
            #expect(detail.fees?.isEmpty == false)
            #expect(detail.depositRates != nil || detail.lendingRates != nil)
            #expect(product.isCurrent == ((detail.effectiveFrom?.date ?? .distantPast) <= Self.reference))
            #expect(product.v5().productCategory != .buyNowPayLater)
            #expect(product.detailV6().productCategory != .buyNowPayLater)
        }
        #expect(products.contains { $0.detailV7().cardArt?.isEmpty == false })
        #expect(products.contains { $0.detailV7().bundles?.isEmpty == false })
        #expect(products.contains { $0.detailV7().instalments != nil })
    }
}
