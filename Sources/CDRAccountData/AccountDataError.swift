public import CDRModels

/// A source could not serve account data, or (for a fallback source) no source could.
///
/// ``attempts`` lists what each source did, so a caller can tell an outage from a missing consent.
/// `description` carries the sources' error descriptions, which never contain a secret.
public struct AccountDataError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case outage, missingArrangement, missingAccount, missingConnection, sourceFailed, noSourceAllowed,
                notOffered
        }
        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code(base: $0) } }
        /// The holder (or provider) is unavailable.
        public static let outage = Code(base: .outage)
        /// There is no active CDR arrangement for the customer (none made, expired, or withdrawn).
        public static let missingArrangement = Code(base: .missingArrangement)
        /// The account is not available from the source (not shared, or unknown to it).
        public static let missingAccount = Code(base: .missingAccount)
        /// There is no DDC connection for the customer at the institution.
        public static let missingConnection = Code(base: .missingConnection)
        /// The source failed otherwise (see ``underlying``).
        public static let sourceFailed = Code(base: .sourceFailed)
        /// The policy allows no source that could serve the request.
        public static let noSourceAllowed = Code(base: .noSourceAllowed)
        /// The source does not offer this kind of data (a capture provider without payees).
        public static let notOffered = Code(base: .notOffered)
        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// One source's attempt during a fallback.
    public struct Attempt: Sendable, CustomStringConvertible {
        /// The source.
        public var source: DataSourceDescriptor
        /// Why it failed.
        public var reason: FallbackReason
        /// Its error.
        public var error: any Error

        /// `cdr:brand → outage: …`.
        public var description: String { "\(source) → \(reason): \(error)" }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in a sentence.
    public var reason: String
    /// Each source's attempt, for a fallback source.
    public var attempts: [Attempt]
    /// The error underneath, for a single source.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, reason: String, attempts: [Attempt] = [], underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.attempts = attempts
        self.underlying = underlying
    }

    /// `AccountDataError.outage: … [cdr:brand → outage: …; ddc:provider → …]`.
    public var description: String {
        var text = "AccountDataError.\(code): \(reason)"
        if !attempts.isEmpty { text += " [" + attempts.map(\.description).joined(separator: "; ") + "]" }
        if let underlying { text += "; underlying: \(underlying)" }
        return text
    }
}

extension AccountDataError: CDRCategorizedError {
    /// The kind of failure, by ``code`` (see ``/CDRModels/CDRFailureCategory``):
    /// - `outage`: ``Code/outage``;
    /// - `consentRequired`: ``Code/missingArrangement``, ``Code/missingConnection``;
    /// - `accountNotShared`: ``Code/missingAccount``;
    /// - `unsupported`: ``Code/notOffered``;
    /// - `callerError`: ``Code/noSourceAllowed``;
    /// - ``Code/sourceFailed``: the category of the ``underlying`` error, or of the last attempt's error.
    public var category: CDRFailureCategory {
        switch code {
        case .outage: return .outage
        case .missingArrangement, .missingConnection: return .consentRequired
        case .missingAccount: return .accountNotShared
        case .notOffered: return .unsupported
        case .noSourceAllowed: return .callerError
        case .sourceFailed: return .of(underlying ?? attempts.last?.error, otherwise: .unclassified)
        default: return .unclassified
        }
    }

    /// The code for a source's failure of `category`: ``Code/outage``, ``Code/missingArrangement``,
    /// ``Code/missingAccount``, or ``Code/sourceFailed`` for any other.
    /// - Parameter category: The failure's category.
    /// - Returns: The code.
    static func code(for category: CDRFailureCategory) -> Code {
        switch category {
        case .outage: return .outage
        case .consentRequired: return .missingArrangement
        case .accountNotShared: return .missingAccount
        default: return .sourceFailed
        }
    }
}
