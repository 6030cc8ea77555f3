import CDRTesting
import CDRTransport
import Foundation
import Testing

@Suite("ClientIdentity from one PEM holding the certificate and the key")
struct ClientIdentityTests {
    @Test("Blocks written back to back, key first, are split into the chain and the key")
    func splitsBlocks() throws {
        let pki = try TestPKI()
        let certificate = try pki.client.certificatePEM()
        let key = try pki.client.privateKeyPEM()
        let combined = key.trimmingCharacters(in: .newlines) + certificate
        let identity = try ClientIdentity(combinedPEM: combined)
        #expect(identity.certificateChainPEM.contains("-----BEGIN CERTIFICATE-----"))
        #expect(!identity.certificateChainPEM.contains("PRIVATE KEY"))
        #expect(identity.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(!identity.privateKeyPEM.contains("CERTIFICATE"))
    }

    @Test("A PEM without a key is refused, and the error shows none of the PEM")
    func refusesMissingKey() throws {
        let certificate = try TestPKI().client.certificatePEM()
        let error = #expect(throws: TransportError.self) { _ = try ClientIdentity(combinedPEM: certificate) }
        #expect(error?.code == .invalidConfiguration)
        let body = certificate.split(separator: "\n").dropFirst().first.map(String.init) ?? "missing"
        #expect(!"\(String(describing: error))".contains(body))
    }
}
