public import CDRModels
public import Foundation
public import Logging
import Synchronization

/// Why a request was not served by the preferred source.
public struct FallbackReason: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The reason's name.
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// The holder is unreachable or in an outage (a refused connection, a timeout, 503/504, or its status says
    /// unavailable).
    public static let outage = FallbackReason("outage")
    /// The customer has no active arrangement with the holder (none, expired, withdrawn, revoked).
    public static let missingArrangement = FallbackReason("missingArrangement")
    /// The source does not have the account (not shared under the arrangement, or none at all).
    public static let missingAccounts = FallbackReason("missingAccounts")
    /// The source failed otherwise (an error response, the network, bad data).
    public static let error = FallbackReason("error")
    /// The policy does not allow the source.
    public static let notAllowed = FallbackReason("notAllowed")

    /// The reason's name.
    public var description: String { rawValue }
}

/// Which sources a ``FallbackAccountDataSource`` may use, and when it falls back.
public struct FallbackPolicy: Hashable, Sendable {
    /// The access methods in the order they are tried.
    public var order: [AccessMethod]
    /// The failures of a source that send the request to the next one; any other failure is thrown.
    public var fallsBackOn: Set<FallbackReason>

    /// Creates a policy.
    public init(
        order: [AccessMethod],
        fallsBackOn: Set<FallbackReason> = [.outage, .missingArrangement, .missingAccounts, .error]
    ) {
        self.order = order
        self.fallsBackOn = fallsBackOn
    }

    /// CDR only: DDC is never used.
    public static let cdrOnly = FallbackPolicy(order: [.cdr])
    /// CDR first; DDC on an outage, a missing arrangement, missing accounts or an error.
    public static let preferCDR = FallbackPolicy(order: [.cdr, .ddc])
    /// DDC only.
    public static let ddcOnly = FallbackPolicy(order: [.ddc])
}

/// What a ``FallbackAccountDataSource`` did for one request: which source served and why.
public struct SourceDecision: Sendable, CustomStringConvertible {
    /// The request: `accounts`, `balances`, `transactions`, `payees` or `regularPayments`.
    public var request: String
    /// The source that served it; `nil` when none could.
    public var servedBy: DataSourceDescriptor?
    /// Why the sources before it did not serve (empty when the first source served).
    public var skipped: [(source: DataSourceDescriptor, reason: FallbackReason)]
    /// When the decision was made.
    public var decidedAt: Date

    /// `transactions: served by ddc:provider (cdr:brand: outage)`.
    public var description: String {
        let served = servedBy.map { "served by \($0)" } ?? "not served"
        let why = skipped.map { "\($0.source): \($0.reason)" }.joined(separator: ", ")
        return "\(request): \(served)" + (why.isEmpty ? "" : " (\(why))")
    }
}

/// One account-data interface over CDR and DDC: tries the sources in the policy's order and falls back when a
/// source fails for a reason the policy names, reporting each decision (``decisions``, ``onDecision``) and
/// stamping every record with the source that served it.
///
/// Both sources share one ``AccountIdentityRegistry``, so an account keeps its ``AccountKey`` when the source
/// changes. Transactions fall back only before the first page is delivered; a failure in the middle of a walk is
/// thrown, so records from two sources are never mixed in one walk.
public final class FallbackAccountDataSource: AccountDataSource {
    /// The sources by access method.
    public let sources: [AccessMethod: any AccountDataSource]
    /// The policy.
    public let policy: FallbackPolicy
    /// Called with every decision (for metrics or an audit trail).
    public let onDecision: (@Sendable (SourceDecision) -> Void)?
    private let logger: Logger
    private let log = Mutex<[SourceDecision]>([])

    /// Creates a fallback source.
    /// - Parameters:
    ///   - cdr: The CDR source, if the customer's institution is on CDR.
    ///   - ddc: The DDC source, if the customer has a connection.
    ///   - policy: Which sources, in which order, and when to fall back.
    ///   - onDecision: Called with every decision.
    ///   - logger: Where decisions are logged.
    public init(
        cdr: (any AccountDataSource)?, ddc: (any AccountDataSource)?, policy: FallbackPolicy = .preferCDR,
        onDecision: (@Sendable (SourceDecision) -> Void)? = nil,
        logger: Logger = .cdrDisabled
    ) {
        var sources: [AccessMethod: any AccountDataSource] = [:]
        if let cdr { sources[.cdr] = cdr }
        if let ddc { sources[.ddc] = ddc }
        self.sources = sources
        self.policy = policy
        self.onDecision = onDecision
        self.logger = logger
    }

    /// The preferred source's method, named `fallback`.
    public var descriptor: DataSourceDescriptor {
        DataSourceDescriptor(method: policy.order.first ?? .cdr, name: "fallback")
    }

    /// The decisions made so far (the last 1,000), oldest first.
    public var decisions: [SourceDecision] { log.withLock { $0 } }

    /// The decision of the most recent request.
    public var lastDecision: SourceDecision? { log.withLock { $0.last } }

    /// Classifies a source's failure by its ``/CDRModels/CDRFailureCategory`` alone: `outage` is
    /// ``FallbackReason/outage`` (a refused connection, a timeout, a 503 or 504, an institution that is down),
    /// `consentRequired` ``FallbackReason/missingArrangement``, `accountNotShared` ``FallbackReason/missingAccounts``,
    /// and any other category ``FallbackReason/error``.
    /// - Parameter error: What the source threw.
    /// - Returns: Why the source did not serve.
    public static func reason(for error: any Error) -> FallbackReason {
        switch CDRFailureCategory(of: error) {
        case .outage: return .outage
        case .consentRequired: return .missingArrangement
        case .accountNotShared: return .missingAccounts
        default: return .error
        }
    }

    private var orderedSources: [(AccessMethod, any AccountDataSource)] {
        policy.order.compactMap { method in sources[method].map { (method, $0) } }
    }

    private func record(_ decision: SourceDecision) {
        log.withLock {
            $0.append(decision)
            if $0.count > 1_000 { $0.removeFirst($0.count - 1_000) }
        }
        logger.info(
            "account data source chosen",
            metadata: [
                "cdr.request": "\(decision.request)", "cdr.source": "\(decision.servedBy?.description ?? "none")",
                "cdr.skipped": "\(decision.skipped.map { "\($0.source):\($0.reason)" }.joined(separator: ","))",
            ])
        onDecision?(decision)
    }

    /// Runs `body` against each allowed source in turn until one serves; a cancellation is thrown as it is.
    private func serve<T>(
        _ request: String, _ body: (any AccountDataSource) async throws -> T
    ) async throws -> T {
        var skipped: [(source: DataSourceDescriptor, reason: FallbackReason)] = []
        var attempts: [AccountDataError.Attempt] = []
        let candidates = orderedSources
        for (index, (_, source)) in candidates.enumerated() {
            do {
                let value = try await body(source)
                record(
                    SourceDecision(request: request, servedBy: source.descriptor, skipped: skipped, decidedAt: Date()))
                return value
            } catch {
                // A cancelled call is not the source's failure: the caller stopped waiting, so no other source
                // is tried.
                if CDRFailureCategory(of: error) == .cancelled { throw error }
                let reason = Self.reason(for: error)
                attempts.append(.init(source: source.descriptor, reason: reason, error: error))
                skipped.append((source.descriptor, reason))
                let isLast = index == candidates.count - 1
                if isLast || !policy.fallsBackOn.contains(reason) {
                    record(SourceDecision(request: request, servedBy: nil, skipped: skipped, decidedAt: Date()))
                    throw Self.failure(attempts)
                }
            }
        }
        record(SourceDecision(request: request, servedBy: nil, skipped: skipped, decidedAt: Date()))
        throw AccountDataError(.noSourceAllowed, reason: "the policy allows no configured source", attempts: attempts)
    }

    private static func failure(_ attempts: [AccountDataError.Attempt]) -> AccountDataError {
        let code: AccountDataError.Code
        switch attempts.last?.reason {
        case .outage?: code = .outage
        case .missingArrangement?: code = .missingArrangement
        case .missingAccounts?: code = .missingAccount
        default: code = .sourceFailed
        }
        let names = attempts.map(\.source.description).joined(separator: ", ")
        return AccountDataError(code, reason: "no source could serve the request (tried \(names))", attempts: attempts)
    }

    /// The accounts, from the first source that serves them. An empty list counts as missing accounts.
    public func accounts() async throws -> [Account] {
        try await serve("accounts") { source in
            let accounts = try await source.accounts()
            guard !accounts.isEmpty else {
                throw AccountDataError(.missingAccount, reason: "\(source.descriptor) has no accounts for the customer")
            }
            return accounts
        }
    }

    /// The balances, from the first source that serves them.
    public func balances() async throws -> [Balance] {
        try await serve("balances") { try await $0.balances() }
    }

    /// The payees, from the first source that serves them.
    public func payees() async throws -> [Payee] {
        try await serve("payees") { try await $0.payees() }
    }

    /// The regular payments, from the first source that serves them.
    public func regularPayments() async throws -> [RegularPayment] {
        try await serve("regularPayments") { try await $0.regularPayments() }
    }

    /// An account's transactions: the first source whose first page arrives serves the whole walk.
    public func transactions(of account: AccountKey, in period: DateInterval?) -> AccountDataStream<Transaction> {
        AccountDataStream { [self] in
            var chosen: AccountDataStream<Transaction>.NextPage?
            return {
                if let chosen { return try await chosen() }
                let (reader, first) = try await self.serve("transactions") { source in
                    let reader = source.transactions(of: account, in: period).makePageReader()
                    return (reader, try await reader())
                }
                chosen = reader
                return first
            }
        }
    }
}
