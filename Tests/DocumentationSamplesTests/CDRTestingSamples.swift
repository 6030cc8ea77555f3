// The Swift block(s) of the CDRTesting catalog (Sources/CDRTesting/Docs.docc/CDRTesting.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes

func testingCatalogPKI() throws {
    // sample: Sources/CDRTesting/Docs.docc/CDRTesting.md#1
    let pki = try TestPKI()
    let serverTLS = try pki.makeServerTLSConfiguration()  // mTLS, TLS 1.2 minimum
    let clientTLS = try pki.makeClientTLSConfiguration()  // trusts only this CA, presents pki.client
    let thumbprint = try pki.client.thumbprint()  // the cnf "x5t#S256" a holder binds tokens to
    // end sample
    _ = (serverTLS, clientTLS, thumbprint)
}

func testingCatalogRecording() {
    // sample: Sources/CDRTesting/Docs.docc/CDRTesting.md#2
    let transport = RecordingTransport { _ in TransportResponse(status: .ok, body: Data(#"{"data":{}}"#.utf8)) }
    // … run the code under test over `transport` …
    let sent = transport.requests(pathSuffix: "/banking/accounts")
    // end sample
    _ = sent
}
