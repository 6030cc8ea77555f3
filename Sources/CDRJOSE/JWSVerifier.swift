import Crypto
import CryptoExtras
import Foundation
import JWTKit

/// A source of verification keys for one issuer.
///
/// ``JWKS`` is a static source; ``JWKSCache`` fetches and refreshes.
public protocol JWKSSource: Sendable {
    /// Returns the key set to search.
    /// - Parameter unknownKeyID: `nil` for the normal lookup; the token's `kid` when it was not in the last
    ///   set returned, so that a refreshing source can refetch once.
    /// - Returns: The keys.
    /// - Throws: ``JOSEError`` `.jwksFetchFailed` if the keys cannot be obtained.
    func keySet(refreshingFor unknownKeyID: String?) async throws -> JWKS
}

extension JWKS: JWKSSource {
    /// Returns `self`; a static set never refreshes.
    /// - Parameter unknownKeyID: Ignored.
    /// - Returns: This set.
    public func keySet(refreshingFor unknownKeyID: String?) async throws -> JWKS { self }
}

/// A JWS whose signature, algorithm and key have been verified. Its claims are not validated yet.
public struct VerifiedJWT: Sendable {
    /// The protected header.
    public let header: JOSEHeader
    /// The claims.
    public let claims: JWTClaims
    /// The algorithm that verified the signature.
    public let algorithm: JWSAlgorithm
    /// The `kid` of the key that verified the signature.
    public let keyID: String
}

/// Verifies compact JWS signatures with an algorithm allow-list and strict `kid` selection.
///
/// - `alg` must be in ``allowedAlgorithms`` (always a subset of PS256 and ES256): `none`, `RS256`, `HS256` and
///   anything else are rejected before any key is touched.
/// - The header must carry a `kid`, and the key is the signing key with that `kid`. There is no default key:
///   an unknown `kid` asks the ``JWKSSource`` once for a refreshed set, then fails with `.unknownKeyID`.
/// - The key type must fit the algorithm (RSA for PS256, P-256 for ES256), and a key's own `alg`, if set,
///   must equal the token's.
public struct JWSVerifier: Sendable {
    /// Algorithms accepted, intersected with ``JWSAlgorithm/cdrAllowed`` (again on every ``verify(_:)``).
    public let allowedAlgorithms: Set<JWSAlgorithm>
    /// Where keys come from.
    public var keySource: any JWKSSource

    /// Creates a verifier.
    /// - Parameters:
    ///   - keySource: A ``JWKS`` or a ``JWKSCache``.
    ///   - allowedAlgorithms: The allow-list, for example the holder's registered `id_token_signed_response_alg`.
    public init(keySource: any JWKSSource, allowedAlgorithms: Set<JWSAlgorithm> = JWSAlgorithm.cdrAllowed) {
        self.keySource = keySource
        self.allowedAlgorithms = allowedAlgorithms.intersection(JWSAlgorithm.cdrAllowed)
    }

    /// Verifies a compact JWS.
    /// - Parameter token: The token.
    /// - Returns: The verified header and claims.
    /// - Throws: ``JOSEError`` with `.malformedToken`, `.algorithmNotAllowed`, `.missingKeyID`, `.unknownKeyID`,
    ///   `.duplicateKeyID`, `.algorithmMismatch`, `.jwksFetchFailed` or `.signatureInvalid`.
    public func verify(_ token: String) async throws -> VerifiedJWT {
        let jws = try CompactJWS(token)
        guard let algString = jws.header.algorithm else {
            throw JOSEError(.malformedToken, reason: "header has no alg")
        }
        let algorithm = JWSAlgorithm(rawValue: algString)
        // Re-intersect on every call: the CDR allow-list is the ceiling whatever this value was built from.
        guard allowedAlgorithms.intersection(JWSAlgorithm.cdrAllowed).contains(algorithm) else {
            throw JOSEError(.algorithmNotAllowed, reason: "alg \(JOSEError.quoted(algString)) is not allowed")
        }
        if jws.header.values["crit"] != nil {
            throw JOSEError(.malformedToken, reason: "crit header parameters are not supported")
        }
        guard let kid = jws.header.keyID, !kid.isEmpty else {
            throw JOSEError(.missingKeyID, reason: "token header has no kid")
        }
        let shownKid = JOSEError.quoted(kid)
        var candidates = try await keySource.keySet(refreshingFor: nil).signingKeys.filter { $0.keyID == kid }
        if candidates.isEmpty {
            candidates = try await keySource.keySet(refreshingFor: kid).signingKeys.filter { $0.keyID == kid }
        }
        guard !candidates.isEmpty else { throw JOSEError(.unknownKeyID, reason: "no signing key with kid \(shownKid)") }
        let fitting = candidates.filter { Self.fits($0, algorithm) }
        guard !fitting.isEmpty else {
            throw JOSEError(.algorithmMismatch, reason: "key \(shownKid) cannot be used with \(algorithm)")
        }
        guard fitting.count == 1, let jwk = fitting.first else {
            throw JOSEError(.duplicateKeyID, reason: "more than one signing key has kid \(shownKid)")
        }
        try await Self.verifySignature(token, key: jwk.material(), kid: kid)
        return VerifiedJWT(header: jws.header, claims: try jws.claims(), algorithm: algorithm, keyID: kid)
    }

    static func fits(_ jwk: PublicJWK, _ algorithm: JWSAlgorithm) -> Bool {
        if let keyAlgorithm = jwk.algorithm, keyAlgorithm != algorithm.rawValue { return false }
        switch algorithm {
        case .ps256: return jwk.keyType == "RSA"
        case .es256: return jwk.keyType == "EC" && jwk.curve == "P-256"
        default: return false
        }
    }

    /// Verifies with jwt-kit using a collection that holds exactly the selected key.
    static func verifySignature(_ token: String, key: PublicJWK.Material, kid: String) async throws {
        let collection = JWTKeyCollection()
        let identifier = JWKIdentifier(string: kid)
        switch key {
        case .rsa(let rsa):
            await collection.add(
                pss: try Insecure.RSA.PublicKey(backing: rsa), digestAlgorithm: .sha256, kid: identifier)
        case .p256(let p256):
            await collection.add(ecdsa: try ES256PublicKey(backing: p256), kid: identifier)
        }
        do {
            _ = try await collection.verify(token, as: KitPayload.self)
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw JOSEError(.malformedToken, reason: "token could not be decoded")
        } catch {
            throw JOSEError(.signatureInvalid, reason: "signature does not verify with key \(JOSEError.quoted(kid))")
        }
    }
}
