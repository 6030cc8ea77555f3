import Crypto
import CryptoExtras
import Foundation

/// The public half of an RSA or P-256 key as a JSON Web Key (RFC 7517).
///
/// Only public members are modelled, so a `PublicJWK` can never carry private key material into a
/// published JWKS: private members in an input document are dropped on decoding.
public struct PublicJWK: Sendable, Hashable, Codable {
    /// `kty`: `RSA` or `EC` for keys this library uses.
    public var keyType: String
    /// `kid`.
    public var keyID: String?
    /// `use`: `sig` or `enc`.
    public var use: String?
    /// `alg`, for example `PS256`, `ES256` or `RSA-OAEP-256`.
    public var algorithm: String?
    /// `n` (RSA modulus), base64url.
    public var modulus: String?
    /// `e` (RSA public exponent), base64url.
    public var exponent: String?
    /// `crv` (EC curve), `P-256` for keys this library uses.
    public var curve: String?
    /// `x` (EC coordinate), base64url.
    public var x: String?
    /// `y` (EC coordinate), base64url.
    public var y: String?
    /// `x5c`: the certificate chain, base64 DER (not base64url).
    public var certificateChain: [String]?
    /// `x5t#S256`: SHA-256 thumbprint of the certificate, base64url.
    public var certificateThumbprint: String?

    enum CodingKeys: String, CodingKey {
        case keyType = "kty", keyID = "kid", use, algorithm = "alg", modulus = "n", exponent = "e", curve = "crv"
        case x, y, certificateChain = "x5c", certificateThumbprint = "x5t#S256"
    }

    /// The value of `use` for signing keys.
    public static let useSignature = "sig"
    /// The value of `use` for encryption keys.
    public static let useEncryption = "enc"

    /// Creates a JWK from its members.
    /// - Parameters:
    ///   - keyType: `kty`.
    ///   - keyID: `kid`.
    ///   - use: `use`.
    ///   - algorithm: `alg`.
    ///   - modulus: RSA `n`.
    ///   - exponent: RSA `e`.
    ///   - curve: EC `crv`.
    ///   - x: EC `x`.
    ///   - y: EC `y`.
    public init(
        keyType: String, keyID: String? = nil, use: String? = nil, algorithm: String? = nil,
        modulus: String? = nil, exponent: String? = nil, curve: String? = nil, x: String? = nil, y: String? = nil
    ) {
        self.keyType = keyType
        self.keyID = keyID
        self.use = use
        self.algorithm = algorithm
        self.modulus = modulus
        self.exponent = exponent
        self.curve = curve
        self.x = x
        self.y = y
    }

    /// Reads a public key from a PEM `PUBLIC KEY` (SPKI) block.
    /// - Parameters:
    ///   - pem: The PEM text; RSA (2048 bits or more) and P-256 keys are accepted.
    ///   - keyID: The `kid`; if `nil` the RFC 7638 thumbprint is used.
    ///   - use: The `use`, `sig` by default.
    ///   - algorithm: The `alg`; if `nil`, `PS256` for RSA and `ES256` for P-256 signing keys.
    /// - Throws: ``JOSEError`` `.malformedKey` or `.keyTooSmall`.
    public init(pem: String, keyID: String? = nil, use: String? = PublicJWK.useSignature, algorithm: String? = nil)
        throws
    {
        if let key = try? P256.Signing.PublicKey(pemRepresentation: pem) {
            self.init(p256: key, keyID: nil, use: use, algorithm: algorithm ?? (use == "enc" ? nil : "ES256"))
        } else if let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) {
            guard key.keySizeInBits >= 2048 else {
                throw JOSEError(.keyTooSmall, reason: "RSA keys must be 2048 bits or more")
            }
            self.init(rsa: key, keyID: nil, use: use, algorithm: algorithm ?? (use == "enc" ? nil : "PS256"))
        } else {
            throw JOSEError(.malformedKey, reason: "not an RSA or P-256 public key PEM")
        }
        self.keyID = try keyID ?? thumbprint()
    }

    init(rsa key: _RSA.Signing.PublicKey, keyID: String?, use: String?, algorithm: String?) {
        // getKeyPrimitives only fails for keys BoringSSL could not have produced.
        let primitives = try? key.getKeyPrimitives()
        self.init(
            keyType: "RSA", keyID: keyID, use: use, algorithm: algorithm,
            modulus: primitives.map { Base64URL.encode($0.modulus.strippingLeadingZeros) },
            exponent: primitives.map { Base64URL.encode($0.publicExponent.strippingLeadingZeros) })
    }

    init(p256 key: P256.Signing.PublicKey, keyID: String?, use: String?, algorithm: String?) {
        let raw = key.rawRepresentation
        self.init(
            keyType: "EC", keyID: keyID, use: use, algorithm: algorithm, curve: "P-256",
            x: Base64URL.encode(raw.prefix(32)), y: Base64URL.encode(raw.suffix(32)))
    }

    /// The key as a PEM `PUBLIC KEY` (SPKI) block.
    /// - Throws: ``JOSEError`` `.malformedKey` or `.unsupportedKey` if the members do not describe a usable key.
    public func pemRepresentation() throws -> String {
        switch try material() {
        case .rsa(let key): return key.pemRepresentation
        case .p256(let key): return key.pemRepresentation
        }
    }

    /// Whether this key may be used to verify signatures: `use` absent or `sig`, and `alg` absent or a JWS algorithm.
    public var isSigningKey: Bool {
        guard use == nil || use == Self.useSignature else { return false }
        guard let algorithm else { return true }
        // A JWS `alg` (RFC 7518 §3.1 and later registrations); anything else (RSA-OAEP, ECDH-ES, A128KW, …) is JWE.
        if ["EdDSA", "Ed25519", "Ed448", "ES256K"].contains(algorithm) { return true }
        let family = algorithm.prefix(2)
        return ["HS", "RS", "ES", "PS"].contains(family) && !algorithm.dropFirst(2).isEmpty
            && algorithm.dropFirst(2).allSatisfy(\.isNumber)
    }

    /// Whether this key may be used to encrypt (`use` absent or `enc`, RSA, `alg` absent or an RSA-OAEP variant).
    public var isEncryptionKey: Bool {
        guard keyType == "RSA", use == nil || use == Self.useEncryption else { return false }
        if let algorithm { return JWEKeyAlgorithm.cdrAllowed.contains(JWEKeyAlgorithm(rawValue: algorithm)) }
        return true
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url) over the required public members.
    /// - Throws: ``JOSEError`` `.malformedKey` if a required member is missing or `kty` is unsupported.
    public func thumbprint() throws -> String {
        // Required members in lexicographic order, no whitespace (RFC 7638 §3.2).
        let canonical: String
        switch keyType {
        case "RSA":
            guard let exponent, let modulus else { throw JOSEError(.malformedKey, reason: "RSA JWK without n or e") }
            canonical = #"{"e":"\#(exponent)","kty":"RSA","n":"\#(modulus)"}"#
        case "EC":
            guard let curve, let x, let y else { throw JOSEError(.malformedKey, reason: "EC JWK without crv, x or y") }
            canonical = #"{"crv":"\#(curve)","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        default:
            throw JOSEError(.unsupportedKey, reason: "kty \(JOSEError.quoted(keyType)) is not supported")
        }
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }

    enum Material {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
    }

    /// Converts the members into a crypto key, enforcing RSA ≥ 2048 bits and P-256 only.
    func material() throws -> Material {
        switch keyType {
        case "RSA":
            guard let n = modulus.flatMap(Base64URL.decode), let e = exponent.flatMap(Base64URL.decode), !n.isEmpty,
                !e.isEmpty
            else { throw JOSEError(.malformedKey, reason: "RSA JWK with missing or invalid n/e") }
            let key: _RSA.Signing.PublicKey
            do { key = try _RSA.Signing.PublicKey(n: n, e: e) } catch {
                throw JOSEError(.malformedKey, reason: "RSA JWK n/e do not form a key")
            }
            guard key.keySizeInBits >= 2048 else {
                throw JOSEError(.keyTooSmall, reason: "RSA keys must be 2048 bits or more")
            }
            return .rsa(key)
        case "EC":
            guard curve == "P-256" else {
                throw JOSEError(.unsupportedKey, reason: "only the P-256 curve is supported")
            }
            guard let x = x.flatMap(Base64URL.decode), let y = y.flatMap(Base64URL.decode), x.count == 32, y.count == 32
            else { throw JOSEError(.malformedKey, reason: "EC JWK with missing or invalid x/y") }
            do { return .p256(try P256.Signing.PublicKey(rawRepresentation: x + y)) } catch {
                throw JOSEError(.malformedKey, reason: "EC point is not on P-256")
            }
        default:
            throw JOSEError(.unsupportedKey, reason: "kty \(JOSEError.quoted(keyType)) is not supported")
        }
    }
}

extension Data {
    var strippingLeadingZeros: Data {
        let trimmed = drop(while: { $0 == 0 })
        return trimmed.isEmpty ? Data([0]) : Data(trimmed)
    }
}
