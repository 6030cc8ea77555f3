public import CDRModels
public import CDRTransport
public import Foundation
import HTTPTypes
public import Logging

/// A client for a credential-based capture (DDC) provider: connections, capture jobs with their challenges, and the
/// captured accounts and transactions.
///
/// Credentials go straight to the provider in one call and are forgotten; the caller gets back only a
/// ``DDCConnectionID``. Every call is an ordinary HTTPS call (``/CDRTransport/EndpointSecurity/publicTLS``) through the
/// transport, with the API key as a bearer token, which ``/CDRTransport/LoggingMiddleware`` redacts. Request bodies
/// (credentials, answers) are never logged, by this client or by the transport's middleware.
///
/// ```swift
/// let client = DDCClient(configuration: configuration, transport: transport)
/// let connection = try await client.createConnection(
///     institutionID: bank.id, credentials: DDCCredentials(username: username, password: password))
/// try await client.runJob(connection: connection) { challenge in
///     .oneTimeCode(try await askTheCustomer(challenge.prompt))
/// }
/// for account in try await client.accounts(connection: connection) {
///     for try await transaction in client.transactions(connection: connection, accountID: account.id) { … }
/// }
/// ```
public struct DDCClient: Sendable {
    /// The provider and the client's limits.
    public let configuration: DDCProviderConfiguration
    /// The transport every call goes through.
    public let transport: any HTTPTransport
    /// The logger used when a call is given none.
    public let logger: Logger

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: The provider and limits.
    ///   - transport: The transport; wrap it in the standard chain
    ///     (``/CDRTransport/MiddlewareTransport/standard(_:logger:retry:accessTokens:trafficBudget:clockCorrection:)``)
    ///     for interaction ids, retries of idempotent calls and logging.
    ///   - logger: Where the client logs ids and outcomes (never secrets or customer data); silent by default.
    public init(
        configuration: DDCProviderConfiguration, transport: any HTTPTransport,
        logger: Logger = .cdrDisabled
    ) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    // MARK: Institutions and connections

    /// The institutions the provider can capture from.
    /// - Parameter logger: Overrides the client's logger for this call.
    /// - Returns: The institutions; malformed entries are left out (and logged).
    /// - Throws: ``DDCError``, or ``/CDRTransport/TransportError`` when no answer arrived.
    public func institutions(logger: Logger? = nil) async throws -> [DDCInstitution] {
        let logger = logger ?? self.logger
        let response = try await send(.get, ["institutions"], operation: "institutions", logger: logger)
        let list = try decode(Wire.InstitutionList.self, from: response, operation: "institutions")
        return list.institutions.enumerated().compactMap { index, entry in
            guard let value = entry.value, !value.id.isEmpty else {
                logger.info("DDC skipped a malformed institution", metadata: metadata(["cdr.ddc_index": "\(index)"]))
                return nil
            }
            return DDCInstitution(
                id: value.id, name: value.name ?? value.id, status: .init(rawValue: value.status ?? "operational"))
        }
    }

    /// Creates a connection to an institution with the customer's credentials.
    ///
    /// The credentials are taken out of `credentials` (which then holds nothing), sent to the provider in the body of
    /// one request, and not kept. Whether they are right is found out by the capture job's verify-credentials step.
    /// - Parameters:
    ///   - institutionID: The institution (``DDCInstitution/id``).
    ///   - credentials: The customer's username and password; single use.
    ///   - logger: Overrides the client's logger for this call.
    /// - Returns: The connection's identifier.
    /// - Throws: ``DDCError`` (``DDCError/Code/credentialsAlreadyUsed``, ``DDCError/Code/unknownInstitution``,
    ///   ``DDCError/Code/institutionUnavailable`` …), or ``/CDRTransport/TransportError``.
    public func createConnection(
        institutionID: String, credentials: DDCCredentials, logger: Logger? = nil
    ) async throws -> DDCConnectionID {
        let logger = logger ?? self.logger
        guard !institutionID.isEmpty else {
            throw DDCError(.invalidArgument, operation: "createConnection", reason: "the institution id is empty")
        }
        guard let secret = credentials.take() else {
            throw DDCError(
                .credentialsAlreadyUsed, operation: "createConnection",
                reason: "the credentials were already handed to the provider")
        }
        let body: Data
        do {
            body = try JSONSerialization.data(
                withJSONObject: [
                    "institution_id": institutionID,
                    "credentials": ["username": secret.username, "password": secret.password],
                ], options: [.sortedKeys])
        } catch {
            // The serialisation error is not kept: it could describe the credentials.
            throw DDCError(.invalidArgument, operation: "createConnection", reason: "the credentials cannot be encoded")
        }
        let response = try await send(
            .post, ["connections"], body: body, operation: "createConnection", logger: logger)
        let created = try decode(Wire.ConnectionCreated.self, from: response, operation: "createConnection")
        guard Self.isSafeIdentifier(created.connectionId) else {
            throw DDCError(
                .invalidResponse, operation: "createConnection", reason: "the provider's connection id is not usable")
        }
        let id = DDCConnectionID(rawValue: created.connectionId)
        logger.debug("DDC connection created", metadata: metadata(["cdr.ddc_connection_id": "\(id)"]))
        return id
    }

    /// Ends a connection: the provider deletes what it captured and forgets the connection.
    /// - Parameters:
    ///   - connection: The connection.
    ///   - logger: Overrides the client's logger for this call.
    /// - Throws: ``DDCError`` (``DDCError/Code/unknownConnection`` when it does not exist), or
    ///   ``/CDRTransport/TransportError``.
    public func deleteConnection(_ connection: DDCConnectionID, logger: Logger? = nil) async throws {
        let logger = logger ?? self.logger
        let response = try await send(
            .delete, ["connections", connection.rawValue], operation: "deleteConnection", logger: logger)
        try expectSuccess(response, operation: "deleteConnection")
        logger.debug("DDC connection deleted", metadata: metadata(["cdr.ddc_connection_id": "\(connection)"]))
    }

    // MARK: Capture jobs

    /// Starts a capture job on a connection: verify the credentials, retrieve the accounts, retrieve the
    /// transactions.
    /// - Parameters:
    ///   - connection: The connection.
    ///   - logger: Overrides the client's logger for this call.
    /// - Returns: The job's identifier; follow it with ``events(of:logger:)``.
    /// - Throws: ``DDCError`` (``DDCError/Code/unknownConnection``, ``DDCError/Code/jobAlreadyRunning`` …), or
    ///   ``/CDRTransport/TransportError``.
    public func startJob(connection: DDCConnectionID, logger: Logger? = nil) async throws -> DDCJobID {
        let logger = logger ?? self.logger
        let response = try await send(
            .post, ["connections", connection.rawValue, "jobs"], body: Data("{}".utf8), operation: "startJob",
            logger: logger)
        let job = try decode(Wire.Job.self, from: response, operation: "startJob")
        guard Self.isSafeIdentifier(job.jobId) else {
            throw DDCError(.invalidResponse, operation: "startJob", reason: "the provider's job id is not usable")
        }
        let id = DDCJobID(rawValue: job.jobId)
        logger.debug(
            "DDC job started",
            metadata: metadata(["cdr.ddc_connection_id": "\(connection)", "cdr.ddc_job_id": "\(id)"]))
        return id
    }

    /// Reads a job's state once.
    /// - Parameters:
    ///   - job: The job.
    ///   - logger: Overrides the client's logger for this call.
    /// - Returns: The state, with the pending challenge and the failure, if any.
    /// - Throws: ``DDCError`` (``DDCError/Code/unknownJob`` …), or ``/CDRTransport/TransportError``.
    public func jobStatus(_ job: DDCJobID, logger: Logger? = nil) async throws -> DDCJobStatus {
        let logger = logger ?? self.logger
        let response = try await send(.get, ["jobs", job.rawValue], operation: "jobStatus", logger: logger)
        let wire = try decode(Wire.Job.self, from: response, operation: "jobStatus")
        guard wire.jobId == job.rawValue else {
            throw DDCError(.invalidResponse, operation: "jobStatus", reason: "the provider answered for another job")
        }
        var challenge: DDCChallenge?
        if let pending = wire.challenge {
            guard Self.isSafeIdentifier(pending.challengeId) else {
                throw DDCError(.invalidResponse, operation: "jobStatus", reason: "the challenge id is not usable")
            }
            challenge = DDCChallenge(
                id: pending.challengeId, jobID: job, kind: .init(rawValue: pending.type), prompt: pending.prompt ?? "")
        }
        let state = DDCJobStatus.State(rawValue: wire.status)
        var failure: DDCError?
        if state == .failed {
            let code = wire.failure?.code.flatMap(Self.sanitised)
            failure = DDCError(
                code.map(Self.errorCode(forProviderCode:)) ?? .jobFailed, operation: "captureJob", providerCode: code,
                reason: "the capture job failed")
        }
        return DDCJobStatus(
            jobID: job, connectionID: DDCConnectionID(rawValue: wire.connectionId ?? ""), state: state,
            steps: (wire.steps ?? []).map {
                (DDCJobStep(rawValue: $0.name), DDCJobStatus.StepState(rawValue: $0.status))
            },
            challenge: challenge, failure: failure)
    }

    /// The job's events: steps starting and completing, challenges, and finally success or failure.
    ///
    /// The sequence reads the job each time an event is needed (waiting ``DDCProviderConfiguration/pollInterval``
    /// between reads) and ends after a ``DDCJobEvent/Kind/completed`` or ``DDCJobEvent/Kind/failed`` event. When it
    /// reports a ``DDCJobEvent/Kind/challenge``, answer it with ``answer(_:with:logger:)`` before asking for the next
    /// event; a challenge left unanswered ends in ``DDCError/Code/mfaTimeout``. After
    /// ``DDCProviderConfiguration/maximumPolls`` reads it reports ``DDCError/Code/jobPollingLimitReached``.
    /// - Parameters:
    ///   - job: The job.
    ///   - logger: Overrides the client's logger while the sequence runs.
    /// - Returns: The events; iterating throws ``DDCError`` or ``/CDRTransport/TransportError`` when a read fails.
    public func events(of job: DDCJobID, logger: Logger? = nil) -> DDCJobEvents {
        DDCJobEvents(client: self, jobID: job, logger: logger ?? self.logger)
    }

    /// Answers a challenge.
    /// - Parameters:
    ///   - challenge: The challenge, from a ``DDCJobEvent/Kind/challenge`` event or ``DDCJobStatus/challenge``.
    ///   - answer: The code or answer; it is sent to the provider and not kept.
    ///   - logger: Overrides the client's logger for this call.
    /// - Throws: ``DDCError`` with ``DDCError/Code/challengeRejected`` (and ``DDCError/attemptsRemaining``) when the
    ///   answer is wrong, ``DDCError/Code/accountLocked`` when too many were wrong,
    ///   ``DDCError/Code/challengeNotPending`` when the job no longer waits for it, ``DDCError/Code/invalidArgument``
    ///   when the answer is of another kind than the challenge; or ``/CDRTransport/TransportError``.
    public func answer(_ challenge: DDCChallenge, with answer: DDCChallengeAnswer, logger: Logger? = nil) async throws {
        let logger = logger ?? self.logger
        guard answer.kind == challenge.kind else {
            throw DDCError(
                .invalidArgument, operation: "answerChallenge",
                reason: "a \(answer.kind) answer cannot answer a \(challenge.kind) challenge")
        }
        let body: Data
        do {
            body = try JSONSerialization.data(withJSONObject: ["answer": answer.value])
        } catch {
            throw DDCError(.invalidArgument, operation: "answerChallenge", reason: "the answer cannot be encoded")
        }
        let response = try await send(
            .post, ["jobs", challenge.jobID.rawValue, "challenges", challenge.id], body: body,
            operation: "answerChallenge", logger: logger)
        try expectSuccess(response, operation: "answerChallenge")
        logger.debug(
            "DDC challenge answered",
            metadata: metadata(["cdr.ddc_job_id": "\(challenge.jobID)", "cdr.ddc_challenge_kind": "\(challenge.kind)"]))
    }

    /// Runs a whole capture job: starts it, follows its events, and answers each challenge with `answering`.
    ///
    /// When an answer is rejected, `answering` is asked again for the same challenge, as long as the provider allows
    /// more attempts (and at most five times); the last rejection is thrown.
    /// - Parameters:
    ///   - connection: The connection.
    ///   - logger: Overrides the client's logger for this job.
    ///   - answering: Asks the customer for the code or answer a challenge needs.
    /// - Returns: The job's identifier, once it has succeeded.
    /// - Throws: The job's failure as ``DDCError`` (``DDCError/Code/invalidCredentials``,
    ///   ``DDCError/Code/institutionUnavailable``, ``DDCError/Code/mfaTimeout``, ``DDCError/Code/accountLocked`` …),
    ///   what `answering` throws, or ``/CDRTransport/TransportError``.
    @discardableResult
    public func runJob(
        connection: DDCConnectionID, logger: Logger? = nil,
        answering: (DDCChallenge) async throws -> DDCChallengeAnswer
    ) async throws -> DDCJobID {
        let logger = logger ?? self.logger
        let job = try await startJob(connection: connection, logger: logger)
        for try await event in events(of: job, logger: logger) {
            if event.kind == .completed { return job }
            if event.kind == .failed {
                throw event.error ?? DDCError(.jobFailed, operation: "captureJob", reason: "the capture job failed")
            }
            guard event.kind == .challenge, let challenge = event.challenge else { continue }
            for attempt in 1...Self.maximumAnswersPerChallenge {
                let answer = try await answering(challenge)
                do {
                    try await self.answer(challenge, with: answer, logger: logger)
                    break
                } catch let error as DDCError
                    where error.code == .challengeRejected && error.attemptsRemaining != 0
                    && attempt < Self.maximumAnswersPerChallenge
                {
                    logger.debug(
                        "DDC challenge answer rejected; asking again",
                        metadata: metadata(["cdr.ddc_job_id": "\(job)"]))
                }
            }
        }
        throw DDCError(.invalidResponse, operation: "captureJob", reason: "the job's events ended without an outcome")
    }

    // MARK: Captured data

    /// The connection's accounts.
    /// - Parameters:
    ///   - connection: A connection on which a capture job has succeeded.
    ///   - logger: Overrides the client's logger for this call.
    /// - Returns: The accounts; malformed records are left out (and logged with their position only).
    /// - Throws: ``DDCError`` (``DDCError/Code/unknownConnection``, ``DDCError/Code/connectionNotReady`` …), or
    ///   ``/CDRTransport/TransportError``.
    public func accounts(connection: DDCConnectionID, logger: Logger? = nil) async throws -> [DDCAccount] {
        let logger = logger ?? self.logger
        let response = try await send(
            .get, ["connections", connection.rawValue, "accounts"], operation: "accounts", logger: logger)
        let list = try decode(Wire.AccountList.self, from: response, operation: "accounts")
        return list.accounts.enumerated().compactMap { index, entry in
            guard let wire = entry.value, let account = Self.account(from: wire) else {
                logger.info(
                    "DDC skipped a malformed account record",
                    metadata: metadata(["cdr.ddc_connection_id": "\(connection)", "cdr.ddc_index": "\(index)"]))
                return nil
            }
            return account
        }
    }

    /// An account's transactions, newest first, read page by page as the sequence is iterated.
    ///
    /// Only one page is held at a time, so very long histories can be walked. The walk stops with
    /// ``DDCError/Code/paginationLoop`` when the provider repeats a cursor and with
    /// ``DDCError/Code/paginationLimitReached`` after ``DDCProviderConfiguration/maximumPages`` pages; a record
    /// repeated from the previous page, or malformed, is skipped and logged.
    /// - Parameters:
    ///   - connection: A connection on which a capture job has succeeded.
    ///   - accountID: The account (``DDCAccount/id``).
    ///   - from: The first day to include (in ``DDCProviderConfiguration/timeZone``); `nil` for no limit.
    ///   - to: The last day to include; `nil` for no limit.
    ///   - logger: Overrides the client's logger while the sequence runs.
    /// - Returns: The transactions; iterating throws ``DDCError`` or ``/CDRTransport/TransportError``.
    public func transactions(
        connection: DDCConnectionID, accountID: String, from: Date? = nil, to: Date? = nil, logger: Logger? = nil
    ) -> DDCTransactions {
        DDCTransactions(
            client: self, connection: connection, accountID: accountID, from: from, to: to,
            logger: logger ?? self.logger)
    }

    // MARK: Internals

    /// How many answers ``runJob(connection:logger:answering:)`` gives one challenge at most.
    static let maximumAnswersPerChallenge = 5

    static func account(from wire: Wire.AccountList.Account) -> DDCAccount? {
        guard isSafeIdentifier(wire.accountId), let masked = wire.maskedNumber ?? wire.accountNumber.map(mask) else {
            return nil
        }
        let bsb = Wire.digits(wire.bsb)
        var balance: DDCBalance?
        if let current = wire.balance?.current {
            balance = DDCBalance(
                current: Wire.decimal(cents: current.amountCents),
                available: wire.balance?.available.map { Wire.decimal(cents: $0.amountCents) },
                currency: current.currency ?? "AUD")
        }
        return DDCAccount(
            id: wire.accountId, name: wire.name ?? masked, kind: .init(rawValue: wire.kind ?? "other"),
            isOpen: wire.status != "closed", bsb: bsb?.count == 6 ? bsb : nil,
            accountNumber: Wire.digits(wire.accountNumber), maskedNumber: masked, balance: balance)
    }

    private static func mask(_ number: String) -> String {
        String(repeating: "x", count: max(number.count - 4, 0)) + number.suffix(4)
    }

    /// Identifiers that can go in a path as they are: letters, digits, `-`, `_`, `.` and `~`, at most 200.
    static func isSafeIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 200 && text != "." && text != ".."
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.~".unicodeScalars.contains($0))
            }
    }

    /// A provider code kept only when it looks like one (`[a-z0-9_.-]`, at most 64 characters).
    static func sanitised(_ code: String) -> String? {
        guard !code.isEmpty, code.count <= 64,
            code.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)
            })
        else { return nil }
        return code
    }

    static func errorCode(forProviderCode code: String) -> DDCError.Code {
        switch code {
        case "invalid_credentials": return .invalidCredentials
        case "institution_unavailable", "institution_down", "service_unavailable": return .institutionUnavailable
        case "mfa_timeout", "challenge_expired": return .mfaTimeout
        case "account_locked": return .accountLocked
        case "incorrect_answer": return .challengeRejected
        case "no_pending_challenge": return .challengeNotPending
        case "unknown_institution": return .unknownInstitution
        case "unknown_connection": return .unknownConnection
        case "unknown_job": return .unknownJob
        case "unknown_account": return .unknownAccount
        case "connection_not_ready": return .connectionNotReady
        case "job_in_progress": return .jobAlreadyRunning
        case "unauthorized": return .unauthorized
        default: return .jobFailed
        }
    }

    func metadata(_ extra: Logger.Metadata) -> Logger.Metadata {
        extra.merging(["cdr.ddc_provider": "\(configuration.providerID)"]) { current, _ in current }
    }

    /// Sends one request to the provider.
    func send(
        _ method: HTTPRequest.Method, _ path: [String], query: [URLQueryItem] = [], body: Data? = nil,
        operation: String, logger: Logger
    ) async throws -> TransportResponse {
        for component in path where !Self.isSafeIdentifier(component) {
            throw DDCError(.invalidArgument, operation: operation, reason: "an identifier is empty or not URL-safe")
        }
        var url = configuration.baseURL
        for component in path { url.appendPathComponent(component, isDirectory: false) }
        if !query.isEmpty {
            guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
                throw DDCError(.invalidArgument, operation: operation, reason: "the base URL is not usable")
            }
            components.queryItems = query
            guard let withQuery = components.url else {
                throw DDCError(.invalidArgument, operation: operation, reason: "the query is not usable")
            }
            url = withQuery
        }
        var headers = HTTPFields()
        headers[.authorization] = "Bearer " + configuration.apiKey
        headers[.accept] = "application/json"
        if body != nil { headers[.contentType] = "application/json" }
        let request = TransportRequest(
            method: method, url: url, headerFields: headers, body: body, security: .publicTLS,
            operation: "ddc." + operation, timeout: configuration.requestTimeout)
        logger.trace("DDC request", metadata: metadata(["cdr.operation": "\(operation)"]))
        return try await transport.send(request)
    }

    /// Throws the provider's error for a non-2xx answer.
    func expectSuccess(_ response: TransportResponse, operation: String) throws {
        guard (200..<300).contains(response.status.code) else {
            throw providerError(response, operation: operation)
        }
    }

    /// Decodes a 2xx answer, or throws the provider's error.
    func decode<Value: Decodable>(_ type: Value.Type, from response: TransportResponse, operation: String) throws
        -> Value
    {
        try expectSuccess(response, operation: operation)
        do {
            return try Wire.decoder.decode(Value.self, from: response.body)
        } catch {
            throw DDCError(
                .invalidResponse, operation: operation, httpStatus: response.status.code,
                reason: "the provider's answer could not be read", underlying: error)
        }
    }

    /// The ``DDCError`` for a non-2xx answer, from its status and the provider's error code.
    func providerError(_ response: TransportResponse, operation: String) -> DDCError {
        let status = response.status.code
        let detail = (try? Wire.decoder.decode(Wire.ErrorBody.self, from: response.body))?.error
        let providerCode = detail?.code.flatMap(Self.sanitised)
        var code: DDCError.Code
        if let providerCode {
            code = Self.errorCode(forProviderCode: providerCode)
            if code == .jobFailed { code = .providerError }
        } else if status == 401 || status == 403 {
            code = .unauthorized
        } else {
            code = .providerError
        }
        return DDCError(
            code, operation: operation, providerCode: providerCode, httpStatus: status,
            attemptsRemaining: detail?.attemptsRemaining, reason: "the provider refused the call")
    }
}
