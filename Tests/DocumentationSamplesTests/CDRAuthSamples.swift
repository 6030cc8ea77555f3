// The Swift block(s) of the CDRAuth catalog (Sources/CDRAuth/Docs.docc/CDRAuth.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: CDRTransport.
import CDRAuth
import CDRTransport
import Foundation

func authCatalogOverview(
    transport: any HTTPTransport, holderIssuer: String, product: SoftwareProductIdentity, callbackURL: URL
) async throws {
    // sample: Sources/CDRAuth/Docs.docc/CDRAuth.md#1
    // Once per holder: discovery and registration.
    let metadata = try await DiscoveryClient(transport: transport).discover(issuer: holderIssuer)
    let registration = try await HolderRegistrationClient(holder: metadata, product: product, transport: transport)
        .register(using: RegisterClient(product: product, transport: transport))
    let connection = try DataHolderConnection(
        configuration: .init(product: product, registration: registration, metadata: metadata), transport: transport)

    // Per customer: consent.
    let redirect = try await connection.startAuthorization(
        AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))
    // … send the customer to redirect.url; the holder redirects back to your redirect URI with `response` …
    let arrangement = try await connection.completeAuthorization(
        callbackURL: callbackURL, expectedState: redirect.state)  // kept in the session

    // Per data call: a valid, certificate-bound access token; refreshed by one caller at a time.
    let tokens = await connection.tokenManager(for: arrangement.id)
    let accessToken = try await tokens.accessToken()

    // When the customer withdraws consent: revoke at the holder; the tokens are deleted.
    let ending = try await connection.revokeArrangement(id: arrangement.id)
    // end sample
    _ = (accessToken, ending)
}
