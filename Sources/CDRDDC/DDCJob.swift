/// A step of a capture job. Unknown values are kept.
public struct DDCJobStep: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The provider's name of the step.
    public let rawValue: String
    /// Wraps a step name.
    /// - Parameter rawValue: The provider's name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Logging in to the institution with the credentials (and any second factor).
    public static let verifyCredentials = DDCJobStep(rawValue: "verify_credentials")
    /// Reading the accounts.
    public static let retrieveAccounts = DDCJobStep(rawValue: "retrieve_accounts")
    /// Reading the transactions.
    public static let retrieveTransactions = DDCJobStep(rawValue: "retrieve_transactions")
    /// The name.
    public var description: String { rawValue }
}

/// A question the institution asks during a capture job: answer it with
/// ``DDCClient/answer(_:with:logger:)``.
public struct DDCChallenge: Hashable, Sendable {
    /// The kind of challenge. Unknown values are kept.
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The provider's value.
        public let rawValue: String
        /// Wraps a value.
        /// - Parameter rawValue: The provider's value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A one-time code sent to the customer (SMS, app).
        public static let oneTimeCode = Kind(rawValue: "one_time_code")
        /// A security question.
        public static let securityQuestion = Kind(rawValue: "security_question")
        /// The value.
        public var description: String { rawValue }
    }

    /// The provider's identifier of the challenge.
    public var id: String
    /// The job that is waiting for the answer.
    public var jobID: DDCJobID
    /// The kind of challenge.
    public var kind: Kind
    /// The text to show the customer ("Enter the code sent to …", the question).
    public var prompt: String

    /// Creates a challenge.
    /// - Parameters:
    ///   - id: The provider's identifier.
    ///   - jobID: The job.
    ///   - kind: The kind.
    ///   - prompt: The text to show.
    public init(id: String, jobID: DDCJobID, kind: Kind, prompt: String) {
        self.id = id
        self.jobID = jobID
        self.kind = kind
        self.prompt = prompt
    }
}

/// The state of a capture job as one read of it reports.
public struct DDCJobStatus: Sendable {
    /// The job's overall state. Unknown values are kept.
    public struct State: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The provider's value.
        public let rawValue: String
        /// Wraps a value.
        /// - Parameter rawValue: The provider's value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Working.
        public static let inProgress = State(rawValue: "in_progress")
        /// Waiting for the answer to ``DDCJobStatus/challenge``.
        public static let awaitingInput = State(rawValue: "awaiting_input")
        /// Finished; the data can be read.
        public static let succeeded = State(rawValue: "succeeded")
        /// Finished with ``DDCJobStatus/failure``.
        public static let failed = State(rawValue: "failed")
        /// The value.
        public var description: String { rawValue }
    }

    /// A step's state. Unknown values are kept.
    public struct StepState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The provider's value.
        public let rawValue: String
        /// Wraps a value.
        /// - Parameter rawValue: The provider's value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Not started.
        public static let pending = StepState(rawValue: "pending")
        /// Running.
        public static let inProgress = StepState(rawValue: "in_progress")
        /// Waiting for a challenge's answer.
        public static let awaitingInput = StepState(rawValue: "awaiting_input")
        /// Done.
        public static let completed = StepState(rawValue: "completed")
        /// Failed.
        public static let failed = StepState(rawValue: "failed")
        /// The value.
        public var description: String { rawValue }
    }

    /// The job.
    public var jobID: DDCJobID
    /// The connection it runs on.
    public var connectionID: DDCConnectionID
    /// The overall state.
    public var state: State
    /// The steps in order, with their states.
    public var steps: [(step: DDCJobStep, state: StepState)]
    /// The challenge waiting for an answer, if any.
    public var challenge: DDCChallenge?
    /// Why the job failed, when ``state`` is ``State/failed``.
    public var failure: DDCError?

    /// Whether the job has finished, successfully or not.
    public var isFinished: Bool { state == .succeeded || state == .failed }
}

/// Something that happened in a capture job, as ``DDCClient/events(of:logger:)`` reports it.
///
/// Look at ``kind``; the matching property (``step``, ``challenge`` or ``error``) is set:
///
/// ```swift
/// for try await event in client.events(of: job) {
///     if let challenge = event.challenge {
///         try await client.answer(challenge, with: .oneTimeCode(await askCustomer(challenge.prompt)))
///     }
/// }
/// ```
public struct DDCJobEvent: Sendable, CustomStringConvertible {
    /// What happened. Unknown values may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case stepStarted, stepCompleted, challenge, completed, failed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A step started; ``DDCJobEvent/step`` names it.
        public static let stepStarted = Kind(.stepStarted)
        /// A step finished; ``DDCJobEvent/step`` names it.
        public static let stepCompleted = Kind(.stepCompleted)
        /// The institution asks a question; ``DDCJobEvent/challenge`` holds it. The sequence goes on polling when
        /// the next event is asked for, so answer before asking.
        public static let challenge = Kind(.challenge)
        /// The job succeeded; the sequence ends.
        public static let completed = Kind(.completed)
        /// The job failed; ``DDCJobEvent/error`` says why and the sequence ends.
        public static let failed = Kind(.failed)

        /// The name, for example `stepStarted`.
        public var description: String { base.rawValue }
    }

    /// What happened.
    public var kind: Kind
    /// The job.
    public var jobID: DDCJobID
    /// The step, for ``Kind/stepStarted`` and ``Kind/stepCompleted``.
    public var step: DDCJobStep?
    /// The challenge, for ``Kind/challenge``.
    public var challenge: DDCChallenge?
    /// The failure, for ``Kind/failed``.
    public var error: DDCError?

    /// Creates an event.
    /// - Parameters:
    ///   - kind: What happened.
    ///   - jobID: The job.
    ///   - step: The step.
    ///   - challenge: The challenge.
    ///   - error: The failure.
    public init(
        kind: Kind, jobID: DDCJobID, step: DDCJobStep? = nil, challenge: DDCChallenge? = nil, error: DDCError? = nil
    ) {
        self.kind = kind
        self.jobID = jobID
        self.step = step
        self.challenge = challenge
        self.error = error
    }

    /// The kind and its detail: the step, the challenge's kind, or the error code.
    public var description: String {
        var text = "\(kind)"
        if let step { text += " \(step)" }
        if let challenge { text += " \(challenge.kind)" }
        if let error { text += " \(error.code)" }
        return text
    }
}
