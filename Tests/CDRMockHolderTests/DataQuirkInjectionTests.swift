import CDRMockData
import CDRModels
import CDRTesting
import CDRTransportAsyncHTTPClient
import Foundation
import NIOHTTP1
import Testing

@testable import CDRMockHolder

/// The data quirks the holder writes into its resource responses (``MockFaults/quirks``), over real mutual TLS: each
/// recorded occurrence is really in the served body, a lenient `CDRDecoder` reports each one exactly once and keeps
/// every record, and a strict one refuses the body.
@Suite(.timeLimit(.minutes(5)))
struct DataQuirkInjectionTests {
    /// One resource request.
    struct Call: Sendable, CustomStringConvertible {
        var operation: CDSOperation
        var url: String
        var body: Data?
        var grant: SeededGrant?
        var description: String { "\(operation.id) v\(operation.version) \(url)" }
    }

    /// What one call served with the quirks on, next to the same call with them off.
    struct Served: Sendable {
        var call: Call
        var clean: Data
        var quirked: Data
        var injected: [MockFaults.InjectedQuirk]
    }

    // MARK: The calls

    /// Every operation with quirk targets, in every version: lists, and the detail of every consented account,
    /// payee and product, for a person and for an organisation.
    static func calls(_ holder: MockDataHolder, person: SeededGrant, organisation: SeededGrant) throws -> [Call] {
        let endpoints = try #require(holder.endpoints)
        let secure = endpoints.resourceBaseURL
        var calls: [Call] = []
        func add(_ id: String, _ parameters: [String: String] = [:], query: String = "", grant: SeededGrant?) {
            for version in CDSOperation.versions(of: id) {
                guard let operation = CDSOperation.named(id, version: version) else { continue }
                var path = operation.path
                for (name, value) in parameters { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
                let base = operation.isAuthenticated ? secure : endpoints.publicResourceBaseURL
                calls.append(
                    Call(
                        operation: operation, url: base + path + query,
                        body: operation.requestType == nil ? nil : accountList, grant: grant))
            }
        }
        let accounts = person.accounts
        let ids = accounts.map { #""\#($0.id)""# }.joined(separator: ",")
        let accountList = Data(#"{"data":{"accountIds":[\#(ids)]},"meta":{}}"#.utf8)
        let everything = "?page-size=100"
        add("listBankingAccounts", query: everything, grant: person)
        for account in accounts {
            add("getBankingAccountDetail", ["accountId": account.id], grant: person)
            add("getBankingBalance", ["accountId": account.id], grant: person)
        }
        add("listBankingBalancesBulk", query: everything, grant: person)
        add("listBankingBalancesSpecificAccounts", grant: person)
        for account in accounts.prefix(3) {
            add(
                "listBankingTransactions", ["accountId": account.id],
                query: "?oldest-time=2000-01-01T00:00:00Z&page-size=100", grant: person)
        }
        let account = accounts[0]
        for index in [0, 1, 2] {
            let transaction = holder.dataset.transaction(of: account, at: index)
            add(
                "getBankingTransactionDetail", ["accountId": account.id, "transactionId": transaction.id],
                grant: person)
        }
        add("listBankingPayees", query: everything, grant: person)
        for payee in holder.dataset.payees(of: person.customer) {
            add("getBankingPayeeDetail", ["payeeId": payee.id], grant: person)
        }
        let cardAccount = try #require(accounts.first { $0.productCategory == .buyNowPayLater })
        for id in ["listScheduledPayments", "listDirectDebits", "listInstalmentPlans"] {
            let isPlans = id == "listInstalmentPlans"
            add(
                id, ["accountId": isPlans ? cardAccount.id : account.id], query: isPlans ? "?plan-status=ALL" : "",
                grant: person)
            add(id + "Bulk", query: everything + (isPlans ? "&plan-status=ALL" : ""), grant: person)
            add(id + "SpecificAccounts", grant: person)
        }
        add("listBankingProducts", query: everything + "&effective=ALL", grant: nil)
        for product in holder.dataset.products {
            add("getBankingProductDetail", ["productId": product.id], grant: nil)
        }
        // A scheduled outage (in the future, so nothing is unavailable) gives the outages list a record; the status
        // is an envelope only, never touched.
        add("getOutages", grant: nil)
        add("getStatus", grant: nil)
        for grant in [person, organisation] {
            add("getCustomer", grant: grant)
            add("getCustomerDetail", grant: grant)
        }
        #expect(calls.allSatisfy { !$0.url.contains("{") })
        return calls
    }

    /// Sends one call and returns its body, after checking it succeeded and echoed `interactionID`.
    static func send(_ call: Call, _ client: TestHTTPClient, interactionID: String) async throws -> Data {
        var headers: [(String, String)] = [("x-v", String(call.operation.version))]
        if let grant = call.grant {
            headers = resourceHeaders(grant, version: call.operation.version).filter {
                $0.0 != "x-fapi-interaction-id"
            }
        }
        headers.append(("x-fapi-interaction-id", interactionID))
        if call.body != nil { headers.append(("content-type", "application/json")) }
        let method: HTTPMethod = call.operation.method == "POST" ? .POST : .GET
        let answer = try await client.send(method, call.url, headers: headers, body: call.body)
        #expect(answer.status == 200, "\(call): \(answer.status) \(answer.errorCodes)")
        #expect(answer.header("x-fapi-interaction-id") == interactionID, "\(call)")
        return answer.body
    }

    /// Runs every call with `quirks` off, then on, and returns what each served and the quirks recorded for it.
    static func serve(_ quirks: Set<DataQuirk>) async throws -> [Served] {
        try await MockDataHolder.withRunning { holder in
            let customers = holder.dataset.customers
            let personCustomer: MockCustomer = try #require(customers.first { !$0.isOrganisation })
            let organisationCustomer: MockCustomer = try #require(customers.first { $0.isOrganisation })
            let person = try holder.seedGrant(customer: personCustomer)
            let organisation = try holder.seedGrant(customer: organisationCustomer)
            holder.faults.outage = .scheduled(start: Date(timeIntervalSinceNow: 30 * 86_400), duration: .seconds(3600))
            let calls = try Self.calls(holder, person: person, organisation: organisation)
            return try await TestHTTPClient.with(pki: holder.pki) { client in
                var served: [Served] = []
                for call in calls {
                    holder.faults.quirks = []
                    let clean = try await send(call, client, interactionID: UUID().uuidString.lowercased())
                    holder.faults.quirks = quirks
                    let interactionID = UUID().uuidString.lowercased()
                    let quirked = try await send(call, client, interactionID: interactionID)
                    let injected = holder.faults.injectedQuirks().filter { $0.interactionID == interactionID }
                    served.append(Served(call: call, clean: clean, quirked: quirked, injected: injected))
                }
                #expect(holder.faults.injectedQuirks().count == served.map(\.injected.count).reduce(0, +))
                return served
            }
        }
    }

    // MARK: Checks

    /// A lenient decode's diagnostics and the number of records under `data` (the elements of its lists, or 1).
    static func lenient<T: CDSResponse>(_ type: T.Type, _ body: Data) throws -> (
        diagnostics: [DecodingDiagnostic], records: Int
    ) {
        let decoded = try CDRDecoder().decode(T.self, from: body)
        let encoded = try JSONEncoder().encode(decoded.value)
        guard case .object(let root) = try JSONDecoder().decode(JSONValue.self, from: encoded),
            case .object(let data)? = root["data"]
        else { return (decoded.diagnostics, 0) }
        let counts = data.values.compactMap { value -> Int? in
            if case .array(let elements) = value { elements.count } else { nil }
        }
        return (decoded.diagnostics, counts.isEmpty ? 1 : counts.reduce(0, +))
    }

    static func strictlyDecodes<T: CDSResponse>(_ type: T.Type, _ body: Data) -> Bool {
        (try? CDRDecoder(mode: .strict).decode(T.self, from: body)) != nil
    }

    /// Checks one served call: the recorded occurrences are in the body as the quirk says, with the clean value kept
    /// where the quirk allows; the lenient decode reports exactly them and keeps every record; strict decoding
    /// fails exactly when something was injected.
    static func check(_ served: Served, quirks: Set<DataQuirk>) throws {
        let call = served.call
        let type = call.operation.responseType
        let clean = try lenient(type, served.clean)
        #expect(clean.diagnostics.isEmpty, "\(call): the clean body has quirks: \(clean.diagnostics)")

        let targets = MockFaults.quirkTargets(forOperation: call.operation.id)
        let quirkedJSON = try JSONDecoder().decode(JSONValue.self, from: served.quirked)
        let cleanJSON = try JSONDecoder().decode(JSONValue.self, from: served.clean)
        #expect(Set(served.injected.map(\.path)).count == served.injected.count, "\(call): a field hit twice")
        for record in served.injected {
            #expect(record.operation == call.operation.id)
            #expect(quirks.contains(record.quirk), "\(call): \(record)")
            let patterns = targets[record.quirk] ?? []
            #expect(patterns.contains { matches(record.path, pattern: $0) }, "\(call): \(record) is not in the table")
            checkWire(
                record, quirked: value(at: record.path, in: quirkedJSON), clean: value(at: record.path, in: cleanJSON))
        }
        // Links and meta are the clean ones.
        if case .object(let quirkedRoot) = quirkedJSON, case .object(let cleanRoot) = cleanJSON {
            #expect(quirkedRoot["links"] == cleanRoot["links"], "\(call)")
            #expect(quirkedRoot["meta"] == cleanRoot["meta"], "\(call)")
        }

        let decoded = try lenient(type, served.quirked)
        let reported = decoded.diagnostics.map { "\($0.fieldPath) \($0.quirk)" }.sorted()
        let expected = served.injected.map { "\($0.path) \($0.quirk)" }.sorted()
        #expect(reported == expected, "\(call)")
        #expect(decoded.diagnostics.allSatisfy { $0.outcome != .recordLeftOut }, "\(call)")
        #expect(decoded.records == clean.records, "\(call): records were lost")
        #expect(strictlyDecodes(type, served.quirked) == served.injected.isEmpty, "\(call)")
    }

    /// ``check(_:quirks:)``, recording an error as an issue of that call.
    static func checking(_ served: Served, quirks: Set<DataQuirk>) {
        do { try check(served, quirks: quirks) } catch { Issue.record(error, "\(served.call)") }
    }

    /// Checks that the served value at a recorded path carries the quirk, and keeps the clean value where it can.
    static func checkWire(_ record: MockFaults.InjectedQuirk, quirked: JSONValue?, clean: JSONValue?) {
        let context = Comment(rawValue: "\(record): \(String(describing: quirked)) for \(String(describing: clean))")
        guard record.quirk != .missingRequiredField else {
            #expect(quirked == nil && clean != nil, context)
            return
        }
        if record.quirk == .stringForNumber {
            switch clean {
            case .integer(let number)?: #expect(quirked == .string(String(number)), context)
            case .bool(let flag)?: #expect(quirked == .string(flag ? "true" : "false"), context)
            default: Issue.record(context)
            }
            return
        }
        guard case .string(let original)? = clean else {
            Issue.record(context)
            return
        }
        if record.quirk == .numberForString {
            switch quirked {
            // The same text for digits, the same value for an amount or a rate.
            case .integer(let number)?:
                #expect(
                    original.contains(".") ? Decimal(number) == Decimal(string: original) : String(number) == original,
                    context)
            case .number(let number)?: #expect(number == Decimal(string: original), context)
            default: Issue.record(context)
            }
            return
        }
        guard case .string(let text)? = quirked else {
            Issue.record(context)
            return
        }
        switch record.quirk {
        case .dateTimeInDateField:
            #expect(text.hasPrefix(original + "T") && CDRDateTime(rawValue: text) != nil, context)
        case .dateInDateTimeField:
            #expect(text == String(original.prefix(10)) && CDRDate(rawValue: text) != nil, context)
        case .emptyString:
            #expect(text.isEmpty && !original.isEmpty, context)
        case .enumVariant:
            #expect(text != original && text.trimmingCharacters(in: .whitespaces).uppercased() == original, context)
        case .amountLeadingPlus:
            #expect(text == "+" + original, context)
        case .amountMissingDecimals:
            let decimals = text.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0
            #expect(decimals < 2 && Decimal(string: text) == Decimal(string: original), context)
        case .amountExcessDecimals:
            #expect(text == original + "0", context)
        default:
            Issue.record(context)
        }
    }

    /// Whether a concrete path (`data.accounts[2].creationDate`) matches a pattern (`data.accounts[*].creationDate`).
    static func matches(_ path: String, pattern: String) -> Bool {
        var general = ""
        var inIndex = false
        for character in path {
            if inIndex {
                if character == "]" {
                    general += "*]"
                    inIndex = false
                }
            } else {
                general.append(character)
                if character == "[" { inIndex = true }
            }
        }
        return general == pattern
    }

    /// The value at a concrete path, or `nil` when there is none.
    static func value(at path: String, in root: JSONValue) -> JSONValue? {
        var current: JSONValue? = root
        for part in path.split(separator: ".") {
            let pieces = part.split(separator: "[")
            guard case .object(let members)? = current else { return nil }
            current = members[String(pieces[0])]
            for index in pieces.dropFirst() {
                guard case .array(let elements)? = current, let position = Int(index.dropLast()),
                    elements.indices.contains(position)
                else { return nil }
                current = elements[position]
            }
        }
        return current
    }

    // MARK: Tests

    @Test(arguments: MockFaults.injectableQuirks)
    func eachQuirkAloneIsServedAndReportedOncePerOccurrence(quirk: DataQuirk) async throws {
        let served = try await Self.serve([quirk])
        for item in served { Self.checking(item, quirks: [quirk]) }
        let injected = served.flatMap(\.injected)
        #expect(!injected.isEmpty, "\(quirk) was never injected")
        #expect(injected.allSatisfy { $0.quirk == quirk })
        // Each list gets the quirk in several records, not only one.
        let operations = Set(injected.map(\.operation))
        #expect(operations.count >= 3, "\(quirk) reached only \(operations.sorted())")
    }

    @Test func theIssuesExamplesAreInjected() async throws {
        let served = try await Self.serve(Set(MockFaults.injectableQuirks))
        let injected = served.flatMap(\.injected)
        func reached(_ operation: String, _ quirk: DataQuirk, _ pattern: String) -> Bool {
            injected.contains {
                $0.operation == operation && $0.quirk == quirk && Self.matches($0.path, pattern: pattern)
            }
        }
        let expected: [(String, DataQuirk, String)] = [
            ("listBankingAccounts", .dateTimeInDateField, "data.accounts[*].creationDate"),
            ("listBankingPayees", .dateTimeInDateField, "data.payees[*].creationDate"),
            ("getBankingPayeeDetail", .dateTimeInDateField, "data.creationDate"),
            ("getCustomer", .dateTimeInDateField, "data.organisation.establishmentDate"),
            ("listScheduledPaymentsBulk", .dateTimeInDateField, "data.scheduledPayments[*].recurrence.nextPaymentDate"),
            ("getBankingProductDetail", .missingRequiredField, "data.cardArt[*].cardScheme"),
            ("getBankingProductDetail", .missingRequiredField, "data.depositRates[*].applicationType"),
            ("getBankingProductDetail", .missingRequiredField, "data.lendingRates[*].applicationType"),
            ("getBankingProductDetail", .missingRequiredField, "data.fees[*].feeMethodUType"),
            ("getBankingAccountDetail", .missingRequiredField, "data.depositRates[*].applicationType"),
            ("getBankingAccountDetail", .missingRequiredField, "data.lendingRates[*].applicationType"),
            ("getBankingAccountDetail", .missingRequiredField, "data.fees[*].feeMethodUType"),
            ("listInstalmentPlans", .dateTimeInDateField, "data.plans[*].creationDate"),
            ("getOutages", .dateInDateTimeField, "data.outages[*].outageTime"),
        ]
        for (operation, quirk, pattern) in expected {
            #expect(reached(operation, quirk, pattern), "\(operation) \(quirk) \(pattern)")
        }
    }

    @Test func allQuirksAtOnceAreEachReportedOncePerOccurrence() async throws {
        let all = Set(MockFaults.injectableQuirks)
        let served = try await Self.serve(all)
        for item in served { Self.checking(item, quirks: all) }
        // Accounts, transactions and product detail carry every quirk their tables name.
        for operation in ["listBankingAccounts", "listBankingTransactions", "getBankingProductDetail"] {
            let injected = served.filter { $0.call.operation.id == operation }.flatMap(\.injected)
            let quirks = Set(injected.map(\.quirk))
            let named = Set(MockFaults.quirkTargets(forOperation: operation).keys)
            #expect(quirks == named, "\(operation): \(named.subtracting(quirks).sorted { $0.rawValue < $1.rawValue })")
        }
    }

    @Test func quirksAndTheirRecordsAreClearedByReset() async throws {
        try await MockDataHolder.withRunning(AdministrationTests.smallData) { holder in
            let grant = try holder.seedGrant()
            holder.faults.quirks = [.dateTimeInDateField]
            let url = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts"
            try await TestHTTPClient.with(pki: holder.pki) { client in
                let answer = try await client.send(.GET, url, headers: resourceHeaders(grant, version: 3))
                #expect(answer.status == 200)
            }
            let injected = holder.faults.injectedQuirks()
            #expect(injected.map(\.path) == ["data.accounts[0].creationDate", "data.accounts[1].creationDate"])
            holder.faults.clearInjectedQuirks()
            #expect(holder.faults.injectedQuirks().isEmpty)
            #expect(holder.faults.quirks == [.dateTimeInDateField])
            holder.faults.reset()
            #expect(holder.faults.quirks.isEmpty)
        }
    }

    @Test func everyOperationOfTheTableIsInTheCatalogue() {
        let known = Set(CDSOperation.all.map(\.id))
        for operation in known {
            for (quirk, patterns) in MockFaults.quirkTargets(forOperation: operation) {
                #expect(MockFaults.injectableQuirks.contains(quirk))
                for pattern in patterns {
                    #expect(pattern.hasPrefix("data."), "\(operation) \(pattern)")
                    #expect(!pattern.hasPrefix("links") && !pattern.hasPrefix("meta"))
                }
            }
        }
        #expect(!MockFaults.quirkTargets(forOperation: "listBankingAccounts").isEmpty)
        #expect(MockFaults.quirkTargets(forOperation: "getStatus").isEmpty)
        #expect(!MockFaults.injectableQuirks.contains(.unusableValue))
        #expect(!MockFaults.injectableQuirks.contains(.ignoredField))
    }

    // MARK: Administration

    @Test(arguments: AdministrationTests.Mode.allCases)
    func quirksAreSetReadAndClearedThroughTheControl(mode: AdministrationTests.Mode) async throws {
        try await AdministrationTests.withControl(mode) { holder, control, _ in
            #expect(try await control.quirks().isEmpty)
            try await control.setQuirks([.dateTimeInDateField, .enumVariant])
            #expect(holder.faults.quirks == [.dateTimeInDateField, .enumVariant])
            #expect(try await control.quirks() == [.dateTimeInDateField, .enumVariant])

            let grant = try holder.seedGrant()
            let url = try #require(holder.endpoints).resourceBaseURL + "/banking/accounts"
            let answer = try await TestHTTPClient.with(pki: holder.pki) { client in
                try await client.send(.GET, url, headers: resourceHeaders(grant, version: 3))
            }
            #expect(answer.status == 200)
            let injected = try await control.injectedQuirks()
            #expect(injected == holder.faults.injectedQuirks())
            // creationDate, productCategory and accountOwnership of each account.
            #expect(injected.count == grant.accounts.count * 3)
            #expect(injected.allSatisfy { $0.interactionID == answer.header("x-fapi-interaction-id") })
            #expect(Set(injected.map(\.quirk)) == [.dateTimeInDateField, .enumVariant])

            try await control.clearInjectedQuirks()
            #expect(try await control.injectedQuirks().isEmpty)
            #expect(holder.faults.quirks == [.dateTimeInDateField, .enumVariant])

            try await control.setQuirks([])
            #expect(holder.faults.quirks.isEmpty)
            #expect(try await control.quirks().isEmpty)
        }
    }

    @Test(arguments: AdministrationTests.Mode.allCases)
    func quirksTheHolderCannotInjectAreRefused(mode: AdministrationTests.Mode) async throws {
        try await AdministrationTests.withControl(mode) { holder, control, _ in
            try await control.setQuirks([.stringForNumber])
            for refused: Set<DataQuirk> in [
                [.unusableValue], [.ignoredField], [DataQuirk(rawValue: "sideways")],
                [.enumVariant, DataQuirk(rawValue: "")],
            ] {
                let error = await #expect(throws: MockHolderError.self, "\(refused)") {
                    try await control.setQuirks(refused)
                }
                switch mode {
                case .inProcess:
                    #expect(error?.code == .invalidConfiguration)
                case .remote:
                    #expect(error?.code == .administrationFailed)
                    let reason = error.map { "\($0)" } ?? ""
                    #expect(reason.contains("400") && reason.contains(CDSErrorCode.fieldInvalid.rawValue), "\(reason)")
                }
                #expect(holder.faults.quirks == [.stringForNumber])
            }
        }
    }
}
