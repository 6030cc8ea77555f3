import CDRAccountData
import CDRAuth
import CDRBanking
import CDRClient
import CDRDDC
import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRStore
import CDRTransport
import Foundation
import HTTPTypes
import Logging
import Synchronization

/// One run of the demo against one holder.
struct Session: Sendable {
    let options: DemoOptions
    let control: any MockHolderControl
    let trust: TrustRoots
    let identity: ClientIdentity
    let base: any HTTPTransport
    let mode: String
    let logger: Logger
    let events: @Sendable (DemoEvent) -> Void

    static let productID = "cdrkit-demo"
    /// How far before the newest kept transaction a later run reads again, for transactions posted late.
    static let lateOverlap: TimeInterval = 7 * 86_400
    static let providerID = "mock-aggregator"
    static let holderHint = "Is the holder running? Start one with `swift run cdr-mock-holder --output /tmp/mock`."

    func run() async throws -> DemoResult {
        let state = try await Demo.attempt(
            "Opening the store", hint: "Check the --store path, its key file and CDRKIT_KEK; or use --store memory."
        ) { try await DemoState.open(options.storage, logger: logger) }
        do {
            let result = try await run(state: state)
            try await state.store.close()
            return result
        } catch {
            try? await state.store.close()
            throw error
        }
    }

    private func run(state: DemoState) async throws -> DemoResult {
        var timings: [String: Int] = [:]
        let clock = ContinuousClock()
        var started = clock.now
        func lap(_ name: String) {
            let elapsed = clock.now - started
            timings[name] = Int(
                elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            started = clock.now
        }

        // 1. The holder's endpoints.
        let endpoints = try await Demo.attempt("Reaching the mock data holder", hint: Self.holderHint) {
            try await control.endpoints()
        }
        events(.detail("public (TLS) \(endpoints.publicBaseURL), secure (mTLS) \(endpoints.secureBaseURL)"))
        lap("holder")

        // 2. The software product, the Register, discovery and DCR.
        events(.step(number: 2, of: Demo.stepCount, title: "Register, discovery and dynamic client registration"))
        let listener: ConsentCallbackListener? =
            options.interactive
            ? try await Demo.attempt(
                "Starting the local callback listener",
                hint: "Choose another --callback-port, or 0 for a free one."
            ) { try await ConsentCallbackListener.start(port: options.callbackPort) }
            : nil
        defer { listener?.stop() }
        let redirectURI = listener?.redirectURI ?? "https://cdr-demo.invalid/callback"
        events(.detail("store: \(state.location)"))
        let signingKey = try Demo.attempt(
            "Loading the software product's key", hint: "Delete the store's folder to start over."
        ) {
            try state.productSigningKey(keyID: Self.productID + "-signing")
        }
        let product = SoftwareProductIdentity(
            softwareProductID: Self.productID, brandID: Self.productID + "-brand", signingKey: signingKey,
            redirectURIs: [redirectURI])
        try await Demo.attempt("Adding the software product to the mock Register", hint: Self.holderHint) {
            try await control.addSoftwareProduct(
                .init(
                    id: product.softwareProductID, brandID: product.brandID, name: "CDRKit demo",
                    redirectURIs: [redirectURI], jwks: JWKS(keys: [signingKey.publicJWK])))
        }
        let store = state.store
        let configuration = CDRClient.Configuration(
            product: product, identity: identity, cdrCertificateAuthority: trust, publicTrustRoots: trust,
            register: .init(
                publicBaseURL: try url(endpoints.publicBaseURL), secureBaseURL: try url(endpoints.secureBaseURL),
                tokenURL: try url(endpoints.registerTokenURL)),
            store: store, recordStore: store, pageSize: 500, requestTimeout: .seconds(30))
        let cdr = CDRClient(configuration: configuration, transport: base, logger: logger)
        let brand = try await Demo.attempt(
            "Finding the holder brand at the Register", hint: "Check that --holder is the mock's public base URL."
        ) {
            guard let brand = try await cdr.holderBrands().first else {
                throw DemoError(
                    step: "Finding the holder brand at the Register", reason: "the Register lists no banking holder",
                    hint: Self.holderHint)
            }
            return brand
        }
        let registrationReused = try await Demo.attempt(
            "Reading the store", hint: "Use --store memory to run without it."
        ) {
            try await store.registration(holderBrandID: brand.id, softwareProductID: Self.productID) != nil
        }
        let bank = try await Demo.attempt(
            "Registering with \(brand.name)", hint: "Run with --verbose for the SDK's log."
        ) {
            try await cdr.connect(brand: brand)
        }
        events(
            .detail(
                registrationReused
                    ? "\(brand): the registration in the store is reused (client_id \(bank.registration.clientId); no DCR)"
                    : "\(brand) registered \(Self.productID): client_id \(bank.registration.clientId)"))
        lap("registration")
        let kept = try await Demo.attempt("Reading the store", hint: "Use --store memory to run without it.") {
            try await reusableArrangement(bank, store: store, brandID: brand.id)
        }

        // 3. Consent.
        events(
            .step(
                number: 3, of: Demo.stepCount, title: "Consent (\(options.interactive ? "in a browser" : "headless"))"))
        let consented: Arrangement? =
            kept != nil
            ? nil
            : try await Demo.attempt(
                "Consent",
                hint: options.interactive
                    ? "Consent within the time allowed, or run without --interactive." : Self.holderHint
            ) {
                let redirect = try await bank.startAuthorization(
                    AuthorizationRequest(
                        scopes: [.bankAccountsBasic, .bankTransactions, .commonCustomerBasic],
                        sharingDuration: .days(90)))
                let callback: URL
                if let listener {
                    events(.openInBrowser(redirect.url))
                    callback = try await listener.waitForCallback(timeout: options.consentTimeout)
                } else {
                    callback = try await headlessConsent(redirect.url, customerID: options.customerID, cdr: cdr)
                }
                return try await bank.completeAuthorization(callbackURL: callback, expectedState: redirect.state)
            }
        guard let arrangement = kept ?? consented else {
            throw DemoError(step: "Consent", reason: "no arrangement", hint: "This is a bug in the demo.")
        }
        events(
            .detail(
                kept != nil
                    ? "arrangement \(arrangement.id) from the store is still active: no consent needed"
                    : "arrangement \(arrangement.id): \(arrangement.scopes.joined(separator: " "))"))
        lap("consent")

        // 4. Accounts and balances.
        events(.step(number: 4, of: Demo.stepCount, title: "Accounts and balances"))
        let source = await bank.accountData(for: arrangement)
        let (accounts, balances) = try await Demo.attempt("Reading accounts and balances", hint: Self.holderHint) {
            let accounts = try await source.accounts()
            let balances = try await source.balances()
            try await bank.keep(
                accounts.map(StoredRecord.account) + balances.map(StoredRecord.balance), of: arrangement.id)
            return (accounts, balances)
        }
        events(.detail("\(accounts.count) accounts, \(balances.count) balances"))
        lap("accounts")

        // 5. Transactions of the period.
        events(.step(number: 5, of: Demo.stepCount, title: "Transactions of the last \(options.days) days"))
        let end = Date()
        let period = DateInterval(start: end.addingTimeInterval(-Double(options.days) * 86_400), end: end)
        var counts: [AccountKey: (count: Int, net: Decimal)] = [:]
        var checkpoints: [DemoResult.Storage.Checkpoint] = []
        var total = 0
        let scope = bank.scope(of: arrangement.id)
        let keptBefore = try await store.count(in: scope)
        for (index, account) in accounts.enumerated() {
            var count = 0
            var net = Decimal(0)
            try await Demo.attempt("Reading transactions of \(account.displayName)", hint: Self.holderHint) {
                // From the last run's checkpoint (the whole period on the first run): from the newest transaction
                // kept, less an overlap for transactions that post late with an earlier date. Records are kept by
                // what they are, so the overlap's repeats replace themselves.
                let previous = try await store.checkpoint(for: account.id, in: scope)?.collectedThrough
                let from = previous.map { max($0.addingTimeInterval(-Self.lateOverlap), period.start) } ?? period.start
                let next = source.transactions(of: account.id, in: DateInterval(start: from, end: end))
                    .makePageReader()
                var newest = previous
                // Pages are kept in the background while the next ones are fetched; the checkpoint is saved only
                // once every one of them is kept.
                try await bank.withRecordWriter(of: arrangement.id) { writer in
                    while let page = try await next() {
                        count += page.count
                        for transaction in page {
                            net += transaction.amount
                            newest = max(newest ?? transaction.date, transaction.date)
                        }
                        try await writer.write(page.map(StoredRecord.transaction))
                        events(.transactions(accountsDone: index, accounts: accounts.count, records: total + count))
                    }
                }
                try await store.saveCheckpoint(
                    SyncCheckpoint(
                        account: account.id, collectedThrough: newest, collectedAt: Date(), lastRecordCount: count),
                    in: scope)
                checkpoints.append(
                    .init(account: account.id.rawValue, previousThrough: previous, from: from, records: count))
            }
            total += count
            counts[account.id] = (count, net)
            events(.transactions(accountsDone: index + 1, accounts: accounts.count, records: total))
        }
        let newRecordsKept = try await store.count(in: scope) - keptBefore
        lap("transactions")

        // 6. An outage, and DDC serving the same requests.
        events(.step(number: 6, of: Demo.stepCount, title: "Holder outage: fallback to DDC"))
        let ddc = try await Demo.attempt("Connecting to the DDC provider", hint: Self.holderHint) {
            try await connectDDC(cdr: cdr, endpoints: endpoints)
        }
        events(.detail("DDC connection \(ddc.connection.rawValue), capture job \(ddc.job.rawValue) (\(ddc.challenge))"))
        let fallbackSource = await bank.accountData(
            for: arrangement, fallback: .ddc(ddc.client, connection: ddc.connection, job: ddc.job), policy: .preferCDR)
        let fallback = try await Demo.attempt("Serving through DDC during the outage", hint: Self.holderHint) {
            try await control.setOutage(.unavailable)
            do {
                let result = try await outage(
                    fallbackSource, banking: bank.banking(for: arrangement), cdrAccounts: accounts, period: period,
                    ddc: ddc, cdr: cdr)
                try await control.setOutage(nil)
                return result
            } catch {
                try? await control.setOutage(nil)
                throw error
            }
        }
        events(
            .detail(
                "during the outage \(fallback.servedBy) served \(fallback.accounts) accounts (CDR skipped: \(fallback.cdrSkippedBecause))"
            ))
        let recovered = try await Demo.attempt("Reading accounts after the outage", hint: Self.holderHint) {
            _ = try await fallbackSource.accounts()
            return fallbackSource.lastDecision?.servedBy?.description ?? "none"
        }
        events(.detail("after the outage \(recovered) serves again"))
        var fallbackResult = fallback
        fallbackResult.servedByAfterRecovery = recovered
        lap("fallback")

        // 7. Withdrawal (or, with a persistent store, keeping the arrangement for the next run).
        let recordsKept = try await store.count(in: scope)
        let ddcDeletion = try await Demo.attempt("Ending the DDC connection", hint: Self.holderHint) {
            try await cdr.endConnection(ddc.connection, at: ddc.client)
        }
        var deletionResult: DemoResult.Deletion?
        if options.endsArrangement {
            events(.step(number: 7, of: Demo.stepCount, title: "Consent withdrawn: revoke and delete"))
            events(.detail("\(recordsKept) records kept (encrypted) for the arrangement before revocation"))
            deletionResult = try await withdraw(
                arrangement, bank: bank, source: source, store: store, brandID: brand.id)
        } else {
            events(.step(number: 7, of: Demo.stepCount, title: "Arrangement kept for the next run"))
            events(
                .detail(
                    "\(recordsKept) records and the arrangement stay in \(state.location), encrypted; "
                        + "`cdr-demo --revoke` ends it"))
        }
        events(.detail("\(ddcDeletion)"))
        lap("revocation")

        let balanceByAccount = Dictionary(balances.map { ($0.accountID, $0) }, uniquingKeysWith: { first, _ in first })
        return DemoResult(
            holder: .init(
                mode: mode, brandID: brand.id, brandName: brand.name, issuer: brand.issuer,
                softwareProductID: Self.productID, clientID: bank.registration.clientId),
            consent: .init(
                mode: options.interactive ? "interactive" : "headless", arrangementID: arrangement.id,
                scopes: arrangement.scopes, sharingExpiresAt: arrangement.sharingExpiresAt),
            accounts: accounts.map { account in
                let balance = balanceByAccount[account.id]
                let tally = counts[account.id] ?? (0, 0)
                return DemoResult.AccountRow(
                    key: account.id.rawValue, name: account.displayName, maskedNumber: account.maskedNumber,
                    category: account.category.rawValue, currentBalance: balance.map { "\($0.current)" },
                    availableBalance: balance.map { "\($0.available)" }, currency: balance?.currency,
                    transactions: tally.count, net: "\(tally.net)", provenance: .init(account.provenance))
            },
            transactions: .init(from: period.start, to: period.end, count: total, accounts: accounts.count),
            fallback: fallbackResult,
            storage: .init(
                location: state.location, registrationReused: registrationReused, arrangementReused: kept != nil,
                checkpoints: checkpoints, newTransactionsKept: newRecordsKept, recordsKept: recordsKept),
            deletion: deletionResult,
            ddc: .init(
                recordsDeleted: ddcDeletion.recordsDeleted, providerConfirmed: ddcDeletion.providerConfirmed ?? false),
            timings: timings,
            dataQuality: cdr.dataQualityReport.description.split(separator: "\n").map(String.init))
    }

    /// An arrangement of this brand in the store that still allows data access, with its tokens.
    private func reusableArrangement(_ bank: HolderClient, store: RecipientStore, brandID: String) async throws
        -> Arrangement?
    {
        let now = Date()
        for record in try await store.arrangements(holderBrandID: brandID).reversed() {
            guard record.tokens != nil, record.arrangement.state.allowsDataAccess else { continue }
            if let expiry = record.arrangement.sharingExpiresAt, expiry <= now { continue }
            return record.arrangement
        }
        return nil
    }

    /// Revokes the arrangement and reads back what is left: tokens, records, a data call, the audit trail.
    private func withdraw(
        _ arrangement: Arrangement, bank: HolderClient, source: CDRAccountDataSource, store: RecipientStore,
        brandID: String
    ) async throws -> DemoResult.Deletion {
        let deletion = try await Demo.attempt("Revoking the arrangement", hint: Self.holderHint) {
            try await bank.revokeArrangement(id: arrangement.id)
        }
        let tokensRemaining =
            try await store.tokenStore(holderBrandID: brandID).load(arrangementID: arrangement.id)?.tokens != nil
        let recordsRemaining = try await store.count(in: bank.scope(of: arrangement.id))
        let afterwards: String
        do {
            _ = try await source.accounts()
            afterwards = "served (unexpected)"
        } catch {
            // The token manager has no tokens left for the arrangement; a fallback would call it a missing one.
            afterwards = "refused: \(FallbackAccountDataSource.reason(for: error))"
        }
        events(.detail("\(deletion)"))
        if let evidence = deletion.evidence { events(.detail("evidence: \(evidence)")) }
        let trail = try await bank.auditTrail(of: arrangement.id).map(\.description)
        return DemoResult.Deletion(
            arrangementID: arrangement.id, state: deletion.arrangement?.state ?? "unknown",
            holderConfirmed: deletion.arrangement?.holderConfirmed ?? false,
            tokensDeleted: deletion.arrangement?.tokensDeleted ?? false, tokensRemaining: tokensRemaining,
            recordsDeleted: deletion.recordsDeleted, recordsRemaining: recordsRemaining,
            keyDestroyed: deletion.keyDestroyed, dataCallAfterRevocation: afterwards,
            evidence: deletion.evidence?.description, verified: deletion.evidence?.verified ?? false,
            auditTrail: trail)
    }

    /// The browser's part without a browser: the mock's headless consent answers the authorisation URL with the
    /// redirect to the callback.
    private func headlessConsent(_ authorization: URL, customerID: String, cdr: CDRClient) async throws -> URL {
        let query = FormEncoding.encode([("mock_customer", customerID)])
        guard let url = URL(string: authorization.absoluteString + "&" + query) else {
            throw DemoError(step: "Consent", reason: "the authorisation URL is malformed", hint: Self.holderHint)
        }
        let answer = try await cdr.transport.send(TransportRequest(method: .get, url: url, security: .publicTLS))
        guard answer.status.code == 302, let location = answer.headerFields[.location],
            let callback = URL(string: location)
        else {
            throw DemoError(
                step: "Consent", reason: "the holder answered the authorisation with \(answer.status.code)",
                hint: "Check that --customer names a customer of the mock (customer-1, customer-2, …).")
        }
        return callback
    }

    /// A DDC connection for the customer and a completed capture job.
    private func connectDDC(cdr: CDRClient, endpoints: MockDataHolder.Endpoints) async throws -> DDCSetup {
        let settings = try await control.ddcSettings()
        try await control.setDDCMFA(.oneTimeCode)
        let client = cdr.ddc(
            DDCProviderConfiguration(
                providerID: Self.providerID, baseURL: try url(endpoints.ddcBaseURL), apiKey: settings.apiKey,
                pollInterval: .milliseconds(20)))
        // The customer types their bank login into the recipient's form; it goes straight to the provider.
        let credentials = DDCCredentials(
            username: options.customerID, password: try await control.ddcPassword(for: options.customerID))
        let connection = try await client.createConnection(
            institutionID: settings.institutionID, credentials: credentials)
        let control = self.control
        let customerID = options.customerID
        let asked = ChallengeLog()
        let job = try await client.runJob(connection: connection) { challenge in
            asked.record(challenge.kind.rawValue)
            // The customer reads the code from their phone (the mock's) and types it in.
            if challenge.kind == .securityQuestion {
                return .securityAnswer(try await control.ddcSecurityAnswer(for: customerID))
            }
            return .oneTimeCode(try await control.ddcOneTimeCode(for: connection.rawValue) ?? "")
        }
        return DDCSetup(
            client: client, connection: connection, job: job,
            challenge: asked.kinds.isEmpty ? "no MFA" : asked.kinds.joined(separator: ", "))
    }

    /// Reads accounts and one account's transactions through the fallback source while the holder is down.
    private func outage(
        _ fallback: FallbackAccountDataSource, banking: BankingClient, cdrAccounts: [Account], period: DateInterval,
        ddc: DDCSetup, cdr: CDRClient
    ) async throws -> DemoResult.Fallback {
        let status = (try? await banking.status().body.status.rawValue) ?? "unreachable"
        let accounts = try await fallback.accounts()
        let decision = fallback.lastDecision
        let scope = DataScope.ddcConnection(providerID: Self.providerID, connectionID: ddc.connection.rawValue)
        try await cdr.keep(accounts.map(StoredRecord.account), in: scope)
        var transactions = 0
        if let first = accounts.first {
            let next = fallback.transactions(of: first.id, in: period).makePageReader()
            while let page = try await next() {
                transactions += page.count
                try await cdr.keep(page.map(StoredRecord.transaction), in: scope)
            }
        }
        guard let first = accounts.first else {
            throw DemoError(step: "DDC fallback", reason: "the provider returned no accounts", hint: Self.holderHint)
        }
        return DemoResult.Fallback(
            holderStatusDuringOutage: status, servedBy: decision?.servedBy?.description ?? "none",
            cdrSkippedBecause: decision?.skipped.map { "\($0.reason)" }.joined(separator: ", ") ?? "",
            accounts: accounts.count, transactions: transactions,
            sameAccountKeys: Set(accounts.map(\.id)) == Set(cdrAccounts.map(\.id)),
            provenance: .init(first.provenance), challenge: ddc.challenge, servedByAfterRecovery: "")
    }

    private func url(_ text: String) throws -> URL {
        guard let url = URL(string: text) else {
            throw DemoError(
                step: "Reading the holder's endpoints", reason: "\(text) is not a URL", hint: Self.holderHint)
        }
        return url
    }
}

/// The DDC side of the demo.
struct DDCSetup: Sendable {
    let client: DDCClient
    let connection: DDCConnectionID
    let job: DDCJobID
    let challenge: String
}

/// The kinds of challenge a capture job asked (never the answers).
final class ChallengeLog: Sendable {
    private let storage = Mutex<[String]>([])
    func record(_ kind: String) { storage.withLock { $0.append(kind) } }
    var kinds: [String] { storage.withLock { $0 } }
}

extension DemoResult.ProvenanceRow {
    init(_ provenance: Provenance) {
        self.init(
            method: provenance.method.rawValue,
            source: provenance.cdr?.holderBrandID ?? provenance.ddc?.providerID ?? "",
            arrangementID: provenance.cdr?.arrangementID, version: provenance.cdr?.version,
            interactionID: provenance.cdr?.interactionID, connectionID: provenance.ddc?.connectionID,
            jobID: provenance.ddc?.jobID, fetchedAt: provenance.fetchedAt)
    }
}
