// The Swift block(s) of the CDRDDC catalog (Sources/CDRDDC/Docs.docc/CDRDDC.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: Logging.
import CDRDDC
import CDRTransport
import Foundation
import Logging

func ddcCatalogOverview(
    providerURL: URL, apiKey: String, baseTransport: any HTTPTransport, logger: Logger, username: String,
    password: String, askTheCustomer: (String) async throws -> String
) async throws {
    // sample: Sources/CDRDDC/Docs.docc/CDRDDC.md#1
    let client = DDCClient(
        configuration: DDCProviderConfiguration(providerID: "acme", baseURL: providerURL, apiKey: apiKey),
        transport: MiddlewareTransport.standard(baseTransport, logger: logger))
    let connection = try await client.createConnection(
        institutionID: "au-mock-bank", credentials: DDCCredentials(username: username, password: password))
    try await client.runJob(connection: connection) { challenge in
        .oneTimeCode(try await askTheCustomer(challenge.prompt))
    }
    let accounts = try await client.accounts(connection: connection)
    // end sample
    _ = accounts
}
