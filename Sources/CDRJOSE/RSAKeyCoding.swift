import Crypto
import CryptoExtras
import Foundation
import SwiftASN1

/// Private RSA key members, read from PKCS #1 DER or a private JWK.
struct RSAPrivateMembers {
    var n: Data, e: Data, d: Data, p: Data, q: Data, dp: Data, dq: Data, qi: Data

    /// Parses `RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qi }` (RFC 8017 A.1.2).
    init(pkcs1DER der: Data) throws {
        do {
            let node = try DER.parse(Array(der))
            var values: [Data] = []
            try DER.sequence(node, identifier: .sequence) { nodes in
                _ = try Int(derEncoded: &nodes)
                for _ in 0..<8 { values.append(Data(try ArraySlice<UInt8>(derEncoded: &nodes))) }
                while nodes.next() != nil {}
            }
            (n, e, d, p, q, dp, dq, qi) = (
                values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7]
            )
        } catch {
            throw JOSEError(.malformedKey, reason: "RSA private key DER could not be parsed")
        }
    }

    init(jwk: [String: ClaimValue]) throws {
        func member(_ name: String) throws -> Data {
            guard let value = jwk[name]?.stringValue, let data = Base64URL.decode(value), !data.isEmpty else {
                throw JOSEError(.malformedKey, reason: "RSA private JWK without \(name)")
            }
            return data
        }
        (n, e, d, p, q) = (try member("n"), try member("e"), try member("d"), try member("p"), try member("q"))
        (dp, dq, qi) = ((try? member("dp")) ?? Data(), (try? member("dq")) ?? Data(), (try? member("qi")) ?? Data())
    }

    func jwkMembers() -> [String: ClaimValue] {
        [
            "kty": "RSA", "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e)),
            "d": .string(Base64URL.encode(d)), "p": .string(Base64URL.encode(p)), "q": .string(Base64URL.encode(q)),
            "dp": .string(Base64URL.encode(dp)), "dq": .string(Base64URL.encode(dq)),
            "qi": .string(Base64URL.encode(qi)),
        ]
    }
}

/// Decodes a JWK JSON object.
func decodeJWKObject(_ data: Data) throws -> [String: ClaimValue] {
    guard let object = try? JSONDecoder().decode([String: ClaimValue].self, from: data) else {
        throw JOSEError(.malformedKey, reason: "JWK is not a JSON object")
    }
    return object
}

func encodeJWKObject(_ object: [String: ClaimValue]) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding a dictionary of ClaimValue cannot fail.
    return (try? encoder.encode(object)) ?? Data()
}
