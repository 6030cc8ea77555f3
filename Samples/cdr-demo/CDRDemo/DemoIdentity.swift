public import CDRTransport
import Foundation

/// Reads a client identity from one PEM file holding the certificate chain and the private key.
public enum DemoIdentity {
    /// Splits a PEM into its certificates and its key.
    /// - Parameter pem: The file's text: one or more `CERTIFICATE` blocks and one private key block.
    /// - Returns: The identity.
    /// - Throws: ``DemoError`` when a certificate or the key is missing.
    public static func load(pem: String) throws -> ClientIdentity {
        var certificates: [String] = []
        var key: String?
        var current: [Substring] = []
        var label: Substring?
        // Blocks written back to back without a line break between them are still separate blocks.
        let text = pem.replacingOccurrences(of: "-----BEGIN ", with: "\n-----BEGIN ")
            .replacingOccurrences(of: "-----END ", with: "\n-----END ")
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("-----BEGIN ") {
                label = line.dropFirst("-----BEGIN ".count).dropLast(5)
                current = [line]
            } else if line.hasPrefix("-----END "), let open = label {
                current.append(line)
                let block = current.joined(separator: "\n") + "\n"
                if open == "CERTIFICATE" {
                    certificates.append(block)
                } else if open.hasSuffix("PRIVATE KEY") {
                    key = block
                }
                label = nil
                current = []
            } else if label != nil {
                current.append(line)
            }
        }
        guard !certificates.isEmpty, let key else {
            throw DemoError(
                step: "Reading --identity", reason: "the file needs a CERTIFICATE block and a PRIVATE KEY block",
                hint: "Give identity.pem from cdr-mock-holder --output.")
        }
        return ClientIdentity(certificateChainPEM: certificates.joined(), privateKeyPEM: key)
    }
}
