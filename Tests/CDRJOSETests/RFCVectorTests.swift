import Crypto
import Foundation
import Testing

@testable import CDRJOSE

/// Published test vectors (RFC 7515, 7516, 7518, 7636, 7638). These are facts from the RFCs' appendices.
@Suite("RFC test vectors")
struct RFCVectorTests {
    // RFC 7515 Appendix A.3: ES256.
    static let a3Key = PublicJWK(
        keyType: "EC", curve: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0")
    static let a3Token =
        "eyJhbGciOiJFUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

    @Test("RFC 7515 A.3: ES256 signature verifies")
    func rfc7515A3() async throws {
        try await JWSVerifier.verifySignature(Self.a3Token, key: Self.a3Key.material(), kid: "rfc7515-a3")
        let unverified = try UnverifiedJWT(Self.a3Token)
        let (header, claims) = (unverified.header, unverified.claims)
        #expect(header.algorithm == "ES256")
        #expect(claims.issuer == "joe")
        #expect(claims["exp"] == .integer(1_300_819_380))
        #expect(claims["http://example.com/is_root"] == .bool(true))
    }

    @Test("RFC 7515 A.3: a modified signature fails")
    func rfc7515A3Tampered() async throws {
        let tampered = Forge.tamperedSignature(Self.a3Token)
        let code = await joseErrorCode {
            try await JWSVerifier.verifySignature(tampered, key: Self.a3Key.material(), kid: "rfc7515-a3")
        }
        #expect(code == .signatureInvalid)
    }

    @Test("RFC 7515 A.3 has no kid, so the public verifier refuses to pick a key")
    func rfc7515A3NeedsKid() async throws {
        var key = Self.a3Key
        key.keyID = "only-key"
        let verifier = JWSVerifier(keySource: JWKS(keys: [key]))
        let code = await joseErrorCode { _ = try await verifier.verify(Self.a3Token) }
        #expect(code == .missingKeyID)
    }

    // RFC 7516 Appendix A.1: RSA-OAEP + A256GCM.
    static let a1KeyJSON = """
        {"kty":"RSA",\
        "n":"oahUIoWw0K0usKNuOR6H4wkf4oBUXHTxRvgb48E-BVvxkeDNjbC4he8rUWcJoZmds2h7M70imEVhRU5djINXtqllXI4DFqc\
        I1DgjT9LewND8MW2Krf3Spsk_ZkoFnilakGygTwpZ3uesH-PFABNIUYpOiN15dsQRkgr0vEhxN92i2asbOenSZeyaxziK72Uwxrr\
        KoExv6kc5twXTq4h-QChLOln0_mtUZwfsRaMStPs6mS6XrgxnxbWhojf663tuEQueGC-FCMfra36C9knDFGzKsNa7LZK2djYgyD3\
        JR_MB_4NUJW_TqOQtwHYbxevoJArm-L5StowjzGy-_bq6Gw",\
        "e":"AQAB",\
        "d":"kLdtIj6GbDks_ApCSTYQtelcNttlKiOyPzMrXHeI-yk1F7-kpDxY4-WY5NWV5KntaEeXS1j82E375xxhWMHXyvjYecPT9fp\
        wR_M9gV8n9Hrh2anTpTD93Dt62ypW3yDsJzBnTnrYu1iwWRgBKrEYY46qAZIrA2xAwnm2X7uGR1hghkqDp0Vqj3kbSCz1XyfCs6_\
        LehBwtxHIyh8Ripy40p24moOAbgxVw3rxT_vlt3UVe4WO3JkJOzlpUf-KTVI2Ptgm-dARxTEtE-id-4OJr0h-K-VFs3VSndVTIzn\
        Sxfyrj8ILL6MG_Uv8YAu7VILSB3lOW085-4qE3DzgrTjgyQ",\
        "p":"1r52Xk46c-LsfB5P442p7atdPUrxQSy4mti_tZI3Mgf2EuFVbUoDBvaRQ-SWxkbkmoEzL7JXroSBjSrK3YIQgYdMgyAEPTP\
        jXv_hI2_1eTSPVZfzL0lffNn03IXqWF5MDFuoUYE0hzb2vhrlN_rKrbfDIwUbTrjjgieRbwC6Cl0",\
        "q":"wLb35x7hmQWZsWJmB_vle87ihgZ19S8lBEROLIsZG4ayZVe9Hi9gDVCOBmUDdaDYVTSNx_8Fyw1YYa9XGrGnDew00J28cRU\
        oeBB_jKI1oma0Orv1T9aXIWxKwd4gvxFImOWr3QRL9KEBRzk2RatUBnmDZJTIAfwTs0g68UZHvtc",\
        "dp":"ZK-YwE7diUh0qR1tR7w8WHtolDx3MZ_OTowiFvgfeQ3SiresXjm9gZ5KLhMXvo-uz-KUJWDxS5pFQ_M0evdo1dKiRTjVw_\
        x4NyqyXPM5nULPkcpU827rnpZzAJKpdhWAgqrXGKAECQH0Xt4taznjnd_zVpAmZZq60WPMBMfKcuE",\
        "dq":"Dq0gfgJ1DdFGXiLvQEZnuKEN0UUmsJBxkjydc3j4ZYdBiMRAy86x0vHCjywcMlYYg4yoC4YZa9hNVcsjqA3FeiL19rk8g6\
        Qn29Tt0cj8qqyFpz9vNDBUfCAiJVeESOjJDZPYHdHY8v1b-o-Z2X5tvLx-TCekf7oxyeKDUqKWjis",\
        "qi":"VIMpMYbPf47dT1w_zDUXfPimsSegnMOA1zTaX7aGk_8urY6R8-ZW1FxU7AlWAyLWybqq6t16VFd7hQd0y6flUK4SlOydB6\
        1gwanOsXGOAOv82cHq0E3eL4HrtZkUuKvnPrMnsUUFlfUdybVzxyjz9JF_XyaY14ardLSjf4L_FNY"}
        """
    static let a1JWE =
        "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmK"
        + "oTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDbSv04u"
        + "VuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tET"
        + "KzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTI"
        + "y3brGPi6UklfCpIMfIjf7iGdXKHzg.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4"
        + "vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ"

    @Test("RFC 7516 A.1: RSA-OAEP + A256GCM decrypts")
    func rfc7516A1() throws {
        let key = try DecryptionKey(jwk: Data(Self.a1KeyJSON.utf8), algorithm: .rsaOAEP)
        let (header, plaintext) = try JWEDecrypter(keys: [key]).decrypt(Self.a1JWE)
        #expect(header.algorithm == "RSA-OAEP")
        #expect(header.encryption == "A256GCM")
        #expect(
            String(decoding: plaintext, as: UTF8.self)
                == "The true sign of intelligence is not knowledge but imagination.")
    }

    @Test("RFC 7516 A.1: refused when RSA-OAEP is not registered")
    func rfc7516A1NotAllowed() throws {
        let key = try DecryptionKey(jwk: Data(Self.a1KeyJSON.utf8), algorithm: .rsaOAEP)
        let decrypter = JWEDecrypter(keys: [key], allowedKeyAlgorithms: [.rsaOAEP256])
        #expect { try decrypter.decrypt(Self.a1JWE) } throws: { ($0 as? JOSEError)?.code == .unsupportedEncryption }
    }

    @Test("RFC 7516 A.1: a modified tag fails")
    func rfc7516A1Tampered() throws {
        let key = try DecryptionKey(jwk: Data(Self.a1KeyJSON.utf8), algorithm: .rsaOAEP)
        var parts = Self.a1JWE.split(separator: ".").map(String.init)
        parts[4] = "YFBoMYUZodetZdvTiFvSkQ"
        #expect { try JWEDecrypter(keys: [key]).decrypt(parts.joined(separator: ".")) } throws: {
            ($0 as? JOSEError)?.code == .decryptionFailed
        }
    }

    // RFC 7518 Appendix B.1: AES_128_CBC_HMAC_SHA_256.
    static let b1Plaintext = Data(
        ("A cipher system must not be required to be secret, and it must be able to fall into the hands of the "
            + "enemy without inconvenience").utf8)
    static let b1IV = Data(hex: "1af38c2dc2b96ffdd86694092341bc04")
    static let b1AAD = Data("The second principle of Auguste Kerckhoffs".utf8)
    static let b1Ciphertext = Data(
        hex: "c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9a94ac9b47ad2655c5f10f9aef71427e2"
            + "fc6f9b3f399a221489f16362c703233609d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b"
            + "384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade54b8851ffb598f7f80074b9473c82e2db")
    static let b1Tag = Data(hex: "652c3fa36b0a7c5b3219fab3a30bc1c4")

    @Test("RFC 7518 B.1: A128CBC-HS256 encryption matches")
    func rfc7518B1Seal() throws {
        let key = SymmetricKey(data: Data(0..<32))
        let sealed = try ContentCipher.seal(
            Self.b1Plaintext, cek: key, aad: Self.b1AAD, enc: .a128CBCHS256, iv: Self.b1IV)
        #expect(sealed.ciphertext == Self.b1Ciphertext)
        #expect(sealed.tag == Self.b1Tag)
    }

    @Test("RFC 7518 B.1: A128CBC-HS256 decryption matches and checks the tag")
    func rfc7518B1Open() throws {
        let key = SymmetricKey(data: Data(0..<32))
        let plaintext = try ContentCipher.open(
            ciphertext: Self.b1Ciphertext, tag: Self.b1Tag, iv: Self.b1IV, cek: key, aad: Self.b1AAD, enc: .a128CBCHS256
        )
        #expect(plaintext == Self.b1Plaintext)
        var badTag = Self.b1Tag
        badTag[0] ^= 1
        #expect(throws: (any Error).self) {
            try ContentCipher.open(
                ciphertext: Self.b1Ciphertext, tag: badTag, iv: Self.b1IV, cek: key, aad: Self.b1AAD, enc: .a128CBCHS256
            )
        }
    }

    @Test("RFC 7636 Appendix B: S256 challenge")
    func rfc7636() throws {
        let pkce = try PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("RFC 7638 §3.1: JWK thumbprint")
    func rfc7638() throws {
        let jwk = PublicJWK(
            keyType: "RSA", keyID: "2011-04-29", algorithm: "RS256",
            modulus: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJE"
                + "CPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Q"
                + "vzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6"
                + "WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            exponent: "AQAB")
        #expect(try jwk.thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }
}

extension Data {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.init(bytes)
    }
}
