import CDRDDC
import CDRMockData
import CDRMockHolder
import CDRTesting
import CDRTransport
import Foundation
import InMemoryLogging
import Logging
import Testing

/// A DDC client wired to a running mock holder's DDC provider over TLS on loopback, with every request logged at
/// trace level into memory.
struct DDCHarness: Sendable {
    let holder: MockDataHolder
    let client: DDCClient
    let logs: InMemoryLogHandler

    var provider: MockDDCProvider { holder.ddc }

    /// Runs `body` against a fresh holder.
    static func run(
        holder configuration: MockDataHolder.Configuration = .init(),
        adjust: @Sendable (inout DDCProviderConfiguration) -> Void = { _ in },
        _ body: @Sendable (DDCHarness) async throws -> Void
    ) async throws {
        try await withMockDataHolder(MockWorld.Options(holderConfiguration: configuration, consent: nil)) { world in
            var handler = InMemoryLogHandler()
            handler.logLevel = .trace
            let logger = Logger(label: "cdr-ddc-test") { _ in handler }
            let transport = MiddlewareTransport.standard(
                world.base, logger: logger, retry: .init(initialBackoff: .milliseconds(10)))
            var settings = try await world.ddcProvider(id: "mock-ddc", pollInterval: .zero)
            settings.maximumPolls = 50
            settings.pageSize = 50
            adjust(&settings)
            let client = DDCClient(configuration: settings, transport: transport, logger: logger)
            try await body(DDCHarness(holder: try world.holder, client: client, logs: handler))
        }
    }

    /// The credentials of a customer, right unless `password` is given.
    func credentials(_ customerID: String = "customer-1", password: String? = nil) -> DDCCredentials {
        DDCCredentials(username: customerID, password: password ?? provider.password(for: customerID))
    }

    /// A connection for a customer, captured with no second factor.
    func capturedConnection(_ customerID: String = "customer-1") async throws -> DDCConnectionID {
        let connection = try await client.createConnection(
            institutionID: provider.institutionID, credentials: credentials(customerID))
        try await client.runJob(connection: connection) { _ in
            Issue.record("no challenge was expected")
            return .oneTimeCode("")
        }
        return connection
    }

    /// Every event of a job, answering challenges with `answer` (no answer when it returns `nil`).
    func collectEvents(
        of job: DDCJobID, answering answer: (DDCChallenge) -> DDCChallengeAnswer? = { _ in nil }
    ) async throws -> [DDCJobEvent] {
        var events: [DDCJobEvent] = []
        for try await event in client.events(of: job) {
            events.append(event)
            if let challenge = event.challenge, let reply = answer(challenge) {
                try await client.answer(challenge, with: reply)
            }
        }
        return events
    }

    /// Every string the log entries carry: messages, metadata values (nested ones too) and errors.
    var loggedTexts: [String] {
        func flatten(_ value: Logger.MetadataValue) -> [String] {
            switch value {
            case .string(let string): return [string]
            case .stringConvertible(let convertible): return [convertible.description]
            case .array(let values): return values.flatMap(flatten)
            case .dictionary(let dictionary): return dictionary.flatMap { [$0.key] + flatten($0.value) }
            }
        }
        return logs.entries.flatMap { entry in
            ["\(entry.message)"] + entry.metadata.flatMap { [$0.key] + flatten($0.value) }
                + (entry.error.map { ["\($0)"] } ?? [])
        }
    }
}

/// Runs `body` and returns the ``DDCError`` it throws (recording an issue when it throws none or another error).
func ddcError(_ body: () async throws -> Void) async -> DDCError? {
    do {
        try await body()
        Issue.record("expected a DDCError, nothing was thrown")
        return nil
    } catch let error as DDCError {
        return error
    } catch {
        Issue.record("expected a DDCError, got \(error)")
        return nil
    }
}
