import Crypto
import CryptoExtras
public import Foundation

/// A private RSA key (2048 bits or more) for decrypting JWEs, for example encrypted JARM responses.
///
/// Publish ``publicJWK`` (with `use: enc`) in your JWKS next to your signing keys.
public struct DecryptionKey: Sendable, CustomStringConvertible, CustomReflectable {
    // `_RSA.Encryption.PrivateKey` is not `Sendable` in swift-crypto 4.5, so the key is held as the (Sendable)
    // signing type and converted through DER when it is used.
    let storage: _RSA.Signing.PrivateKey
    /// The `kid` the sender will put in the JWE header.
    public let keyID: String
    /// The key-management algorithm advertised in ``publicJWK``.
    public let algorithm: JWEKeyAlgorithm

    init(key: _RSA.Encryption.PrivateKey, keyID: String?, algorithm: JWEKeyAlgorithm) throws {
        guard key.keySizeInBits >= 2048 else {
            throw JOSEError(.keyTooSmall, reason: "RSA keys must be 2048 bits or more")
        }
        guard JWEKeyAlgorithm.cdrAllowed.contains(algorithm) else {
            throw JOSEError(.unsupportedEncryption, reason: "alg \(algorithm) is not allowed")
        }
        guard let storage = try? _RSA.Signing.PrivateKey(unsafeDERRepresentation: key.derRepresentation) else {
            throw JOSEError(.malformedKey, reason: "RSA private key could not be read")
        }
        self.storage = storage
        self.algorithm = algorithm
        let signingPublic = try? _RSA.Signing.PublicKey(derRepresentation: key.publicKey.derRepresentation)
        guard let signingPublic else { throw JOSEError(.malformedKey, reason: "RSA public key could not be read") }
        let jwk = PublicJWK(rsa: signingPublic, keyID: nil, use: "enc", algorithm: algorithm.rawValue)
        self.keyID = try keyID ?? jwk.thumbprint()
    }

    /// Generates a new RSA key.
    /// - Parameters:
    ///   - algorithm: ``JWEKeyAlgorithm/rsaOAEP256`` (default) or ``JWEKeyAlgorithm/rsaOAEP``.
    ///   - keyID: The `kid`; if `nil`, the RFC 7638 thumbprint.
    ///   - keySize: Modulus size in bits, 2048 or more.
    /// - Returns: The key.
    /// - Throws: ``JOSEError`` `.keyTooSmall`, `.unsupportedEncryption` or `.keyGenerationFailed`.
    public static func generate(
        _ algorithm: JWEKeyAlgorithm = .rsaOAEP256, keyID: String? = nil, keySize: Int = 2048
    ) throws -> DecryptionKey {
        guard keySize >= 2048 else { throw JOSEError(.keyTooSmall, reason: "RSA keys must be 2048 bits or more") }
        let key: _RSA.Encryption.PrivateKey
        do { key = try _RSA.Encryption.PrivateKey(keySize: .init(bitCount: keySize)) } catch {
            throw JOSEError(.keyGenerationFailed, reason: "RSA key generation failed")
        }
        return try DecryptionKey(key: key, keyID: keyID, algorithm: algorithm)
    }

    /// Loads a private RSA key from PEM.
    /// - Parameters:
    ///   - pem: PKCS #8 or PKCS #1 PEM.
    ///   - algorithm: The key-management algorithm to advertise.
    ///   - keyID: The `kid`; if `nil`, the RFC 7638 thumbprint.
    /// - Throws: ``JOSEError`` `.malformedKey` or `.keyTooSmall`.
    public init(pem: String, algorithm: JWEKeyAlgorithm = .rsaOAEP256, keyID: String? = nil) throws {
        guard let key = try? _RSA.Encryption.PrivateKey(unsafePEMRepresentation: pem) else {
            throw JOSEError(.malformedKey, reason: "not an RSA private key PEM")
        }
        try self.init(key: key, keyID: keyID, algorithm: algorithm)
    }

    /// Loads a private RSA key from a JWK.
    /// - Parameters:
    ///   - jwk: The private JWK JSON.
    ///   - algorithm: The algorithm to advertise; if `nil`, the JWK's `alg`, else `RSA-OAEP-256`.
    ///   - keyID: Overrides the JWK's `kid`.
    /// - Throws: ``JOSEError`` `.malformedKey`, `.unsupportedKey`, `.unsupportedEncryption` or `.keyTooSmall`.
    public init(jwk: Data, algorithm: JWEKeyAlgorithm? = nil, keyID: String? = nil) throws {
        let object = try decodeJWKObject(jwk)
        guard object["kty"]?.stringValue == "RSA" else {
            throw JOSEError(.unsupportedKey, reason: "JWE keys must be RSA")
        }
        let members = try RSAPrivateMembers(jwk: object)
        let key: _RSA.Encryption.PrivateKey
        do {
            key = try _RSA.Encryption.PrivateKey(n: members.n, e: members.e, d: members.d, p: members.p, q: members.q)
        } catch { throw JOSEError(.malformedKey, reason: "RSA JWK members do not form a key") }
        let alg = algorithm ?? object["alg"]?.stringValue.map(JWEKeyAlgorithm.init(rawValue:)) ?? .rsaOAEP256
        try self.init(key: key, keyID: keyID ?? object["kid"]?.stringValue, algorithm: alg)
    }

    /// The decryption view of the key.
    func encryptionKey() throws -> _RSA.Encryption.PrivateKey {
        try _RSA.Encryption.PrivateKey(unsafeDERRepresentation: storage.derRepresentation)
    }

    /// The private key as PKCS #8 PEM. This is secret.
    public var pemRepresentation: String { storage.pkcs8PEMRepresentation }

    /// The private key as a JWK with `kid`, `use: enc` and `alg`. This is secret.
    /// - Returns: Sorted-key JSON.
    /// - Throws: ``JOSEError`` `.malformedKey` if the DER cannot be read.
    public func privateJWKData() throws -> Data {
        var object = try RSAPrivateMembers(pkcs1DER: storage.derRepresentation).jwkMembers()
        object["kid"] = .string(keyID)
        object["use"] = "enc"
        object["alg"] = .string(algorithm.rawValue)
        return encodeJWKObject(object)
    }

    /// The public key as a JWK with `kid`, `use: enc` and `alg`.
    public var publicJWK: PublicJWK {
        PublicJWK(rsa: storage.publicKey, keyID: keyID, use: "enc", algorithm: algorithm.rawValue)
    }

    /// The algorithm and `kid`, never key material.
    public var description: String { "DecryptionKey(\(algorithm), kid: \(keyID))" }

    /// The algorithm and `kid`, with the private key redacted (what `dump()` prints).
    public var customMirror: Mirror {
        Mirror(
            self, children: ["algorithm": algorithm, "keyID": keyID, "privateKey": "<redacted>"],
            displayStyle: .struct)
    }
}
