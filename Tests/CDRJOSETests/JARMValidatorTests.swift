import CDRJOSE
import CDRTesting
import Foundation
import Testing

@Suite("JARMValidator")
struct JARMValidatorTests {
    static func validator(
        allowed: Set<JWSAlgorithm> = [.ps256], decrypter: JWEDecrypter? = nil,
        maximumLifetime: Duration = .seconds(600), clock: ManualTimeSource = Fixtures.clock()
    ) -> JARMValidator {
        JARMValidator(
            configuration: .init(
                issuer: Fixtures.holderIssuer, clientID: Fixtures.clientID, allowedAlgorithms: allowed,
                clockSkew: .seconds(30), maximumLifetime: maximumLifetime, decrypter: decrypter),
            keys: Fixtures.holderJWKS, timeSource: clock)
    }

    /// The JARM checks of the OpenID FAPI conformance suite (FAPI2 message-signing client tests
    /// `ensure-jarm-*`, which are what CDS's FAPI 1 JARM requires today) and the FAPI1 client tests that apply to
    /// the authorisation response, plus CDS-specific ones.
    static let negativeCases: [NegativeCase] = [
        .init("ensure-jarm-without-iss-fails", .claims { $0.removing("iss") }, .missingClaim),
        .init(
            "ensure-jarm-with-invalid-iss-fails", .claims { $0.setting("iss", "https://evil.example.com") },
            .issuerMismatch),
        .init("ensure-jarm-without-aud-fails", .claims { $0.removing("aud") }, .missingClaim),
        .init(
            "ensure-jarm-with-invalid-aud-fails", .claims { $0.setting("aud", "some-other-client") },
            .audienceMismatch),
        .init("aud array without our client_id", .claims { $0.setting("aud", ["a", "b"]) }, .audienceMismatch),
        .init("ensure-jarm-without-exp-fails", .claims { $0.removing("exp") }, .missingClaim),
        .init("ensure-jarm-with-expired-exp-fails", .claims { $0.setting("exp", .date(Fixtures.now - 360)) }, .expired),
        .init("exp not a number", .claims { $0.setting("exp", "tomorrow") }, .invalidClaim),
        .init("iat in the future", .claims { $0.setting("iat", .date(Fixtures.now + 600)) }, .issuedInFuture),
        .init("ensure-jarm-with-invalid-sig-fails", .tamperedSignature, .signatureInvalid),
        .init("signed by a different key with the holder's kid", .wrongKey, .signatureInvalid),
        .init("signed by a key not in the holder's JWKS", .unknownKid, .unknownKeyID),
        .init("ensure-jarm-signature-is-not-none", .nullAlg, .algorithmNotAllowed),
        .init("invalid-alternate-alg (RS256)", .rs256, .algorithmNotAllowed),
        .init("HS256 with the public key as secret", .hs256, .algorithmNotAllowed),
        .init(
            "ensure-authorization-response-with-invalid-state-fails", .claims { $0.setting("state", "other") },
            .stateMismatch),
        .init(
            "ensure-authorization-response-with-missing-state-fails", .claims { $0.removing("state") }, .missingClaim),
        .init("no code", .claims { $0.removing("code") }, .missingClaim),
    ]

    @Test("rejects", arguments: negativeCases)
    func rejects(testCase: NegativeCase) async throws {
        let token = try await testCase.mutation.apply(to: HolderTokens.jarmClaims())
        let code = await joseErrorCode { _ = try await Self.validator().validate(token, expectedState: "state-1") }
        #expect(code == testCase.expected)
    }

    @Test("accepts a valid response and returns the code")
    func accepts() async throws {
        let token = try await HolderTokens.sign(HolderTokens.jarmClaims())
        let response = try await Self.validator().validate(token, expectedState: "state-1")
        #expect(response.code == "auth-code-xyz")
        #expect(response.state == "state-1")
        #expect(!String(describing: response).contains("auth-code-xyz"))
    }

    @Test(
        "accepts aud as an array containing our client_id",
        arguments: [
            ClaimValue.array([.string(Fixtures.clientID)]), .array(["other", .string(Fixtures.clientID)]),
        ])
    func audienceArray(aud: ClaimValue) async throws {
        let token = try await HolderTokens.sign(HolderTokens.jarmClaims().setting("aud", aud))
        _ = try await Self.validator().validate(token, expectedState: "state-1")
    }

    @Test("ES256 is rejected unless registered, then accepted")
    func registeredAlgorithm() async throws {
        let token = try await HolderTokens.sign(HolderTokens.jarmClaims(), with: Fixtures.ecKey)
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(token, expectedState: "state-1") }
                == .algorithmNotAllowed)
        _ = try await Self.validator(allowed: [.es256]).validate(token, expectedState: "state-1")
    }

    @Test("clock skew: slightly expired is accepted within skew, rejected beyond it")
    func clockSkew() async throws {
        let token = try await HolderTokens.sign(HolderTokens.jarmClaims())
        let clock = Fixtures.clock()
        clock.advance(by: 300 + 20)
        _ = try await Self.validator(clock: clock).validate(token, expectedState: "state-1")
        clock.advance(by: 20)
        #expect(
            await joseErrorCode { _ = try await Self.validator(clock: clock).validate(token, expectedState: "state-1") }
                == .expired)
    }

    @Test("an error response is surfaced as authorizationError")
    func errorResponse() async throws {
        let claims = HolderTokens.jarmClaims().removing("code").setting("error", "access_denied")
            .setting("error_description", "User cancelled")
        let token = try await HolderTokens.sign(claims)
        do {
            _ = try await Self.validator().validate(token, expectedState: "state-1")
            Issue.record("expected an error")
        } catch let error as JOSEError {
            #expect(error.code == .authorizationError)
            #expect(error.authorizationError?.error == "access_denied")
            #expect(error.authorizationError?.errorDescription == "User cancelled")
        }
    }

    @Test("an error response without state is refused")
    func errorResponseWithoutState() async throws {
        let claims = HolderTokens.jarmClaims().removing("code").removing("state").setting("error", "access_denied")
        let token = try await HolderTokens.sign(claims)
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(token, expectedState: "state-1") }
                == .missingClaim)
    }

    @Test("an error response with someone else's state is a state mismatch")
    func errorResponseWrongState() async throws {
        let claims = HolderTokens.jarmClaims(state: "other").removing("code").setting("error", "access_denied")
        let token = try await HolderTokens.sign(claims)
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(token, expectedState: "state-1") }
                == .stateMismatch)
    }

    @Test("an unsigned error response is not trusted")
    func unsignedErrorResponse() async throws {
        let claims = HolderTokens.jarmClaims().removing("code").setting("error", "access_denied")
        let code = await joseErrorCode {
            _ = try await Self.validator().validate(Forge.unsigned(claims), expectedState: "state-1")
        }
        #expect(code == .algorithmNotAllowed)
    }

    @Test("encrypted JARM is decrypted then validated", arguments: JWECombination.all)
    func encrypted(combination: JWECombination) async throws {
        let key = try DecryptionKey.generate(combination.alg, keyID: "jarm-enc")
        let jws = try await HolderTokens.sign(HolderTokens.jarmClaims())
        let jwe = try JWE.encrypt(
            Data(jws.utf8), to: key.publicJWK, keyAlgorithm: combination.alg, contentEncryption: combination.enc)
        let response = try await Self.validator(decrypter: JWEDecrypter(keys: [key])).validate(
            jwe, expectedState: "state-1")
        #expect(response.code == "auth-code-xyz")
    }

    @Test("an encrypted response without registered encryption is refused")
    func encryptedNotRegistered() async throws {
        let jws = try await HolderTokens.sign(HolderTokens.jarmClaims())
        let jwe = try JWE.encrypt(Data(jws.utf8), to: Fixtures.decryptionKey.publicJWK)
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(jwe, expectedState: "state-1") }
                == .unsupportedEncryption)
    }

    @Test("an encrypted but unsigned response is refused")
    func encryptedUnsigned() async throws {
        let inner = Forge.unsigned(HolderTokens.jarmClaims())
        let jwe = try JWE.encrypt(Data(inner.utf8), to: Fixtures.decryptionKey.publicJWK)
        let validator = Self.validator(decrypter: JWEDecrypter(keys: [Fixtures.decryptionKey]))
        #expect(
            await joseErrorCode { _ = try await validator.validate(jwe, expectedState: "state-1") }
                == .algorithmNotAllowed)
    }

    @Test("with JARM encryption registered, a plain signed response is an encryption downgrade")
    func encryptionDowngrade() async throws {
        let jws = try await HolderTokens.sign(HolderTokens.jarmClaims())
        let validator = Self.validator(decrypter: JWEDecrypter(keys: [Fixtures.decryptionKey]))
        #expect(
            await joseErrorCode { _ = try await validator.validate(jws, expectedState: "state-1") }
                == .encryptionRequired)
    }

    /// The `ensure-jarm-*` failures, each wrapped in a JWE to the registered key.
    static let encryptedNegativeCases: [NegativeCase] = [
        .init("ensure-jarm-with-invalid-sig-fails (in a JWE)", .tamperedSignature, .signatureInvalid),
        .init(
            "ensure-jarm-with-invalid-iss-fails (in a JWE)", .claims { $0.setting("iss", "https://evil.example.com") },
            .issuerMismatch),
        .init(
            "ensure-jarm-with-invalid-aud-fails (in a JWE)", .claims { $0.setting("aud", "some-other-client") },
            .audienceMismatch),
        .init(
            "ensure-jarm-with-expired-exp-fails (in a JWE)", .claims { $0.setting("exp", .date(Fixtures.now - 360)) },
            .expired),
        .init("ensure-jarm-signature-is-not-none (in a JWE)", .nullAlg, .algorithmNotAllowed),
        .init("missing state (in a JWE)", .claims { $0.removing("state") }, .missingClaim),
    ]

    @Test("encrypted responses are rejected", arguments: encryptedNegativeCases)
    func encryptedRejects(testCase: NegativeCase) async throws {
        let jws = try await testCase.mutation.apply(to: HolderTokens.jarmClaims())
        let jwe = try JWE.encrypt(Data(jws.utf8), to: Fixtures.decryptionKey.publicJWK)
        let validator = Self.validator(decrypter: JWEDecrypter(keys: [Fixtures.decryptionKey]))
        #expect(
            await joseErrorCode { _ = try await validator.validate(jwe, expectedState: "state-1") }
                == testCase.expected)
    }

    @Test("the JARM lifetime is capped at 10 minutes plus skew, configurably")
    func lifetimeCap() async throws {
        let atCap = try await HolderTokens.sign(HolderTokens.jarmClaims().setting("exp", .date(Fixtures.now + 630)))
        _ = try await Self.validator().validate(atCap, expectedState: "state-1")
        let long = try await HolderTokens.sign(HolderTokens.jarmClaims().setting("exp", .date(Fixtures.now + 631)))
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(long, expectedState: "state-1") }
                == .lifetimeTooLong)
        let day = try await HolderTokens.sign(HolderTokens.jarmClaims().setting("exp", .date(Fixtures.now + 86_400)))
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(day, expectedState: "state-1") }
                == .lifetimeTooLong)
        _ = try await Self.validator(maximumLifetime: .seconds(3600)).validate(long, expectedState: "state-1")
    }

    @Test("a configuration naming RS256 or none still rejects them")
    func wideningHasNoEffect() async throws {
        let wide = Self.validator(allowed: [.ps256, JWSAlgorithm(rawValue: "RS256"), JWSAlgorithm(rawValue: "none")])
        for token in [try Forge.rs256(HolderTokens.jarmClaims()), Forge.unsigned(HolderTokens.jarmClaims())] {
            #expect(
                await joseErrorCode { _ = try await wide.validate(token, expectedState: "state-1") }
                    == .algorithmNotAllowed)
        }
    }

    @Test("the code is in neither dump(), the description, the claims nor error descriptions")
    func noSecretsInOutput() async throws {
        let token = try await HolderTokens.sign(HolderTokens.jarmClaims())
        let response = try await Self.validator().validate(token, expectedState: "state-1")
        var dumped = ""
        dump(response, to: &dumped)
        #expect(!dumped.contains("auth-code-xyz"))
        #expect(dumped.contains("<redacted>"))
        #expect(!String(describing: response).contains("auth-code-xyz"))
        #expect(response.claims["code"] == nil)
        #expect(response.claims["state"] == "state-1")
        for mutation in [Mutation.tamperedSignature, .claims { $0.setting("state", "other") }] {
            let bad = try await mutation.apply(to: HolderTokens.jarmClaims())
            do {
                _ = try await Self.validator().validate(bad, expectedState: "state-1")
                Issue.record("expected an error")
            } catch {
                var text = ""
                dump(error, to: &text)
                #expect(!text.contains("auth-code-xyz"))
                #expect(!String(describing: error).contains("auth-code-xyz"))
            }
        }
    }

    @Test("attacker-controlled error codes are escaped and capped in the reason")
    func errorCodeSanitised() async throws {
        let hostile = "access_denied\r\nX-Injected: 1" + String(repeating: "A", count: 500)
        let token = try await HolderTokens.sign(
            HolderTokens.jarmClaims().removing("code").setting("error", .string(hostile)))
        do {
            _ = try await Self.validator().validate(token, expectedState: "state-1")
            Issue.record("expected an error")
        } catch let error as JOSEError {
            #expect(error.code == .authorizationError)
            #expect(error.authorizationError?.error == hostile, "the typed field keeps the value for the caller")
            let reason = try #require(error.reason)
            #expect(!reason.contains("\r") && !reason.contains("\n"))
            #expect(reason.contains("\\u{d}\\u{a}"))
            #expect(reason.count < 100)
        }
    }
}
