import CDRJOSE
import CDRTesting
import Foundation
import Synchronization
import Testing

@Suite("JWSSigner and JWSVerifier")
struct JWSVerifierTests {
    static let claims = JWTClaims(["iss": "https://holder.example.com.au", "sub": "abc", "n": 1])

    @Test("PS256 and ES256 round trip with kid in the header", arguments: [Fixtures.rsaKey, Fixtures.ecKey])
    func roundTrip(key: SigningKey) async throws {
        let token = try await JWSSigner(key: key).sign(Self.claims)
        let verified = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token)
        #expect(verified.claims == Self.claims)
        #expect(verified.keyID == key.keyID)
        #expect(verified.header.keyID == key.keyID)
        #expect(verified.header.algorithm == key.algorithm.rawValue)
        #expect(verified.header.type == "JWT")
    }

    @Test(
        "rejected algorithms", arguments: ["none", "RS256", "HS256", "HS512", "ES384", "PS512", "EdDSA", "ps256", ""])
    func rejectedAlgorithms(alg: String) async throws {
        let good = try await JWSSigner(key: Fixtures.rsaKey).sign(Self.claims)
        let token = Forge.withHeader(good, ["alg": .string(alg), "kid": "holder-ps256"])
        let code = await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
        #expect(code == .algorithmNotAllowed)
    }

    @Test("a properly formed alg:none token is rejected")
    func unsignedToken() async {
        let code = await joseErrorCode {
            _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(Forge.unsigned(Self.claims))
        }
        #expect(code == .algorithmNotAllowed)
    }

    @Test("a real RS256 signature by the right key is rejected")
    func rs256Token() async throws {
        let token = try Forge.rs256(Self.claims)
        let code = await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
        #expect(code == .algorithmNotAllowed)
    }

    @Test("HS256 keyed with the public key (key confusion) is rejected")
    func hs256KeyConfusion() async {
        let code = await joseErrorCode {
            _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(Forge.hs256(Self.claims))
        }
        #expect(code == .algorithmNotAllowed)
    }

    @Test("an algorithm off the caller's allow-list is rejected")
    func callerAllowList() async throws {
        let token = try await JWSSigner(key: Fixtures.ecKey).sign(Self.claims)
        let code = await joseErrorCode {
            _ = try await JWSVerifier(keySource: Fixtures.holderJWKS, allowedAlgorithms: [.ps256]).verify(token)
        }
        #expect(code == .algorithmNotAllowed)
        // The allow-list can never be widened beyond PS256/ES256.
        let wide = JWSVerifier(
            keySource: Fixtures.holderJWKS, allowedAlgorithms: [.ps256, JWSAlgorithm(rawValue: "RS256")])
        #expect(wide.allowedAlgorithms == [.ps256])
    }

    @Test("asking for RS256, none or HS256 has no effect; the key-type check still applies")
    func wideningHasNoEffect() async throws {
        let verifier = JWSVerifier(
            keySource: Fixtures.holderJWKS,
            allowedAlgorithms: [
                .ps256, .es256, JWSAlgorithm(rawValue: "RS256"), JWSAlgorithm(rawValue: "none"),
                JWSAlgorithm(rawValue: "HS256"),
            ])
        #expect(verifier.allowedAlgorithms == JWSAlgorithm.cdrAllowed)
        for token in [try Forge.rs256(Self.claims), Forge.unsigned(Self.claims), Forge.hs256(Self.claims)] {
            #expect(await joseErrorCode { _ = try await verifier.verify(token) } == .algorithmNotAllowed)
        }
        // ES256 passes the allow-list, but the kid names the RSA key: fits() refuses it before any signature check.
        let es256 = try await JWSSigner(key: Fixtures.ecKey).sign(Self.claims)
        let relabelled = Forge.withHeader(es256, ["alg": "ES256", "kid": "holder-ps256"])
        #expect(await joseErrorCode { _ = try await verifier.verify(relabelled) } == .algorithmMismatch)
        // And a PS256 token naming the EC key.
        let ps256 = try await JWSSigner(key: Fixtures.rsaKey).sign(Self.claims)
        let relabelledRSA = Forge.withHeader(ps256, ["alg": "PS256", "kid": "holder-es256"])
        #expect(await joseErrorCode { _ = try await verifier.verify(relabelledRSA) } == .algorithmMismatch)
    }

    @Test("hostile kids and algs are escaped and capped in error descriptions")
    func hostileHeaderValues() async throws {
        let good = try await JWSSigner(key: Fixtures.rsaKey).sign(Self.claims)
        let hostile = "x\u{0}\r\n\u{202E}" + String(repeating: "z", count: 5000)
        let headers: [[String: ClaimValue]] = [
            ["alg": "PS256", "kid": .string(hostile)], ["alg": .string(hostile), "kid": "k"],
        ]
        for header in headers {
            do {
                _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(Forge.withHeader(good, header))
                Issue.record("expected an error")
            } catch let error as JOSEError {
                let text = String(describing: error)
                #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" })
                #expect(text.contains("x\\u{0}\\u{d}\\u{a}\\u{202e}"))
                #expect(text.count < 150)
            }
        }
    }

    @Test("unknown kid is rejected, never verified with another key")
    func unknownKid() async throws {
        let other = try SigningKey.generate(.ps256, keyID: "someone-else")
        let token = try await JWSSigner(key: other).sign(Self.claims)
        // Even a single-key set is not used as a default.
        let code = await joseErrorCode {
            _ = try await JWSVerifier(keySource: JWKS(keys: [Fixtures.rsaKey.publicJWK])).verify(token)
        }
        #expect(code == .unknownKeyID)
    }

    @Test("a token re-labelled with a known kid fails the signature check")
    func relabelledKid() async throws {
        let token = try await JWSSigner(key: Fixtures.strangerKey).sign(Self.claims)
        let code = await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
        #expect(code == .signatureInvalid)
    }

    @Test("missing kid is rejected")
    func missingKid() async throws {
        let good = try await JWSSigner(key: Fixtures.rsaKey).sign(Self.claims)
        let token = Forge.withHeader(good, ["alg": "PS256"])
        let code = await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
        #expect(code == .missingKeyID)
    }

    @Test("ES256 header on an RSA key is an algorithm mismatch")
    func keyTypeMismatch() async throws {
        let good = try await JWSSigner(key: Fixtures.ecKey).sign(Self.claims)
        let token = Forge.withHeader(good, ["alg": "ES256", "kid": "holder-ps256"])
        let code = await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
        #expect(code == .algorithmMismatch)
    }

    @Test("two signing keys with one kid are ambiguous and rejected")
    func duplicateKid() async throws {
        let token = try await JWSSigner(key: Fixtures.rsaKey).sign(Self.claims)
        let jwks = JWKS(keys: [Fixtures.strangerKey.publicJWK, Fixtures.rsaKey.publicJWK])
        #expect(await joseErrorCode { _ = try await JWSVerifier(keySource: jwks).verify(token) } == .duplicateKeyID)
    }

    @Test("encryption keys are never used to verify")
    func encryptionKeyIgnored() async throws {
        var encryptionUse = Fixtures.rsaKey.publicJWK
        encryptionUse.use = "enc"
        let token = try await JWSSigner(key: Fixtures.rsaKey).sign(Self.claims)
        let code = await joseErrorCode {
            _ = try await JWSVerifier(keySource: JWKS(keys: [encryptionUse])).verify(token)
        }
        #expect(code == .unknownKeyID)
    }

    @Test("tampered signature and payload are rejected", arguments: [Fixtures.rsaKey, Fixtures.ecKey])
    func tampering(key: SigningKey) async throws {
        let token = try await JWSSigner(key: key).sign(Self.claims)
        let verifier = JWSVerifier(keySource: Fixtures.holderJWKS)
        #expect(
            await joseErrorCode { _ = try await verifier.verify(Forge.tamperedSignature(token)) } == .signatureInvalid)
        let swapped = Forge.swappedPayload(token, Self.claims.setting("sub", "attacker"))
        #expect(await joseErrorCode { _ = try await verifier.verify(swapped) } == .signatureInvalid)
    }

    @Test("malformed tokens", arguments: ["", "a.b", "a.b.c.d", "!!.e30.", "e30.!!.AA", "bm90anNvbg.e30.AA"])
    func malformed(token: String) async {
        let code = await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
        #expect(code == .malformedToken)
    }

    @Test("oversized tokens are refused before parsing")
    func oversized() async {
        let token = String(repeating: "a", count: 70_000) + ".e30.AA"
        #expect(
            await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
                == .malformedToken)
    }

    @Test("crit headers are refused")
    func critHeader() async throws {
        let good = try await JWSSigner(key: Fixtures.rsaKey).sign(Self.claims)
        let token = Forge.withHeader(good, ["alg": "PS256", "kid": "holder-ps256", "crit": ["exp"]])
        #expect(
            await joseErrorCode { _ = try await JWSVerifier(keySource: Fixtures.holderJWKS).verify(token) }
                == .malformedToken)
    }

    @Test("signed dates are whole seconds")
    func wholeSeconds() async throws {
        var claims = JWTClaims()
        claims.expiresAt = Date(timeIntervalSince1970: 1_790_000_000.75)
        let token = try await JWSSigner(key: Fixtures.ecKey).sign(claims)
        let payload = try #require(B64.decode(token.split(separator: ".")[1]))
        #expect(String(decoding: payload, as: UTF8.self) == #"{"exp":1790000000}"#)
    }
}

/// A fake JWKS endpoint that counts fetches.
final class FakeJWKSEndpoint: Sendable {
    let state: Mutex<(document: Data, fetches: Int, failing: Bool)>
    init(_ jwks: JWKS) throws { state = Mutex((try jwks.jsonData(), 0, false)) }
    func publish(_ jwks: JWKS) throws {
        let data = try jwks.jsonData()
        state.withLock { $0.document = data }
    }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    var fetches: Int { state.withLock { $0.fetches } }
    func fetch(_ url: URL) async throws -> Data {
        try state.withLock {
            $0.fetches += 1
            if $0.failing { throw URLError(.badServerResponse) }
            return $0.document
        }
    }
}

@Suite("JWKSCache")
struct JWKSCacheTests {
    static let url = URL(string: "https://holder.example.com.au/jwks")!

    @Test("fetches lazily once and serves from cache")
    func cachesKeys() async throws {
        let endpoint = try FakeJWKSEndpoint(Fixtures.holderJWKS)
        let cache = JWKSCache(url: Self.url, fetch: endpoint.fetch)
        #expect(endpoint.fetches == 0)
        let verifier = JWSVerifier(keySource: cache)
        for _ in 0..<3 { _ = try await verifier.verify(try await JWSSigner(key: Fixtures.rsaKey).sign(JWTClaims())) }
        #expect(endpoint.fetches == 1)
    }

    @Test("an unknown kid refetches once, picking up a rotated key")
    func rotation() async throws {
        let clock = Fixtures.clock()
        let endpoint = try FakeJWKSEndpoint(JWKS(keys: [Fixtures.rsaKey.publicJWK]))
        let cache = JWKSCache(
            url: Self.url, minimumRefetchInterval: .seconds(60), timeSource: clock, fetch: endpoint.fetch)
        let verifier = JWSVerifier(keySource: cache)
        _ = try await verifier.verify(try await JWSSigner(key: Fixtures.rsaKey).sign(JWTClaims()))
        let rotated = try SigningKey.generate(.es256, keyID: "rotated")
        try endpoint.publish(JWKS(keys: [Fixtures.rsaKey.publicJWK, rotated.publicJWK]))
        clock.advance(by: 61)
        _ = try await verifier.verify(try await JWSSigner(key: rotated).sign(JWTClaims()))
        #expect(endpoint.fetches == 2)
    }

    @Test("unknown kids are rate-limited and then rejected")
    func rateLimited() async throws {
        let clock = Fixtures.clock()
        let endpoint = try FakeJWKSEndpoint(JWKS(keys: [Fixtures.rsaKey.publicJWK]))
        let cache = JWKSCache(
            url: Self.url, minimumRefetchInterval: .seconds(60), timeSource: clock, fetch: endpoint.fetch)
        let verifier = JWSVerifier(keySource: cache)
        let stranger = try SigningKey.generate(.es256, keyID: "stranger")
        let token = try await JWSSigner(key: stranger).sign(JWTClaims())
        for _ in 0..<5 {
            #expect(await joseErrorCode { _ = try await verifier.verify(token) } == .unknownKeyID)
        }
        #expect(endpoint.fetches == 1, "first lookup fetched; refetches within the interval are suppressed")
        clock.advance(by: 61)
        #expect(await joseErrorCode { _ = try await verifier.verify(token) } == .unknownKeyID)
        #expect(endpoint.fetches == 2, "one refetch after the interval, then rejection")
    }

    @Test("stale sets are refetched after maximumAge")
    func maximumAge() async throws {
        let clock = Fixtures.clock()
        let endpoint = try FakeJWKSEndpoint(Fixtures.holderJWKS)
        let cache = JWKSCache(url: Self.url, maximumAge: .seconds(600), timeSource: clock, fetch: endpoint.fetch)
        _ = try await cache.keySet(refreshingFor: nil)
        clock.advance(by: 601)
        _ = try await cache.keySet(refreshingFor: nil)
        #expect(endpoint.fetches == 2)
    }

    @Test("fetch failures surface as jwksFetchFailed")
    func fetchFailure() async throws {
        let endpoint = try FakeJWKSEndpoint(Fixtures.holderJWKS)
        endpoint.setFailing(true)
        let cache = JWKSCache(url: Self.url, fetch: endpoint.fetch)
        let token = try await JWSSigner(key: Fixtures.rsaKey).sign(JWTClaims())
        #expect(await joseErrorCode { _ = try await JWSVerifier(keySource: cache).verify(token) } == .jwksFetchFailed)
    }

    @Test("a failing endpoint: the stale set is served within its grace, with backoff, then the failure surfaces")
    func staleGraceAndBackoff() async throws {
        let clock = Fixtures.clock()
        let endpoint = try FakeJWKSEndpoint(Fixtures.holderJWKS)
        let cache = JWKSCache(
            url: Self.url, minimumRefetchInterval: .seconds(60), maximumAge: .seconds(600), staleGrace: .seconds(600),
            timeSource: clock, fetch: endpoint.fetch)
        _ = try await cache.keySet(refreshingFor: nil)
        endpoint.setFailing(true)
        clock.advance(by: 601)
        // Stale, refetch fails: the cached set is still served.
        #expect(try await cache.keySet(refreshingFor: nil) == Fixtures.holderJWKS)
        #expect(endpoint.fetches == 2)
        // Within the backoff no new fetch is attempted.
        clock.advance(by: 30)
        _ = try await cache.keySet(refreshingFor: nil)
        #expect(endpoint.fetches == 2)
        // Past the grace the failure surfaces.
        clock.advance(by: 600)
        #expect(await joseErrorCode { _ = try await cache.keySet(refreshingFor: nil) } == .jwksFetchFailed)
        #expect(endpoint.fetches == 3)
        // Recovery: a working endpoint is used again.
        endpoint.setFailing(false)
        clock.advance(by: 61)
        _ = try await cache.keySet(refreshingFor: nil)
        #expect(endpoint.fetches == 4)
    }

    @Test("concurrent lookups share one fetch", .timeLimit(.minutes(5)))
    func coalescing() async throws {
        let endpoint = try FakeJWKSEndpoint(Fixtures.holderJWKS)
        let gate = Gate()
        let cache = JWKSCache(url: Self.url) { url in
            await gate.wait()
            return try await endpoint.fetch(url)
        }
        let callers = 10
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<callers { group.addTask { _ = try await cache.keySet(refreshingFor: nil) } }
            // Hold the fetch until every caller is waiting on it, then release it.
            while await cache.waitingLookups < callers || gate.waiters < 1 { await Task.yield() }
            #expect(gate.waiters == 1, "exactly one fetch started while all callers waited")
            gate.open()
            try await group.waitForAll()
        }
        #expect(endpoint.fetches == 1)
        #expect(await cache.fetchCount == 1)
        #expect(await cache.waitingLookups == 0)
    }
}

/// Holds callers on continuations until ``open()``.
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiting: [CheckedContinuation<Void, Never>], waiters: Int)>(
        (false, [], 0))

    /// How many callers ever waited.
    var waiters: Int { state.withLock { $0.waiters } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                state.waiters += 1
                if state.isOpen { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
