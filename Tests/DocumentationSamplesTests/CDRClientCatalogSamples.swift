// The Swift block(s) of the CDRClient catalog (Sources/CDRClient/Docs.docc/CDRClient.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
import CDRClient

func clientCatalogOverview(configuration: CDRClient.Configuration, holderBrandID: String, callbackURL: URL) async throws
{
    // sample: Sources/CDRClient/Docs.docc/CDRClient.md#1
    try await CDRClient.withClient(configuration: configuration) { cdr in
        let bank = try await cdr.connect(holderBrandID: holderBrandID)
        let redirect = try await bank.startAuthorization(
            AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))
        // Send the customer to redirect.url; the holder redirects back to your redirect URI.
        let arrangement = try await bank.completeAuthorization(callbackURL: callbackURL, expectedState: redirect.state)
        let source = await bank.accountData(for: arrangement)
        for account in try await source.accounts() {
            print(account.displayName, account.provenance)
        }
        let deletion = try await bank.revokeArrangement(id: arrangement.id)
        print(deletion)  // what was deleted: records, the scope's key, the tokens
    }
    // end sample
}
