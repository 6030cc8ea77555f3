import Crypto
import CryptoExtras
public import Foundation

/// Compact JWE (RFC 7516) with the algorithms CDR allows for JARM encryption.
///
/// Key management: `RSA-OAEP` and `RSA-OAEP-256`. Content encryption: `A256GCM` and `A128CBC-HS256`.
/// `RSA1_5`, direct and key-wrap modes, compression (`zip`) and `crit` are refused.
public enum JWE {
    /// Encrypts a payload to an RSA public key.
    /// - Parameters:
    ///   - plaintext: The payload, typically a signed JWT.
    ///   - recipient: The recipient's RSA encryption key (its `kid` goes into the header).
    ///   - keyAlgorithm: `RSA-OAEP` or `RSA-OAEP-256`.
    ///   - contentEncryption: `A256GCM` or `A128CBC-HS256`.
    ///   - contentType: The `cty` header; use `JWT` for a nested signed JWT.
    /// - Returns: The compact JWE.
    /// - Throws: ``JOSEError`` `.unsupportedEncryption`, `.unsupportedKey`, `.keyTooSmall` or `.encryptionFailed`.
    public static func encrypt(
        _ plaintext: Data, to recipient: PublicJWK, keyAlgorithm: JWEKeyAlgorithm = .rsaOAEP256,
        contentEncryption: JWEContentEncryption = .a256GCM, contentType: String? = "JWT"
    ) throws -> String {
        guard let padding = oaepPadding(keyAlgorithm) else {
            throw JOSEError(.unsupportedEncryption, reason: "alg \(keyAlgorithm) is not allowed")
        }
        guard JWEContentEncryption.cdrAllowed.contains(contentEncryption) else {
            throw JOSEError(.unsupportedEncryption, reason: "enc \(contentEncryption) is not allowed")
        }
        guard recipient.use != PublicJWK.useSignature else {
            throw JOSEError(.unsupportedKey, reason: "the recipient key is a signing key (use: sig)")
        }
        guard case .rsa(let signingKey) = try recipient.material() else {
            throw JOSEError(.unsupportedKey, reason: "JWE recipients must be RSA keys")
        }
        var header: [String: ClaimValue] = [
            "alg": .string(keyAlgorithm.rawValue), "enc": .string(contentEncryption.rawValue),
        ]
        if let kid = recipient.keyID { header["kid"] = .string(kid) }
        if let contentType { header["cty"] = .string(contentType) }
        let headerSegment = Base64URL.encode(encodeJWKObject(header))
        do {
            let publicKey = try _RSA.Encryption.PublicKey(derRepresentation: signingKey.derRepresentation)
            let cek = SymmetricKey(size: .bits256)
            let encryptedKey = try publicKey.encrypt(cek.withUnsafeBytes { Data($0) }, padding: padding)
            let sealed = try ContentCipher.seal(
                plaintext, cek: cek, aad: Data(headerSegment.utf8), enc: contentEncryption)
            return [
                headerSegment, Base64URL.encode(encryptedKey), Base64URL.encode(sealed.iv),
                Base64URL.encode(sealed.ciphertext), Base64URL.encode(sealed.tag),
            ].joined(separator: ".")
        } catch let error as JOSEError { throw error } catch {
            throw JOSEError(.encryptionFailed, reason: "JWE encryption failed")
        }
    }

    /// Whether a compact serialisation is a JWE (five parts) rather than a JWS (three parts).
    /// - Parameter token: The compact token.
    /// - Returns: `true` for five dot-separated parts.
    public static func isEncrypted(_ token: String) -> Bool {
        token.split(separator: ".", omittingEmptySubsequences: false).count == 5
    }

    static func oaepPadding(_ algorithm: JWEKeyAlgorithm) -> _RSA.Encryption.Padding? {
        switch algorithm {
        case .rsaOAEP: .PKCS1_OAEP
        case .rsaOAEP256: .PKCS1_OAEP_SHA256
        default: nil
        }
    }
}

/// Decrypts compact JWEs with a set of ``DecryptionKey``s, enforcing allowed `alg` and `enc` values.
public struct JWEDecrypter: Sendable {
    /// The private keys, selected by the header's `kid`.
    public let keys: [DecryptionKey]
    /// Accepted key-management algorithms (a subset of `RSA-OAEP`, `RSA-OAEP-256`, re-checked on every call).
    public let allowedKeyAlgorithms: Set<JWEKeyAlgorithm>
    /// Accepted content encryptions (a subset of `A256GCM`, `A128CBC-HS256`, re-checked on every call).
    public let allowedContentEncryptions: Set<JWEContentEncryption>

    /// Creates a decrypter.
    /// - Parameters:
    ///   - keys: The private keys.
    ///   - allowedKeyAlgorithms: For example the registered `authorization_encrypted_response_alg`.
    ///   - allowedContentEncryptions: For example the registered `authorization_encrypted_response_enc`.
    public init(
        keys: [DecryptionKey], allowedKeyAlgorithms: Set<JWEKeyAlgorithm> = JWEKeyAlgorithm.cdrAllowed,
        allowedContentEncryptions: Set<JWEContentEncryption> = JWEContentEncryption.cdrAllowed
    ) {
        self.keys = keys
        self.allowedKeyAlgorithms = allowedKeyAlgorithms.intersection(JWEKeyAlgorithm.cdrAllowed)
        self.allowedContentEncryptions = allowedContentEncryptions.intersection(JWEContentEncryption.cdrAllowed)
    }

    /// Decrypts a compact JWE.
    ///
    /// The key is the one whose `kid` matches the header; a header without `kid` is accepted only when there
    /// is exactly one key. The header `alg` must be the key's registered ``DecryptionKey/algorithm``, and `zip`
    /// and `crit` are refused. A wrong encrypted key is not reported separately: decryption continues with a
    /// random content key and fails at the authentication tag, so both cases give `.decryptionFailed`
    /// (RFC 7516 §11.5, against padding and timing oracles).
    /// - Parameter token: The compact JWE.
    /// - Returns: The header and plaintext.
    /// - Throws: ``JOSEError`` `.malformedToken`, `.unsupportedEncryption`, `.unknownKeyID`, `.missingKeyID`,
    ///   `.algorithmMismatch` or `.decryptionFailed`.
    public func decrypt(_ token: String) throws -> (header: JOSEHeader, plaintext: Data) {
        guard token.utf8.count <= CompactJWS.maximumLength else {
            throw JOSEError(.malformedToken, reason: "token is too long")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5 else { throw JOSEError(.malformedToken, reason: "not a compact JWE") }
        guard let headerData = Base64URL.decode(parts[0]),
            let values = try? JSONDecoder().decode([String: ClaimValue].self, from: headerData),
            let encryptedKey = Base64URL.decode(parts[1]), let iv = Base64URL.decode(parts[2]),
            let ciphertext = Base64URL.decode(parts[3]), let tag = Base64URL.decode(parts[4])
        else { throw JOSEError(.malformedToken, reason: "JWE parts are not base64url") }
        let header = JOSEHeader(values)
        let alg = JWEKeyAlgorithm(rawValue: header.algorithm ?? "")
        let enc = JWEContentEncryption(rawValue: header.encryption ?? "")
        // Re-intersect with the CDR lists on every call, whatever the decrypter was built with.
        guard allowedKeyAlgorithms.intersection(JWEKeyAlgorithm.cdrAllowed).contains(alg),
            let padding = JWE.oaepPadding(alg)
        else {
            throw JOSEError(.unsupportedEncryption, reason: "alg \(JOSEError.quoted(alg.rawValue)) is not allowed")
        }
        guard allowedContentEncryptions.intersection(JWEContentEncryption.cdrAllowed).contains(enc) else {
            throw JOSEError(.unsupportedEncryption, reason: "enc \(JOSEError.quoted(enc.rawValue)) is not allowed")
        }
        if values["zip"] != nil {
            throw JOSEError(.unsupportedEncryption, reason: "compressed (zip) JWEs are not supported")
        }
        if values["crit"] != nil {
            throw JOSEError(.unsupportedEncryption, reason: "crit header parameters are not supported")
        }
        let key: DecryptionKey
        if let kid = header.keyID {
            guard let match = keys.first(where: { $0.keyID == kid }) else {
                throw JOSEError(.unknownKeyID, reason: "no decryption key with kid \(JOSEError.quoted(kid))")
            }
            key = match
        } else if keys.count == 1, let only = keys.first {
            key = only
        } else {
            throw JOSEError(.missingKeyID, reason: "JWE header has no kid")
        }
        guard key.algorithm == alg else {
            throw JOSEError(
                .algorithmMismatch,
                reason: "alg \(JOSEError.quoted(alg.rawValue)) is not the key's registered \(key.algorithm)")
        }
        // RFC 7516 §11.5: on an RSA-OAEP failure carry on with a random CEK, so the failure surfaces at the tag
        // check exactly like a wrong ciphertext.
        let cek: SymmetricKey
        if let decrypted = try? key.encryptionKey().decrypt(encryptedKey, padding: padding) {
            cek = SymmetricKey(data: decrypted)
        } else {
            cek = SymmetricKey(size: .bits256)
        }
        do {
            let plaintext = try ContentCipher.open(
                ciphertext: ciphertext, tag: tag, iv: iv, cek: cek, aad: Data(parts[0].utf8), enc: enc)
            return (header, plaintext)
        } catch {
            throw JOSEError(.decryptionFailed, reason: "JWE could not be decrypted")
        }
    }
}

/// The content-encryption algorithms (RFC 7518 §5).
enum ContentCipher {
    struct Sealed {
        var iv: Data, ciphertext: Data, tag: Data
    }

    struct Failure: Error {}

    static func seal(
        _ plaintext: Data, cek: SymmetricKey, aad: Data, enc: JWEContentEncryption, iv fixedIV: Data? = nil
    )
        throws -> Sealed
    {
        switch enc {
        case .a256GCM:
            guard cek.bitCount == 256 else { throw Failure() }
            let nonce = try fixedIV.map { try AES.GCM.Nonce(data: $0) } ?? AES.GCM.Nonce()
            let box = try AES.GCM.seal(plaintext, using: cek, nonce: nonce, authenticating: aad)
            return Sealed(iv: Data(nonce), ciphertext: box.ciphertext, tag: box.tag)
        case .a128CBCHS256:
            guard cek.bitCount == 256 else { throw Failure() }
            let (macKey, encKey) = splitKey(cek)
            let iv = try fixedIV.map { try AES._CBC.IV(ivBytes: $0) } ?? AES._CBC.IV()
            let ivData = Data(iv)
            let ciphertext = try AES._CBC.encrypt(plaintext, using: encKey, iv: iv)
            return Sealed(
                iv: ivData, ciphertext: ciphertext,
                tag: cbcTag(macKey: macKey, aad: aad, iv: ivData, ciphertext: ciphertext))
        default:
            throw Failure()
        }
    }

    static func open(ciphertext: Data, tag: Data, iv: Data, cek: SymmetricKey, aad: Data, enc: JWEContentEncryption)
        throws -> Data
    {
        switch enc {
        case .a256GCM:
            guard cek.bitCount == 256, iv.count == 12, tag.count == 16 else { throw Failure() }
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
            return try AES.GCM.open(box, using: cek, authenticating: aad)
        case .a128CBCHS256:
            guard cek.bitCount == 256, iv.count == 16, tag.count == 16 else { throw Failure() }
            let (macKey, encKey) = splitKey(cek)
            let expected = cbcTag(macKey: macKey, aad: aad, iv: iv, ciphertext: ciphertext)
            guard constantTimeEqual(expected, tag) else { throw Failure() }
            return try AES._CBC.decrypt(ciphertext, using: encKey, iv: AES._CBC.IV(ivBytes: iv))
        default:
            throw Failure()
        }
    }

    /// RFC 7518 §5.2.2.1: MAC_KEY is the first half of the CEK, ENC_KEY the second.
    static func splitKey(_ cek: SymmetricKey) -> (mac: SymmetricKey, enc: SymmetricKey) {
        let bytes = cek.withUnsafeBytes { Data($0) }
        let half = bytes.count / 2
        return (SymmetricKey(data: bytes.prefix(half)), SymmetricKey(data: bytes.suffix(half)))
    }

    /// HMAC-SHA-256 over AAD || IV || ciphertext || AL, truncated to 16 bytes.
    static func cbcTag(macKey: SymmetricKey, aad: Data, iv: Data, ciphertext: Data) -> Data {
        var al = UInt64(aad.count * 8).bigEndian
        let alBytes = withUnsafeBytes(of: &al) { Data($0) }
        var hmac = HMAC<SHA256>(key: macKey)
        hmac.update(data: aad)
        hmac.update(data: iv)
        hmac.update(data: ciphertext)
        hmac.update(data: alBytes)
        return Data(hmac.finalize()).prefix(16)
    }

    static func constantTimeEqual(_ lhs: Data, _ rhs: Data) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }
}
