import CDRJOSE
import CDRTesting
import Foundation
import Testing

@Suite("Builders")
struct BuilderTests {
    static let clientKey: SigningKey = {
        do { return try SigningKey.generate(.ps256, keyID: "client-key") } catch { fatalError("\(error)") }
    }()

    static func verify(_ token: String) async throws -> VerifiedJWT {
        try await JWSVerifier(keySource: JWKS(keys: [clientKey.publicJWK])).verify(token)
    }

    @Test("client assertion: iss = sub = client_id, aud, iat always, short exp, fresh jti")
    func clientAssertion() async throws {
        let clock = ManualTimeSource(Date(timeIntervalSince1970: 1_790_000_000.9))
        let builder = ClientAssertionBuilder(
            clientID: Fixtures.clientID, audience: Fixtures.holderIssuer, signingKey: Self.clientKey, timeSource: clock)
        let first = try await Self.verify(builder.makeAssertion()).claims
        let second = try await Self.verify(builder.makeAssertion()).claims
        #expect(first.issuer == Fixtures.clientID)
        #expect(first.subject == Fixtures.clientID)
        #expect(first.audience == [Fixtures.holderIssuer])
        #expect(first["iat"] == .integer(1_790_000_000))
        #expect(first["exp"] == .integer(1_790_000_120))
        #expect(first.jwtID != nil)
        #expect(first.jwtID != second.jwtID)
        #expect(ClientAssertionBuilder.assertionType == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    }

    @Test("request object carries the CDR claims and safe defaults")
    func requestObject() async throws {
        let pkce = PKCE.generate()
        let request = RequestObject(
            clientID: Fixtures.clientID, audience: Fixtures.holderIssuer, redirectURI: "https://adr.example.com/cb",
            scopes: ["bank:accounts.basic:read"], state: "s1", nonce: "n1", pkce: pkce,
            claims: CDRClaims(sharingDuration: 7_776_000, cdrArrangementID: "arr-1", requestsAuthTime: true))
        let token = try await request.sign(with: Self.clientKey, timeSource: Fixtures.clock())
        let verified = try await Self.verify(token)
        let claims = verified.claims
        #expect(verified.header.type == "oauth-authz-req+jwt")
        #expect(claims.issuer == Fixtures.clientID)
        #expect(claims.audience == [Fixtures.holderIssuer])
        #expect(claims["client_id"] == .string(Fixtures.clientID))
        #expect(claims["response_type"] == "code")
        #expect(claims["response_mode"] == "jwt")
        #expect(claims["scope"] == "openid bank:accounts.basic:read")
        #expect(claims["code_challenge"] == .string(pkce.challenge))
        #expect(claims["code_challenge_method"] == "S256")
        #expect(claims["nbf"] == .date(Fixtures.now))
        #expect(claims["iat"] == .date(Fixtures.now))
        #expect(claims["exp"] == .date(Fixtures.now + 300))
        #expect(claims["sub"] == nil)
        #expect(claims["request"] == nil)
        #expect(claims["request_uri"] == nil)
        #expect(claims.jwtID != nil)
        let cdr = try #require(claims["claims"]?.objectValue)
        #expect(cdr["sharing_duration"] == .integer(7_776_000))
        #expect(cdr["cdr_arrangement_id"] == "arr-1")
        #expect(
            cdr["id_token"] == [
                "acr": ["essential": true, "values": ["urn:cds.au:cdr:2"]], "auth_time": ["essential": true],
            ])
        #expect(cdr["userinfo"] == ["given_name": nil, "family_name": nil])
        let leaked67 = token.contains(pkce.verifier)
        #expect(!leaked67, "a secret or customer datum is readable")
    }

    @Test("request object lifetime is at most 60 minutes")
    func requestObjectLifetime() async throws {
        var request = RequestObject(
            clientID: "c", audience: "a", redirectURI: "r", scopes: [], state: "s", nonce: "n", pkce: .generate(),
            lifetime: .seconds(3600))
        let claims = try request.makeClaims(now: Fixtures.now)
        let lifetime = try #require(claims.expiresAt).timeIntervalSince(try #require(claims.notBefore))
        #expect(lifetime == 3600)
        request.lifetime = .seconds(3601)
        #expect { try request.makeClaims(now: Fixtures.now) } throws: { ($0 as? JOSEError)?.code == .lifetimeTooLong }
        request.lifetime = .seconds(300)
        request.claims.sharingDuration = -1
        #expect { try request.makeClaims(now: Fixtures.now) } throws: { ($0 as? JOSEError)?.code == .invalidClaim }
    }

    @Test("registration request JWT")
    func registration() async throws {
        var builder = RegistrationRequestBuilder(
            softwareProductID: "sp-1", audience: Fixtures.holderIssuer, softwareStatement: "ssa.jwt.value",
            redirectURIs: ["https://adr.example.com/cb"])
        builder.authorizationEncryptedResponseAlgorithm = .rsaOAEP256
        builder.authorizationEncryptedResponseEncryption = .a128CBCHS256
        let claims = try await Self.verify(builder.sign(with: Self.clientKey, timeSource: Fixtures.clock())).claims
        #expect(claims.issuer == "sp-1")
        #expect(claims.audience == [Fixtures.holderIssuer])
        #expect(claims["iat"] == .date(Fixtures.now))
        #expect(claims["exp"] == .date(Fixtures.now + 300))
        #expect(claims.jwtID != nil)
        #expect(claims["response_types"] == ["code"])
        #expect(claims["grant_types"] == ["client_credentials", "authorization_code", "refresh_token"])
        #expect(claims["token_endpoint_auth_method"] == "private_key_jwt")
        #expect(claims["token_endpoint_auth_signing_alg"] == "PS256")
        #expect(claims["id_token_signed_response_alg"] == "PS256")
        #expect(claims["request_object_signing_alg"] == "PS256")
        #expect(claims["authorization_signed_response_alg"] == "PS256")
        #expect(claims["authorization_encrypted_response_alg"] == "RSA-OAEP-256")
        #expect(claims["authorization_encrypted_response_enc"] == "A128CBC-HS256")
        #expect(claims["application_type"] == "web")
        #expect(claims["software_statement"] == "ssa.jwt.value")
        #expect(claims["id_token_encrypted_response_alg"] == nil)
        #expect(claims["id_token_encrypted_response_enc"] == nil)

        builder.authorizationEncryptedResponseAlgorithm = JWEKeyAlgorithm(rawValue: "RSA1_5")
        #expect { try builder.makeClaims(now: Fixtures.now) } throws: {
            ($0 as? JOSEError)?.code == .unsupportedEncryption
        }
        builder.authorizationEncryptedResponseAlgorithm = nil
        #expect { try builder.makeClaims(now: Fixtures.now) } throws: { ($0 as? JOSEError)?.code == .invalidClaim }
        builder.authorizationEncryptedResponseEncryption = nil
        builder.idTokenSignedResponseAlgorithm = JWSAlgorithm(rawValue: "RS256")
        #expect { try builder.makeClaims(now: Fixtures.now) } throws: {
            ($0 as? JOSEError)?.code == .algorithmNotAllowed
        }
    }

    @Test("self-signed JWT claims")
    func selfSigned() async throws {
        let builder = SelfSignedJWT(
            issuer: Fixtures.brandID, audience: Fixtures.revocationEndpoint, lifetime: .seconds(120))
        let a = builder.makeClaims(now: Date(timeIntervalSince1970: 1_790_000_000.5))
        let b = builder.makeClaims(now: Fixtures.now)
        #expect(a.issuer == Fixtures.brandID)
        #expect(a.subject == Fixtures.brandID)
        #expect(a["iat"] == .integer(1_790_000_000))
        #expect(a["exp"] == .integer(1_790_000_120))
        #expect(a.jwtID != b.jwtID)
    }
}

@Suite("PKCE, thumbprints and clocks")
struct UtilityTests {
    @Test("generated verifiers are valid and unique", arguments: [32, 64, 96])
    func generate(bytes: Int) throws {
        let a = PKCE.generate(byteCount: bytes)
        let b = PKCE.generate(byteCount: bytes)
        #expect(a.verifier != b.verifier)
        #expect((43...128).contains(a.verifier.count))
        #expect(try PKCE(verifier: a.verifier).challenge == a.challenge)
        let leaked148 = String(describing: a).contains(a.verifier)
        #expect(!leaked148, "a secret or customer datum is readable")
    }

    @Test(
        "invalid verifiers",
        arguments: [
            String(repeating: "a", count: 42), String(repeating: "a", count: 129),
            String(repeating: "a", count: 42) + "+",
            String(repeating: "é", count: 50), String(repeating: "a", count: 50) + " ",
        ])
    func invalidVerifier(verifier: String) {
        #expect { try PKCE(verifier: verifier) } throws: { ($0 as? JOSEError)?.code == .invalidVerifier }
    }

    @Test("boundary verifiers", arguments: [43, 128])
    func boundaries(length: Int) throws {
        _ = try PKCE(verifier: String(repeating: "A-._~", count: 30).prefix(length).description)
    }

    @Test("certificate thumbprint matches the cnf claim")
    func thumbprint() throws {
        let pki = try TestPKI()
        let der = try pki.client.certificateDER()
        let thumbprint = CertificateThumbprint.sha256(derEncoded: der)
        #expect(thumbprint == (try pki.client.thumbprint()))
        #expect(try CertificateThumbprint.sha256(pem: pki.client.certificatePEM()) == thumbprint)
        #expect(try CertificateThumbprint.sha256(of: pki.client.certificate) == thumbprint)
        #expect(thumbprint.count == 43)
        #expect(CertificateThumbprint.matches(confirmation: ["x5t#S256": .string(thumbprint)], certificateDER: der))
        let other = try pki.server.certificateDER()
        #expect(!CertificateThumbprint.matches(confirmation: ["x5t#S256": .string(thumbprint)], certificateDER: other))
        #expect(!CertificateThumbprint.matches(confirmation: nil, certificateDER: der))
    }

    @Test("CorrectedClock moves only when three of the last five Date headers agree, to their median")
    func correctedClock() {
        let base = Fixtures.clock()
        let clock = CorrectedClock(base: base)
        #expect(clock.correct(usingDateHeader: httpDate(Fixtures.now + 90), receivedAt: base.now()))
        #expect(clock.offset == 0, "one sample is not enough")
        #expect(clock.correct(usingDateHeader: httpDate(Fixtures.now + 91), receivedAt: base.now()))
        #expect(clock.offset == 0, "two samples are not enough")
        #expect(clock.correct(usingDateHeader: httpDate(Fixtures.now + 90), receivedAt: base.now()))
        #expect(clock.offset == 90)
        #expect(clock.now() == Fixtures.now + 90)
        #expect(!clock.correct(usingDateHeader: "yesterday", receivedAt: base.now()))
        #expect(!clock.correct(usingDateHeader: nil, receivedAt: base.now()))
        #expect(
            !clock.correct(usingDateHeader: httpDate(Fixtures.now + 301), receivedAt: base.now()),
            "beyond the 300 s maximumCorrection")
        // Two in-range outliers (a spoofing server) cannot outvote three agreeing samples.
        #expect(clock.correct(usingDateHeader: httpDate(Fixtures.now - 250), receivedAt: base.now()))
        #expect(clock.correct(usingDateHeader: httpDate(Fixtures.now - 250), receivedAt: base.now()))
        #expect(clock.offset == 90)
        // A third one does: now the window is [91, 90, -250, -250, -250].
        #expect(clock.correct(usingDateHeader: httpDate(Fixtures.now - 250), receivedAt: base.now()))
        #expect(clock.offset == -250)
        // Sub-second agreement means no offset.
        let fresh = CorrectedClock(base: base)
        for _ in 0..<3 {
            fresh.correct(
                usingDateHeader: "Sun, 06 Nov 1994 08:49:37 GMT", receivedAt: Date(timeIntervalSince1970: 784_111_777))
        }
        #expect(fresh.offset == 0)
    }

    @Test("client assertion lifetimes under one second are refused", arguments: [0, 0.5, -60])
    func clientAssertionLifetime(seconds: Double) async throws {
        let builder = ClientAssertionBuilder(
            clientID: Fixtures.clientID, audience: Fixtures.holderIssuer, signingKey: BuilderTests.clientKey,
            lifetime: .milliseconds(Int64(seconds * 1000)))
        #expect(await joseErrorCode { _ = try await builder.makeAssertion() } == .invalidConfiguration)
        #expect(throws: JOSEError.self) { _ = try builder.makeClaims() }
        var oneSecond = builder
        oneSecond.lifetime = .seconds(1)
        let claims = try oneSecond.makeClaims()
        #expect(claims.expiresAt?.timeIntervalSince(claims.issuedAt ?? .distantFuture) == 1)
    }

    @Test("dump() of types holding secrets prints no secret")
    func dumpRedactsSecrets() throws {
        func dumped(_ value: Any) -> String {
            var text = ""
            dump(value, to: &text)
            return text
        }
        let pkce = PKCE.generate()
        let leaked235 = dumped(pkce).contains(pkce.verifier)
        #expect(!leaked235, "a secret or customer datum is readable")
        #expect(dumped(pkce).contains(pkce.challenge))

        for key in [BuilderTests.clientKey, Fixtures.ecKey] {
            let jwk = try JSONDecoder().decode([String: String].self, from: key.privateJWKData())
            let secret = try #require(jwk["d"])
            let leaked241 = dumped(key).contains(secret)
            #expect(!leaked241, "a secret or customer datum is readable")
            #expect(dumped(key).contains("<redacted>"))
            let builder = ClientAssertionBuilder(
                clientID: Fixtures.clientID, audience: Fixtures.holderIssuer, signingKey: key)
            let leaked245 = dumped(builder).contains(secret)
            #expect(!leaked245, "a secret or customer datum is readable")
            #expect(dumped(builder).contains(key.keyID))
        }
        let decryption = Fixtures.decryptionKey
        let decryptionJWK = try JSONDecoder().decode([String: String].self, from: decryption.privateJWKData())
        #expect(!dumped(decryption).contains(try #require(decryptionJWK["d"])))
        #expect(!dumped(JWEDecrypter(keys: [decryption])).contains(try #require(decryptionJWK["p"])))

        let ssa = "eyJhbGciOiJQUzI1NiJ9.secret-software-statement.sig"
        let registration = RegistrationRequestBuilder(
            softwareProductID: "sp", audience: Fixtures.holderIssuer, softwareStatement: ssa,
            redirectURIs: ["https://r.example/cb"])
        #expect(!dumped(registration).contains("secret-software-statement"))
    }
}
