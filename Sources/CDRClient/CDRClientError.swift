public import CDRModels

/// A failure of the facade itself; the layers below throw their own errors (`AuthorizationError`,
/// `DataHolderError`, `DDCError`, `AccountDataError`, `TransportError`), which pass through unchanged.
///
/// Every one of them, this one included, is a ``/CDRModels/CDRCategorizedError``: match on
/// ``/CDRModels/CDRFailureCategory`` to handle a failure the same way whichever layer threw it.
public struct CDRClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case holderNotFound, invalidHolder, storeFailed, unknownArrangement
        }
        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code(base: $0) } }
        /// The Register lists no active holder brand with that id.
        public static let holderNotFound = Code(base: .holderNotFound)
        /// The holder brand's Register entry is unusable (a base URI is not an `https` URL).
        public static let invalidHolder = Code(base: .invalidHolder)
        /// The record store failed.
        public static let storeFailed = Code(base: .storeFailed)
        /// The token store has no live arrangement with that id for this holder.
        public static let unknownArrangement = Code(base: .unknownArrangement)
        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in a sentence (ids and URLs only, never a secret).
    public var reason: String

    /// Creates an error.
    public init(_ code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `CDRClientError.holderNotFound: …`.
    public var description: String { "CDRClientError.\(code): \(reason)" }
}

extension CDRClientError: CDRCategorizedError {
    /// The kind of failure, by ``code`` (see ``/CDRModels/CDRFailureCategory``):
    /// - `callerError`: ``Code/holderNotFound`` (the id names no active holder brand);
    /// - `invalidResponse`: ``Code/invalidHolder`` (the Register's entry for the brand is unusable);
    /// - `internalFailure`: ``Code/storeFailed``;
    /// - `consentRequired`: ``Code/unknownArrangement`` (there is no live arrangement to use).
    public var category: CDRFailureCategory {
        switch code {
        case .holderNotFound: return .callerError
        case .invalidHolder: return .invalidResponse
        case .storeFailed: return .internalFailure
        case .unknownArrangement: return .consentRequired
        default: return .unclassified
        }
    }
}
