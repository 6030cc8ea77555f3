// The Swift block(s) of the CDRTransport catalog (Sources/CDRTransport/Docs.docc/CDRTransport.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: HTTPTypes, Logging.
import CDRJOSE
import CDRTransport
import Foundation
import HTTPTypes
import Logging

func transportCatalogOverview(base: any HTTPTransport, logger: Logger, accountsURL: URL, headers: HTTPFields)
    async throws
{
    // sample: Sources/CDRTransport/Docs.docc/CDRTransport.md#1
    let clock = CorrectedClock()  // one per data holder
    let transport = MiddlewareTransport(
        base,
        middlewares: [
            InteractionIDMiddleware(),  // first, so retries and log lines share one id
            LoggingMiddleware(logger: logger),
            RetryMiddleware(),  // 429/503/504 and connection failures, idempotent only
            ClockCorrectionMiddleware(clock: clock),
        ])
    let response = try await transport.send(
        TransportRequest(method: .get, url: accountsURL, headerFields: headers, security: .mutualTLS))
    // end sample
    _ = response
}
