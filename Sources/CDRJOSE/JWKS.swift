public import Foundation

/// A JSON Web Key Set (RFC 7517 §5) of public keys.
///
/// Decoding is lenient by design: keys this library cannot use (`oct`, `OKP`, unknown `kty`, other curves,
/// RSA keys under 2048 bits, malformed members) are skipped instead of failing the whole set, so that a
/// holder's JWKS with extra keys still works. Encoding (``jsonData()``) is strict: every key needs a unique `kid`.
public struct JWKS: Sendable, Hashable, Codable {
    /// The keys.
    public var keys: [PublicJWK]

    /// Creates a set.
    /// - Parameter keys: The keys.
    public init(keys: [PublicJWK]) { self.keys = keys }

    /// Parses a JWKS document, keeping only RSA and P-256 keys this library can use.
    /// - Parameter jsonData: The JWKS JSON.
    /// - Throws: ``JOSEError`` `.invalidJWKS` if the document is not `{"keys": [...]}`.
    public init(jsonData: Data) throws {
        do { self = try JSONDecoder().decode(JWKS.self, from: jsonData) } catch let error as JOSEError {
            throw error
        } catch { throw JOSEError(.invalidJWKS, reason: "not a JWKS document") }
    }

    private struct AnyKey: Decodable {
        let key: PublicJWK?
        init(from decoder: any Decoder) throws {
            guard let jwk = try? PublicJWK(from: decoder), (try? jwk.material()) != nil else {
                key = nil
                return
            }
            key = jwk
        }
    }

    private enum CodingKeys: String, CodingKey { case keys }

    /// Decodes `{"keys": [...]}`, skipping unusable keys.
    /// - Parameter decoder: The decoder.
    /// - Throws: `DecodingError` if `keys` is missing or not an array.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keys = try container.decode([AnyKey].self, forKey: .keys).compactMap(\.key)
    }

    /// Encodes `{"keys": [...]}`.
    /// - Parameter encoder: The encoder.
    /// - Throws: Errors from the encoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keys, forKey: .keys)
    }

    /// The JSON to publish at a `jwks_uri`.
    /// - Returns: Sorted-key JSON of the public keys.
    /// - Throws: ``JOSEError`` `.missingKeyID` if a key has no `kid`, `.duplicateKeyID` if two keys share one.
    public func jsonData() throws -> Data {
        var seen = Set<String>()
        for key in keys {
            guard let kid = key.keyID, !kid.isEmpty else {
                throw JOSEError(.missingKeyID, reason: "every published key needs a kid")
            }
            guard seen.insert(kid).inserted else {
                throw JOSEError(.duplicateKeyID, reason: "kid \(JOSEError.quoted(kid)) appears twice")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The keys usable for signature verification, see ``PublicJWK/isSigningKey``.
    public var signingKeys: [PublicJWK] { keys.filter(\.isSigningKey) }

    /// The keys usable for JWE encryption, see ``PublicJWK/isEncryptionKey``.
    public var encryptionKeys: [PublicJWK] { keys.filter(\.isEncryptionKey) }
}
