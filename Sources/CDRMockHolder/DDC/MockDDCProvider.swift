public import CDRMockData
import Crypto
import Foundation
import Synchronization

/// A mock Digital Data Capture provider: a credential-based aggregator that logs in to the bank on the customer's
/// behalf and serves what it captured in its own (non-CDS) JSON shape.
///
/// The holder serves it on its public listener under ``MockDataHolder/Endpoints/ddcBaseURL``, as an ordinary HTTPS
/// API authenticated with an API key (``apiKey``, sent as `Authorization: Bearer …`). It is a separate service from
/// the data holder: the holder's CDR outages (``MockFaults/outage``) do not affect it.
///
/// It captures the same customers' data as the CDR side (the holder's ``MockDataHolder/dataset``): the username is a
/// customer's login (`customer-1`), the password is ``password(for:)``. Accounts carry the provider's own
/// identifiers (``providerAccountID(for:)``), with the BSB, account number, masked number and name disclosed so they
/// can be matched with the CDR accounts.
///
/// Capture jobs move on by one step each time the job is read (`GET /jobs/{id}`), so tests never depend on time. The
/// switches (``mfa``, ``failure`` and the limits) belong to one holder and may be changed at any time.
///
/// The provider never keeps or logs a password or an answer: a connection keeps only whether its credentials were
/// right.
public final class MockDDCProvider: Sendable {
    /// Which second factor the bank asks for when the provider logs in.
    public enum MFARequirement: Sendable, Hashable {
        /// No second factor.
        case none
        /// A one-time code sent to the customer's phone; tests read it with ``lastOneTimeCode(for:)``.
        case oneTimeCode
        /// A security question; the answer is ``securityAnswer(for:)``.
        case securityQuestion
    }

    /// A failure to inject into the next capture steps.
    public enum Failure: Sendable, Hashable {
        /// The bank rejects the credentials at the verify-credentials step, whatever they are.
        case invalidCredentials
        /// The institution is down: it is listed as `down`, new connections are refused with 503, and jobs fail at
        /// the verify-credentials step.
        case institutionUnavailable
        /// The bank asks for a one-time code (unless ``mfa`` asks for a security question) and the challenge
        /// expires at the first read of the job after it was issued.
        case mfaTimeout
        /// The bank reports the customer's online banking as locked at the verify-credentials step.
        case accountLocked
    }

    struct Connection: Sendable {
        var id: String
        var institutionID: String
        /// The customer the username named, or `nil` when it named none.
        var customerID: String?
        /// Whether the password was right; the password itself is not kept.
        var credentialsValid: Bool
        /// Whether a capture job has completed, so the data may be served.
        var isCaptured = false
        var lastOneTimeCode: String?
    }

    struct Challenge: Sendable {
        var id: String
        var kind: MFARequirement
        var prompt: String
        /// The expected answer, compared and then forgotten with the challenge.
        var expected: String
        /// Reads of the job since the challenge was issued.
        var age = 0
    }

    enum StepStatus: String, Sendable {
        case pending, inProgress = "in_progress", awaitingInput = "awaiting_input", completed, failed
    }

    enum JobStatus: String, Sendable {
        case inProgress = "in_progress", awaitingInput = "awaiting_input", succeeded, failed
    }

    static let stepNames = ["verify_credentials", "retrieve_accounts", "retrieve_transactions"]

    struct Job: Sendable {
        var id: String
        var connectionID: String
        var status: JobStatus = .inProgress
        var steps: [StepStatus] = [.pending, .pending, .pending]
        var challenge: Challenge?
        var isMFASatisfied = false
        var wrongAnswers = 0
        var failure: (code: String, message: String)?
    }

    struct State: Sendable {
        var mfa: MFARequirement = .none
        var failure: Failure?
        var challengeLifetime = 5
        var lockoutThreshold = 3
        var maximumAnswerAttempts = 3
        var connections: [String: Connection] = [:]
        var jobs: [String: Job] = [:]
        var failedLogins: [String: Int] = [:]
        var lockedCustomers: Set<String> = []
    }

    /// The API key callers must present as `Authorization: Bearer <key>`; random for each holder.
    public let apiKey: String
    /// The institution that stands for the mock holder's brand.
    public let institutionID = "au-mock-bank"
    /// A second institution that is always down.
    public let unavailableInstitutionID = "au-offline-credit-union"
    /// The name of ``institutionID``: the holder brand's name.
    public let institutionName: String

    let dataset: MockDataset
    private let state = Mutex(State())

    init(dataset: MockDataset, institutionName: String) {
        self.dataset = dataset
        self.institutionName = institutionName
        self.apiKey = "ddc_test_" + Self.randomHex(bytes: 16)
    }

    // MARK: Switches

    /// The second factor the bank asks for; ``MFARequirement/none`` by default.
    public var mfa: MFARequirement {
        get { state.withLock { $0.mfa } }
        set { state.withLock { $0.mfa = newValue } }
    }

    /// The failure injected into capture; `nil` (the default) for none.
    public var failure: Failure? {
        get { state.withLock { $0.failure } }
        set { state.withLock { $0.failure = newValue } }
    }

    /// How many reads of a job an unanswered challenge survives before the job fails with `mfa_timeout`; 5 by
    /// default.
    public var challengeLifetime: Int {
        get { state.withLock { $0.challengeLifetime } }
        set { state.withLock { $0.challengeLifetime = max(newValue, 0) } }
    }

    /// How many capture attempts with a wrong password lock a customer out; 3 by default.
    public var lockoutThreshold: Int {
        get { state.withLock { $0.lockoutThreshold } }
        set { state.withLock { $0.lockoutThreshold = max(newValue, 1) } }
    }

    /// How many wrong answers to one job's challenges lock the customer out; 3 by default.
    public var maximumAnswerAttempts: Int {
        get { state.withLock { $0.maximumAnswerAttempts } }
        set { state.withLock { $0.maximumAnswerAttempts = max(newValue, 1) } }
    }

    /// Clears the switches and the lock-outs; connections and jobs stay.
    public func reset() {
        state.withLock { state in
            state.mfa = .none
            state.failure = nil
            state.challengeLifetime = 5
            state.lockoutThreshold = 3
            state.maximumAnswerAttempts = 3
            state.failedLogins = [:]
            state.lockedCustomers = []
        }
    }

    // MARK: What the customer knows

    /// The online-banking password of a customer (deterministic for the dataset's seed).
    /// - Parameter customerID: A customer's login, for example `customer-1`.
    /// - Returns: The password the provider accepts for that login.
    public func password(for customerID: String) -> String {
        "pw-" + Self.hex(digest: "ddc-password|\(dataset.configuration.seed)|\(customerID)", characters: 12)
    }

    /// The security question the bank asks.
    public static let securityQuestion = "What was the name of your first pet?"

    /// The answer a customer gave to ``securityQuestion`` (deterministic for the dataset's seed).
    /// - Parameter customerID: A customer's login.
    /// - Returns: The answer; compared without regard to case or surrounding spaces.
    public func securityAnswer(for customerID: String) -> String {
        let names = ["Biscuit", "Pepper", "Wombat", "Skippy", "Mango", "Ziggy", "Noodle", "Bluey"]
        let digest = SHA256.hash(data: Data("ddc-answer|\(dataset.configuration.seed)|\(customerID)".utf8))
        return names[Int(Array(digest)[0]) % names.count]
    }

    /// The one-time code most recently sent to the phone of the customer behind a connection.
    /// - Parameter connectionID: The connection.
    /// - Returns: The code, or `nil` when none was sent.
    public func lastOneTimeCode(for connectionID: String) -> String? {
        state.withLock { $0.connections[connectionID]?.lastOneTimeCode }
    }

    /// Whether a customer is locked out after wrong passwords or answers.
    /// - Parameter customerID: A customer's login.
    /// - Returns: `true` when locked.
    public func isLocked(_ customerID: String) -> Bool {
        state.withLock { $0.lockedCustomers.contains(customerID) }
    }

    /// The identifiers of the connections that exist.
    public var connectionIDs: Set<String> { state.withLock { Set($0.connections.keys) } }

    /// The provider's identifier for an account: not the CDS `accountId`, stable for the dataset.
    /// - Parameter account: An account of the dataset.
    /// - Returns: An identifier such as `acct_1f0c…`.
    public func providerAccountID(for account: MockAccount) -> String {
        "acct_" + Self.hex(digest: "ddc-account|\(account.id)", characters: 20)
    }

    // MARK: Operations (used by the routes)

    enum ProviderFailure: Error {
        case unknownInstitution, institutionUnavailable, unknownConnection, unknownJob, connectionNotReady
        case noPendingChallenge, incorrectAnswer(remaining: Int), accountLocked, jobInProgress
    }

    /// Creates a connection after checking the credentials; only the outcome of the check is kept.
    func createConnection(institutionID: String, username: String, password: String) throws(ProviderFailure)
        -> String
    {
        guard institutionID == self.institutionID || institutionID == unavailableInstitutionID else {
            throw .unknownInstitution
        }
        let customer = dataset.customer(id: username)
        let valid = customer.map { self.password(for: $0.id) == password } ?? false
        return try state.withLock { state throws(ProviderFailure) in
            if institutionID == unavailableInstitutionID || state.failure == .institutionUnavailable {
                throw .institutionUnavailable
            }
            let id = "conn_" + Self.randomHex(bytes: 10)
            state.connections[id] = Connection(
                id: id, institutionID: institutionID, customerID: customer?.id, credentialsValid: valid)
            return id
        }
    }

    func deleteConnection(_ id: String) throws(ProviderFailure) {
        try state.withLock { state throws(ProviderFailure) in
            guard state.connections.removeValue(forKey: id) != nil else { throw .unknownConnection }
            state.jobs = state.jobs.filter { $0.value.connectionID != id }
        }
    }

    func startJob(connectionID: String) throws(ProviderFailure) -> Job {
        try state.withLock { state throws(ProviderFailure) in
            guard state.connections[connectionID] != nil else { throw .unknownConnection }
            let running = state.jobs.values.contains {
                $0.connectionID == connectionID && ($0.status == .inProgress || $0.status == .awaitingInput)
            }
            guard !running else { throw .jobInProgress }
            var job = Job(id: "job_" + Self.randomHex(bytes: 10), connectionID: connectionID)
            job.steps[0] = .inProgress
            state.jobs[job.id] = job
            return job
        }
    }

    /// Reads a job, moving it on by one transition first.
    func readJob(_ id: String) throws(ProviderFailure) -> Job {
        try state.withLock { state throws(ProviderFailure) in
            guard var job = state.jobs[id] else { throw .unknownJob }
            Self.advance(&job, in: &state, provider: self)
            state.jobs[id] = job
            return job
        }
    }

    /// Checks an answer to the pending challenge; a right answer lets the verify-credentials step go on.
    func answer(jobID: String, challengeID: String, answer: String) throws(ProviderFailure) -> Job {
        try state.withLock { state throws(ProviderFailure) in
            guard var job = state.jobs[jobID] else { throw .unknownJob }
            guard job.status == .awaitingInput, let challenge = job.challenge, challenge.id == challengeID else {
                throw .noPendingChallenge
            }
            let given = answer.trimmingCharacters(in: .whitespacesAndNewlines)
            let isRight =
                challenge.kind == .securityQuestion
                ? given.lowercased() == challenge.expected.lowercased() : given == challenge.expected
            if isRight {
                job.challenge = nil
                job.isMFASatisfied = true
                job.status = .inProgress
                job.steps[0] = .inProgress
                state.jobs[jobID] = job
                return job
            }
            job.wrongAnswers += 1
            let remaining = state.maximumAnswerAttempts - job.wrongAnswers
            if remaining <= 0 {
                let customerID = state.connections[job.connectionID]?.customerID
                if let customerID { state.lockedCustomers.insert(customerID) }
                Self.fail(
                    &job, step: 0, code: "account_locked", message: "too many incorrect answers; access is locked")
                state.jobs[jobID] = job
                throw .accountLocked
            }
            state.jobs[jobID] = job
            throw .incorrectAnswer(remaining: remaining)
        }
    }

    /// The customer behind a connection whose data has been captured.
    func capturedCustomer(connectionID: String) throws(ProviderFailure) -> MockCustomer {
        let connection = state.withLock { $0.connections[connectionID] }
        guard let connection else { throw .unknownConnection }
        guard connection.isCaptured, let id = connection.customerID, let customer = dataset.customer(id: id) else {
            throw .connectionNotReady
        }
        return customer
    }

    // MARK: The job's state machine

    private static func advance(_ job: inout Job, in state: inout State, provider: MockDDCProvider) {
        switch job.status {
        case .succeeded, .failed:
            return
        case .awaitingInput:
            guard var challenge = job.challenge else { return }
            challenge.age += 1
            job.challenge = challenge
            let lifetime = state.failure == .mfaTimeout ? 0 : state.challengeLifetime
            if challenge.age > lifetime {
                fail(&job, step: 0, code: "mfa_timeout", message: "the challenge was not answered in time")
            }
            return
        case .inProgress:
            break
        }
        guard let step = job.steps.firstIndex(where: { $0 != .completed }) else { return }
        if job.steps[step] == .pending {
            job.steps[step] = .inProgress
            return
        }
        guard let connection = state.connections[job.connectionID] else {
            fail(&job, step: step, code: "unknown_connection", message: "the connection was deleted")
            return
        }
        if step == 0 {
            verify(&job, connection: connection, in: &state, provider: provider)
            return
        }
        job.steps[step] = .completed
        if step + 1 < job.steps.count {
            job.steps[step + 1] = .inProgress
        } else {
            job.status = .succeeded
            state.connections[job.connectionID]?.isCaptured = true
        }
    }

    private static func verify(
        _ job: inout Job, connection: Connection, in state: inout State, provider: MockDDCProvider
    ) {
        if connection.institutionID != provider.institutionID || state.failure == .institutionUnavailable {
            fail(&job, step: 0, code: "institution_unavailable", message: "the institution is not responding")
            return
        }
        let customerID = connection.customerID ?? ""
        if state.failure == .accountLocked || state.lockedCustomers.contains(customerID) {
            fail(&job, step: 0, code: "account_locked", message: "online banking access is locked")
            return
        }
        if !connection.credentialsValid || state.failure == .invalidCredentials {
            if !connection.credentialsValid, !customerID.isEmpty {
                state.failedLogins[customerID, default: 0] += 1
                if state.failedLogins[customerID, default: 0] >= state.lockoutThreshold {
                    state.lockedCustomers.insert(customerID)
                    fail(&job, step: 0, code: "account_locked", message: "too many failed logins; access is locked")
                    return
                }
            }
            fail(&job, step: 0, code: "invalid_credentials", message: "the institution rejected the credentials")
            return
        }
        let mfa: MFARequirement =
            state.failure == .mfaTimeout && state.mfa == .none ? .oneTimeCode : state.mfa
        if mfa != .none, !job.isMFASatisfied {
            let challenge: Challenge
            if mfa == .oneTimeCode {
                let code = String(format: "%06d", Int.random(in: 0...999_999))
                state.connections[job.connectionID]?.lastOneTimeCode = code
                challenge = Challenge(
                    id: "chl_" + randomHex(bytes: 8), kind: .oneTimeCode,
                    prompt: "Enter the code sent to your phone ending in 42", expected: code)
            } else {
                challenge = Challenge(
                    id: "chl_" + randomHex(bytes: 8), kind: .securityQuestion, prompt: securityQuestion,
                    expected: provider.securityAnswer(for: customerID))
            }
            job.challenge = challenge
            job.steps[0] = .awaitingInput
            job.status = .awaitingInput
            return
        }
        state.failedLogins[customerID] = nil
        job.steps[0] = .completed
        job.steps[1] = .inProgress
    }

    private static func fail(_ job: inout Job, step: Int, code: String, message: String) {
        job.challenge = nil
        job.steps[step] = .failed
        job.status = .failed
        job.failure = (code, message)
    }

    // MARK: Helpers

    static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    static func hex(digest text: String, characters: Int) -> String {
        String(SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined().prefix(characters))
    }
}
