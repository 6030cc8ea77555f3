// The Swift block of the CDRTestPKI catalog (Sources/CDRTestPKI/Docs.docc/CDRTestPKI.md), between `// sample:` and
// `// end sample` markers (`Scripts/check-doc-samples.py` checks that they are the same).
import CDRTestPKI

func testPKICatalogOverview() throws {
    // sample: Sources/CDRTestPKI/Docs.docc/CDRTestPKI.md#1
    let pki = try TestPKI()
    let serverTLS = try pki.makeServerTLSConfiguration()  // mTLS, TLS 1.2 minimum
    let clientTLS = try pki.makeClientTLSConfiguration()  // trusts only this CA, presents pki.client
    let thumbprint = try pki.client.thumbprint()  // the cnf "x5t#S256" a holder binds tokens to
    // end sample
    _ = (serverTLS, clientTLS, thumbprint)
}
