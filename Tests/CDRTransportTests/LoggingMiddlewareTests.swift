import CDRMockHolder
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import InMemoryLogging
import Logging
import Testing

@Suite(.timeLimit(.minutes(5))) struct LoggingMiddlewareTests {
    static let secrets = ["SECRET", "Q1VTVE9NRVItSEVBREVSUw==", "203.0.113.7"]

    static func makeLogger() -> (Logger, InMemoryLogHandler) {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        let logger = Logger(label: "cdr-test") { _ in handler }
        return (logger, handler)
    }

    static func withSecrets(_ request: TransportRequest) -> TransportRequest {
        var request = request
        request.headerFields[.authorization] = "Bearer SECRET"
        request.headerFields[.cdsClientHeaders] = "Q1VTVE9NRVItSEVBREVSUw=="
        request.headerFields[.fapiCustomerIPAddress] = "203.0.113.7"
        return request
    }

    /// Every string a log entry carries: its message and each metadata value, nested ones included.
    static func texts(of entries: [InMemoryLogHandler.Entry]) -> [String] {
        func flatten(_ value: Logger.MetadataValue) -> [String] {
            switch value {
            case .string(let string): return [string]
            case .stringConvertible(let convertible): return [convertible.description]
            case .array(let values): return values.flatMap(flatten)
            case .dictionary(let dictionary): return dictionary.flatMap { [$0.key] + flatten($0.value) }
            }
        }
        return entries.flatMap { entry in
            ["\(entry.message)"] + entry.metadata.flatMap { [$0.key] + flatten($0.value) }
                + (entry.error.map { ["\($0)"] } ?? [])
        }
    }

    @Test func secretsNeverReachTheLogAndTheDebugLineNamesTheCall() async throws {
        let (logger, handler) = Self.makeLogger()
        try await Live.withHolderAndTransport { holder, base in
            let transport = MiddlewareTransport(
                base,
                middlewares: [
                    InteractionIDMiddleware(), LoggingMiddleware(logger: logger),
                    RetryMiddleware(logger: logger, sleep: { _ in }),
                ])
            holder.faults.inject(.throttle(retryAfter: 0), on: .resources, times: 1)
            // The holder needs the real token, so it is the secret here; the other secrets are added.
            let plain = try Live.accountsRequest(holder)
            let authorization = try #require(plain.headerFields[.authorization])
            let token = String(authorization.dropFirst("Bearer ".count))
            var request = Self.withSecrets(plain)
            request.headerFields[.authorization] = authorization
            let response = try await transport.send(request)
            #expect(response.status == .ok)
            let id = try #require(response.interactionID)

            let entries = handler.entries
            #expect(entries.contains { $0.level == .trace }, "trace lists the header names")
            #expect(entries.contains { $0.level == .info && "\($0.message)".contains("Retrying") })
            let finished = try #require(
                entries.first { $0.level == .debug && "\($0.message)" == "CDR request finished" })
            #expect(finished.metadata["cdr.interaction_id"] == .string(id))
            #expect(finished.metadata["cdr.status"] == .string("200"))
            #expect(finished.metadata["cdr.operation"] == .string("listBankingAccounts"))
            #expect(finished.metadata["cdr.duration_ms"] != nil)

            let texts = Self.texts(of: entries)
            #expect(texts.contains { $0.contains("authorization") }, "the header names are listed")
            for secret in [token, "Q1VTVE9NRVItSEVBREVSUw==", "203.0.113.7", "Bearer"] {
                #expect(!texts.contains { $0.contains(secret) }, "\(secret) was logged")
            }
        }
    }

    @Test func failuresAreLoggedWithoutSecrets() async throws {
        let (logger, handler) = Self.makeLogger()
        try await withClosedLoopbackPort { port in
            try await AsyncHTTPClientTransport.withTransport(configuration: .init()) { base in
                let transport = MiddlewareTransport(
                    base, middlewares: [InteractionIDMiddleware(), LoggingMiddleware(logger: logger)])
                let request = Self.withSecrets(
                    TransportRequest(
                        method: .get, url: try Live.url("https://127.0.0.1:\(port)/x?code=SECRET"),
                        security: .publicTLS))
                await #expect(throws: TransportError.self) { try await transport.send(request) }
            }
        }
        let failed = try #require(handler.entries.first { "\($0.message)" == "CDR request failed" })
        #expect(failed.level == .debug)
        #expect(failed.metadata["cdr.interaction_id"] != nil)
        #expect(failed.metadata["cdr.error"]?.description.contains("connectFailed") == true)
        let texts = Self.texts(of: handler.entries)
        for secret in Self.secrets { #expect(!texts.contains { $0.contains(secret) }, "\(secret) was logged") }
    }

    @Test func redactionRendersNamesButNotSecretValues() {
        var fields = HTTPFields()
        fields[.authorization] = "Bearer SECRET"
        fields[.cdsVersion] = "3"
        fields[.cdsClientHeaders] = "Q1VTVE9NRVItSEVBREVSUw=="
        let text = Redaction.render(fields)
        #expect(text == "authorization: <redacted>; x-v: 3; x-cds-client-headers: <redacted>")
    }
}
