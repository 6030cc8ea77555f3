import Foundation
import JWTKit

/// Signs compact JWTs with a ``SigningKey`` (PS256 or ES256), placing its `kid` in the header.
///
/// Signing goes through jwt-kit with a collection that holds only this key.
public struct JWSSigner: Sendable {
    /// The signing key.
    public let key: SigningKey

    /// Creates a signer.
    /// - Parameter key: The private key.
    public init(key: SigningKey) { self.key = key }

    /// Signs a claim set.
    /// - Parameters:
    ///   - claims: The claims; dates should be whole seconds (``ClaimValue/date(_:)``).
    ///   - type: The `typ` header, `JWT` by default (request objects use `oauth-authz-req+jwt`).
    /// - Returns: The compact JWS.
    /// - Throws: ``JOSEError`` `.signingFailed`.
    public func sign(_ claims: JWTClaims, type: String = "JWT") async throws -> String {
        let collection = JWTKeyCollection()
        do {
            try await key.add(to: collection)
            var header = JWTHeader()
            header.alg = key.algorithm.rawValue
            header.kid = key.keyID
            header.typ = type
            return try await collection.sign(
                KitPayload(claims: claims), kid: JWKIdentifier(string: key.keyID), header: header)
        } catch {
            throw JOSEError(.signingFailed, reason: "\(key.algorithm) signing failed")
        }
    }
}

/// Adapts ``JWTClaims`` to jwt-kit; claim checks are done by our validators, not here.
struct KitPayload: JWTPayload {
    var claims: JWTClaims
    init(claims: JWTClaims) { self.claims = claims }
    init(from decoder: any Decoder) throws { claims = try JWTClaims(from: decoder) }
    func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
