import CDRJOSE
import CDRTesting
import Foundation
import Testing

/// Builds holder-signed tokens relative to `Fixtures.now`.
enum HolderTokens {
    static func jarmClaims(state: String = "state-1") -> JWTClaims {
        JWTClaims([
            "iss": .string(Fixtures.holderIssuer), "aud": .string(Fixtures.clientID),
            "exp": .date(Fixtures.now + 300), "iat": .date(Fixtures.now), "code": "auth-code-xyz",
            "state": .string(state),
        ])
    }

    static func idTokenClaims() -> JWTClaims {
        JWTClaims([
            "iss": .string(Fixtures.holderIssuer), "aud": .string(Fixtures.clientID), "sub": "ppid-789",
            "exp": .date(Fixtures.now + 300), "iat": .date(Fixtures.now), "nonce": "nonce-1",
            "acr": "urn:cds.au:cdr:2", "auth_time": .date(Fixtures.now - 60),
        ])
    }

    static func selfSignedClaims() -> JWTClaims {
        JWTClaims([
            "iss": .string(Fixtures.brandID), "sub": .string(Fixtures.brandID),
            "aud": .string(Fixtures.revocationEndpoint),
            "exp": .date(Fixtures.now + 300), "iat": .date(Fixtures.now), "jti": .string(UUID().uuidString),
        ])
    }

    static func sign(_ claims: JWTClaims, with key: SigningKey = Fixtures.rsaKey) async throws -> String {
        try await JWSSigner(key: key).sign(claims)
    }
}

/// How a negative case mangles a valid token.
enum Mutation: Sendable {
    case claims(@Sendable (JWTClaims) -> JWTClaims)
    case nullAlg
    case rs256
    case hs256
    case wrongKey
    case tamperedSignature
    case unknownKid

    func apply(to claims: JWTClaims) async throws -> String {
        switch self {
        case .claims(let change): return try await HolderTokens.sign(change(claims))
        case .nullAlg: return Forge.unsigned(claims)
        case .rs256: return try Forge.rs256(claims)
        case .hs256: return Forge.hs256(claims)
        case .wrongKey: return try await HolderTokens.sign(claims, with: Fixtures.strangerKey)
        case .tamperedSignature: return Forge.tamperedSignature(try await HolderTokens.sign(claims))
        case .unknownKid:
            let key = try SigningKey.generate(.ps256, keyID: "not-published")
            return try await HolderTokens.sign(claims, with: key)
        }
    }
}

/// One conformance-style negative case.
struct NegativeCase: Sendable, CustomTestStringConvertible {
    let name: String
    let mutation: Mutation
    let expected: JOSEError.Code
    var testDescription: String { name }

    init(_ name: String, _ mutation: Mutation, _ expected: JOSEError.Code) {
        self.name = name
        self.mutation = mutation
        self.expected = expected
    }
}
