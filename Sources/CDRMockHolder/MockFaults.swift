public import Foundation
import Synchronization

/// Switches that make the mock holder misbehave, so a client's handling of each fault can be tested end to end.
///
/// Every switch belongs to one holder instance; set them from the test before or during the calls.
/// One-shot faults (``inject(_:on:times:)``) are consumed by the requests they hit.
public final class MockFaults: Sendable {
    /// A fault that replaces or delays a response.
    public enum HTTPFault: Sendable, Hashable {
        /// 429 Too Many Requests with a `Retry-After` of this many seconds.
        case throttle(retryAfter: Int)
        /// A server error (500, 503, 504 …) with the standard's error body, and a `Retry-After` when given.
        case serverError(status: Int, retryAfter: Int?)
        /// The response is delayed by this long, then served normally.
        case latency(Duration)
        /// 401 as if the access token had expired.
        case expiredToken
    }

    /// Which requests a fault hits.
    public enum Target: Sendable, Hashable {
        /// Every request on either listener.
        case all
        /// The CDS resources (`/cds-au/v1/…`), authenticated or public.
        case resources
        /// The security profile (token, PAR, DCR, introspection, revocation, userinfo).
        case securityProfile
        /// Requests whose path starts with this prefix.
        case pathPrefix(String)

        func matches(path: String) -> Bool {
            switch self {
            case .all: return true
            case .resources: return path.hasPrefix("/cds-au/")
            case .securityProfile:
                return ["/token", "/par", "/register", "/introspect", "/revoke", "/userinfo", "/arrangements"]
                    .contains { path.hasPrefix($0) }
            case .pathPrefix(let prefix): return path.hasPrefix(prefix)
            }
        }
    }

    /// The holder's operational status as `/discovery/status` and `/discovery/outages` report it.
    public enum Outage: Sendable, Hashable {
        /// Every authenticated resource answers 503 and the status is `UNAVAILABLE`.
        case unavailable
        /// The status is `PARTIAL_FAILURE`; the listed path prefixes answer 503.
        case partialFailure(pathPrefixes: [String])
        /// A scheduled outage is announced in the outages list; service continues.
        case scheduled(start: Date, duration: Duration)
    }

    /// Ways the pagination links and pages can be wrong.
    public enum PaginationFault: Sendable, Hashable {
        /// `links.next` equals `links.self`.
        case nextEqualsSelf
        /// Links are relative (`/cds-au/v1/…?page=2`) instead of absolute.
        case relativeLinks
        /// `links.next` is missing although more pages exist.
        case missingNext
        /// The last record of each page is repeated as the first record of the next page.
        case duplicateRecordsAcrossPages
    }

    /// Ways version negotiation can go wrong.
    public enum VersionFault: Sendable, Hashable {
        /// The response's `x-v` names a version below the requested `x-min-v` (the body is that version's).
        case respondBelowMinimum
        /// The response carries no `x-v` header.
        case omitVersionHeader
        /// Every request is answered 406 Header/UnsupportedVersion.
        case rejectEveryVersion
    }

    /// Faults in the ID tokens the token endpoint issues (the negative cases of the OIDF FAPI client tests).
    public enum IDTokenFault: String, Sendable, Hashable, CaseIterable {
        case invalidIssuer, missingIssuer, invalidAudience, missingAudience, secondaryAudience
        case invalidNonce, missingNonce, expired, missingExpiry, issuedInFuture
        case noneAlgorithm, alternateAlgorithmRS256, invalidSignature, unknownKeyID, missingACR
        /// Accepted by a correct client: `aud` as a one-element array.
        case audienceAsArray
    }

    /// Faults in the JARM authorisation responses (the FAPI 2 message-signing client tests' cases).
    public enum JARMFault: String, Sendable, Hashable, CaseIterable {
        case invalidIssuer, missingIssuer, invalidAudience, missingAudience, expired, missingExpiry
        case invalidSignature, noneAlgorithm, alternateAlgorithmRS256, invalidState, missingState
        case unknownKeyID, tooLongLifetime
    }

    /// Faults in the token endpoint's answers.
    public enum TokenFault: String, Sendable, Hashable, CaseIterable {
        /// Accepted by a correct client: no `scope` and no `expires_in` in the token response.
        case omitScopeAndExpiresIn
        /// Refresh-token grants answer `invalid_grant`.
        case rejectRefresh
        /// `token_type` in lower case (`bearer`), which a correct client accepts.
        case lowercaseTokenType
    }

    struct Injection: Sendable {
        var fault: HTTPFault
        var target: Target
        var remaining: Int?
    }

    struct State: Sendable {
        var injections: [Injection] = []
        var outage: Outage?
        var pagination: Set<PaginationFault> = []
        var version: VersionFault?
        var idToken: Set<IDTokenFault> = []
        var jarm: Set<JARMFault> = []
        var token: Set<TokenFault> = []
        var discoveryIssuerMismatch = false
    }

    private let state = Mutex(State())

    init() {}

    /// Makes the next `times` requests that `target` matches fail or slow down with `fault`; `nil` means every
    /// matching request until ``reset()``.
    /// - Parameters:
    ///   - fault: What to do.
    ///   - target: Which requests.
    ///   - times: How many requests; `nil` for all.
    public func inject(_ fault: HTTPFault, on target: Target = .resources, times: Int? = 1) {
        state.withLock { $0.injections.append(Injection(fault: fault, target: target, remaining: times)) }
    }

    /// The holder's outage, reflected in status and outages; `nil` when healthy.
    public var outage: Outage? {
        get { state.withLock { $0.outage } }
        set { state.withLock { $0.outage = newValue } }
    }

    /// Pagination faults applied to every paginated response.
    public var pagination: Set<PaginationFault> {
        get { state.withLock { $0.pagination } }
        set { state.withLock { $0.pagination = newValue } }
    }

    /// The version negotiation fault, if any.
    public var version: VersionFault? {
        get { state.withLock { $0.version } }
        set { state.withLock { $0.version = newValue } }
    }

    /// Faults applied to the ID tokens issued from now on.
    public var idToken: Set<IDTokenFault> {
        get { state.withLock { $0.idToken } }
        set { state.withLock { $0.idToken = newValue } }
    }

    /// Faults applied to the JARM responses issued from now on.
    public var jarm: Set<JARMFault> {
        get { state.withLock { $0.jarm } }
        set { state.withLock { $0.jarm = newValue } }
    }

    /// Faults applied to token endpoint answers.
    public var token: Set<TokenFault> {
        get { state.withLock { $0.token } }
        set { state.withLock { $0.token = newValue } }
    }

    /// When `true`, the discovery document's `issuer` differs from the URL it is served from.
    public var discoveryIssuerMismatch: Bool {
        get { state.withLock { $0.discoveryIssuerMismatch } }
        set { state.withLock { $0.discoveryIssuerMismatch = newValue } }
    }

    /// Clears every fault.
    public func reset() { state.withLock { $0 = State() } }

    /// Takes the HTTP faults that apply to a request to `path`: the latency to add and the fault that replaces the
    /// response, consuming one-shot injections.
    func take(forPath path: String) -> (latency: Duration, replacement: HTTPFault?) {
        state.withLock { state in
            var latency = Duration.zero
            var replacement: HTTPFault?
            var index = 0
            while index < state.injections.count {
                var injection = state.injections[index]
                guard injection.target.matches(path: path) else {
                    index += 1
                    continue
                }
                if case .latency(let delay) = injection.fault {
                    latency += delay
                } else if replacement == nil {
                    replacement = injection.fault
                } else {
                    index += 1
                    continue
                }
                if let remaining = injection.remaining {
                    injection.remaining = remaining - 1
                    if remaining - 1 <= 0 {
                        state.injections.remove(at: index)
                        continue
                    }
                    state.injections[index] = injection
                }
                index += 1
            }
            return (latency, replacement)
        }
    }
}
