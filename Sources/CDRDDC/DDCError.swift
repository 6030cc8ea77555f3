public import CDRModels

/// A failure of a Digital Data Capture call or capture job.
///
/// Match on ``code``:
///
/// ```swift
/// catch let error as DDCError where error.code == .invalidCredentials { … }
/// ```
///
/// ``description`` names the code, the operation, the provider's error code and HTTP status, and a short reason of
/// CDRKit's own. It never contains a credential, a one-time code, an answer, the API key or a response body.
public struct DDCError: Error, Sendable, CustomStringConvertible {
    /// The failure category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case invalidCredentials
            case institutionUnavailable
            case mfaTimeout
            case accountLocked
            case challengeRejected
            case challengeNotPending
            case unknownInstitution
            case unknownConnection
            case unknownJob
            case unknownAccount
            case connectionNotReady
            case jobAlreadyRunning
            case jobFailed
            case jobPollingLimitReached
            case credentialsAlreadyUsed
            case invalidArgument
            case unauthorized
            case invalidResponse
            case paginationLoop
            case paginationLimitReached
            case providerError
        }

        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code($0) } }
        private init(_ base: Base) { self.base = base }

        /// The institution rejected the username or password.
        public static let invalidCredentials = Code(.invalidCredentials)
        /// The institution is down or not responding; try again later or use another source.
        public static let institutionUnavailable = Code(.institutionUnavailable)
        /// A challenge (one-time code, security question) was not answered in time.
        public static let mfaTimeout = Code(.mfaTimeout)
        /// The customer's online banking is locked (too many failed logins or answers, or locked by the bank).
        public static let accountLocked = Code(.accountLocked)
        /// The answer to a challenge was wrong; ``DDCError/attemptsRemaining`` says how many tries are left.
        public static let challengeRejected = Code(.challengeRejected)
        /// The job is no longer waiting for this challenge (answered, expired, or the job ended).
        public static let challengeNotPending = Code(.challengeNotPending)
        /// The provider does not know the institution.
        public static let unknownInstitution = Code(.unknownInstitution)
        /// The connection does not exist (never did, or was deleted).
        public static let unknownConnection = Code(.unknownConnection)
        /// The job does not exist.
        public static let unknownJob = Code(.unknownJob)
        /// The account is not one of the connection's.
        public static let unknownAccount = Code(.unknownAccount)
        /// No capture job has completed on the connection yet, so there is no data to read.
        public static let connectionNotReady = Code(.connectionNotReady)
        /// A capture job is already running on the connection.
        public static let jobAlreadyRunning = Code(.jobAlreadyRunning)
        /// The capture job failed for a reason without a code of its own (``DDCError/providerCode`` names it).
        public static let jobFailed = Code(.jobFailed)
        /// The job was polled ``DDCProviderConfiguration/maximumPolls`` times without finishing.
        public static let jobPollingLimitReached = Code(.jobPollingLimitReached)
        /// The ``DDCCredentials`` value was already handed to the provider once.
        public static let credentialsAlreadyUsed = Code(.credentialsAlreadyUsed)
        /// An argument cannot be sent (an empty identifier, an answer of the wrong kind).
        public static let invalidArgument = Code(.invalidArgument)
        /// The provider rejected the API key.
        public static let unauthorized = Code(.unauthorized)
        /// The provider's answer could not be read.
        public static let invalidResponse = Code(.invalidResponse)
        /// The provider returned a cursor it had already returned.
        public static let paginationLoop = Code(.paginationLoop)
        /// More pages than ``DDCProviderConfiguration/maximumPages`` were walked.
        public static let paginationLimitReached = Code(.paginationLimitReached)
        /// Any other error status from the provider.
        public static let providerError = Code(.providerError)

        /// The code's name, for example `invalidCredentials`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The operation, for example `createConnection`.
    public var operation: String?
    /// The provider's own error or failure code, for example `invalid_credentials`.
    public var providerCode: String?
    /// The HTTP status of the provider's answer, when the failure came from one.
    public var httpStatus: Int?
    /// For ``Code/challengeRejected``: how many more answers the provider accepts.
    public var attemptsRemaining: Int?
    /// A short explanation of CDRKit's own; never a secret or provider text.
    public var reason: String?
    /// The error from the layer below (for example a ``/CDRTransport/TransportError`` or a decoding error).
    public var underlying: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The failure category.
    ///   - operation: The operation it happened in.
    ///   - providerCode: The provider's code.
    ///   - httpStatus: The provider's HTTP status.
    ///   - attemptsRemaining: Tries left after a rejected answer.
    ///   - reason: A short explanation; never include secrets.
    ///   - underlying: The error from the layer below.
    public init(
        _ code: Code, operation: String? = nil, providerCode: String? = nil, httpStatus: Int? = nil,
        attemptsRemaining: Int? = nil, reason: String? = nil, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.operation = operation
        self.providerCode = providerCode
        self.httpStatus = httpStatus
        self.attemptsRemaining = attemptsRemaining
        self.reason = reason
        self.underlying = underlying
    }

    /// `DDCError.<code>`, the operation, the provider's code and status, tries left, the reason and the underlying
    /// error.
    public var description: String {
        var text = "DDCError.\(code)"
        if let operation { text += " [\(operation)]" }
        var details: [String] = []
        if let providerCode { details.append("provider code \(providerCode)") }
        if let httpStatus { details.append("HTTP \(httpStatus)") }
        if let attemptsRemaining { details.append("\(attemptsRemaining) attempts remaining") }
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        if let reason { text += ": \(reason)" }
        if let underlying { text += " (\(String(describing: underlying)))" }
        return text
    }
}

extension DDCError: CDRCategorizedError {
    /// The kind of failure, by ``code`` (see ``/CDRModels/CDRFailureCategory``):
    /// - `outage`: ``Code/institutionUnavailable``, ``Code/jobPollingLimitReached`` (the job did not finish in time);
    /// - `customerActionRequired`: ``Code/invalidCredentials``, ``Code/accountLocked``, ``Code/mfaTimeout``,
    ///   ``Code/challengeRejected``;
    /// - `consentRequired`: ``Code/unknownConnection`` (there is no connection for the customer);
    /// - `accountNotShared`: ``Code/unknownAccount``;
    /// - `refused`: ``Code/unauthorized`` (the provider does not accept the API key);
    /// - `invalidResponse`: ``Code/invalidResponse``, ``Code/paginationLoop``, ``Code/paginationLimitReached``;
    /// - `callerError`: ``Code/challengeNotPending``, ``Code/unknownInstitution``, ``Code/unknownJob``,
    ///   ``Code/connectionNotReady``, ``Code/jobAlreadyRunning``, ``Code/credentialsAlreadyUsed``,
    ///   ``Code/invalidArgument``;
    /// - ``Code/jobFailed``: the ``underlying`` error's category, else `serverFailure`;
    /// - ``Code/providerError``: by ``httpStatus`` (429 `rateLimited`, 503 and 504 `outage`, another 5xx
    ///   `serverFailure`, another 4xx `refused`), else `serverFailure`.
    public var category: CDRFailureCategory {
        switch code {
        case .institutionUnavailable, .jobPollingLimitReached: return .outage
        case .invalidCredentials, .accountLocked, .mfaTimeout, .challengeRejected: return .customerActionRequired
        case .unknownConnection: return .consentRequired
        case .unknownAccount: return .accountNotShared
        case .unauthorized: return .refused
        case .invalidResponse, .paginationLoop, .paginationLimitReached: return .invalidResponse
        case .challengeNotPending, .unknownInstitution, .unknownJob, .connectionNotReady, .jobAlreadyRunning,
            .credentialsAlreadyUsed, .invalidArgument:
            return .callerError
        case .jobFailed: return .of(underlying, otherwise: .serverFailure)
        case .providerError: return .forHTTPStatus(httpStatus) ?? .serverFailure
        default: return .unclassified
        }
    }
}
