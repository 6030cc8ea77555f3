// The Swift blocks of the CDRClient Getting started article (Sources/CDRClient/Docs.docc/GettingStarted.md), each
// between `// sample:` and `// end sample` markers (`Scripts/check-doc-samples.py` checks that they are the same).
// Like the article, this file needs `import CDRClient` alone. The functions' parameters are what the article's
// earlier steps made or what a reader brings.
import CDRClient

func gettingStartedConfiguration(
    softwareProductID: String, recipientBrandID: String, signingKeyPEM: String, certificateChainPEM: String,
    privateKeyPEM: String, cdrCertificateAuthorityPEM: String
) throws -> CDRClient.Configuration {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#1
    let product = SoftwareProductIdentity(
        softwareProductID: softwareProductID, brandID: recipientBrandID,
        signingKey: try SigningKey(pem: signingKeyPEM, keyID: "product-signing-1"),
        redirectURIs: ["https://adr.example.com/cdr/callback"])

    let configuration = CDRClient.Configuration(
        product: product,
        identity: ClientIdentity(certificateChainPEM: certificateChainPEM, privateKeyPEM: privateKeyPEM),
        cdrCertificateAuthority: .certificates(pem: cdrCertificateAuthorityPEM),
        recordStore: EncryptedRecordStore())  // optional: without a store nothing is kept
    // end sample
    return configuration
}

func gettingStartedClient(configuration: CDRClient.Configuration, logger: Logger) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#2
    try await CDRClient.withClient(configuration: configuration, logger: logger) { cdr in
        // everything below runs here
    }
    // end sample
}

func gettingStartedConnect(cdr: CDRClient, database: ExampleDatabase, holderBrandID: String) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#3
    let saved: RegistrationProperties? = try await database.registration(forHolderBrand: holderBrandID)
    let bank = try await cdr.connect(holderBrandID: holderBrandID, registration: saved)
    if saved == nil {
        try await database.save(bank.registration, forHolderBrand: holderBrandID)
    }
    // end sample
}

func gettingStartedStartAuthorization(
    bank: HolderClient, session: ExampleSession
) async throws -> AuthorizationRedirect {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#4
    let redirect = try await bank.startAuthorization(
        AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))
    session.cdrState = redirect.state  // bind it to the customer's session
    // answer with a redirect to redirect.url
    // end sample
    return redirect
}

func gettingStartedCompleteAuthorization(
    bank: HolderClient, session: ExampleSession, callbackURL: URL
) async throws -> Arrangement {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#5
    let arrangement = try await bank.completeAuthorization(callbackURL: callbackURL, expectedState: session.cdrState)
    // end sample
    return arrangement
}

func gettingStartedData(bank: HolderClient, arrangement: Arrangement) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#6
    let source = await bank.accountData(for: arrangement)
    let accounts = try await source.accounts()
    let balances = try await source.balances()
    // end sample
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#7
    let now = Date()
    let lastQuarter = DateInterval(start: now.addingTimeInterval(-90 * 86_400), end: now)
    for account in accounts {
        for try await transaction in source.transactions(of: account.id, in: lastQuarter) {
            print(transaction.date, transaction.amount, transaction.description)
        }
    }
    // end sample
    _ = balances
}

func gettingStartedPages(
    bank: HolderClient, arrangement: Arrangement, source: CDRAccountDataSource, account: Account,
    lastQuarter: DateInterval
) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#8
    let nextPage = source.transactions(of: account.id, in: lastQuarter).makePageReader()
    while let page = try await nextPage() {
        try await bank.keep(page.map(StoredRecord.transaction), of: arrangement.id)
    }
    // end sample
}

func gettingStartedProvenance(transaction: Transaction) {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#9
    if let cdr = transaction.provenance.cdr {
        print(cdr.holderBrandID, cdr.arrangementID, cdr.version, cdr.interactionID ?? "-")
    }
    // end sample
}

func gettingStartedFallback(
    cdr: CDRClient, bank: HolderClient, arrangement: Arrangement, providerURL: URL, providerAPIKey: String,
    institutionID: String, username: String, password: String,
    askTheCustomer: (String) async throws -> String
) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#10
    let ddc = cdr.ddc(
        DDCProviderConfiguration(providerID: "acme-capture", baseURL: providerURL, apiKey: providerAPIKey))

    // The customer types their bank login into your form; it goes straight to the provider and is never kept.
    let connection = try await ddc.createConnection(
        institutionID: institutionID, credentials: DDCCredentials(username: username, password: password))

    // The capture job may ask for a one-time code or a security answer; ask the customer.
    let job = try await ddc.runJob(connection: connection) { challenge in
        let answer = try await askTheCustomer(challenge.prompt)
        return challenge.kind == .securityQuestion ? .securityAnswer(answer) : .oneTimeCode(answer)
    }
    // end sample
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#11
    let data = await bank.accountData(
        for: arrangement, fallback: .ddc(ddc, connection: connection, job: job), policy: .preferCDR)

    let accounts = try await data.accounts()
    if let decision = data.lastDecision {
        print(decision)  // which source served, and why the ones before it did not
    }
    // end sample
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#12
    try await bank.keep(accounts.filter { $0.provenance.method == .cdr }.map(StoredRecord.account), of: arrangement.id)
    try await cdr.keep(
        accounts.filter { $0.provenance.method == .ddc }.map(StoredRecord.account),
        in: .ddcConnection(providerID: ddc.configuration.providerID, connectionID: connection.rawValue))
    // end sample
}

func gettingStartedRevocation(bank: HolderClient, arrangement: Arrangement) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#13
    let deletion = try await bank.revokeArrangement(id: arrangement.id)
    print(deletion.recordsDeleted, deletion.keyDestroyed, deletion.arrangement?.tokensDeleted ?? false)
    // end sample
}

func gettingStartedEndConnection(cdr: CDRClient, ddc: DDCClient, connection: DDCConnectionID) async throws {
    // sample: Sources/CDRClient/Docs.docc/GettingStarted.md#15
    let ended = try await cdr.endConnection(connection, at: ddc)
    print(ended.providerConfirmed == true ? "deleted at the provider" : "provider unreachable; deleted here")
    // end sample
}
