import CDRDDC
import CDRMockHolder
import Foundation
import Synchronization
import Testing

/// Capture jobs against the mock provider over TLS: the happy path, each kind of challenge, and each failure.
@Suite(.timeLimit(.minutes(5))) struct DDCJobTests {
    /// The (kind, step) pairs of events, for comparing sequences.
    static func outline(_ events: [DDCJobEvent]) -> [String] {
        events.map { event in
            "\(event.kind)" + (event.step.map { ":\($0)" } ?? "") + (event.challenge.map { ":\($0.kind)" } ?? "")
                + (event.error.map { ":\($0.code)" } ?? "")
        }
    }

    static let successfulSteps = [
        "stepStarted:verify_credentials", "stepCompleted:verify_credentials", "stepStarted:retrieve_accounts",
        "stepCompleted:retrieve_accounts", "stepStarted:retrieve_transactions", "stepCompleted:retrieve_transactions",
        "completed",
    ]

    @Test func aJobWithoutSecondFactorReportsEveryStepAndCompletes() async throws {
        try await DDCHarness.run { harness in
            let institutions = try await harness.client.institutions()
            let bank = try #require(institutions.first { $0.id == harness.provider.institutionID })
            #expect(bank.status == .operational)
            #expect(bank.name == harness.holder.configuration.brand.name)

            let connection = try await harness.client.createConnection(
                institutionID: bank.id, credentials: harness.credentials())
            #expect(harness.provider.connectionIDs.contains(connection.rawValue))
            let job = try await harness.client.startJob(connection: connection)
            let events = try await harness.collectEvents(of: job)
            #expect(Self.outline(events) == Self.successfulSteps)
            #expect(!events.isEmpty)
            #expect(events.allSatisfy { $0.jobID == job })
            let status = try await harness.client.jobStatus(job)
            #expect(status.state == .succeeded)
            #expect(status.connectionID == connection)
            #expect(status.steps.map(\.state) == [.completed, .completed, .completed])
            #expect(try await harness.client.accounts(connection: connection).isEmpty == false)
        }
    }

    @Test func aOneTimeCodeReadFromTheCustomersPhoneCompletesTheJob() async throws {
        try await DDCHarness.run { harness in
            harness.provider.mfa = .oneTimeCode
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            #expect(harness.provider.lastOneTimeCode(for: connection.rawValue) == nil)
            let job = try await harness.client.startJob(connection: connection)
            let events = try await harness.collectEvents(of: job) { challenge in
                #expect(challenge.kind == .oneTimeCode)
                #expect(!challenge.prompt.isEmpty)
                guard let code = harness.provider.lastOneTimeCode(for: connection.rawValue) else { return nil }
                return .oneTimeCode(code)
            }
            #expect(
                Self.outline(events)
                    == ["stepStarted:verify_credentials", "challenge:one_time_code"]
                    + Self.successfulSteps.dropFirst())
            #expect(try await harness.client.accounts(connection: connection).isEmpty == false)
        }
    }

    @Test func aSecurityQuestionIsAnsweredIgnoringCase() async throws {
        try await DDCHarness.run { harness in
            harness.provider.mfa = .securityQuestion
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials("customer-2"))
            let prompts = Mutex<[String]>([])
            try await harness.client.runJob(connection: connection) { challenge in
                #expect(challenge.kind == .securityQuestion)
                prompts.withLock { $0.append(challenge.prompt) }
                return .securityAnswer(" " + harness.provider.securityAnswer(for: "customer-2").uppercased())
            }
            #expect(prompts.withLock { $0 } == [MockDDCProvider.securityQuestion])
            #expect(try await harness.client.accounts(connection: connection).count == 14)
        }
    }

    @Test func aWrongCodeIsRejectedWithTheAttemptsLeftAndMayBeRetried() async throws {
        try await DDCHarness.run { harness in
            harness.provider.mfa = .oneTimeCode
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            let job = try await harness.client.startJob(connection: connection)
            var iterator = harness.client.events(of: job).makeAsyncIterator()
            var challenge: DDCChallenge?
            while challenge == nil, let event = try await iterator.next() { challenge = event.challenge }
            let pending = try #require(challenge)
            let code = try #require(harness.provider.lastOneTimeCode(for: connection.rawValue))
            let wrong = code == "000000" ? "111111" : "000000"

            let rejected = await ddcError { try await harness.client.answer(pending, with: .oneTimeCode(wrong)) }
            #expect(rejected?.code == .challengeRejected)
            #expect(rejected?.attemptsRemaining == 2)
            #expect(rejected?.httpStatus == 422)

            // An answer of the other kind is refused before anything is sent.
            let misfit = await ddcError { try await harness.client.answer(pending, with: .securityAnswer(code)) }
            #expect(misfit?.code == .invalidArgument)

            try await harness.client.answer(pending, with: .oneTimeCode(code))
            var rest: [DDCJobEvent] = []
            while let event = try await iterator.next() { rest.append(event) }
            #expect(rest.last?.kind == .completed)

            // After the job, the challenge is no longer pending.
            let late = await ddcError { try await harness.client.answer(pending, with: .oneTimeCode(code)) }
            #expect(late?.code == .challengeNotPending)
        }
    }

    @Test func runJobAsksAgainAfterAWrongAnswer() async throws {
        try await DDCHarness.run { harness in
            harness.provider.mfa = .oneTimeCode
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            let asked = Mutex(0)
            try await harness.client.runJob(connection: connection) { challenge in
                let attempt = asked.withLock { count in
                    count += 1
                    return count
                }
                if attempt == 1 { return .oneTimeCode("not-the-code") }
                return .oneTimeCode(harness.provider.lastOneTimeCode(for: connection.rawValue) ?? "")
            }
            #expect(asked.withLock { $0 } == 2)
            #expect(try await harness.client.accounts(connection: connection).isEmpty == false)
        }
    }

    @Test func tooManyWrongAnswersLockTheAccount() async throws {
        try await DDCHarness.run { harness in
            harness.provider.mfa = .securityQuestion
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            let error = await ddcError {
                try await harness.client.runJob(connection: connection) { _ in .securityAnswer("wrong") }
            }
            #expect(error?.code == .accountLocked)
            #expect(harness.provider.isLocked("customer-1"))
        }
    }

    @Test func invalidCredentialsFailTheVerifyStep() async throws {
        try await DDCHarness.run { harness in
            let client = harness.client
            let institution = harness.provider.institutionID
            // A wrong password.
            let wrong = try await client.createConnection(
                institutionID: institution, credentials: harness.credentials(password: "not-the-password"))
            let events = try await harness.collectEvents(of: try await client.startJob(connection: wrong))
            #expect(Self.outline(events) == ["stepStarted:verify_credentials", "failed:invalidCredentials"])
            #expect(events.last?.error?.providerCode == "invalid_credentials")
            // A username that names no customer.
            let stranger = try await client.createConnection(
                institutionID: institution, credentials: DDCCredentials(username: "nobody", password: "x"))
            let strangerError = await ddcError {
                try await client.runJob(connection: stranger) { _ in .oneTimeCode("") }
            }
            #expect(strangerError?.code == .invalidCredentials)
            // The bank rejecting right credentials (the switch).
            harness.provider.failure = .invalidCredentials
            let right = try await client.createConnection(
                institutionID: institution, credentials: harness.credentials("customer-2"))
            let switched = await ddcError { try await client.runJob(connection: right) { _ in .oneTimeCode("") } }
            #expect(switched?.code == .invalidCredentials)
            // No data is served without a completed job.
            let notReady = await ddcError { _ = try await client.accounts(connection: wrong) }
            #expect(notReady?.code == .connectionNotReady)
        }
    }

    @Test func repeatedWrongPasswordsLockTheCustomerOut() async throws {
        try await DDCHarness.run { harness in
            let client = harness.client
            var codes: [DDCError.Code?] = []
            for password in ["wrong-1", "wrong-2", "wrong-3", nil] {
                let connection = try await client.createConnection(
                    institutionID: harness.provider.institutionID,
                    credentials: harness.credentials(password: password))
                let error = await ddcError { try await client.runJob(connection: connection) { _ in .oneTimeCode("") } }
                codes.append(error?.code)
            }
            #expect(codes == [.invalidCredentials, .invalidCredentials, .accountLocked, .accountLocked])
            #expect(harness.provider.isLocked("customer-1"))
        }
    }

    @Test func aLockedAccountFailsTheJob() async throws {
        try await DDCHarness.run { harness in
            harness.provider.failure = .accountLocked
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            let events = try await harness.collectEvents(of: try await harness.client.startJob(connection: connection))
            #expect(Self.outline(events) == ["stepStarted:verify_credentials", "failed:accountLocked"])
        }
    }

    @Test func anUnavailableInstitutionIsReportedAtEachStage() async throws {
        try await DDCHarness.run { harness in
            let client = harness.client
            let provider = harness.provider
            // The institution that is always down.
            let offline = try #require(
                try await client.institutions().first { $0.id == provider.unavailableInstitutionID })
            #expect(offline.status == .down)
            let refused = await ddcError {
                _ = try await client.createConnection(institutionID: offline.id, credentials: harness.credentials())
            }
            #expect(refused?.code == .institutionUnavailable)
            #expect(refused?.httpStatus == 503)

            // A connection made while the bank was up, captured after it went down.
            let connection = try await client.createConnection(
                institutionID: provider.institutionID, credentials: harness.credentials())
            provider.failure = .institutionUnavailable
            let events = try await harness.collectEvents(of: try await client.startJob(connection: connection))
            #expect(Self.outline(events) == ["stepStarted:verify_credentials", "failed:institutionUnavailable"])
            #expect(try await client.institutions().first { $0.id == provider.institutionID }?.status == .down)
            let down = await ddcError {
                _ = try await client.createConnection(
                    institutionID: provider.institutionID, credentials: harness.credentials())
            }
            #expect(down?.code == .institutionUnavailable)

            let unknown = await ddcError {
                _ = try await client.createConnection(
                    institutionID: "au-no-such-bank", credentials: harness.credentials())
            }
            #expect(unknown?.code == .unknownInstitution)
        }
    }

    @Test func anUnansweredChallengeTimesOut() async throws {
        try await DDCHarness.run { harness in
            // The switch: the challenge expires at the first read after it was issued.
            harness.provider.failure = .mfaTimeout
            let first = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            let events = try await harness.collectEvents(of: try await harness.client.startJob(connection: first))
            #expect(
                Self.outline(events) == [
                    "stepStarted:verify_credentials", "challenge:one_time_code", "failed:mfaTimeout",
                ])
            let late = try #require(events[1].challenge)
            let error = await ddcError {
                try await harness.client.answer(
                    late, with: .oneTimeCode(harness.provider.lastOneTimeCode(for: first.rawValue) ?? ""))
            }
            #expect(error?.code == .challengeNotPending)

            // Without the switch, a security question left unanswered for longer than its lifetime.
            harness.provider.failure = nil
            harness.provider.mfa = .securityQuestion
            harness.provider.challengeLifetime = 3
            let second = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials("customer-2"))
            let unanswered = try await harness.collectEvents(of: try await harness.client.startJob(connection: second))
            #expect(
                Self.outline(unanswered)
                    == ["stepStarted:verify_credentials", "challenge:security_question", "failed:mfaTimeout"])
        }
    }

    @Test func pollingStopsAtTheConfiguredLimit() async throws {
        try await DDCHarness.run(adjust: { $0.maximumPolls = 3 }) { harness in
            harness.provider.mfa = .oneTimeCode
            harness.provider.challengeLifetime = 100
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            let events = try await harness.collectEvents(of: try await harness.client.startJob(connection: connection))
            #expect(events.last?.kind == .failed)
            #expect(events.last?.error?.code == .jobPollingLimitReached)
            #expect(events.filter { $0.kind == .challenge }.count == 1)
        }
    }

    @Test func oneJobAtATimeRunsOnAConnection() async throws {
        try await DDCHarness.run { harness in
            let connection = try await harness.client.createConnection(
                institutionID: harness.provider.institutionID, credentials: harness.credentials())
            _ = try await harness.client.startJob(connection: connection)
            let error = await ddcError { _ = try await harness.client.startJob(connection: connection) }
            #expect(error?.code == .jobAlreadyRunning)
            #expect(error?.httpStatus == 409)
        }
    }

    @Test func aCDROutageDoesNotStopCapture() async throws {
        try await DDCHarness.run { harness in
            harness.holder.faults.outage = .unavailable
            let connection = try await harness.capturedConnection()
            #expect(try await harness.client.accounts(connection: connection).isEmpty == false)
        }
    }
}
