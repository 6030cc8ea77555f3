import CDRJOSE
import Foundation
import Testing

@Suite("SigningKey, DecryptionKey, PublicJWK and JWKS")
struct KeyTests {
    @Test("generate, export and re-import as PEM and JWK", arguments: [JWSAlgorithm.ps256, .es256])
    func roundTrip(algorithm: JWSAlgorithm) async throws {
        let key = try SigningKey.generate(algorithm)
        #expect(key.algorithm == algorithm)
        #expect(key.keyID == (try key.publicJWK.thumbprint()), "default kid is the RFC 7638 thumbprint")

        let fromPEM = try SigningKey(pem: key.pemRepresentation, keyID: key.keyID)
        #expect(fromPEM.publicJWK == key.publicJWK)
        let fromJWK = try SigningKey(jwk: key.privateJWKData())
        #expect(fromJWK.publicJWK == key.publicJWK)
        #expect(fromJWK.keyID == key.keyID)

        // A token signed by the re-imported key verifies against the original public key.
        let token = try await JWSSigner(key: fromJWK).sign(JWTClaims(["iss": "me"]))
        let verified = try await JWSVerifier(keySource: JWKS(keys: [key.publicJWK])).verify(token)
        #expect(verified.claims.issuer == "me")
        #expect(verified.algorithm == algorithm)

        let publicPEM = try PublicJWK(pem: key.publicKeyPEM, keyID: key.keyID)
        #expect(publicPEM == key.publicJWK)
        #expect(try publicPEM.pemRepresentation() == key.publicKeyPEM)
    }

    @Test("the public JWK has use, alg and kid and no private members", arguments: [JWSAlgorithm.ps256, .es256])
    func publicJWKShape(algorithm: JWSAlgorithm) throws {
        let key = try SigningKey.generate(algorithm, keyID: "k1")
        let json = try JWKS(keys: [key.publicJWK]).jsonData()
        let object = try JSONDecoder().decode([String: [[String: String]]].self, from: json)
        let entry = try #require(object["keys"]?.first)
        #expect(entry["kid"] == "k1")
        #expect(entry["use"] == "sig")
        #expect(entry["alg"] == algorithm.rawValue)
        for privateMember in ["d", "p", "q", "dp", "dq", "qi"] { #expect(entry[privateMember] == nil) }
    }

    @Test("descriptions never contain key material")
    func descriptions() throws {
        let key = try SigningKey.generate(.es256, keyID: "k")
        #expect(String(describing: key) == "SigningKey(ES256, kid: k)")
        let decryption = try DecryptionKey.generate(keyID: "e")
        #expect(String(describing: decryption) == "DecryptionKey(RSA-OAEP-256, kid: e)")
    }

    @Test("RSA keys under 2048 bits are refused")
    func smallRSA() throws {
        #expect { try SigningKey.generate(.ps256, rsaKeySize: 1024) } throws: {
            ($0 as? JOSEError)?.code == .keyTooSmall
        }
        #expect { try DecryptionKey.generate(keySize: 1024) } throws: { ($0 as? JOSEError)?.code == .keyTooSmall }
    }

    @Test("only PS256 and ES256 keys can be generated", arguments: ["RS256", "HS256", "none", "EdDSA"])
    func otherAlgorithms(alg: String) {
        #expect { try SigningKey.generate(JWSAlgorithm(rawValue: alg)) } throws: {
            ($0 as? JOSEError)?.code == .algorithmNotAllowed
        }
    }

    @Test("decryption key round trip")
    func decryptionKeyRoundTrip() throws {
        let key = try DecryptionKey.generate(.rsaOAEP, keyID: "enc-1")
        let copy = try DecryptionKey(jwk: key.privateJWKData())
        #expect(copy.keyID == "enc-1")
        #expect(copy.algorithm == .rsaOAEP)
        #expect(copy.publicJWK == key.publicJWK)
        #expect(key.publicJWK.use == "enc")
        let fromPEM = try DecryptionKey(pem: key.pemRepresentation, algorithm: .rsaOAEP, keyID: "enc-1")
        #expect(fromPEM.publicJWK == key.publicJWK)
    }

    @Test("publishing refuses duplicate or missing kids")
    func publishingRules() throws {
        let a = try SigningKey.generate(.es256, keyID: "same")
        let b = try SigningKey.generate(.es256, keyID: "same")
        #expect { try JWKS(keys: [a.publicJWK, b.publicJWK]).jsonData() } throws: {
            ($0 as? JOSEError)?.code == .duplicateKeyID
        }
        var anonymous = a.publicJWK
        anonymous.keyID = nil
        #expect { try JWKS(keys: [anonymous]).jsonData() } throws: { ($0 as? JOSEError)?.code == .missingKeyID }
    }

    @Test("parsing skips keys it cannot use instead of failing the set")
    func lenientParsing() throws {
        let signing = Fixtures.ecKey.publicJWK
        let encryption = Fixtures.decryptionKey.publicJWK
        let signingJSON = String(decoding: try JSONEncoder().encode(signing), as: UTF8.self)
        let encryptionJSON = String(decoding: try JSONEncoder().encode(encryption), as: UTF8.self)
        let document = """
            {"keys":[
              {"kty":"oct","k":"c2VjcmV0","kid":"hmac"},
              {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"},
              {"kty":"EC","crv":"P-384","x":"AAAA","y":"AAAA","kid":"p384"},
              {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"tiny"},
              {"kty":"XYZ","kid":"future"},
              "not even an object",
              \(encryptionJSON),
              \(signingJSON)
            ]}
            """
        let jwks = try JWKS(jsonData: Data(document.utf8))
        #expect(jwks.keys.map(\.keyID) == [encryption.keyID, signing.keyID])
        #expect(jwks.signingKeys.map(\.keyID) == [signing.keyID])
        #expect(jwks.encryptionKeys.map(\.keyID) == [encryption.keyID])
    }

    @Test(
        "signing-key classification by use and alg",
        arguments: [
            (nil, nil, true), ("sig", "PS256", true), ("sig", nil, true), (nil, "ES256", true), (nil, "RS256", true),
            ("enc", nil, false), (nil, "RSA-OAEP-256", false), (nil, "RSA-OAEP", false), (nil, "RSA1_5", false),
            (nil, "ECDH-ES", false), (nil, "A128KW", false), ("sig", "dir", false),
        ] as [(String?, String?, Bool)])
    func signingClassification(use: String?, alg: String?, expected: Bool) {
        var jwk = Fixtures.rsaKey.publicJWK
        jwk.use = use
        jwk.algorithm = alg
        #expect(jwk.isSigningKey == expected)
    }

    @Test("parsing a non-JWKS document fails", arguments: ["[]", "{}", "{\"keys\":3}", "nope"])
    func invalidDocument(document: String) {
        #expect { try JWKS(jsonData: Data(document.utf8)) } throws: { ($0 as? JOSEError)?.code == .invalidJWKS }
    }

    @Test("private members in an input JWKS are dropped")
    func privateMembersDropped() throws {
        let key = try SigningKey.generate(.es256, keyID: "x")
        let privateJSON = String(decoding: try key.privateJWKData(), as: UTF8.self)
        let jwks = try JWKS(jsonData: Data("{\"keys\":[\(privateJSON)]}".utf8))
        let published = String(decoding: try jwks.jsonData(), as: UTF8.self)
        #expect(!published.contains("\"d\""))
        #expect(jwks.keys.first == key.publicJWK)
    }
}
