public import CDRModels
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

    /// One data quirk the holder wrote into a response it served: which operation, which field occurrence, which
    /// quirk, and the response's `x-fapi-interaction-id`.
    ///
    /// ``path`` uses the syntax of `DecodingDiagnostic.fieldPath` (`data.accounts[2].creationDate`), so a test can
    /// match each injected occurrence with the diagnostic a lenient `CDRDecoder` reports for it.
    public struct InjectedQuirk: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The CDS operation id, for example `listBankingAccounts`.
        public var operation: String
        /// The concrete path of the field occurrence, for example `data.accounts[2].creationDate`.
        public var path: String
        /// The quirk written there.
        public var quirk: DataQuirk
        /// The `x-fapi-interaction-id` of the response that carried it.
        public var interactionID: String?

        /// Creates a record.
        /// - Parameters:
        ///   - operation: The CDS operation id.
        ///   - path: The concrete path of the field occurrence.
        ///   - quirk: The quirk written there.
        ///   - interactionID: The response's `x-fapi-interaction-id`.
        public init(operation: String, path: String, quirk: DataQuirk, interactionID: String?) {
            self.operation = operation
            self.path = path
            self.quirk = quirk
            self.interactionID = interactionID
        }

        /// The record in one line, for example `listBankingAccounts data.accounts[2].creationDate
        /// dateTimeInDateField`.
        public var description: String { "\(operation) \(path) \(quirk)" }
    }

    /// The quirks the holder can write into its resource responses: every `DataQuirk` a lenient client keeps the
    /// record for. `DataQuirk.unusableValue` and `DataQuirk.ignoredField` are not among them.
    public static let injectableQuirks: [DataQuirk] = [
        .dateTimeInDateField, .dateInDateTimeField, .missingRequiredField, .numberForString, .stringForNumber,
        .emptyString, .enumVariant, .amountLeadingPlus, .amountMissingDecimals, .amountExcessDecimals,
    ]

    /// How many ``InjectedQuirk`` records the holder keeps; older ones are dropped first.
    public static let injectedQuirksLimit = 100_000

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
        var quirks: Set<DataQuirk> = []
        var injected: [InjectedQuirk] = []
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

    /// The data quirks written into every CDS resource response (banking and common, authenticated and public);
    /// empty for responses that follow the standard.
    ///
    /// Each quirk hits fixed wire fields of each operation, in every record of the page where the field exists and
    /// its value can carry the quirk (a leading `+` only on an amount that is not negative, fewer decimals only on
    /// an amount whose cents end in zero), so a lenient `CDRDecoder` reports one `DecodingDiagnostic` per
    /// occurrence and keeps every record. Two quirks never hit the same field occurrence (where a record has one
    /// amount, each occurrence goes to the first amount quirk its value allows), and nothing is written inside a
    /// union member whose discriminator another quirk removed. Envelopes (`data` itself, `links`, `meta`) are never
    /// touched. The values are kept wherever the quirk allows: a number for a string is written only where the
    /// client reads back the same text, amount or rate, and a date-time for a date keeps the date. For example:
    ///
    /// - `DataQuirk.dateTimeInDateField`: `creationDate` of accounts and payees, `establishmentDate` of an
    ///   organisation, `recurrence.nextPaymentDate` of scheduled payments;
    /// - `DataQuirk.missingRequiredField`: `cardArt[].cardScheme`, `depositRates[].applicationType`,
    ///   `lendingRates[].applicationType` and `fees[].feeMethodUType` of product and account detail.
    ///
    /// ``quirkTargets(forOperation:)`` lists every field; ``injectedQuirks()`` what was written. The quirks not in
    /// ``injectableQuirks`` have no fields and are ignored.
    public var quirks: Set<DataQuirk> {
        get { state.withLock { $0.quirks } }
        set { state.withLock { $0.quirks = newValue } }
    }

    /// The wire fields each enabled quirk hits in the responses of an operation, as path patterns in which `[*]`
    /// stands for every element of a list (for example `data.accounts[*].creationDate`).
    /// - Parameter operationID: A CDS operation id, for example `listBankingAccounts`.
    /// - Returns: The patterns by quirk; empty for an operation the holder writes no quirks into.
    public static func quirkTargets(forOperation operationID: String) -> [DataQuirk: [String]] {
        QuirkTable.targets(forOperation: operationID)
    }

    /// The quirks written into the responses served since the last ``reset()`` or ``clearInjectedQuirks()``, one
    /// record per field occurrence, in the order served (at most ``injectedQuirksLimit``, the newest kept).
    /// - Returns: The records.
    public func injectedQuirks() -> [InjectedQuirk] {
        state.withLock { $0.injected }
    }

    /// Forgets the records of injected quirks; the quirks stay enabled.
    public func clearInjectedQuirks() {
        state.withLock { $0.injected.removeAll() }
    }

    /// Notes quirks written into one response.
    func recordInjected(_ records: [InjectedQuirk]) {
        guard !records.isEmpty else { return }
        state.withLock { state in
            state.injected.append(contentsOf: records)
            let excess = state.injected.count - Self.injectedQuirksLimit
            if excess > 0 { state.injected.removeFirst(excess) }
        }
    }

    /// Clears every fault, the data quirks and their records.
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
