import CDRJOSE
import Foundation
import Testing

struct JWECombination: Sendable, CustomTestStringConvertible {
    let alg: JWEKeyAlgorithm
    let enc: JWEContentEncryption
    var testDescription: String { "\(alg) + \(enc)" }
    static let all: [JWECombination] = [
        .init(alg: .rsaOAEP, enc: .a256GCM), .init(alg: .rsaOAEP, enc: .a128CBCHS256),
        .init(alg: .rsaOAEP256, enc: .a256GCM), .init(alg: .rsaOAEP256, enc: .a128CBCHS256),
    ]
}

@Suite("JWE")
struct JWETests {
    static let payload = Data("eyJhbGciOiJQUzI1NiJ9.e30.c2ln".utf8)

    @Test("round trip", arguments: JWECombination.all)
    func roundTrip(combination: JWECombination) throws {
        let key = try DecryptionKey.generate(combination.alg, keyID: "enc-key")
        let jwe = try JWE.encrypt(
            Self.payload, to: key.publicJWK, keyAlgorithm: combination.alg, contentEncryption: combination.enc)
        #expect(JWE.isEncrypted(jwe))
        let (header, plaintext) = try JWEDecrypter(keys: [key]).decrypt(jwe)
        #expect(plaintext == Self.payload)
        #expect(header.algorithm == combination.alg.rawValue)
        #expect(header.encryption == combination.enc.rawValue)
        #expect(header.keyID == "enc-key")
        #expect(header.contentType == "JWT")
    }

    @Test("tampering with any part is detected", arguments: JWECombination.all)
    func tampering(combination: JWECombination) throws {
        let key = try DecryptionKey.generate(combination.alg, keyID: "enc-key")
        let jwe = try JWE.encrypt(
            Self.payload, to: key.publicJWK, keyAlgorithm: combination.alg, contentEncryption: combination.enc)
        for index in 1..<5 {
            var parts = jwe.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            var bytes = try #require(B64.decode(parts[index]))
            bytes[bytes.startIndex] ^= 0x01
            parts[index] = B64.encode(bytes)
            // One code for every part: a bad encrypted key must look exactly like a bad ciphertext or tag.
            #expect("part \(index)") { try JWEDecrypter(keys: [key]).decrypt(parts.joined(separator: ".")) } throws: {
                ($0 as? JOSEError)?.code == .decryptionFailed
            }
        }
        // Changing the protected header (it is the AAD) also fails.
        var parts = jwe.split(separator: ".").map(String.init)
        parts[0] = B64.json([
            "alg": .string(combination.alg.rawValue), "enc": .string(combination.enc.rawValue), "kid": "enc-key",
        ])
        #expect { try JWEDecrypter(keys: [key]).decrypt(parts.joined(separator: ".")) } throws: {
            ($0 as? JOSEError)?.code == .decryptionFailed
        }
    }

    @Test("RSA1_5 and other algorithms are refused", arguments: ["RSA1_5", "dir", "A128KW", "ECDH-ES", "none"])
    func refusedKeyAlgorithms(alg: String) throws {
        let key = Fixtures.decryptionKey
        let good = try JWE.encrypt(Self.payload, to: key.publicJWK)
        var parts = good.split(separator: ".").map(String.init)
        parts[0] = B64.json(["alg": .string(alg), "enc": "A256GCM", "kid": "recipient-enc"])
        #expect { try JWEDecrypter(keys: [key]).decrypt(parts.joined(separator: ".")) } throws: {
            ($0 as? JOSEError)?.code == .unsupportedEncryption
        }
        #expect {
            try JWE.encrypt(Self.payload, to: key.publicJWK, keyAlgorithm: JWEKeyAlgorithm(rawValue: alg))
        } throws: {
            ($0 as? JOSEError)?.code == .unsupportedEncryption
        }
    }

    @Test("unregistered content encryption is refused", arguments: ["A128GCM", "A256CBC-HS512", "A192GCM"])
    func refusedEncryptions(enc: String) throws {
        let key = Fixtures.decryptionKey
        let good = try JWE.encrypt(Self.payload, to: key.publicJWK)
        var parts = good.split(separator: ".").map(String.init)
        parts[0] = B64.json(["alg": "RSA-OAEP-256", "enc": .string(enc), "kid": "recipient-enc"])
        #expect { try JWEDecrypter(keys: [key]).decrypt(parts.joined(separator: ".")) } throws: {
            ($0 as? JOSEError)?.code == .unsupportedEncryption
        }
    }

    @Test("the decrypter honours the registered alg/enc subset")
    func registeredSubset() throws {
        let key = Fixtures.decryptionKey
        let jwe = try JWE.encrypt(Self.payload, to: key.publicJWK, contentEncryption: .a256GCM)
        let decrypter = JWEDecrypter(keys: [key], allowedContentEncryptions: [.a128CBCHS256])
        #expect { try decrypter.decrypt(jwe) } throws: { ($0 as? JOSEError)?.code == .unsupportedEncryption }
    }

    @Test("a JWE for another kid is refused")
    func wrongKid() throws {
        let other = try DecryptionKey.generate(keyID: "other")
        let jwe = try JWE.encrypt(Self.payload, to: other.publicJWK)
        #expect { try JWEDecrypter(keys: [Fixtures.decryptionKey]).decrypt(jwe) } throws: {
            ($0 as? JOSEError)?.code == .unknownKeyID
        }
    }

    @Test("encrypting to a key published for signatures is refused")
    func signingRecipient() {
        #expect { try JWE.encrypt(Self.payload, to: Fixtures.rsaKey.publicJWK) } throws: {
            ($0 as? JOSEError)?.code == .unsupportedKey
        }
    }

    @Test("encrypting to an EC key is refused (only RSA-OAEP is supported)")
    func ecRecipient() {
        var ecKey = Fixtures.ecKey.publicJWK
        ecKey.use = nil
        #expect { try JWE.encrypt(Self.payload, to: ecKey) } throws: {
            ($0 as? JOSEError)?.code == .unsupportedKey
        }
    }

    @Test("a wrong encrypted key continues with a random CEK and fails at the tag", arguments: JWECombination.all)
    func wrongEncryptedKey(combination: JWECombination) throws {
        let key = try DecryptionKey.generate(combination.alg, keyID: "enc-key")
        let other = try DecryptionKey.generate(combination.alg, keyID: "enc-key")
        // Encrypted to another key under the same kid: RSA-OAEP fails, and so must the tag, with one code.
        let jwe = try JWE.encrypt(
            Self.payload, to: other.publicJWK, keyAlgorithm: combination.alg, contentEncryption: combination.enc)
        #expect { try JWEDecrypter(keys: [key]).decrypt(jwe) } throws: {
            ($0 as? JOSEError)?.code == .decryptionFailed
        }
    }

    @Test(
        "the header alg must be the decryption key's registered alg",
        arguments: [
            (JWEKeyAlgorithm.rsaOAEP256, JWEKeyAlgorithm.rsaOAEP), (.rsaOAEP, .rsaOAEP256),
        ])
    func keyAlgorithmBinding(registered: JWEKeyAlgorithm, used: JWEKeyAlgorithm) throws {
        let key = try DecryptionKey.generate(registered, keyID: "enc-key")
        let jwe = try JWE.encrypt(Self.payload, to: key.publicJWK, keyAlgorithm: used)
        #expect { try JWEDecrypter(keys: [key]).decrypt(jwe) } throws: {
            ($0 as? JOSEError)?.code == .algorithmMismatch
        }
    }

    @Test(
        "zip and crit are refused",
        arguments: [
            ["zip": ClaimValue.string("DEF")], ["crit": ["exp"], "exp": 1], ["crit": ["b64"], "b64": false],
        ])
    func zipAndCrit(extra: [String: ClaimValue]) throws {
        let key = Fixtures.decryptionKey
        let good = try JWE.encrypt(Self.payload, to: key.publicJWK)
        var parts = good.split(separator: ".").map(String.init)
        var header: [String: ClaimValue] = ["alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "recipient-enc"]
        header.merge(extra) { _, new in new }
        parts[0] = B64.json(header)
        #expect { try JWEDecrypter(keys: [key]).decrypt(parts.joined(separator: ".")) } throws: {
            ($0 as? JOSEError)?.code == .unsupportedEncryption
        }
    }

    @Test("a decrypter built with RSA1_5 or A128GCM still refuses them")
    func wideningHasNoEffect() throws {
        let key = Fixtures.decryptionKey
        let decrypter = JWEDecrypter(
            keys: [key], allowedKeyAlgorithms: [.rsaOAEP256, JWEKeyAlgorithm(rawValue: "RSA1_5")],
            allowedContentEncryptions: [.a256GCM, JWEContentEncryption(rawValue: "A128GCM")])
        #expect(decrypter.allowedKeyAlgorithms == [.rsaOAEP256])
        #expect(decrypter.allowedContentEncryptions == [.a256GCM])
        let good = try JWE.encrypt(Self.payload, to: key.publicJWK)
        for (alg, enc) in [("RSA1_5", "A256GCM"), ("RSA-OAEP-256", "A128GCM")] {
            var parts = good.split(separator: ".").map(String.init)
            parts[0] = B64.json(["alg": .string(alg), "enc": .string(enc), "kid": "recipient-enc"])
            #expect { try decrypter.decrypt(parts.joined(separator: ".")) } throws: {
                ($0 as? JOSEError)?.code == .unsupportedEncryption
            }
        }
    }

    @Test("a hostile kid is escaped and capped in the error reason")
    func hostileKid() throws {
        let key = Fixtures.decryptionKey
        let good = try JWE.encrypt(Self.payload, to: key.publicJWK)
        var parts = good.split(separator: ".").map(String.init)
        let kid = "evil\u{1B}[31m\n" + String(repeating: "k", count: 1000)
        parts[0] = B64.json(["alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": .string(kid)])
        do {
            _ = try JWEDecrypter(keys: [key]).decrypt(parts.joined(separator: "."))
            Issue.record("expected an error")
        } catch let error as JOSEError {
            #expect(error.code == .unknownKeyID)
            let description = String(describing: error)
            #expect(!description.contains("\u{1B}") && !description.contains("\n"))
            #expect(description.contains("evil\\u{1b}[31m\\u{a}"))
            #expect(description.count < 150)
        }
    }
}
