import ArgumentParser
import CDRMockData
import CDRMockHolder
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `cdr-mock-holder`: runs the mock data holder until SIGINT or SIGTERM.
@main
struct MockHolderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdr-mock-holder",
        abstract: "Run the CDRKit mock CDR data holder (and mock Register) over TLS and mutual TLS on loopback.",
        discussion: """
            Two listeners start: a public one (TLS) and a secure one (mutual TLS, client certificate from the mock \
            CA). With --output, the mock CA, a client identity and the endpoints are written to that folder so \
            another process (the demo, curl) can connect and drive the holder through its /mock-admin routes. With \
            --state, the holder keeps its CA, keys, Register products, clients, arrangements, hashed tokens and ports \
            in that folder and picks them up on the next start, so recipients can restart against it. Stop with \
            Ctrl-C (SIGINT) or SIGTERM.
            """)

    @Option(help: "Loopback address to bind: 127.0.0.1 or ::1.")
    var host = "127.0.0.1"

    @Option(name: .customLong("public-port"), help: "Port of the public (TLS) listener; 0 picks a free one.")
    var publicPort = 0

    @Option(name: .customLong("secure-port"), help: "Port of the secure (mutual TLS) listener; 0 picks a free one.")
    var securePort = 0

    @Option(help: "Seed of the generated data.")
    var seed: UInt64 = 2026

    @Option(help: "Number of customers.")
    var customers = 3

    @Option(name: .customLong("accounts-per-customer"), help: "Accounts per customer.")
    var accountsPerCustomer = 14

    @Option(name: .customLong("transactions-per-account"), help: "Transactions per account.")
    var transactionsPerAccount = 250

    @Option(
        help: """
            Folder to write ca.pem, client.pem, client-key.pem, identity.pem (certificate and key in one file) and \
            endpoints.json into.
            """)
    var output: String?

    @Option(
        help: """
            Folder to keep the holder's state in (state.json, owner-only), restored on the next start; ports left \
            at 0 reuse the ones saved. Without it, everything is kept in memory.
            """)
    var state: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw ValidationError("--host must be a loopback address (127.0.0.1 or ::1)")
        }
        guard (0...65_535).contains(publicPort), (0...65_535).contains(securePort) else {
            throw ValidationError("ports must be between 0 and 65535")
        }
        guard customers > 0, accountsPerCustomer > 0, transactionsPerAccount >= 0 else {
            throw ValidationError("--customers and --accounts-per-customer must be positive")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        var logger = Logger(label: "cdr-mock-holder")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let configuration = MockDataHolder.Configuration(
            host: host, publicPort: publicPort, securePort: securePort,
            dataset: MockDataset.Configuration(
                seed: seed, customerCount: customers, accountsPerCustomer: accountsPerCustomer,
                transactionsPerAccount: transactionsPerAccount),
            stateDirectory: state.map { URL(fileURLWithPath: $0) })
        let holder = try MockDataHolder(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [holder], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let endpoints = try await holder.waitUntilRunning()
            if let output { try holder.writeConnectionFiles(to: URL(fileURLWithPath: output)) }
            print("public listener (TLS):  \(endpoints.publicBaseURL)")
            print("secure listener (mTLS): \(endpoints.secureBaseURL)")
            print("discovery:              \(endpoints.discoveryURL)")
            if let output { print("connection files:       \(output)") }
            if let state { print("state:                  \(state)") }
            print("stop with Ctrl-C")
            try await tasks.waitForAll()
        }
    }
}
