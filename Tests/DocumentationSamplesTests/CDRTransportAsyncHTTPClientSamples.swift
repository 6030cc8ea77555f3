// The Swift block(s) of the CDRTransportAsyncHTTPClient catalog (Sources/CDRTransportAsyncHTTPClient/Docs.docc/CDRTransportAsyncHTTPClient.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: CDRTransport.
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation

func asyncHTTPClientCatalogOverview(
    identity: ClientIdentity, cdrCertificateAuthorityPEM: String, request: TransportRequest
) async throws {
    // sample: Sources/CDRTransportAsyncHTTPClient/Docs.docc/CDRTransportAsyncHTTPClient.md#1
    let configuration = AsyncHTTPClientTransport.Configuration(
        mutualTLS: .init(identity: identity, trustRoots: .certificates(pem: cdrCertificateAuthorityPEM)))
    try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { transport in
        let response = try await transport.send(request)
        print(response.status)
    }
    // end sample
}
