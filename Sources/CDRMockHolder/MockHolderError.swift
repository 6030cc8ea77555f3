public import CDRModels

/// An error from setting up or running the mock data holder.
public struct MockHolderError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case notLoopback, stopped, invalidConfiguration, unknownSoftwareProduct, unknownArrangement
            case recipientCallFailed, administrationFailed
            case portInUse, unreadableState, incompatibleState, stateNotSaved
        }
        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code($0) } }
        private init(_ base: Base) { self.base = base }
        /// The configured host is not a loopback address.
        public static let notLoopback = Code(.notLoopback)
        /// The holder stopped before it was running.
        public static let stopped = Code(.stopped)
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The software product is not known to the mock Register.
        public static let unknownSoftwareProduct = Code(.unknownSoftwareProduct)
        /// The arrangement is not known to the holder.
        public static let unknownArrangement = Code(.unknownArrangement)
        /// A call the holder made to a recipient failed.
        public static let recipientCallFailed = Code(.recipientCallFailed)
        /// A call to a mock holder's administration routes failed: no answer, a refusal, or an answer that could not
        /// be read (see ``MockHolderAdministrationClient``).
        public static let administrationFailed = Code(.administrationFailed)
        /// A port the holder must bind (configured, or saved in its state directory so its URLs stay the same) is
        /// taken by another process.
        public static let portInUse = Code(.portInUse)
        /// The state file in ``MockDataHolder/Configuration/stateDirectory`` cannot be used: it is not a state file
        /// (garbage, truncated), it cannot be read, or other users may read it (it holds the holder's private keys).
        /// The file is left as it is.
        public static let unreadableState = Code(.unreadableState)
        /// The state file was written by a newer build (its version is higher than this build knows), for another
        /// dataset, or with certificates that have expired. The file is left as it is.
        public static let incompatibleState = Code(.incompatibleState)
        /// The holder could not write its state file (disk full, permissions, a path that is not a directory).
        public static let stateNotSaved = Code(.stateNotSaved)
        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A short explanation, never containing secrets.
    public var reason: String?
    /// The error from the layer below (for example the transport's), kept for diagnosis.
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - reason: A short explanation; never include secrets.
    ///   - underlying: The error from the layer below, if any.
    public init(_ code: Code, reason: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.reason = reason
        self.underlying = underlying
    }

    /// `MockHolderError.<code>: <reason> (<underlying>)`.
    public var description: String {
        "MockHolderError.\(code)" + (reason.map { ": \($0)" } ?? "") + (underlying.map { " (\($0))" } ?? "")
    }
}

extension MockHolderError: CDRCategorizedError {
    /// The kind of failure, by ``code`` (see ``/CDRModels/CDRFailureCategory``):
    /// - `callerError`: ``Code/notLoopback``, ``Code/invalidConfiguration``, ``Code/unknownSoftwareProduct``,
    ///   ``Code/portInUse``, ``Code/unreadableState``, ``Code/incompatibleState`` (retrying will not help until
    ///   someone frees the port or moves the state file);
    /// - `serverFailure`: ``Code/stateNotSaved``;
    /// - `consentRequired`: ``Code/unknownArrangement``;
    /// - `outage`: ``Code/stopped``;
    /// - ``Code/recipientCallFailed``, ``Code/administrationFailed``: the ``underlying`` error's category (a
    ///   transport failure is an `outage`), else `refused`.
    public var category: CDRFailureCategory {
        switch code {
        case .notLoopback, .invalidConfiguration, .unknownSoftwareProduct: return .callerError
        case .portInUse, .unreadableState, .incompatibleState: return .callerError
        case .stateNotSaved: return .serverFailure
        case .unknownArrangement: return .consentRequired
        case .stopped: return .outage
        case .recipientCallFailed, .administrationFailed: return .of(underlying, otherwise: .refused)
        default: return .unclassified
        }
    }
}
