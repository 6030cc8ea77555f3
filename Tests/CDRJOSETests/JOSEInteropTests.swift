import CDRJOSE
import Foundation
import Testing

/// Cross-checks CDRJOSE against an independent library (Python joserfc), driven by `Scripts/jose-interop.sh`.
///
/// The script writes Python-made keys, JWTs and JWEs into `CDR_JOSE_INTEROP_DIR`; this test verifies and
/// decrypts them, then writes its own artefacts for the script to verify with Python. Without the variable the
/// suite is skipped.
@Suite(
    "JOSEInteropTests",
    .enabled(if: ProcessInfo.processInfo.environment["CDR_JOSE_INTEROP_DIR"] != nil, "set by Scripts/jose-interop.sh"))
struct JOSEInteropTests {
    let directory = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["CDR_JOSE_INTEROP_DIR"]
            ?? FileManager.default.temporaryDirectory.path)

    func read(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    @Test("verify Python's artefacts and write Swift's")
    func interop() async throws {
        var results: [String: String] = [:]
        func check(_ name: String, _ body: () async throws -> Void) async {
            do {
                try await body()
                results[name] = "ok"
            } catch {
                results[name] = "failed: \(error)"
                Issue.record("interop check \(name) failed: \(error)")
            }
        }

        let pythonKeys = try JWKS(jsonData: Data(read("python.jwks.json").utf8))
        let plaintext = try JSONDecoder().decode([String: String].self, from: Data(read("meta.json").utf8))["plaintext"]

        // 1. Python-signed JWTs verify with our verifier; RS256 is refused.
        for alg in ["PS256", "ES256"] {
            await check("python-\(alg).jwt") {
                let verified = try await JWSVerifier(keySource: pythonKeys).verify(read("python-\(alg).jwt"))
                guard verified.algorithm.rawValue == alg, verified.claims.issuer == "python",
                    verified.claims.audience == ["swift"]
                else { throw JOSEError(.invalidClaim, reason: "unexpected claims") }
            }
        }
        for file in ["python-RS256.jwt", "python-none.jwt"] {
            await check("\(file) is refused") {
                let code = await joseErrorCode { _ = try await JWSVerifier(keySource: pythonKeys).verify(read(file)) }
                guard code == .algorithmNotAllowed else {
                    throw JOSEError(.invalidClaim, reason: "\(file) not refused: \(String(describing: code))")
                }
            }
        }
        await check("python-jarm-none.jwt is refused") {
            let validator = JARMValidator(
                configuration: .init(issuer: "https://python-holder.example", clientID: "swift-client"),
                keys: pythonKeys)
            let code = await joseErrorCode {
                _ = try await validator.validate(read("python-jarm-none.jwt"), expectedState: "interop-state")
            }
            guard code == .algorithmNotAllowed else {
                throw JOSEError(.invalidClaim, reason: "unsigned JARM not refused: \(String(describing: code))")
            }
        }

        await check("python-jarm.jwt") {
            let validator = JARMValidator(
                configuration: .init(issuer: "https://python-holder.example", clientID: "swift-client"),
                keys: pythonKeys)
            let response = try await validator.validate(read("python-jarm.jwt"), expectedState: "interop-state")
            guard response.code == "interop-code" else { throw JOSEError(.invalidClaim, reason: "wrong code") }
        }

        // 2. Python-made private JWKs import and sign tokens Python's public keys verify.
        for (file, kid) in [
            ("python-ps256.private.jwk.json", "py-ps256"), ("python-es256.private.jwk.json", "py-es256"),
        ] {
            await check(file) {
                let key = try SigningKey(jwk: Data(read(file).utf8))
                guard key.keyID == kid, pythonKeys.keys.contains(key.publicJWK) else {
                    throw JOSEError(.malformedKey, reason: "imported key does not match the published one")
                }
            }
        }

        // 3. Python-made JWEs decrypt, for every alg/enc pair, and a nested JARM validates.
        let decryptionKeys = try ["RSA-OAEP", "RSA-OAEP-256"].map { alg in
            try DecryptionKey(jwk: Data(read("swift-enc-\(alg).private.jwk.json").utf8))
        }
        let decrypter = JWEDecrypter(keys: decryptionKeys)
        await check("python-alg-mismatch.jwe is refused") {
            let code = await joseErrorCode { _ = try decrypter.decrypt(read("python-alg-mismatch.jwe")) }
            guard code == .algorithmMismatch else {
                throw JOSEError(.invalidClaim, reason: "alg/key mismatch not refused: \(String(describing: code))")
            }
        }
        for alg in ["RSA-OAEP", "RSA-OAEP-256"] {
            for enc in ["A256GCM", "A128CBC-HS256"] {
                await check("python-\(alg)-\(enc).jwe") {
                    let (header, data) = try decrypter.decrypt(read("python-\(alg)-\(enc).jwe"))
                    guard String(decoding: data, as: UTF8.self) == plaintext, header.algorithm == alg,
                        header.encryption == enc
                    else { throw JOSEError(.decryptionFailed, reason: "unexpected plaintext") }
                }
                await check("python-jarm-\(alg)-\(enc).jwe") {
                    let validator = JARMValidator(
                        configuration: .init(
                            issuer: "https://python-holder.example", clientID: "swift-client", decrypter: decrypter),
                        keys: pythonKeys)
                    let response = try await validator.validate(
                        read("python-jarm-\(alg)-\(enc).jwe"), expectedState: "interop-state")
                    guard response.code == "interop-code" else { throw JOSEError(.invalidClaim, reason: "wrong code") }
                }
            }
        }

        // 4. Swift artefacts for Python.
        let ps256 = try SigningKey.generate(.ps256, keyID: "swift-ps256")
        let es256 = try SigningKey.generate(.es256, keyID: "swift-es256")
        try write(
            "swift.jwks.json",
            String(decoding: try JWKS(keys: [ps256.publicJWK, es256.publicJWK]).jsonData(), as: UTF8.self))
        try write("swift-ps256.private.jwk.json", String(decoding: try ps256.privateJWKData(), as: UTF8.self))
        try write("swift-es256.private.jwk.json", String(decoding: try es256.privateJWKData(), as: UTF8.self))
        let now = Date()
        for key in [ps256, es256] {
            let claims = JWTClaims([
                "iss": "swift", "sub": "interop", "aud": "python", "iat": .date(now), "exp": .date(now + 300),
                "jti": .string(UUID().uuidString),
            ])
            try write("swift-\(key.algorithm).jwt", try await JWSSigner(key: key).sign(claims))
        }
        let request = RequestObject(
            clientID: "swift-client", audience: "https://python-holder.example",
            redirectURI: "https://swift.example/cb",
            scopes: ["bank:accounts.basic:read"], state: "s", nonce: "n", pkce: .generate(),
            claims: CDRClaims(sharingDuration: 86_400))
        try write("swift-request-object.jwt", try await request.sign(with: ps256))
        let assertion = ClientAssertionBuilder(
            clientID: "swift-client", audience: "https://python-holder.example", signingKey: es256)
        try write("swift-client-assertion.jwt", try await assertion.makeAssertion())
        let pythonEncryptionKey = try #require(pythonKeys.encryptionKeys.first { $0.keyID == "py-enc" })
        for alg in [JWEKeyAlgorithm.rsaOAEP, .rsaOAEP256] {
            for enc in [JWEContentEncryption.a256GCM, .a128CBCHS256] {
                let jwe = try JWE.encrypt(
                    Data((plaintext ?? "").utf8), to: pythonEncryptionKey, keyAlgorithm: alg, contentEncryption: enc,
                    contentType: nil)
                try write("swift-\(alg)-\(enc).jwe", jwe)
            }
        }

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try write("swift-results.json", String(decoding: try encoder.encode(results), as: UTF8.self))
        #expect(results.values.allSatisfy { $0 == "ok" })
    }
}
