import Crypto
import CryptoExtras
public import Foundation
import JWTKit

/// A private signing key for PS256 (RSA, 2048 bits or more) or ES256 (P-256), with its `kid`.
///
/// ```swift
/// let key = try SigningKey.generate(.ps256)
/// let jwks = JWKS(keys: [key.publicJWK])
/// ```
///
/// The ``description`` names the algorithm and `kid` only; use ``pemRepresentation`` or ``privateJWKData()``
/// to export the secret deliberately.
public struct SigningKey: Sendable, CustomStringConvertible, CustomReflectable {
    enum Backing: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
    }

    let backing: Backing
    /// The `kid` placed in the header of every token signed with this key.
    public let keyID: String
    /// The JWS algorithm: ``JWSAlgorithm/ps256`` for RSA, ``JWSAlgorithm/es256`` for P-256.
    public var algorithm: JWSAlgorithm {
        switch backing {
        case .rsa: .ps256
        case .p256: .es256
        }
    }

    init(backing: Backing, keyID: String?) throws {
        if case .rsa(let key) = backing, key.keySizeInBits < 2048 {
            throw JOSEError(.keyTooSmall, reason: "RSA keys must be 2048 bits or more")
        }
        self.backing = backing
        if let keyID {
            self.keyID = keyID
        } else {
            self.keyID = try Self.publicJWK(of: backing, keyID: nil).thumbprint()
        }
    }

    /// Generates a new key.
    /// - Parameters:
    ///   - algorithm: ``JWSAlgorithm/ps256`` or ``JWSAlgorithm/es256``.
    ///   - keyID: The `kid`; if `nil`, the RFC 7638 thumbprint of the public key.
    ///   - rsaKeySize: RSA modulus size in bits (2048, 3072 or 4096); ignored for ES256.
    /// - Returns: The new key.
    /// - Throws: ``JOSEError`` `.algorithmNotAllowed` for other algorithms, `.keyTooSmall` under 2048 bits.
    public static func generate(_ algorithm: JWSAlgorithm, keyID: String? = nil, rsaKeySize: Int = 2048) throws
        -> SigningKey
    {
        switch algorithm {
        case .ps256:
            guard rsaKeySize >= 2048 else {
                throw JOSEError(.keyTooSmall, reason: "RSA keys must be 2048 bits or more")
            }
            do {
                return try SigningKey(
                    backing: .rsa(_RSA.Signing.PrivateKey(keySize: .init(bitCount: rsaKeySize))), keyID: keyID)
            } catch let error as JOSEError { throw error } catch {
                throw JOSEError(.keyGenerationFailed, reason: "RSA key generation failed")
            }
        case .es256:
            return try SigningKey(backing: .p256(P256.Signing.PrivateKey()), keyID: keyID)
        default:
            throw JOSEError(.algorithmNotAllowed, reason: "only PS256 and ES256 keys can be generated")
        }
    }

    /// Loads a private key from PEM (PKCS #8, PKCS #1 RSA or SEC 1 EC).
    /// - Parameters:
    ///   - pem: The PEM text.
    ///   - keyID: The `kid`; if `nil`, the RFC 7638 thumbprint of the public key.
    /// - Throws: ``JOSEError`` `.malformedKey` if the PEM is not an RSA or P-256 private key, `.keyTooSmall`.
    public init(pem: String, keyID: String? = nil) throws {
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            try self.init(backing: .p256(key), keyID: keyID)
        } else if let key = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem) {
            try self.init(backing: .rsa(key), keyID: keyID)
        } else {
            throw JOSEError(.malformedKey, reason: "not an RSA or P-256 private key PEM")
        }
    }

    /// Loads a private key from a JWK (RFC 7517/7518 private members).
    /// - Parameters:
    ///   - jwk: The JWK JSON.
    ///   - keyID: Overrides the JWK's `kid`; if both are absent, the RFC 7638 thumbprint.
    /// - Throws: ``JOSEError`` `.malformedKey`, `.unsupportedKey` or `.keyTooSmall`.
    public init(jwk: Data, keyID: String? = nil) throws {
        let object = try decodeJWKObject(jwk)
        let kid = keyID ?? object["kid"]?.stringValue
        switch object["kty"]?.stringValue {
        case "RSA":
            let members = try RSAPrivateMembers(jwk: object)
            let key: _RSA.Signing.PrivateKey
            do {
                key = try _RSA.Signing.PrivateKey(n: members.n, e: members.e, d: members.d, p: members.p, q: members.q)
            } catch { throw JOSEError(.malformedKey, reason: "RSA JWK members do not form a key") }
            try self.init(backing: .rsa(key), keyID: kid)
        case "EC":
            guard object["crv"]?.stringValue == "P-256" else {
                throw JOSEError(.unsupportedKey, reason: "only the P-256 curve is supported")
            }
            guard let d = object["d"]?.stringValue.flatMap(Base64URL.decode),
                let key = try? P256.Signing.PrivateKey(rawRepresentation: d)
            else { throw JOSEError(.malformedKey, reason: "EC JWK without a valid d") }
            try self.init(backing: .p256(key), keyID: kid)
        default:
            throw JOSEError(.unsupportedKey, reason: "only RSA and EC keys are supported")
        }
    }

    /// The private key as PKCS #8 PEM. This is secret: store it encrypted.
    public var pemRepresentation: String {
        switch backing {
        case .rsa(let key): key.pkcs8PEMRepresentation
        case .p256(let key): key.pemRepresentation
        }
    }

    /// The private key as a JWK with `kid`, `use: sig` and `alg`. This is secret: store it encrypted.
    /// - Returns: Sorted-key JSON.
    /// - Throws: ``JOSEError`` `.malformedKey` if the RSA key's DER cannot be read.
    public func privateJWKData() throws -> Data {
        var object: [String: ClaimValue]
        switch backing {
        case .rsa(let key):
            object = try RSAPrivateMembers(pkcs1DER: key.derRepresentation).jwkMembers()
        case .p256(let key):
            let raw = key.publicKey.rawRepresentation
            object = [
                "kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(raw.prefix(32))),
                "y": .string(Base64URL.encode(raw.suffix(32))), "d": .string(Base64URL.encode(key.rawRepresentation)),
            ]
        }
        object["kid"] = .string(keyID)
        object["use"] = "sig"
        object["alg"] = .string(algorithm.rawValue)
        return encodeJWKObject(object)
    }

    /// The public key as a JWK with `kid`, `use: sig` and `alg`, ready for a JWKS.
    public var publicJWK: PublicJWK { Self.publicJWK(of: backing, keyID: keyID) }

    static func publicJWK(of backing: Backing, keyID: String?) -> PublicJWK {
        switch backing {
        case .rsa(let key): PublicJWK(rsa: key.publicKey, keyID: keyID, use: "sig", algorithm: "PS256")
        case .p256(let key): PublicJWK(p256: key.publicKey, keyID: keyID, use: "sig", algorithm: "ES256")
        }
    }

    /// The public key as a PEM `PUBLIC KEY` block.
    public var publicKeyPEM: String {
        switch backing {
        case .rsa(let key): key.publicKey.pemRepresentation
        case .p256(let key): key.publicKey.pemRepresentation
        }
    }

    /// The algorithm and `kid`, never key material.
    public var description: String { "SigningKey(\(algorithm), kid: \(keyID))" }

    /// The algorithm and `kid`, with the private key redacted (what `dump()` prints).
    public var customMirror: Mirror {
        Mirror(
            self, children: ["algorithm": algorithm, "keyID": keyID, "privateKey": "<redacted>"],
            displayStyle: .struct)
    }

    /// Adds this key to a jwt-kit collection under its `kid`.
    func add(to collection: JWTKeyCollection) async throws {
        let kid = JWKIdentifier(string: keyID)
        switch backing {
        case .rsa(let key):
            await collection.add(pss: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: kid)
        case .p256(let key):
            await collection.add(ecdsa: try ES256PrivateKey(backing: key), kid: kid)
        }
    }
}
