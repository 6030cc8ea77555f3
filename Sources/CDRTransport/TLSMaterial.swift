import Foundation

/// The recipient's mutual-TLS client identity: a certificate chain issued by the CDR CA and its private key, as PEM.
///
/// ``description`` and `dump` never show the key.
public struct ClientIdentity: Sendable, CustomStringConvertible, CustomReflectable {
    /// The leaf certificate first, then any intermediates, PEM-encoded.
    public var certificateChainPEM: String
    /// The private key, PEM-encoded (PKCS#8, PKCS#1 or SEC1).
    public var privateKeyPEM: String

    /// Creates an identity.
    /// - Parameters:
    ///   - certificateChainPEM: The leaf certificate first, then any intermediates.
    ///   - privateKeyPEM: The leaf's private key.
    public init(certificateChainPEM: String, privateKeyPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// Reads an identity from one PEM text holding the certificate chain and the private key, in any order (as
    /// `cdr-mock-holder --output` writes `identity.pem`, and as many deployments keep a client certificate).
    ///
    /// Blocks written back to back without a line break between them are still read as separate blocks.
    /// - Parameter combinedPEM: One or more `CERTIFICATE` blocks (the leaf first) and one `… PRIVATE KEY` block.
    /// - Throws: ``TransportError/Code/invalidConfiguration`` when there is no certificate or no key; the error
    ///   never contains the key.
    public init(combinedPEM: String) throws {
        var certificates: [String] = []
        var key: String?
        var current: [Substring] = []
        var label: Substring?
        let text = combinedPEM.replacingOccurrences(of: "-----BEGIN ", with: "\n-----BEGIN ")
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
            throw TransportError(
                .invalidConfiguration, reason: "the PEM needs a CERTIFICATE block and a PRIVATE KEY block")
        }
        self.init(certificateChainPEM: certificates.joined(), privateKeyPEM: key)
    }

    /// `ClientIdentity(<redacted key>)`.
    public var description: String { "ClientIdentity(<redacted key>)" }

    /// Shows no key material.
    public var customMirror: Mirror { Mirror(self, children: ["identity": description], displayStyle: .struct) }
}

/// Which certificates a TLS client trusts.
public struct TrustRoots: Sendable, Hashable, CustomStringConvertible {
    private enum Base: Hashable, Sendable {
        case system
        case certificates(String)
    }

    private let base: Base

    /// The operating system's web-PKI roots: right for public (TLS-only) endpoints.
    public static let system = TrustRoots(base: .system)

    /// Only the given certificates: the pinned CDR CA for mutual-TLS endpoints, or a test CA.
    /// - Parameter pem: One or more PEM certificates.
    /// - Returns: The trust roots.
    public static func certificates(pem: String) -> TrustRoots { TrustRoots(base: .certificates(pem)) }

    /// The pinned PEM, or `nil` for ``system``.
    public var pinnedPEM: String? {
        if case .certificates(let pem) = base { return pem }
        return nil
    }

    /// `system` or `pinned`.
    public var description: String { pinnedPEM == nil ? "system" : "pinned" }
}
