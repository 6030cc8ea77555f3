// The Swift blocks of README.md, each between `// sample:` and `// end sample` markers that name the document and
// the block (`Scripts/check-doc-samples.py` checks that they are the same). This file imports only what the blocks
// import: the quick start needs `CDRClient` alone. The function's parameters are the values a reader brings.
import CDRClient

func readmeQuickStart(
    softwareProductID: String, recipientBrandID: String, signingKeyPEM: String, certificatePEM: String,
    privateKeyPEM: String, cdrCertificateAuthorityPEM: String, holderBrandID: String,
    savedRegistration: RegistrationProperties?, callbackURL: URL, providerURL: URL, providerAPIKey: String,
    connection: DDCConnectionID, job: DDCJobID
) async throws {
    // sample: README.md#3
    let configuration = CDRClient.Configuration(
        product: SoftwareProductIdentity(
            softwareProductID: softwareProductID, brandID: recipientBrandID,
            signingKey: try SigningKey(pem: signingKeyPEM), redirectURIs: ["https://adr.example.com/cdr/callback"]),
        identity: ClientIdentity(certificateChainPEM: certificatePEM, privateKeyPEM: privateKeyPEM),  // CDR certificate
        cdrCertificateAuthority: .certificates(pem: cdrCertificateAuthorityPEM),
        recordStore: EncryptedRecordStore())

    try await CDRClient.withClient(configuration: configuration) { cdr in
        // Register → discovery → SSA → DCR. Keep bank.registration and pass it back next time to skip DCR.
        let bank = try await cdr.connect(holderBrandID: holderBrandID, registration: savedRegistration)

        // PAR, then send the customer's browser to redirect.url.
        let redirect = try await bank.startAuthorization(
            AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))

        // The holder redirects back with a JARM `response`: checked, exchanged, tokens stored.
        let arrangement = try await bank.completeAuthorization(callbackURL: callbackURL, expectedState: redirect.state)

        // CDR first; DDC (the customer's connection at a capture provider) when the holder cannot serve.
        let ddc = cdr.ddc(
            DDCProviderConfiguration(providerID: "acme-capture", baseURL: providerURL, apiKey: providerAPIKey))
        let source = await bank.accountData(
            for: arrangement, fallback: .ddc(ddc, connection: connection, job: job), policy: .preferCDR)

        let lastQuarter = DateInterval(start: Date().addingTimeInterval(-90 * 86_400), end: Date())
        for account in try await source.accounts() {
            for try await transaction in source.transactions(of: account.id, in: lastQuarter) {  // a page at a time
                print(transaction.date, transaction.amount, transaction.provenance)  // cdr(…) or ddc(…)
            }
        }

        // When the customer withdraws: revoked at the holder; tokens, records and their key deleted.
        print(try await bank.revokeArrangement(id: arrangement.id))  // what was deleted; never a secret
    }
    // end sample
}
