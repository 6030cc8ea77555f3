import Crypto
public import Foundation
import SwiftASN1
public import X509

/// RFC 8705 certificate thumbprints (`x5t#S256`), as bound into access tokens with `cnf`.
public enum CertificateThumbprint {
    /// The SHA-256 thumbprint of a DER certificate, base64url without padding.
    /// - Parameter der: The certificate DER bytes.
    /// - Returns: The `x5t#S256` value.
    public static func sha256(derEncoded der: some DataProtocol) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(der))))
    }

    /// The SHA-256 thumbprint of a certificate.
    /// - Parameter certificate: The certificate.
    /// - Returns: The `x5t#S256` value.
    /// - Throws: ``JOSEError`` `.invalidCertificate` if it cannot be serialised.
    public static func sha256(of certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        do { try serializer.serialize(certificate) } catch {
            throw JOSEError(.invalidCertificate, reason: "certificate could not be serialised")
        }
        return sha256(derEncoded: serializer.serializedBytes)
    }

    /// The SHA-256 thumbprint of the first certificate in a PEM document.
    /// - Parameter pem: PEM text.
    /// - Returns: The `x5t#S256` value.
    /// - Throws: ``JOSEError`` `.invalidCertificate`.
    public static func sha256(pem: String) throws -> String {
        guard let certificate = try? Certificate(pemEncoded: pem) else {
            throw JOSEError(.invalidCertificate, reason: "not a PEM certificate")
        }
        return try sha256(of: certificate)
    }

    /// Whether an access token's `cnf` claim is bound to a certificate.
    /// - Parameters:
    ///   - confirmation: The token's (or introspection response's) `cnf` value.
    ///   - der: The client certificate DER.
    /// - Returns: `true` if `cnf.x5t#S256` equals the certificate's thumbprint.
    public static func matches(confirmation: ClaimValue?, certificateDER der: some DataProtocol) -> Bool {
        guard let expected = confirmation?.objectValue?["x5t#S256"]?.stringValue else { return false }
        return ContentCipher.constantTimeEqual(Data(expected.utf8), Data(sha256(derEncoded: der).utf8))
    }
}
