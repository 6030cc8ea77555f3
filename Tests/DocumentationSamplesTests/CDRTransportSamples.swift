// The Swift block(s) of the CDRTransport catalog (Sources/CDRTransport/Docs.docc/CDRTransport.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: HTTPTypes, Logging.
import CDRTransport
import Foundation
import HTTPTypes
import Logging

func transportCatalogOverview(
    base: any HTTPTransport, logger: Logger, tokenManager: any AccessTokenProvider, accountsURL: URL,
    headers: HTTPFields
) async throws {
    // sample: Sources/CDRTransport/Docs.docc/CDRTransport.md#1
    let transport = MiddlewareTransport.standard(base, logger: logger, accessTokens: tokenManager)
    let response = try await transport.send(
        TransportRequest(method: .get, url: accountsURL, headerFields: headers, security: .mutualTLS))
    // end sample
    _ = response
}
