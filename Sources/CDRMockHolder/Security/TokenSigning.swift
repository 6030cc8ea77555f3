import CDRJOSE
import CryptoExtras
import Foundation

/// How a JWT the holder issues is signed: properly, or with one of the faults a client must reject.
enum SignatureMode: Sendable, Hashable {
    /// The holder's key for the registered algorithm.
    case valid
    /// `alg: none` and an empty signature.
    case noneAlgorithm
    /// RS256 (RSASSA-PKCS1-v1_5) with the holder's RSA key, which CDR forbids.
    case rs256
    /// A valid signature with one byte flipped.
    case invalidSignature
    /// The holder's key, under a `kid` that the JWKS does not publish.
    case unknownKeyID
}

extension MockDataHolder {
    /// Signs a claim set as the holder.
    /// - Parameters:
    ///   - claims: The claims.
    ///   - algorithm: The algorithm the client registered (PS256 or ES256).
    ///   - mode: Valid, or one of the signature faults.
    /// - Returns: The compact JWS.
    /// - Throws: ``JOSEError`` or CryptoExtras errors when signing fails.
    func signAsHolder(_ claims: JWTClaims, algorithm: JWSAlgorithm, mode: SignatureMode = .valid) async throws
        -> String
    {
        switch mode {
        case .valid:
            return try await JWSSigner(key: keys.key(for: algorithm)).sign(claims)
        case .unknownKeyID:
            let key = algorithm == .es256 ? keys.unknownKeyIDES256 : keys.unknownKeyIDPS256
            return try await JWSSigner(key: key).sign(claims)
        case .invalidSignature:
            let token = try await JWSSigner(key: keys.key(for: algorithm)).sign(claims)
            var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, var signature = Base64URL.decode(parts[2]), !signature.isEmpty else {
                return token
            }
            signature[signature.startIndex] ^= 0xFF
            signature[signature.index(before: signature.endIndex)] ^= 0x01
            parts[2] = Base64URL.encode(signature)
            return parts.joined(separator: ".")
        case .noneAlgorithm:
            let input = try Self.signingInput(header: ["alg": "none", "typ": "JWT"], claims: claims)
            return input + "."
        case .rs256:
            let header: [String: ClaimValue] = ["alg": "RS256", "typ": "JWT", "kid": .string(keys.ps256.keyID)]
            let input = try Self.signingInput(header: header, claims: claims)
            let signature = try keys.rsa.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
            return input + "." + Base64URL.encode(signature.rawRepresentation)
        }
    }

    /// `BASE64URL(header) "." BASE64URL(claims)`.
    static func signingInput(header: [String: ClaimValue], claims: JWTClaims) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try claims.jsonData())
    }
}
