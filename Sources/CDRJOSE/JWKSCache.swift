public import CDRModels
public import Foundation
public import Logging

/// A per-issuer JWKS cache that fetches lazily and refetches at most once per interval on an unknown `kid`.
///
/// Give every issuer (each holder brand, the Register) its own cache, so keys from one issuer can never verify
/// another's tokens. The transport is a closure, so any HTTP client can be used:
///
/// ```swift
/// let cache = JWKSCache(url: jwksURI) { url in try await transport.get(url) }
/// let verifier = JWSVerifier(keySource: cache, allowedAlgorithms: [.ps256])
/// ```
///
/// Concurrent lookups share one fetch. Keys are refetched when older than ``maximumAge``; an unknown `kid`
/// triggers one refetch if the last fetch is older than ``minimumRefetchInterval``, otherwise the cached set is
/// returned and the verifier rejects the token.
public actor JWKSCache: JWKSSource {
    /// Fetches the JWKS document at a URL.
    public typealias Fetch = @Sendable (URL) async throws -> Data

    /// The JWKS URL.
    public nonisolated let url: URL
    /// Minimum time between two refetches triggered by unknown `kid`s.
    public nonisolated let minimumRefetchInterval: Duration
    /// Cached keys older than this are refetched on the next lookup.
    public nonisolated let maximumAge: Duration
    /// How long past ``maximumAge`` a cached set is still served when refetching fails (the holder's JWKS endpoint
    /// being briefly down must not stop every validation).
    public nonisolated let staleGrace: Duration
    private var lastFailure: Date?
    private let fetch: Fetch
    private let timeSource: any TimeSource
    private let logger: Logger
    private var cached: (keys: JWKS, fetchedAt: Date)?
    private var inFlight: Task<JWKS, any Error>?
    private var lastAttempt: Date?
    /// How many times the document was fetched successfully (for tests and metrics).
    public private(set) var fetchCount = 0
    /// How many lookups are waiting for the fetch in flight (lets tests release a held fetch deterministically).
    package private(set) var waitingLookups = 0

    /// Creates a cache; nothing is fetched until the first lookup.
    /// - Parameters:
    ///   - url: The issuer's `jwks_uri`.
    ///   - minimumRefetchInterval: Rate limit for unknown-`kid` refetches.
    ///   - maximumAge: Lifetime of a fetched set.
    ///   - staleGrace: How long past `maximumAge` a cached set is served while refetching fails (1 hour by default).
    ///   - timeSource: The clock.
    ///   - backgroundActivityLogger: Receives debug messages about fetches (URL and key count only); silent by default.
    ///   - fetch: Fetches the document; throw on non-2xx responses.
    public init(
        url: URL, minimumRefetchInterval: Duration = .seconds(60), maximumAge: Duration = .seconds(3600),
        staleGrace: Duration = .seconds(3600), timeSource: any TimeSource = SystemTimeSource(),
        backgroundActivityLogger: Logger = .cdrDisabled,
        fetch: @escaping Fetch
    ) {
        self.logger = backgroundActivityLogger
        self.url = url
        self.minimumRefetchInterval = minimumRefetchInterval
        self.maximumAge = maximumAge
        self.staleGrace = staleGrace
        self.timeSource = timeSource
        self.fetch = fetch
    }

    /// Returns the cached set, fetching it when absent or stale, or refetching once for an unknown `kid`.
    /// - Parameter unknownKeyID: The `kid` that was not found in the last set, or `nil`.
    /// - Returns: The keys.
    /// - Throws: ``JOSEError`` `.jwksFetchFailed` or `.invalidJWKS`.
    public func keySet(refreshingFor unknownKeyID: String?) async throws -> JWKS {
        let now = timeSource.now()
        if let cached {
            let age = now.timeIntervalSince(cached.fetchedAt)
            if unknownKeyID == nil, age < maximumAge.seconds { return cached.keys }
            if let unknownKeyID {
                if cached.keys.signingKeys.contains(where: { $0.keyID == unknownKeyID }) { return cached.keys }
                let sinceAttempt = lastAttempt.map { now.timeIntervalSince($0) } ?? age
                if min(age, sinceAttempt) < minimumRefetchInterval.seconds {
                    logger.debug(
                        "JWKS refetch for unknown kid suppressed by rate limit",
                        metadata: ["cdr.jwks_url": "\(url.absoluteString)"])
                    return cached.keys
                }
            }
        }
        // After a failed fetch, keep serving the cached set (even past its age, within the stale grace) and
        // don't hammer the holder: retry at most once per minimum refetch interval.
        if let cached, let lastFailure, now.timeIntervalSince(lastFailure) < minimumRefetchInterval.seconds,
            now.timeIntervalSince(cached.fetchedAt) < maximumAge.seconds + staleGrace.seconds
        {
            return cached.keys
        }
        do {
            let keys = try await refresh()
            lastFailure = nil
            return keys
        } catch {
            lastFailure = timeSource.now()
            guard let cached, now.timeIntervalSince(cached.fetchedAt) < maximumAge.seconds + staleGrace.seconds else {
                throw error
            }
            logger.debug(
                "JWKS fetch failed; serving the cached set within its stale grace",
                metadata: ["cdr.jwks_url": "\(url.absoluteString)"])
            return cached.keys
        }
    }

    /// Drops the cached set so that the next lookup fetches.
    public func invalidate() { cached = nil }

    private func refresh() async throws -> JWKS {
        waitingLookups += 1
        defer { waitingLookups -= 1 }
        if let inFlight { return try await inFlight.value }
        lastAttempt = timeSource.now()
        let fetch = self.fetch
        let url = self.url
        let task = Task<JWKS, any Error> {
            let data: Data
            do { data = try await fetch(url) } catch {
                throw JOSEError(.jwksFetchFailed, reason: "fetching the JWKS failed")
            }
            return try JWKS(jsonData: data)
        }
        inFlight = task
        defer { inFlight = nil }
        let keys = try await task.value
        cached = (keys, timeSource.now())
        fetchCount += 1
        logger.debug(
            "JWKS fetched", metadata: ["cdr.jwks_url": "\(url.absoluteString)", "cdr.key_count": "\(keys.keys.count)"])
        return keys
    }
}
