import CDRJOSE
import Crypto
package import Foundation
public import NIOSSL
import SwiftASN1
public import X509

/// A throw-away PKI for tests: a CA, a server leaf and a client leaf minted at run time.
///
/// Nothing is committed or written to disk. Keys are P-256 (fast to generate); the CA signs with
/// ECDSA-SHA256. The server leaf has `serverAuth` and SANs `localhost` and `127.0.0.1`; the client leaf has
/// `clientAuth`. The NIOSSL views plug straight into a server and a client:
///
/// ```swift
/// let pki = try TestPKI()
/// let server = try pki.makeServerTLSConfiguration()   // mTLS, TLS 1.2 minimum
/// let client = try pki.makeClientTLSConfiguration()   // trusts the CA, presents the client leaf
/// ```
public struct TestPKI: Sendable {
    /// A certificate with its private key.
    ///
    /// `dump()` (``customMirror``) shows the certificate's subject, never the private key.
    public struct Identity: Sendable, CustomReflectable {
        /// The certificate.
        public let certificate: Certificate
        /// The private key. Test-only, but still never log it.
        public let privateKey: Certificate.PrivateKey

        /// Restores an identity from the PEMs ``certificatePEM()`` and ``privateKeyPEM()`` wrote.
        /// - Parameters:
        ///   - certificatePEM: The certificate.
        ///   - privateKeyPEM: Its private key (PKCS #8).
        /// - Throws: swift-certificates parsing errors.
        package init(certificatePEM: String, privateKeyPEM: String) throws {
            self.certificate = try Certificate(pemEncoded: certificatePEM)
            self.privateKey = try Certificate.PrivateKey(pemEncoded: privateKeyPEM)
        }

        init(certificate: Certificate, privateKey: Certificate.PrivateKey) {
            self.certificate = certificate
            self.privateKey = privateKey
        }

        /// The subject, with the private key redacted.
        public var customMirror: Mirror {
            Mirror(
                self, children: ["subject": String(describing: certificate.subject), "privateKey": "<redacted>"],
                displayStyle: .struct)
        }

        /// The certificate as PEM.
        /// - Throws: Serialisation errors from swift-certificates.
        public func certificatePEM() throws -> String { try certificate.serializeAsPEM().pemString }

        /// The certificate as DER.
        /// - Throws: Serialisation errors from swift-certificates.
        public func certificateDER() throws -> [UInt8] { try certificate.serializeAsPEM().derBytes }

        /// The private key as PKCS #8 PEM.
        /// - Throws: Serialisation errors from swift-certificates.
        public func privateKeyPEM() throws -> String { try privateKey.serializeAsPEM().pemString }

        /// The certificate for NIOSSL.
        /// - Throws: NIOSSL parsing errors.
        public func nioCertificate() throws -> NIOSSLCertificate {
            try NIOSSLCertificate(bytes: certificateDER(), format: .der)
        }

        /// The private key for NIOSSL.
        /// - Throws: NIOSSL parsing errors.
        public func nioPrivateKey() throws -> NIOSSLPrivateKey {
            try NIOSSLPrivateKey(bytes: Array(privateKeyPEM().utf8), format: .pem)
        }

        /// The RFC 8705 `x5t#S256` thumbprint of the certificate (base64url SHA-256 of the DER).
        /// - Throws: Serialisation errors from swift-certificates.
        public func thumbprint() throws -> String {
            CertificateThumbprint.sha256(derEncoded: try certificateDER())
        }
    }

    /// The self-signed CA.
    public let certificateAuthority: Identity
    /// The server leaf (`serverAuth`, SAN `localhost` and `127.0.0.1`).
    public let server: Identity
    /// The client leaf (`clientAuth`).
    public let client: Identity

    /// Mints a CA, a server leaf and a client leaf.
    /// - Parameters:
    ///   - name: Prefix for the common names.
    ///   - serverDNSNames: DNS SANs of the server leaf.
    ///   - serverIPAddresses: IPv4 SANs of the server leaf, dotted quads.
    ///   - clientCommonName: The client leaf's CN (CDR uses the software product name).
    ///   - validity: How long the certificates are valid from now.
    /// - Throws: swift-certificates errors.
    public init(
        name: String = "CDRKit Test", serverDNSNames: [String] = ["localhost"],
        serverIPAddresses: [String] = ["127.0.0.1"], clientCommonName: String = "CDRKit Test Software Product",
        validity: Duration = .seconds(86_400)
    ) throws {
        let now = Date()
        let notBefore = now.addingTimeInterval(-300)
        let notAfter = now.addingTimeInterval(TimeInterval(validity.components.seconds))
        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let caName = try DistinguishedName {
            OrganizationName(name)
            CommonName("\(name) CA")
        }
        let caCertificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caKey.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: caKey.publicKey)
            },
            issuerPrivateKey: caKey)
        let ca = Identity(certificate: caCertificate, privateKey: caKey)
        self.certificateAuthority = ca

        var sans: [GeneralName] = serverDNSNames.map { .dnsName($0) }
        for address in serverIPAddresses {
            let octets = address.split(separator: ".").compactMap { UInt8($0) }
            guard octets.count == 4 else { continue }
            sans.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets))))
        }
        self.server = try Self.issueLeaf(
            commonName: serverDNSNames.first ?? "localhost", organization: name, usage: .serverAuth,
            subjectAlternativeNames: sans, issuer: ca, notBefore: notBefore, notAfter: notAfter)
        self.client = try Self.issueLeaf(
            commonName: clientCommonName, organization: name, usage: .clientAuth, subjectAlternativeNames: [],
            issuer: ca, notBefore: notBefore, notAfter: notAfter)
    }

    /// Restores a PKI from identities saved earlier (the mock holder's state directory).
    /// - Parameters:
    ///   - certificateAuthority: The CA.
    ///   - server: The server leaf.
    ///   - client: The client leaf.
    package init(certificateAuthority: Identity, server: Identity, client: Identity) {
        self.certificateAuthority = certificateAuthority
        self.server = server
        self.client = client
    }

    /// When the first of the three certificates expires.
    package var expiry: Date {
        min(
            certificateAuthority.certificate.notValidAfter, server.certificate.notValidAfter,
            client.certificate.notValidAfter)
    }

    /// Issues another client certificate from the same CA (for example a second software product).
    /// - Parameter commonName: The CN.
    /// - Returns: The new identity.
    /// - Throws: swift-certificates errors.
    public func issueClientIdentity(commonName: String) throws -> Identity {
        try Self.issueLeaf(
            commonName: commonName, organization: "CDRKit Test", usage: .clientAuth, subjectAlternativeNames: [],
            issuer: certificateAuthority, notBefore: certificateAuthority.certificate.notValidBefore,
            notAfter: certificateAuthority.certificate.notValidAfter)
    }

    /// A server configuration that requires a client certificate from this CA, with TLS 1.2 as the minimum.
    /// - Returns: The configuration; modify fields as needed.
    /// - Throws: NIOSSL parsing errors.
    public func makeServerTLSConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: [.certificate(try server.nioCertificate())],
            privateKey: .privateKey(try server.nioPrivateKey()),
            trustRoots: .certificates([try certificateAuthority.nioCertificate()]))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// A client configuration that trusts only this CA and presents an identity (the client leaf by default).
    /// - Parameter identity: The identity to present; ``client`` when `nil`.
    /// - Returns: The configuration.
    /// - Throws: NIOSSL parsing errors.
    public func makeClientTLSConfiguration(presenting identity: Identity? = nil) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates([try certificateAuthority.nioCertificate()])
        let identity = identity ?? client
        configuration.certificateChain = [.certificate(try identity.nioCertificate())]
        configuration.privateKey = .privateKey(try identity.nioPrivateKey())
        return configuration
    }

    /// A client configuration that trusts this CA but presents no certificate (for negative mTLS tests).
    /// - Returns: The configuration.
    /// - Throws: NIOSSL parsing errors.
    public func makeClientTLSConfigurationWithoutIdentity() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates([try certificateAuthority.nioCertificate()])
        return configuration
    }

    private static func issueLeaf(
        commonName: String, organization: String, usage: ExtendedKeyUsage.Usage,
        subjectAlternativeNames: [GeneralName], issuer: Identity, notBefore: Date, notAfter: Date
    ) throws -> Identity {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationName(organization)
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer.certificate.subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                SubjectKeyIdentifier(hash: key.publicKey)
                if !subjectAlternativeNames.isEmpty {
                    SubjectAlternativeNames(subjectAlternativeNames)
                }
            },
            issuerPrivateKey: issuer.privateKey)
        return Identity(certificate: certificate, privateKey: key)
    }
}
