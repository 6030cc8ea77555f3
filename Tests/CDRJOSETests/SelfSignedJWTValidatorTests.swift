import CDRJOSE
import CDRTesting
import Foundation
import Testing

@Suite("SelfSignedJWT and SelfSignedJWTValidator")
struct SelfSignedJWTValidatorTests {
    static func validator(cache: ReplayCache = ReplayCache(), clock: ManualTimeSource = Fixtures.clock())
        -> SelfSignedJWTValidator
    {
        SelfSignedJWTValidator(
            configuration: .init(
                issuer: Fixtures.brandID,
                audiences: [Fixtures.revocationEndpoint, "https://recipient.example.com.au"]),
            keys: Fixtures.holderJWKS, replayCache: cache, timeSource: clock)
    }

    static let negativeCases: [NegativeCase] = [
        .init("missing iss", .claims { $0.removing("iss") }, .missingClaim),
        .init("iss is another brand", .claims { $0.setting("iss", "brand-999") }, .issuerMismatch),
        .init("sub differs from iss", .claims { $0.setting("sub", "someone") }, .subjectMismatch),
        .init("missing sub", .claims { $0.removing("sub") }, .missingClaim),
        .init(
            "aud is another endpoint", .claims { $0.setting("aud", "https://recipient.example.com.au/other") },
            .audienceMismatch),
        .init("missing aud", .claims { $0.removing("aud") }, .missingClaim),
        .init("missing exp", .claims { $0.removing("exp") }, .missingClaim),
        .init("expired", .claims { $0.setting("exp", .date(Fixtures.now - 120)) }, .expired),
        .init("nbf in the future", .claims { $0.setting("nbf", .date(Fixtures.now + 600)) }, .notYetValid),
        .init("lifetime of a day", .claims { $0.setting("exp", .date(Fixtures.now + 86_400)) }, .lifetimeTooLong),
        .init("missing jti", .claims { $0.removing("jti") }, .missingClaim),
        .init("alg none", .nullAlg, .algorithmNotAllowed),
        .init("RS256", .rs256, .algorithmNotAllowed),
        .init("bad signature", .tamperedSignature, .signatureInvalid),
        .init("unknown kid", .unknownKid, .unknownKeyID),
    ]

    @Test("rejects", arguments: negativeCases)
    func rejects(testCase: NegativeCase) async throws {
        let token = try await testCase.mutation.apply(to: HolderTokens.selfSignedClaims())
        #expect(await joseErrorCode { _ = try await Self.validator().validate(token) } == testCase.expected)
    }

    @Test(
        "accepts a token built by SelfSignedJWT once, then rejects the replay",
        arguments: [Fixtures.rsaKey, Fixtures.ecKey])
    func replay(key: SigningKey) async throws {
        let clock = Fixtures.clock()
        let token = try await SelfSignedJWT(
            issuer: Fixtures.brandID, audience: Fixtures.revocationEndpoint,
            additionalClaims: ["cdr_arrangement_id": "arr-1"]
        ).sign(with: key, timeSource: clock)
        let validator = Self.validator(clock: clock)
        let claims = try await validator.validate(token)
        #expect(claims["cdr_arrangement_id"] == "arr-1")
        #expect(claims.subject == Fixtures.brandID)
        #expect(await joseErrorCode { _ = try await validator.validate(token) } == .replayedToken)
    }

    @Test("accepts the RecipientBaseUri as audience and tokens without iat")
    func baseURIAudience() async throws {
        let claims = HolderTokens.selfSignedClaims().setting("aud", "https://recipient.example.com.au").removing("iat")
        _ = try await Self.validator().validate(try await HolderTokens.sign(claims))
    }

    @Test("the same jti from the same issuer is a replay even in a new token")
    func sameJTI() async throws {
        let cache = ReplayCache()
        let claims = HolderTokens.selfSignedClaims()
        _ = try await Self.validator(cache: cache).validate(try await HolderTokens.sign(claims))
        let again = try await HolderTokens.sign(claims.setting("iat", .date(Fixtures.now + 1)))
        #expect(await joseErrorCode { _ = try await Self.validator(cache: cache).validate(again) } == .replayedToken)
    }

    @Test("replay cache forgets entries after they expire and refuses when an issuer's share is full")
    func replayCacheLimits() async throws {
        let cache = ReplayCache(capacityPerIssuer: 2)
        let now = Fixtures.now
        try await cache.record(jti: "a", issuer: "h1", expiresAt: now + 10, now: now)
        try await cache.record(jti: "b", issuer: "h1", expiresAt: now + 20, now: now)
        #expect(
            await joseErrorCode { try await cache.record(jti: "c", issuer: "h1", expiresAt: now + 10, now: now) }
                == .replayCacheFull)
        #expect(
            await joseErrorCode { try await cache.record(jti: "a", issuer: "h1", expiresAt: now + 10, now: now + 5) }
                == .replayedToken)
        // After "a" expires it is purged; "b" is still remembered.
        try await cache.record(jti: "a", issuer: "h1", expiresAt: now + 30, now: now + 11)
        #expect(await cache.count(for: "h1") == 2)
        #expect(
            await joseErrorCode { try await cache.record(jti: "b", issuer: "h1", expiresAt: now + 30, now: now + 11) }
                == .replayedToken)
        // Everything expired: the issuer's entries are dropped entirely.
        try await cache.record(jti: "z", issuer: "h1", expiresAt: now + 100, now: now + 31)
        #expect(await cache.count == 1)
    }

    @Test("one issuer filling its share does not block another issuer, and jtis are scoped by issuer")
    func replayCachePerIssuer() async throws {
        let cache = ReplayCache(capacityPerIssuer: 3)
        let now = Fixtures.now
        for index in 0..<3 { try await cache.record(jti: "j\(index)", issuer: "noisy", expiresAt: now + 60, now: now) }
        #expect(
            await joseErrorCode { try await cache.record(jti: "j3", issuer: "noisy", expiresAt: now + 60, now: now) }
                == .replayCacheFull)
        // The same jti from another issuer is not a replay, and that issuer has its own room.
        try await cache.record(jti: "j0", issuer: "quiet", expiresAt: now + 60, now: now)
        try await cache.record(jti: "j1", issuer: "quiet", expiresAt: now + 60, now: now)
        #expect(await cache.count(for: "quiet") == 2)
        #expect(await cache.count == 5)
    }

    @Test("a jti longer than 256 bytes is refused with its own reason", arguments: [257, 10_000])
    func longJTI(length: Int) async throws {
        let cache = ReplayCache()
        let now = Fixtures.now
        try await cache.record(
            jti: String(repeating: "x", count: 256), issuer: "h", expiresAt: now + 60, now: now)
        do {
            try await cache.record(
                jti: String(repeating: "x", count: length), issuer: "h", expiresAt: now + 60, now: now)
            Issue.record("expected an error")
        } catch let error as JOSEError {
            #expect(error.code == .invalidClaim)
            #expect(error.reason?.contains("256") == true)
        }
        // Through the validator too.
        let token = try await HolderTokens.sign(
            HolderTokens.selfSignedClaims().setting("jti", .string(String(repeating: "y", count: length))))
        #expect(await joseErrorCode { _ = try await Self.validator(cache: cache).validate(token) } == .invalidClaim)
    }
}
