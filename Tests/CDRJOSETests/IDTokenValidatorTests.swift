import CDRJOSE
import CDRTesting
import Foundation
import Testing

@Suite("IDTokenValidator")
struct IDTokenValidatorTests {
    static func validator(
        trusted: Set<String> = [], requiresAuthTime: Bool = false, maximumAuthenticationAge: Duration? = nil,
        clock: ManualTimeSource = Fixtures.clock()
    ) -> IDTokenValidator {
        IDTokenValidator(
            configuration: .init(
                issuer: Fixtures.holderIssuer, clientID: Fixtures.clientID, allowedAlgorithms: [.ps256],
                trustedAudiences: trusted, requiresAuthTime: requiresAuthTime,
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

    @Test("refresh responses may omit nonce")
    func refreshWithoutNonce() async throws {
        let token = try await HolderTokens.sign(HolderTokens.idTokenClaims().removing("nonce"))
        _ = try await Self.validator().validate(token, expectedNonce: nil)
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
    }

    @Test("a corrected clock fixes a local clock that runs behind the holder")
    func correctedClock() async throws {
        // The holder's clock is 2 hours ahead: its token looks issued in the future to us.
        let holderNow = Fixtures.now + 7200
        let claims = HolderTokens.idTokenClaims().setting("iat", .date(holderNow)).setting(
            "exp", .date(holderNow + 300)
        )
        .setting("auth_time", .date(holderNow - 60))
        let token = try await HolderTokens.sign(claims)
        let local = Fixtures.clock()
        let plain = IDTokenValidator(
            configuration: .init(issuer: Fixtures.holderIssuer, clientID: Fixtures.clientID), keys: Fixtures.holderJWKS,
            timeSource: local)
        #expect(
            await joseErrorCode { _ = try await plain.validate(token, expectedNonce: "nonce-1") } == .issuedInFuture)
        let corrected = CorrectedClock(base: local, maximumCorrection: .seconds(3 * 3600))
        #expect(corrected.correct(usingDateHeader: httpDate(holderNow), receivedAt: local.now()))
        let fixed = IDTokenValidator(
            configuration: .init(issuer: Fixtures.holderIssuer, clientID: Fixtures.clientID), keys: Fixtures.holderJWKS,
            timeSource: corrected)
        _ = try await fixed.validate(token, expectedNonce: "nonce-1")
    }
}

func httpDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
}
