/// An error from setting up or running the mock data holder.
public struct MockHolderError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notLoopback, stopped, invalidConfiguration, unknownSoftwareProduct, unknownArrangement
            case recipientCallFailed
        }
        private let base: Base
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
        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// A short explanation, never containing secrets.
    public var reason: String?

    /// Creates an error.
    public init(_ code: Code, reason: String? = nil) {
        self.code = code
        self.reason = reason
    }

    /// `MockHolderError.<code>: <reason>`.
    public var description: String { "MockHolderError.\(code)" + (reason.map { ": \($0)" } ?? "") }
}
