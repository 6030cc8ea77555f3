import CDRAuth
import CDRJOSE
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import InMemoryLogging
import Logging
import Synchronization
import Testing

@Suite("RecipientRevocation: HolderJWKSDirectory")
struct RecipientRevocationHolderKeysTests {
    /// Serves JWKS documents by URL and counts the fetches.
    final class JWKSServer: Sendable {
        let documents: [URL: Data]
        private let fetches = Mutex<[URL]>([])

        init(_ documents: [URL: JWKS]) throws {
            self.documents = try documents.mapValues { try $0.jsonData() }
        }

        var fetched: [URL] { fetches.withLock { $0 } }

        @Sendable func fetch(_ url: URL) async throws -> Data {
            fetches.withLock { $0.append(url) }
            guard let document = documents[url] else { throw URLError(.fileDoesNotExist) }
            return document
        }
    }

    static let holderURL = URL(string: "https://holder.example/jwks")!
    static let otherURL = URL(string: "https://other-holder.example/jwks")!

    func identity(_ source: (any JWKSSource)?) -> ObjectIdentifier? {
        (source as? JWKSCache).map(ObjectIdentifier.init)
    }

    @Test("Each brand has its own cache on its own URL; an unknown brand has none")
    func cachePerBrand() async throws {
        let server = try JWKSServer([:])
        let directory = HolderJWKSDirectory(
            jwksURLs: [RevocationFixture.brandID: Self.holderURL, RevocationFixture.otherBrandID: Self.otherURL],
            fetch: server.fetch)
        let holder = try #require(
            try await directory.keySource(forHolderBrand: RevocationFixture.brandID) as? JWKSCache)
        let other = try #require(
            try await directory.keySource(forHolderBrand: RevocationFixture.otherBrandID) as? JWKSCache)
        #expect(holder.url == Self.holderURL)
        #expect(other.url == Self.otherURL)
        #expect(ObjectIdentifier(holder) != ObjectIdentifier(other))
        #expect(try await directory.keySource(forHolderBrand: "unknown") == nil)
        #expect(server.fetched.isEmpty, "nothing is fetched before a token needs the keys")
    }

    @Test("Updates keep the cache of an unchanged URL and replace or drop the others")
    func updates() async throws {
        let server = try JWKSServer([:])
        let directory = HolderJWKSDirectory(jwksURLs: [RevocationFixture.brandID: Self.holderURL], fetch: server.fetch)
        let first = identity(try await directory.keySource(forHolderBrand: RevocationFixture.brandID))

        directory.update(jwksURLs: [RevocationFixture.brandID: Self.holderURL, "new-brand": Self.otherURL])
        #expect(identity(try await directory.keySource(forHolderBrand: RevocationFixture.brandID)) == first)
        #expect(try await directory.keySource(forHolderBrand: "new-brand") != nil)

        directory.setJWKSURL(Self.holderURL, forHolderBrand: RevocationFixture.brandID)
        #expect(identity(try await directory.keySource(forHolderBrand: RevocationFixture.brandID)) == first)

        directory.setJWKSURL(Self.otherURL, forHolderBrand: RevocationFixture.brandID)
        let moved = try #require(
            try await directory.keySource(forHolderBrand: RevocationFixture.brandID) as? JWKSCache)
        #expect(moved.url == Self.otherURL)
        #expect(ObjectIdentifier(moved) != first)

        directory.setJWKSURL(nil, forHolderBrand: "new-brand")
        directory.update(jwksURLs: directory.jwksURLs)
        #expect(directory.jwksURLs == [RevocationFixture.brandID: Self.otherURL])
        directory.update(jwksURLs: [:])
        #expect(try await directory.keySource(forHolderBrand: RevocationFixture.brandID) == nil)
    }

    @Test("The endpoint fetches a brand's JWKS once, and never verifies one brand with another's keys")
    func throughTheEndpoint() async throws {
        let keys = HolderTestKeys.shared
        let server = try JWKSServer([
            Self.holderURL: JWKS(keys: [keys.ps256.publicJWK, keys.es256.publicJWK]),
            Self.otherURL: JWKS(keys: [keys.stranger.publicJWK]),
        ])
        let directory = HolderJWKSDirectory(
            jwksURLs: [RevocationFixture.brandID: Self.holderURL, RevocationFixture.otherBrandID: Self.otherURL],
            fetch: server.fetch)
        let fixture = RevocationFixture(holderKeys: directory)

        #expect(await fixture.endpoint.handle(try await fixture.validRequest()).status == .noContent)
        fixture.receiver.add(arrangementID: RevocationFixture.arrangementID, holderBrandID: RevocationFixture.brandID)
        #expect(await fixture.endpoint.handle(try await fixture.validRequest()).status == .noContent)
        #expect(server.fetched == [Self.holderURL])

        // This brand's key, claiming to be the other brand: only the other brand's keys are consulted.
        let impostor = try await fixture.bearer {
            $0.issuer = RevocationFixture.otherBrandID
            $0.subject = RevocationFixture.otherBrandID
        }
        let response = await fixture.endpoint.handle(
            fixture.request(
                authorization: "Bearer " + impostor,
                form: [("cdr_arrangement_jwt", try await fixture.arrangementJWT())]))
        #expect(response.status == .unauthorized)
        #expect(fixture.logs.entries.last?.metadata["cdr.reason"] == "unknownKeyID")
        #expect(
            fixture.logs.entries.last?.metadata["cdr.claimed_holder_brand_id"] == "\(RevocationFixture.otherBrandID)")
        #expect(Set(server.fetched) == [Self.holderURL, Self.otherURL])
    }

    static let oidcURL = URL(string: "https://holder.example/.well-known/jwks")!

    @Test("A fallback JWKS (the OIDC jwks_uri) serves keys the Register's JWKS lacks, or all when it is down")
    func fallback() async throws {
        let keys = HolderTestKeys.shared
        let server = try JWKSServer([
            Self.holderURL: JWKS(keys: [keys.ps256.publicJWK]),
            Self.oidcURL: JWKS(keys: [keys.ps256.publicJWK, keys.es256.publicJWK]),
        ])
        let directory = HolderJWKSDirectory(
            jwksURLs: [RevocationFixture.brandID: Self.holderURL],
            fallbackJWKSURLs: [RevocationFixture.brandID: Self.oidcURL, "brand-without-primary": Self.otherURL],
            fetch: server.fetch)
        #expect(directory.fallbackJWKSURLs == [RevocationFixture.brandID: Self.oidcURL])
        let fixture = RevocationFixture(holderKeys: directory)

        // The same key in both sets is not a duplicate kid: the primary set answers alone.
        #expect(await fixture.endpoint.handle(try await fixture.validRequest()).status == .noContent)
        #expect(server.fetched == [Self.holderURL])

        // The ES256 key is published only at the fallback.
        fixture.receiver.add(arrangementID: RevocationFixture.arrangementID, holderBrandID: RevocationFixture.brandID)
        let es256 = fixture.request(
            authorization: "Bearer " + (try await fixture.bearer(key: fixture.keys.es256)),
            form: [("cdr_arrangement_jwt", try await fixture.arrangementJWT(key: fixture.keys.es256))])
        #expect(await fixture.endpoint.handle(es256).status == .noContent)
        #expect(server.fetched.contains(Self.oidcURL))

        // A kid in neither set is still refused.
        let stranger = fixture.request(
            authorization: "Bearer " + (try await fixture.bearer(key: fixture.keys.stranger)),
            form: [("cdr_arrangement_jwt", try await fixture.arrangementJWT())])
        #expect(await fixture.endpoint.handle(stranger).status == .unauthorized)

        // Changing only the fallback keeps the primary's cache: no new fetch of the primary.
        directory.setJWKSURL(Self.holderURL, fallback: Self.otherURL, forHolderBrand: RevocationFixture.brandID)
        #expect(directory.fallbackJWKSURLs == [RevocationFixture.brandID: Self.otherURL])
        let primaryFetches = server.fetched.filter { $0 == Self.holderURL }.count
        fixture.receiver.add(arrangementID: RevocationFixture.arrangementID, holderBrandID: RevocationFixture.brandID)
        #expect(await fixture.endpoint.handle(try await fixture.validRequest()).status == .noContent)
        #expect(server.fetched.filter { $0 == Self.holderURL }.count == primaryFetches)
    }

    @Test("When the Register's JWKS is unreachable the fallback is used")
    func primaryDown() async throws {
        let keys = HolderTestKeys.shared
        let server = try JWKSServer([Self.oidcURL: JWKS(keys: [keys.ps256.publicJWK, keys.es256.publicJWK])])
        let directory = HolderJWKSDirectory(
            jwksURLs: [RevocationFixture.brandID: Self.holderURL],
            fallbackJWKSURLs: [RevocationFixture.brandID: Self.oidcURL], fetch: server.fetch)
        let fixture = RevocationFixture(holderKeys: directory)
        #expect(await fixture.endpoint.handle(try await fixture.validRequest()).status == .noContent)
        #expect(server.fetched.first == Self.holderURL)
        #expect(server.fetched.contains(Self.oidcURL))
    }

    @Test("An unreachable JWKS is 503, not 401")
    func unreachable() async throws {
        let server = try JWKSServer([:])
        let directory = HolderJWKSDirectory(jwksURLs: [RevocationFixture.brandID: Self.holderURL], fetch: server.fetch)
        let fixture = RevocationFixture(holderKeys: directory)
        let response = await fixture.endpoint.handle(try await fixture.validRequest())
        #expect(response.status == .serviceUnavailable)
        #expect(fixture.logs.entries.last?.metadata["cdr.reason"] == "jwksFetchFailed")
    }
}
