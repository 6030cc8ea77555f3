public import CDRJOSE
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
    /// - Returns: The brand's keys (typically a ``CDRJOSE/JWKSCache`` on its JWKS URL), or `nil` when the brand is
    ///   not one the recipient accepts revocations from.
    /// - Throws: When the brand cannot be looked up right now; the endpoint answers `503`.
    func keySource(forHolderBrand brandID: String) async throws -> (any JWKSSource)?
}

/// A ``HolderKeyResolver`` that maps holder brand IDs to JWKS URLs and keeps one ``CDRJOSE/JWKSCache`` per brand.
///
/// Fill it from the CDR Register's Get Data Holder Brands (`authDetails.jwksEndpoint` of each brand) and update it
/// when the Register changes. A brand whose URL changes gets a new, empty cache; an unchanged one keeps its keys.
/// The fetch closure is injected, so the JWKS goes through the caller's own transport:
///
/// ```swift
/// let directory = HolderJWKSDirectory(jwksURLs: [brandID: jwksURL]) { url in
///     try await transport.send(TransportRequest(method: .get, url: url, security: .publicTLS)).body
/// }
/// ```
public final class HolderJWKSDirectory: HolderKeyResolver {
    private struct Entry {
        var url: URL
        var cache: JWKSCache
    }

    private let entries: Mutex<[String: Entry]>
    private let fetch: JWKSCache.Fetch
    private let timeSource: any TimeSource
    private let logger: Logger
    /// Minimum time between two refetches of one brand's JWKS triggered by unknown `kid`s.
    public let minimumRefetchInterval: Duration
    /// A brand's cached keys older than this are refetched on the next lookup.
    public let maximumAge: Duration

    /// Creates a directory; nothing is fetched until a brand's keys are first needed.
    /// - Parameters:
    ///   - jwksURLs: The JWKS URL of each accepted holder brand, by brand ID.
    ///   - minimumRefetchInterval: Rate limit for unknown-`kid` refetches, per brand.
    ///   - maximumAge: Lifetime of a fetched key set.
    ///   - timeSource: The clock for the caches: uncorrected system time.
    ///   - backgroundActivityLogger: Receives the caches' debug messages (URL and key count only); silent by default.
    ///   - fetch: Fetches a JWKS document; throw on non-2xx responses.
    public init(
        jwksURLs: [String: URL] = [:], minimumRefetchInterval: Duration = .seconds(60),
        maximumAge: Duration = .seconds(3600), timeSource: any TimeSource = SystemTimeSource(),
        backgroundActivityLogger: Logger = Logger(
            label: "cdr-auth-do-not-log", factory: { _ in SwiftLogNoOpLogHandler() }),
        fetch: @escaping JWKSCache.Fetch
    ) {
        self.fetch = fetch
        self.timeSource = timeSource
        self.logger = backgroundActivityLogger
        self.minimumRefetchInterval = minimumRefetchInterval
        self.maximumAge = maximumAge
        self.entries = Mutex([:])
        update(jwksURLs: jwksURLs)
    }

    /// The JWKS URL of every accepted holder brand, by brand ID.
    public var jwksURLs: [String: URL] { entries.withLock { $0.mapValues(\.url) } }

    /// Sets, changes or removes one holder brand's JWKS URL.
    /// - Parameters:
    ///   - url: The brand's JWKS URL, or `nil` to stop accepting the brand.
    ///   - brandID: The holder brand ID.
    public func setJWKSURL(_ url: URL?, forHolderBrand brandID: String) {
        let entry = url.map(makeEntry)
        entries.withLock { entries in
            guard let entry else {
                entries[brandID] = nil
                return
            }
            if entries[brandID]?.url != entry.url { entries[brandID] = entry }
        }
    }

    /// Replaces the whole map, for example after reading the Register's data holder brands; brands whose URL is
    /// unchanged keep their cached keys, brands not listed are no longer accepted.
    /// - Parameter jwksURLs: The JWKS URL of each accepted holder brand, by brand ID.
    public func update(jwksURLs: [String: URL]) {
        entries.withLock { entries in
            var updated: [String: Entry] = [:]
            for (brandID, url) in jwksURLs {
                if let current = entries[brandID], current.url == url {
                    updated[brandID] = current
                } else {
                    updated[brandID] = makeEntry(url)
                }
            }
            entries = updated
        }
    }

    /// The cache of a brand.
    /// - Parameter brandID: The holder brand ID.
    /// - Returns: The brand's ``CDRJOSE/JWKSCache``, or `nil` for a brand without a JWKS URL.
    public func keySource(forHolderBrand brandID: String) async throws -> (any JWKSSource)? {
        entries.withLock { $0[brandID]?.cache }
    }

    private func makeEntry(_ url: URL) -> Entry {
        Entry(
            url: url,
            cache: JWKSCache(
                url: url, minimumRefetchInterval: minimumRefetchInterval, maximumAge: maximumAge,
                timeSource: timeSource, backgroundActivityLogger: logger, fetch: fetch))
    }
}
