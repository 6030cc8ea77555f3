public import CDRJOSE
public import CDRModels
public import Foundation
public import Logging
import Synchronization

/// Finds the verification keys of a data holder brand, for the tokens it sends to the recipient.
///
/// The brand ID comes from the unverified `iss` of the bearer JWT; the keys returned must be that brand's only,
/// so that one holder's keys can never authenticate another. ``HolderJWKSDirectory`` is the ready implementation.
public protocol HolderKeyResolver: Sendable {
    /// The key source of a holder brand.
    /// - Parameter brandID: The data holder brand ID as the CDR Register issues it.
    /// - Returns: The brand's keys (typically a ``/CDRJOSE/JWKSCache`` on its JWKS URL), or `nil` when the brand is
    ///   not one the recipient accepts revocations from.
    /// - Throws: When the brand cannot be looked up right now; the endpoint answers `503`.
    func keySource(forHolderBrand brandID: String) async throws -> (any JWKSSource)?
}

/// A ``HolderKeyResolver`` that maps holder brand IDs to JWKS URLs and keeps one ``/CDRJOSE/JWKSCache`` per URL.
///
/// Fill it from the CDR Register's Get Data Holder Brands and update it when the Register changes. The standard
/// names two places for a holder's keys: the brand's `authDetails.jwksEndpoint` on the Register (for holders calling
/// recipients) and the `jwks_uri` of its OpenID Provider metadata. Give the first as the JWKS URL and, if wanted,
/// the second as the fallback: a token whose `kid` is not in the first set (after one rate-limited refetch), or
/// arriving while the first cannot be fetched, is checked against the fallback set. Both belong to the same brand,
/// so no other brand's key can ever be used.
///
/// A brand whose URLs change gets new, empty caches; an unchanged one keeps its keys. The fetch closure is
/// injected, so the documents go through the caller's own transport:
///
/// ```swift
/// let directory = HolderJWKSDirectory(jwksURLs: [brandID: registerJWKSEndpoint]) { url in
///     let response = try await transport.send(TransportRequest(method: .get, url: url, security: .publicTLS))
///     guard response.status == .ok else { throw FetchError() }
///     return response.body
/// }
/// ```
public final class HolderJWKSDirectory: HolderKeyResolver {
    private struct Entry {
        var url: URL
        var cache: JWKSCache
        var fallback: (url: URL, cache: JWKSCache)?

        var source: any JWKSSource {
            guard let fallback else { return cache }
            return FallbackJWKSSource(primary: cache, fallback: fallback.cache)
        }
    }

    private let entries: Mutex<[String: Entry]>
    private let fetch: JWKSCache.Fetch
    private let timeSource: any TimeSource
    private let logger: Logger
    /// Minimum time between two refetches of one JWKS triggered by unknown `kid`s.
    public let minimumRefetchInterval: Duration
    /// Cached key sets older than this are refetched on the next lookup.
    public let maximumAge: Duration

    /// Creates a directory; nothing is fetched until a brand's keys are first needed.
    /// - Parameters:
    ///   - jwksURLs: The JWKS URL of each accepted holder brand, by brand ID: the Register's
    ///     `authDetails.jwksEndpoint`.
    ///   - fallbackJWKSURLs: Optional second JWKS URLs, by brand ID: the `jwks_uri` of the holder's OpenID Provider
    ///     metadata. Entries for brands without a JWKS URL are ignored.
    ///   - minimumRefetchInterval: Rate limit for unknown-`kid` refetches, per URL.
    ///   - maximumAge: Lifetime of a fetched key set.
    ///   - timeSource: The clock for the caches: uncorrected system time.
    ///   - backgroundActivityLogger: Receives the caches' debug messages (URL and key count only); silent by default.
    ///   - fetch: Fetches a JWKS document; throw on non-2xx responses.
    public init(
        jwksURLs: [String: URL] = [:], fallbackJWKSURLs: [String: URL] = [:],
        minimumRefetchInterval: Duration = .seconds(60), maximumAge: Duration = .seconds(3600),
        timeSource: any TimeSource = SystemTimeSource(),
        backgroundActivityLogger: Logger = .cdrDisabled,
        fetch: @escaping JWKSCache.Fetch
    ) {
        self.fetch = fetch
        self.timeSource = timeSource
        self.logger = backgroundActivityLogger
        self.minimumRefetchInterval = minimumRefetchInterval
        self.maximumAge = maximumAge
        self.entries = Mutex([:])
        update(jwksURLs: jwksURLs, fallbackJWKSURLs: fallbackJWKSURLs)
    }

    /// The JWKS URL of every accepted holder brand, by brand ID.
    public var jwksURLs: [String: URL] { entries.withLock { $0.mapValues(\.url) } }

    /// The fallback JWKS URLs, by brand ID.
    public var fallbackJWKSURLs: [String: URL] { entries.withLock { $0.compactMapValues(\.fallback?.url) } }

    /// Sets, changes or removes one holder brand's JWKS URLs.
    /// - Parameters:
    ///   - url: The brand's JWKS URL, or `nil` to stop accepting the brand.
    ///   - fallback: A second JWKS URL, consulted when `url` lacks the token's key or cannot be fetched.
    ///   - brandID: The holder brand ID.
    public func setJWKSURL(_ url: URL?, fallback: URL? = nil, forHolderBrand brandID: String) {
        entries.withLock { entries in
            guard let url else {
                entries[brandID] = nil
                return
            }
            entries[brandID] = makeEntry(url: url, fallback: fallback, reusing: entries[brandID])
        }
    }

    /// Replaces the whole map, for example after reading the Register's data holder brands; unchanged URLs keep
    /// their cached keys, brands not listed are no longer accepted.
    /// - Parameters:
    ///   - jwksURLs: The JWKS URL of each accepted holder brand, by brand ID.
    ///   - fallbackJWKSURLs: Optional second JWKS URLs, by brand ID.
    public func update(jwksURLs: [String: URL], fallbackJWKSURLs: [String: URL] = [:]) {
        entries.withLock { entries in
            var updated: [String: Entry] = [:]
            for (brandID, url) in jwksURLs {
                updated[brandID] = makeEntry(url: url, fallback: fallbackJWKSURLs[brandID], reusing: entries[brandID])
            }
            entries = updated
        }
    }

    /// The key source of a brand.
    /// - Parameter brandID: The holder brand ID.
    /// - Returns: The brand's ``/CDRJOSE/JWKSCache`` (or, with a fallback URL, a source that consults both caches),
    ///   or `nil` for a brand without a JWKS URL.
    public func keySource(forHolderBrand brandID: String) async throws -> (any JWKSSource)? {
        entries.withLock { $0[brandID]?.source }
    }

    private func makeEntry(url: URL, fallback: URL?, reusing current: Entry?) -> Entry {
        func cache(_ url: URL) -> JWKSCache {
            if current?.url == url, let cache = current?.cache { return cache }
            if let held = current?.fallback, held.url == url { return held.cache }
            return JWKSCache(
                url: url, minimumRefetchInterval: minimumRefetchInterval, maximumAge: maximumAge,
                timeSource: timeSource, backgroundActivityLogger: logger, fetch: fetch)
        }
        let fallbackEntry = fallback.flatMap { $0 == url ? nil : ($0, cache($0)) }
        return Entry(url: url, cache: cache(url), fallback: fallbackEntry)
    }
}

/// One brand's two key sets: the primary, and a fallback consulted only when the primary lacks the token's `kid`
/// (after its own refetch) or cannot be fetched. Only one set is returned at a time, so a key published in both
/// never counts as a duplicate `kid`.
struct FallbackJWKSSource: JWKSSource {
    let primary: any JWKSSource
    let fallback: any JWKSSource

    func keySet(refreshingFor unknownKeyID: String?) async throws -> JWKS {
        let primarySet: JWKS
        do {
            primarySet = try await primary.keySet(refreshingFor: unknownKeyID)
        } catch {
            return try await fallback.keySet(refreshingFor: unknownKeyID)
        }
        guard let unknownKeyID, !primarySet.signingKeys.contains(where: { $0.keyID == unknownKeyID }) else {
            return primarySet
        }
        guard let fallbackSet = try? await fallback.keySet(refreshingFor: unknownKeyID),
            fallbackSet.signingKeys.contains(where: { $0.keyID == unknownKeyID })
        else { return primarySet }
        return fallbackSet
    }
}
