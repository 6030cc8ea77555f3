import CDRJOSE
import CDRTesting
import Foundation
import Testing

@Suite("IDTokenValidator")
struct IDTokenValidatorTests {
    static func validator(
        trusted: Set<String> = [], requiresAuthTime: Bool = false, maximumAuthenticationAge: Duration? = nil,
        acr: Set<String> = ["urn:cds.au:cdr:2"], allowed: Set<JWSAlgorithm> = [.ps256],
        clock: any TimeSource = Fixtures.clock()
    ) -> IDTokenValidator {
        IDTokenValidator(
            configuration: .init(
                issuer: Fixtures.holderIssuer, clientID: Fixtures.clientID, acceptedACRValues: acr,
                allowedAlgorithms: allowed, trustedAudiences: trusted, requiresAuthTime: requiresAuthTime,
                maximumAuthenticationAge: maximumAuthenticationAge),
            keys: Fixtures.holderJWKS, timeSource: clock)
    }

    /// The OpenID FAPI1-Advanced-Final client (RP) negative tests that apply to the CDS code flow with JARM
    /// (cdr-requirements.md §5.1), as injected into the token endpoint's ID token, plus CDS checks.
    static let negativeCases: [NegativeCase] = [
        .init(
            "fapi1-advanced-final-client-test-invalid-nonce", .claims { $0.setting("nonce", "other") }, .nonceMismatch),
        .init(
            "fapi1-advanced-final-client-test-invalid-iss", .claims { $0.setting("iss", "https://evil.example") },
            .issuerMismatch),
        .init(
            "fapi1-advanced-final-client-test-invalid-aud", .claims { $0.setting("aud", "other-client") },
            .audienceMismatch),
        .init(
            "fapi1-advanced-final-client-test-invalid-secondary-aud",
            .claims { $0.setting("aud", [.string(Fixtures.clientID), "untrusted-client"]) }, .untrustedAudience),
        .init("fapi1-advanced-final-client-test-invalid-signature", .tamperedSignature, .signatureInvalid),
        .init("fapi1-advanced-final-client-test-invalid-null-alg", .nullAlg, .algorithmNotAllowed),
        .init("fapi1-advanced-final-client-test-invalid-alternate-alg", .rs256, .algorithmNotAllowed),
        .init(
            "fapi1-advanced-final-client-test-invalid-expired-exp",
            .claims { $0.setting("exp", .date(Fixtures.now - 5 * 60 - 1)) }, .expired),
        .init("fapi1-advanced-final-client-test-invalid-missing-exp", .claims { $0.removing("exp") }, .missingClaim),
        .init(
            "fapi1-advanced-final-client-test-iat-is-week-in-past",
            .claims { $0.setting("iat", .date(Fixtures.now - 7 * 86_400)) }, .issuedTooLongAgo),
        .init("fapi1-advanced-final-client-test-invalid-missing-aud", .claims { $0.removing("aud") }, .missingClaim),
        .init("fapi1-advanced-final-client-test-invalid-missing-iss", .claims { $0.removing("iss") }, .missingClaim),
        .init(
            "fapi1-advanced-final-client-test-invalid-missing-nonce", .claims { $0.removing("nonce") }, .missingClaim),
        .init("HS256 key confusion", .hs256, .algorithmNotAllowed),
        .init("signed by another key under the holder's kid", .wrongKey, .signatureInvalid),
        .init("kid not in the holder's JWKS", .unknownKid, .unknownKeyID),
        .init("missing iat", .claims { $0.removing("iat") }, .missingClaim),
        .init("iat in the future", .claims { $0.setting("iat", .date(Fixtures.now + 3600)) }, .issuedInFuture),
        .init("missing sub", .claims { $0.removing("sub") }, .missingClaim),
        .init("azp is another client", .claims { $0.setting("azp", "other-client") }, .authorizedPartyMismatch),
        .init("acr missing", .claims { $0.removing("acr") }, .acrNotAccepted),
        .init("acr not requested", .claims { $0.setting("acr", "urn:cds.au:cdr:1") }, .acrNotAccepted),
        .init(
            "auth_time in the future", .claims { $0.setting("auth_time", .date(Fixtures.now + 3600)) },
            .authTimeTooOld),
        .init("aud is a number", .claims { $0.setting("aud", 42) }, .invalidClaim),
    ]

    @Test("rejects", arguments: negativeCases)
    func rejects(testCase: NegativeCase) async throws {
        let token = try await testCase.mutation.apply(to: HolderTokens.idTokenClaims())
        let code = await joseErrorCode { _ = try await Self.validator().validate(token, expectedNonce: "nonce-1") }
        #expect(code == testCase.expected)
    }

    @Test("accepts a valid ID token without at_hash (fapi1-advanced-final-client-test-missing-athash)")
    func accepts() async throws {
        let claims = HolderTokens.idTokenClaims()
        #expect(claims["at_hash"] == nil)
        let token = try await HolderTokens.sign(claims)
        let idToken = try await Self.validator().validate(token, expectedNonce: "nonce-1")
        #expect(idToken.subject == "ppid-789")
        #expect(idToken.authenticationContextClass == "urn:cds.au:cdr:2")
        #expect(idToken.authenticationTime == Fixtures.now - 60)
    }

    @Test("a validated ID token prints and dumps no claim, and keeps only the continuity claims when asked")
    func redactsAndTrims() async throws {
        let claims = HolderTokens.idTokenClaims().setting("name", "Jane Citizen").setting("given_name", "Jane")
        let idToken = try await Self.validator().validate(try await HolderTokens.sign(claims), expectedNonce: "nonce-1")
        var dumped = ""
        dump(idToken, to: &dumped)
        for shown in [String(describing: idToken), String(reflecting: idToken), dumped] {
            let showsClaim = ["ppid-789", "nonce-1", "Jane", Fixtures.holderIssuer].contains { shown.contains($0) }
            #expect(!showsClaim, "an ID token's description or dump shows a claim")
        }
        let kept = idToken.keepingContinuityClaimsOnly
        #expect(Set(kept.claims.values.keys) == ["iss", "aud", "sub", "exp", "iat", "nonce", "acr", "auth_time"])
        #expect(kept.subject == idToken.subject)
        #expect(kept.expiresAt == idToken.expiresAt)
        #expect(kept.claims["nonce"] == idToken.claims["nonce"])
    }

    @Test("accepts aud as an array (fapi1-advanced-final-client-test-valid-aud-as-array)")
    func audienceArray() async throws {
        let token = try await HolderTokens.sign(
            HolderTokens.idTokenClaims().setting("aud", [.string(Fixtures.clientID)]))
        _ = try await Self.validator().validate(token, expectedNonce: "nonce-1")
    }

    @Test("a trusted secondary audience is accepted only with azp = our client_id")
    func trustedSecondaryAudience() async throws {
        let claims = HolderTokens.idTokenClaims().setting("aud", [.string(Fixtures.clientID), "trusted-api"])
        let validator = Self.validator(trusted: ["trusted-api"])
        let withoutAzp = try await HolderTokens.sign(claims)
        #expect(
            await joseErrorCode { _ = try await validator.validate(withoutAzp, expectedNonce: "nonce-1") }
                == .authorizedPartyMismatch)
        let withAzp = try await HolderTokens.sign(claims.setting("azp", .string(Fixtures.clientID)))
        _ = try await validator.validate(withAzp, expectedNonce: "nonce-1")
    }

    @Test("code flow: the nonce is required and an empty expected nonce is refused")
    func codeFlowRequiresNonce() async throws {
        let without = try await HolderTokens.sign(HolderTokens.idTokenClaims().removing("nonce"))
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(without, expectedNonce: "nonce-1") }
                == .missingClaim)
        let empty = try await HolderTokens.sign(HolderTokens.idTokenClaims().setting("nonce", ""))
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(empty, expectedNonce: "") } == .nonceMismatch)
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(without, expectedNonce: "") }
                == .nonceMismatch)
    }

    @Test("acr downgrade: cdr:2 is refused when only cdr:3 was requested")
    func acrDowngrade() async throws {
        let token = try await HolderTokens.sign(HolderTokens.idTokenClaims())  // acr urn:cds.au:cdr:2
        let mfaOnly = Self.validator(acr: ["urn:cds.au:cdr:3"])
        #expect(
            await joseErrorCode { _ = try await mfaOnly.validate(token, expectedNonce: "nonce-1") } == .acrNotAccepted)
        let upgraded = try await HolderTokens.sign(HolderTokens.idTokenClaims().setting("acr", "urn:cds.au:cdr:3"))
        #expect(
            try await mfaOnly.validate(upgraded, expectedNonce: "nonce-1").authenticationContextClass
                == "urn:cds.au:cdr:3")
        // Nothing requested: nothing accepted (no permissive default).
        #expect(
            await joseErrorCode { _ = try await Self.validator(acr: []).validate(token, expectedNonce: "nonce-1") }
                == .acrNotAccepted)
    }

    @Test("refresh responses may omit nonce but must continue the original iss, sub and aud (OIDC Core §12.2)")
    func refreshed() async throws {
        let validator = Self.validator()
        let original = try await validator.validate(
            try await HolderTokens.sign(HolderTokens.idTokenClaims()), expectedNonce: "nonce-1")
        let refreshed = try await HolderTokens.sign(HolderTokens.idTokenClaims().removing("nonce"))
        #expect(try await validator.validateRefreshed(refreshed, original: original).subject == "ppid-789")
        let sameNonce = try await HolderTokens.sign(HolderTokens.idTokenClaims())
        _ = try await validator.validateRefreshed(sameNonce, original: original)
    }

    static let refreshNegativeCases: [NegativeCase] = [
        .init("refreshed token with a different sub", .claims { $0.setting("sub", "ppid-other") }, .subjectMismatch),
        .init(
            "refreshed token with an extra trusted audience",
            .claims {
                $0.setting("aud", [.string(Fixtures.clientID), "trusted-api"])
                    .setting("azp", .string(Fixtures.clientID))
            },
            .audienceMismatch),
        .init("refreshed token with another nonce", .claims { $0.setting("nonce", "nonce-2") }, .nonceMismatch),
        .init(
            "refreshed token with a new auth_time", .claims { $0.setting("auth_time", .date(Fixtures.now - 10)) },
            .invalidClaim),
        .init(
            "refreshed token from another issuer", .claims { $0.setting("iss", "https://evil.example") },
            .issuerMismatch),
        .init("refreshed token without acr", .claims { $0.removing("acr").removing("nonce") }, .acrNotAccepted),
        .init("refreshed token with alg none", .nullAlg, .algorithmNotAllowed),
    ]

    @Test("refreshed ID tokens are rejected", arguments: refreshNegativeCases)
    func refreshedRejects(testCase: NegativeCase) async throws {
        let validator = Self.validator(trusted: ["trusted-api"])
        let original = try await validator.validate(
            try await HolderTokens.sign(HolderTokens.idTokenClaims()), expectedNonce: "nonce-1")
        let token = try await testCase.mutation.apply(to: HolderTokens.idTokenClaims())
        #expect(
            await joseErrorCode { _ = try await validator.validateRefreshed(token, original: original) }
                == testCase.expected)
    }

    @Test("a configuration naming RS256 or none still rejects them; the key-type check still applies")
    func wideningHasNoEffect() async throws {
        let wide = Self.validator(
            allowed: [.ps256, .es256, JWSAlgorithm(rawValue: "RS256"), JWSAlgorithm(rawValue: "none")])
        #expect(wide.configuration.allowedAlgorithms.count == 4, "the configuration is kept as given")
        let claims = HolderTokens.idTokenClaims()
        #expect(
            await joseErrorCode { _ = try await wide.validate(try Forge.rs256(claims), expectedNonce: "nonce-1") }
                == .algorithmNotAllowed)
        #expect(
            await joseErrorCode { _ = try await wide.validate(Forge.unsigned(claims), expectedNonce: "nonce-1") }
                == .algorithmNotAllowed)
        // ES256 passes the allow-list, but the kid names the RSA key: the fits() layer refuses it.
        let es256 = try await HolderTokens.sign(claims, with: Fixtures.ecKey)
        let relabelled = Forge.withHeader(es256, ["alg": "ES256", "kid": "holder-ps256"])
        #expect(
            await joseErrorCode { _ = try await wide.validate(relabelled, expectedNonce: "nonce-1") }
                == .algorithmMismatch)
    }

    @Test("auth_time: required when requested essential, bounded by max age")
    func authTime() async throws {
        let without = try await HolderTokens.sign(HolderTokens.idTokenClaims().removing("auth_time"))
        #expect(
            await joseErrorCode {
                _ = try await Self.validator(requiresAuthTime: true).validate(without, expectedNonce: "nonce-1")
            } == .authTimeTooOld)
        let old = try await HolderTokens.sign(
            HolderTokens.idTokenClaims().setting("auth_time", .date(Fixtures.now - 7200)))
        let validator = Self.validator(maximumAuthenticationAge: .seconds(3600))
        #expect(
            await joseErrorCode { _ = try await validator.validate(old, expectedNonce: "nonce-1") } == .authTimeTooOld)
    }

    @Test("expired within the skew is accepted; the OIDF 5-minute case is not")
    func skew() async throws {
        let token = try await HolderTokens.sign(HolderTokens.idTokenClaims().setting("exp", .date(Fixtures.now - 10)))
        _ = try await Self.validator().validate(token, expectedNonce: "nonce-1")
        let beyondSkew = try await HolderTokens.sign(
            HolderTokens.idTokenClaims().setting("exp", .date(Fixtures.now - 31)))
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(beyondSkew, expectedNonce: "nonce-1") }
                == .expired)
        let oidf = try await HolderTokens.sign(
            HolderTokens.idTokenClaims().setting("exp", .date(Fixtures.now - 5 * 60 - 1)))
        #expect(
            await joseErrorCode { _ = try await Self.validator().validate(oidf, expectedNonce: "nonce-1") } == .expired)
    }

    /// Tokens issued by a holder whose clock runs `ahead` seconds in front of ours.
    static func tokenFromHolder(ahead: TimeInterval) async throws -> String {
        let holderNow = Fixtures.now + ahead
        return try await HolderTokens.sign(
            HolderTokens.idTokenClaims().setting("iat", .date(holderNow)).setting("exp", .date(holderNow + 300))
                .setting("auth_time", .date(holderNow - 60)))
    }

    @Test("a corrected clock never follows a 2-hour Date header, even when repeated")
    func correctedClockRefusesLargeShift() async throws {
        let token = try await Self.tokenFromHolder(ahead: 7200)
        let local = Fixtures.clock()
        #expect(
            await joseErrorCode { _ = try await Self.validator(clock: local).validate(token, expectedNonce: "nonce-1") }
                == .issuedInFuture)
        let corrected = CorrectedClock(base: local)
        #expect(corrected.maximumCorrection == .seconds(300))
        for _ in 0..<5 {
            #expect(!corrected.correct(usingDateHeader: httpDate(Fixtures.now + 7200), receivedAt: local.now()))
        }
        #expect(corrected.offset == 0)
        #expect(
            await joseErrorCode {
                _ = try await Self.validator(clock: corrected).validate(token, expectedNonce: "nonce-1")
            } == .issuedInFuture)
    }

    @Test("a corrected clock fixes a 4-minute drift once three Date headers agree, not after one")
    func correctedClock() async throws {
        let token = try await Self.tokenFromHolder(ahead: 240)
        let local = Fixtures.clock()
        let corrected = CorrectedClock(base: local)
        let validator = Self.validator(clock: corrected)
        #expect(corrected.correct(usingDateHeader: httpDate(Fixtures.now + 240), receivedAt: local.now()))
        #expect(corrected.offset == 0, "one unauthenticated header does not move the clock")
        #expect(
            await joseErrorCode { _ = try await validator.validate(token, expectedNonce: "nonce-1") }
                == .issuedInFuture)
        #expect(corrected.correct(usingDateHeader: httpDate(Fixtures.now + 241), receivedAt: local.now()))
        #expect(corrected.correct(usingDateHeader: httpDate(Fixtures.now + 240), receivedAt: local.now()))
        #expect(corrected.offset == 240)
        _ = try await validator.validate(token, expectedNonce: "nonce-1")
    }
}

func httpDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
}
