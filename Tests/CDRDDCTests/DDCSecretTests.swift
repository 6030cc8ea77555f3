import CDRDDC
import CDRMockHolder
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// Credentials, codes, answers and the API key never reach a log, an error's description or a value's description.
@Suite(.timeLimit(.minutes(5))) struct DDCSecretTests {
    @Test func secretsNeverReachTheLogsOrTheErrors() async throws {
        try await DDCHarness.run { harness in
            let provider = harness.provider
            let password = provider.password(for: "customer-1")
            let wrongPassword = "Wrong-Pa55word-7731"
            let wrongCode = "938271"
            provider.mfa = .oneTimeCode

            // A failed attempt with a wrong password.
            let failed = try await harness.client.createConnection(
                institutionID: provider.institutionID, credentials: harness.credentials(password: wrongPassword))
            let invalid = await ddcError {
                try await harness.client.runJob(connection: failed) { _ in .oneTimeCode("") }
            }
            #expect(invalid?.code == .invalidCredentials)

            // A capture with a one-time code, one wrong code first.
            let connection = try await harness.client.createConnection(
                institutionID: provider.institutionID, credentials: harness.credentials())
            var rejection: DDCError?
            var code = ""
            try await harness.client.runJob(connection: connection) { challenge in
                if rejection == nil {
                    rejection = await ddcError {
                        try await harness.client.answer(challenge, with: .oneTimeCode(wrongCode))
                    }
                }
                code = provider.lastOneTimeCode(for: connection.rawValue) ?? ""
                return .oneTimeCode(code)
            }
            let codeLooksRight = code.count == 6
            #expect(codeLooksRight)
            #expect(rejection?.code == .challengeRejected)

            // A security question.
            provider.mfa = .securityQuestion
            let answer = provider.securityAnswer(for: "customer-1")
            try await harness.client.runJob(connection: connection) { _ in .securityAnswer(answer) }

            let texts = harness.loggedTexts
            // The log did record the calls, at trace level, with the (redacted) headers.
            let loggedCalls =
                texts.contains("ddc.createConnection") && texts.contains("ddc.answerChallenge")
                && texts.contains { $0.contains("authorization: <redacted>") }
            #expect(loggedCalls, "the calls and their redacted headers were logged")
            // Checked into Booleans, so a failure never prints a secret.
            let secrets = [password, wrongPassword, wrongCode, code, answer, provider.apiKey]
            let logLeak = secrets.contains { secret in texts.contains { $0.contains(secret) } }
            #expect(!logLeak, "a secret reached the log")
            let descriptions = [invalid, rejection].compactMap { $0.map { "\($0)" } }
            #expect(descriptions.count == 2)
            let errorLeak = secrets.contains { secret in descriptions.contains { $0.contains(secret) } }
            #expect(!errorLeak, "a secret reached an error's description")
        }
    }

    @Test func credentialsDescribeNothingAndAreUsedOnce() async throws {
        let credentials = DDCCredentials(username: "customer-9", password: "S3cret-Passw0rd")
        var dumped = ""
        dump(credentials, to: &dumped)
        let texts = [
            "\(credentials)", String(reflecting: credentials), dumped,
            "\(Mirror(reflecting: credentials).children.map(\.value))",
        ]
        // Checked into Booleans, so a failure never prints a secret.
        let leaked = texts.contains { $0.contains("S3cret-Passw0rd") || $0.contains("customer-9") }
        #expect(!leaked, "the credentials' description shows a secret")
        let isRedacted = "\(credentials)" == "DDCCredentials(<redacted>)"
        #expect(isRedacted)

        let transport = StubTransport { _ in
            TransportResponse(status: .created, body: Data(#"{"connection_id":"conn_1"}"#.utf8))
        }
        let client = DDCClient(configuration: StubTransport.configuration, transport: transport)
        let copy = credentials
        #expect(try await client.createConnection(institutionID: "bank", credentials: credentials).rawValue == "conn_1")
        #expect(copy.isConsumed)
        let reuse = await ddcError { _ = try await client.createConnection(institutionID: "bank", credentials: copy) }
        #expect(reuse?.code == .credentialsAlreadyUsed)
        #expect(transport.requests.count == 1)
        // The body went to the provider once, with both parts.
        let body = try #require(transport.requests.first?.body)
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let sent = try #require(json["credentials"] as? [String: String])
        let sentBoth = sent == ["username": "customer-9", "password": "S3cret-Passw0rd"]
        #expect(sentBoth)
    }

    @Test func answersAndTheConfigurationDescribeNoSecret() {
        let code = DDCChallengeAnswer.oneTimeCode("482913")
        let answer = DDCChallengeAnswer.securityAnswer("Biscuit")
        var dumped = ""
        dump(code, to: &dumped)
        dump(answer, to: &dumped)
        let texts = ["\(code)", "\(answer)", String(reflecting: code), String(reflecting: answer), dumped]
        let leaked = texts.contains { $0.contains("482913") || $0.contains("Biscuit") }
        #expect(!leaked, "an answer's description shows the secret")
        let isRedacted = "\(code)" == "DDCChallengeAnswer(one_time_code, <redacted>)"
        #expect(isRedacted)

        var configuration = StubTransport.configuration
        configuration.apiKey = "sk_live_abcdef123456"
        var dumpedConfiguration = ""
        dump(configuration, to: &dumpedConfiguration)
        let keyLeaked =
            "\(configuration)".contains("sk_live_abcdef123456")
            || dumpedConfiguration.contains("sk_live_abcdef123456")
        #expect(!keyLeaked, "the configuration's description shows the API key")
        #expect("\(configuration)".contains("stub-provider"))
    }
}
