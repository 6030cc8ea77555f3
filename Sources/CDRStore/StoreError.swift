public import CDRModels

/// A failure of the store: its backend, its keys or what it read back.
///
/// The ``reason`` names scopes, kinds and file paths, never a key, a token or kept data.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case wrongKey, keyUnavailable, insecureKeyFile, tampered, keyDestroyed, newerSchema, corruptDatabase
            case storageFull, ioFailure, conflict, capacityReached, invalidData, closed, backendFailure
            case unavailable, connectionRejected
        }
        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code(base: $0) } }
        /// The key-encryption key does not open this store's data keys (it is another key than the one the store was
        /// created with). Nothing was written.
        public static let wrongKey = Code(base: .wrongKey)
        /// The key-encryption key could not be had: its file or variable is missing, unreadable or malformed, or the
        /// provider (a KMS) failed.
        public static let keyUnavailable = Code(base: .keyUnavailable)
        /// The key file can be read by its group or by others; it is refused until its mode is 0600.
        public static let insecureKeyFile = Code(base: .insecureKeyFile)
        /// A ciphertext failed authentication: it was altered, truncated, or moved from another scope or row.
        public static let tampered = Code(base: .tampered)
        /// The scope's data key was destroyed: its data is gone for good (the arrangement or connection ended).
        public static let keyDestroyed = Code(base: .keyDestroyed)
        /// The database was written by a newer CDRKit (a higher schema version); it is refused, never downgraded.
        public static let newerSchema = Code(base: .newerSchema)
        /// The database file is not a database, or is malformed.
        public static let corruptDatabase = Code(base: .corruptDatabase)
        /// The disk or the database is full; the change was rolled back.
        public static let storageFull = Code(base: .storageFull)
        /// The operating system refused a read or a write; the change was rolled back.
        public static let ioFailure = Code(base: .ioFailure)
        /// The change conflicts with what is stored (for example a `jti` already recorded); nothing was changed.
        public static let conflict = Code(base: .conflict)
        /// A bounded collection (pending authorisations, one issuer's replay entries) is full.
        public static let capacityReached = Code(base: .capacityReached)
        /// A value could not be encoded, or what was decrypted could not be decoded.
        public static let invalidData = Code(base: .invalidData)
        /// The store was closed.
        public static let closed = Code(base: .closed)
        /// The database server cannot be reached, or is refusing connections for now (down, restarting, out of
        /// connections, or not answering within the timeout); nothing of the call was kept, and it can be retried.
        public static let unavailable = Code(base: .unavailable)
        /// The database server refused the connection's credentials, or its TLS check failed either way (no TLS
        /// where it was required, a certificate that is not trusted or not for the host): the configuration needs
        /// fixing. A malformed connection URL fails with this code too.
        public static let connectionRejected = Code(base: .connectionRejected)
        /// The backend failed in another way (its message is in the reason).
        public static let backendFailure = Code(base: .backendFailure)
        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in a sentence (scopes, kinds and paths only, never a secret).
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - reason: What happened, without secrets.
    public init(_ code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `StoreError.tampered: …`.
    public var description: String { "StoreError.\(code): \(reason)" }
}

extension StoreError: CDRCategorizedError {
    /// The kind of failure, by ``code`` (see ``/CDRModels/CDRFailureCategory``):
    /// - `callerError`: a wrong, missing or exposed key-encryption key, a schema from a newer version, a database
    ///   connection refused for its credentials or its TLS;
    /// - `securityCheckFailed`: a tampered ciphertext;
    /// - `refused`: a conflict (a replayed `jti`) or a full bounded collection;
    /// - `consentRequired`: the scope's key was destroyed;
    /// - `serverFailure`: a full disk, an I/O error, a corrupt database, a database that cannot be reached, a closed
    ///   store, a backend failure;
    /// - `internalFailure`: data that cannot be encoded or decoded.
    public var category: CDRFailureCategory {
        switch code {
        case .wrongKey, .keyUnavailable, .insecureKeyFile, .newerSchema, .connectionRejected: return .callerError
        case .tampered: return .securityCheckFailed
        case .conflict, .capacityReached: return .refused
        case .keyDestroyed: return .consentRequired
        case .storageFull, .ioFailure, .corruptDatabase, .closed, .backendFailure, .unavailable: return .serverFailure
        case .invalidData: return .internalFailure
        default: return .unclassified
        }
    }
}

extension StoreError {
    /// The error of ``StoreChange/requireDataKey(scope:)`` when the scope has no data key: it ended while the change
    /// was being made, and nothing of the change was kept. Backends throw it so that every backend says the same.
    /// - Parameter scope: The scope.
    /// - Returns: A `.keyDestroyed` error naming the scope.
    public static func noDataKey(_ scope: String) -> StoreError {
        StoreError(.keyDestroyed, reason: "\(scope) has no data key (it has ended); nothing of the change was kept")
    }
}
