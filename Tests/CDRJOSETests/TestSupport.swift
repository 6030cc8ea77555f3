import CDRJOSE
import CDRTesting
import Crypto
import CryptoExtras
import Foundation

/// Shared fixtures for the CDRJOSE tests. Keys are generated once per process, never committed.
enum Fixtures {
    static let holderIssuer = "https://holder.example.com.au"
    static let clientID = "client-123"
    static let brandID = "brand-456"
    static let revocationEndpoint = "https://recipient.example.com.au/arrangements/revoke"

    static let rsaKey: SigningKey = {
        do { return try SigningKey.generate(.ps256, keyID: "holder-ps256") } catch {
            fatalError("key generation: \(error)")
        }
    }()
    static let ecKey: SigningKey = {
        do { return try SigningKey.generate(.es256, keyID: "holder-es256") } catch {
            fatalError("key generation: \(error)")
        }
    }()
    /// A key that is *not* in the holder's JWKS.
    static let strangerKey: SigningKey = {
        do { return try SigningKey.generate(.ps256, keyID: "holder-ps256") } catch {
            fatalError("key generation: \(error)")
        }
    }()
    static let decryptionKey: DecryptionKey = {
        do { return try DecryptionKey.generate(.rsaOAEP256, keyID: "recipient-enc") } catch {
            fatalError("key generation: \(error)")
        }
    }()

    static var holderJWKS: JWKS { JWKS(keys: [rsaKey.publicJWK, ecKey.publicJWK]) }

    /// A fixed whole-second "now".
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static func clock() -> ManualTimeSource { ManualTimeSource(now) }
}

enum B64 {
    static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        var value = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while value.count % 4 != 0 { value += "=" }
        return Data(base64Encoded: value)
    }

    static func json(_ object: [String: ClaimValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encode((try? encoder.encode(object)) ?? Data())
    }
}

/// Builds tokens the way a misbehaving server would (wrong algorithm, no signature, …).
enum Forge {
    /// `alg: none` with an empty signature.
    static func unsigned(_ claims: JWTClaims, kid: String = "holder-ps256") -> String {
        B64.json(["alg": "none", "kid": .string(kid)]) + "." + B64.json(claims.values) + "."
    }

    /// RS256 (PKCS #1 v1.5) with the PS256 fixture key's private material.
    static func rs256(_ claims: JWTClaims, kid: String = "holder-ps256") throws -> String {
        let pem = Fixtures.rsaKey.pemRepresentation
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        let input = B64.json(["alg": "RS256", "kid": .string(kid)]) + "." + B64.json(claims.values)
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + B64.encode(signature.rawRepresentation)
    }

    /// HS256 keyed with the RSA public key PEM (the classic key-confusion attack).
    static func hs256(_ claims: JWTClaims, kid: String = "holder-ps256") -> String {
        let input = B64.json(["alg": "HS256", "kid": .string(kid)]) + "." + B64.json(claims.values)
        let key = SymmetricKey(data: Data(Fixtures.rsaKey.publicKeyPEM.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)
        return input + "." + B64.encode(Data(mac))
    }

    /// Replaces the header (keeping payload and signature), e.g. to change `alg` or `kid`.
    static func withHeader(_ token: String, _ header: [String: ClaimValue]) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return B64.json(header) + "." + parts[1] + "." + parts[2]
    }

    /// Flips one bit in the signature.
    static func tamperedSignature(_ token: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var signature = B64.decode(parts[2]) ?? Data()
        signature[signature.startIndex] ^= 0x01
        parts[2] = B64.encode(signature)
        return parts.joined(separator: ".")
    }

    /// Replaces the payload and keeps the old signature.
    static func swappedPayload(_ token: String, _ claims: JWTClaims) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return parts[0] + "." + B64.json(claims.values) + "." + parts[2]
    }
}

extension JWTClaims {
    func removing(_ name: String) -> JWTClaims {
        var copy = self
        copy[name] = nil
        return copy
    }

    func setting(_ name: String, _ value: ClaimValue) -> JWTClaims {
        var copy = self
        copy[name] = value
        return copy
    }
}

/// Runs `body` and returns the `JOSEError` code it threw, or `nil` if it did not throw a `JOSEError`.
func joseErrorCode(_ body: () async throws -> Void) async -> JOSEError.Code? {
    do {
        try await body()
        return nil
    } catch let error as JOSEError {
        return error.code
    } catch {
        return nil
    }
}
