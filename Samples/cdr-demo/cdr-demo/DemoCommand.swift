import ArgumentParser
import CDRDemo
import CDRMockData
import Foundation
import Logging

/// `cdr-demo`: the whole CDRKit mission on a mock data holder.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdr-demo",
        abstract: "Run the whole CDRKit mission on a mock CDR data holder.",
        discussion: """
            Starts the mock data holder in this process (or uses a running cdr-mock-holder with --holder), registers \
            a software product (SSA, DCR), runs the consent flow, reads accounts, balances and the last 90 days of \
            transactions, simulates a holder outage to show DDC serving the same requests with their provenance, \
            and keeps the arrangement, its tokens and the records encrypted in an SQLite store (--store). A second \
            run on the same store reuses the registration and the arrangement (no DCR, no consent) and reads only \
            what is new since each account's checkpoint. --revoke (or --store memory) ends the run by revoking the \
            arrangement and prints the deletion's evidence and the audit trail.

            Exit status 0 on success; 1 with one line on standard error saying what failed and what to do; 2 for a \
            usage error.
            """)

    @Option(
        help: ArgumentHelp(
            "Public base URL of a running cdr-mock-holder (the 'public listener' it prints).",
            discussion: "Needs --ca and --identity; without it the demo starts its own holder.",
            valueName: "url"))
    var holder: String?

    @Option(help: ArgumentHelp("The mock CDR CA to trust (ca.pem from cdr-mock-holder --output).", valueName: "file"))
    var ca: String?

    @Option(
        help: ArgumentHelp(
            "The client certificate and key, in one PEM (identity.pem from cdr-mock-holder --output).",
            valueName: "file"))
    var identity: String?

    @Flag(help: "Consent in a browser: print the authorisation URL and wait for the callback on a local listener.")
    var interactive = false

    @Option(
        name: .customLong("callback-port"),
        help: "Port of the local callback listener with --interactive; 0 picks a free one.")
    var callbackPort = 0

    @Option(name: .customLong("consent-timeout"), help: "Seconds to wait for consent with --interactive.")
    var consentTimeout = 300

    @Option(help: "The mock customer who consents and whose bank login DDC uses.")
    var customer = "customer-1"

    @Option(help: "Days of transactions to read.")
    var days = 90

    @Option(name: .customLong("accounts-per-customer"), help: "Accounts per customer of the embedded holder.")
    var accountsPerCustomer = 4

    @Option(
        name: .customLong("transactions-per-account"),
        help: "Transactions per account (over a year) of the embedded holder.")
    var transactionsPerAccount = 600

    @Option(
        help: ArgumentHelp(
            "The SQLite store, a PostgreSQL database (postgres://user:password@host:port/database?sslmode=…), "
                + "or 'memory' to keep nothing.",
            discussion: """
                The SQLite file's folder also holds the key-encryption key ('kek', 0600; or set CDRKIT_KEK to a \
                base64 32-byte key), the software product's signing key and the embedded holder's state; with \
                PostgreSQL they are kept in .cdr-demo/postgres.
                """,
            valueName: "path-or-url"))
    var store = ".cdr-demo/store.sqlite"

    @Flag(help: "End the arrangement at the end of the run: revoke, delete, print the evidence and the audit trail.")
    var revoke = false

    @Flag(help: "Print the result as JSON on standard output (progress still goes to standard error).")
    var json = false

    @Flag(
        help: ArgumentHelp(
            "Make the embedded holder serve every data quirk it can (dates in other forms, missing required "
                + "fields, numbers as strings, …); with --verbose the data-quality report shows what was tolerated."))
    var serveQuirks = false

    @Flag(
        help: ArgumentHelp(
            "Log the SDK's debug messages (ids and statuses, never secrets) to standard error, and print the "
                + "data-quality report (what decoding tolerated in the holder's data) after the result."))
    var verbose = false

    /// Parses the arguments; a usage error is one line (what is wrong, and where the options are), not the usage
    /// block, so every failure of the demo reads the same way.
    static func main() async {
        let command: DemoCommand
        do {
            let parsed = try parseAsRoot()
            guard let demo = parsed as? DemoCommand else {
                // `--help` (and `help`) parse as ArgumentParser's own help command.
                print(helpMessage())
                Foundation.exit(0)
            }
            command = demo
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("cdr-demo: \(message). Run `cdr-demo --help` for the options.\n".utf8))
            Foundation.exit(2)
        }
        do {
            try await command.run()
        } catch {
            FileHandle.standardError.write(Data("cdr-demo: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }

    func validate() throws {
        if holder != nil, ca == nil || identity == nil {
            throw ValidationError("--holder needs --ca and --identity (the files cdr-mock-holder --output wrote)")
        }
        if holder != nil, serveQuirks {
            throw ValidationError(
                "--serve-quirks goes with the embedded holder (switch quirks on with /mock-admin/quirks)")
        }
        if holder == nil, ca != nil || identity != nil {
            throw ValidationError("--ca and --identity go with --holder")
        }
        guard (0...65_535).contains(callbackPort) else { throw ValidationError("--callback-port must be 0…65535") }
        guard (1...365).contains(days) else { throw ValidationError("--days must be 1…365") }
        guard !store.isEmpty else { throw ValidationError("--store needs a path, or 'memory'") }
        guard consentTimeout > 0 else { throw ValidationError("--consent-timeout must be positive") }
        guard (1...50).contains(accountsPerCustomer) else {
            throw ValidationError("--accounts-per-customer must be 1…50")
        }
        guard (0...1_000_000).contains(transactionsPerAccount) else {
            throw ValidationError("--transactions-per-account must be 0…1000000")
        }
    }

    func run() async throws {
        let options: DemoOptions
        do {
            options = try makeOptions()
        } catch {
            fail("\(error)")
        }
        var logger = Logger(label: "cdr-demo") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .critical
        let display = ProgressDisplay(json: json)
        do {
            let result = try await Demo.run(options, logger: logger) { display.show($0) }
            display.finish()
            if json {
                FileHandle.standardOutput.write(try DemoReport.json(result))
                FileHandle.standardOutput.write(Data("\n".utf8))
            } else {
                print(DemoReport.text(result))
                if verbose { print(DemoReport.dataQuality(result)) }
            }
        } catch {
            display.finish()
            fail("\(error)")
        }
    }

    private func storage() throws -> DemoOptions.Storage {
        do {
            return try DemoOptions.Storage(store)
        } catch let error as DemoOptions.Storage.Invalid {
            throw ValidationError("--store: \(error.reason)")
        }
    }

    private func makeOptions() throws -> DemoOptions {
        var options = DemoOptions(
            interactive: interactive, callbackPort: callbackPort, consentTimeout: .seconds(consentTimeout),
            customerID: customer, days: days,
            storage: try storage(), revoke: revoke)
        options.servesQuirks = serveQuirks
        if let holder, let ca, let identity {
            guard let url = URL(string: holder), url.scheme == "https", url.host != nil else {
                throw DemoError(
                    step: "Reading --holder", reason: "\(holder) is not an https URL",
                    hint: "Give the public listener cdr-mock-holder printed, like https://127.0.0.1:50001.")
            }
            options.holder = .remote(
                publicBaseURL: url, certificateAuthorityPEM: try read(ca, "--ca"),
                identity: try DemoIdentity.load(pem: try read(identity, "--identity")))
        } else {
            var dataset = DemoOptions.defaultDataset
            dataset.accountsPerCustomer = accountsPerCustomer
            dataset.transactionsPerAccount = transactionsPerAccount
            options.holder = .embedded(dataset)
        }
        return options
    }

    private func read(_ path: String, _ option: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw DemoError(
                step: "Reading \(option)", reason: "\(path) cannot be read",
                hint: "Give the file cdr-mock-holder --output wrote.")
        }
    }

    private func fail(_ message: String) -> Never {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("cdr-demo: \(line)\n".utf8))
        Foundation.exit(1)
    }
}
