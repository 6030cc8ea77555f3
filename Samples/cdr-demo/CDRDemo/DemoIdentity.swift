public import CDRTransport
import Foundation

/// Reads a client identity from one PEM file holding the certificate chain and the private key.
public enum DemoIdentity {
    /// Splits a PEM into its certificates and its key.
    /// - Parameter pem: The file's text: one or more `CERTIFICATE` blocks and one private key block.
    /// - Returns: The identity.
    /// - Throws: ``DemoError`` when a certificate or the key is missing.
    public static func load(pem: String) throws -> ClientIdentity {
        do {
            return try ClientIdentity(combinedPEM: pem)
        } catch {
            throw DemoError(
                step: "Reading --identity", reason: "the file needs a CERTIFICATE block and a PRIVATE KEY block",
                hint: "Give identity.pem from cdr-mock-holder --output.")
        }
    }
}
