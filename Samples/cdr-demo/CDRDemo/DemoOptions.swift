public import CDRClient
public import CDRMockData
public import CDRMockHolder
public import CDRTransport
import Foundation

/// What the demo runs against and how.
public struct DemoOptions: Sendable {
    /// Which mock data holder the demo talks to.
    public enum Holder: Sendable {
        /// A holder started in this process with a dataset of this size (the default).
        case embedded(MockDataset.Configuration)
        /// A holder the caller started in this process (tests use it to compare with the dataset).
        case running(MockDataHolder)
        /// A `cdr-mock-holder` in another process: its public base URL, the mock CA and a client identity.
        case remote(publicBaseURL: URL, certificateAuthorityPEM: String, identity: ClientIdentity)
    }

    /// Where the demo keeps what a recipient keeps (registration, arrangement, tokens, records, audit trail).
    public enum Storage: Sendable, Hashable {
        /// Nothing survives the run; the run ends by revoking its arrangement.
        case memory
        /// An SQLite file; its folder also holds the key-encryption key (`kek`, unless `CDRKIT_KEK` is set), the
        /// software product's signing key and, for an embedded holder, the holder's state, so a second run reuses
        /// the registration and the arrangement.
        case sqlite(path: URL)
        /// A PostgreSQL database (shared by every instance that opens it); the local folder holds what the SQLite
        /// file's folder holds, but the database.
        case postgres(url: PostgresURL, folder: URL)
    }

    /// The holder.
    public var holder: Holder
    /// Where state is kept; in memory by default.
    public var storage: Storage
    /// Whether the run ends the arrangement (always with ``Storage/memory``).
    public var revoke: Bool
    /// Whether a person consents in a browser (the demo then waits for the callback on a local listener).
    public var interactive: Bool
    /// The port of the local callback listener in interactive mode; 0 picks a free one.
    public var callbackPort: Int
    /// How long to wait for the person to consent.
    public var consentTimeout: Duration
    /// The mock customer who consents (headless) and whose bank login DDC uses.
    public var customerID: String
    /// How many days of transactions to read.
    public var days: Int

    /// Whether this run ends its arrangement: on request, and always when nothing is kept.
    public var endsArrangement: Bool { revoke || storage == .memory }
    /// Whether the embedded holder serves every data quirk it can (dates in other forms, missing required fields,
    /// numbers as strings, …), to show the SDK keeping every record and reporting each quirk.
    public var servesQuirks = false

    /// The dataset of the embedded holder by default: 2 customers with 4 accounts of 600 transactions each
    /// over a year.
    public static let defaultDataset = MockDataset.Configuration(
        customerCount: 2, accountsPerCustomer: 4, transactionsPerAccount: 600)

    /// Creates options.
    /// - Parameters:
    ///   - holder: The holder; an embedded one by default.
    ///   - interactive: `false` (headless consent) by default.
    ///   - callbackPort: 0 by default.
    ///   - consentTimeout: 5 minutes by default.
    ///   - customerID: `customer-1` by default.
    ///   - days: 90 by default.
    ///   - storage: In memory by default.
    ///   - revoke: Whether a run on a persistent store ends the arrangement; `false` by default.
    public init(
        holder: Holder = .embedded(DemoOptions.defaultDataset), interactive: Bool = false, callbackPort: Int = 0,
        consentTimeout: Duration = .seconds(300), customerID: String = "customer-1", days: Int = 90,
        storage: Storage = .memory, revoke: Bool = false
    ) {
        self.holder = holder
        self.storage = storage
        self.revoke = revoke
        self.interactive = interactive
        self.callbackPort = callbackPort
        self.consentTimeout = consentTimeout
        self.customerID = customerID
        self.days = days
    }
}

/// What the demo reports while it runs, for a progress display.
public enum DemoEvent: Sendable {
    /// A step starts.
    case step(number: Int, of: Int, title: String)
    /// A detail of the current step.
    case detail(String)
    /// Transactions read so far: accounts done, accounts in all, records so far.
    case transactions(accountsDone: Int, accounts: Int, records: Int)
    /// Interactive consent: the URL to open, and the callback listener waiting.
    case openInBrowser(URL)
}

/// A failure of the demo: which step failed, why, and what to do.
public struct DemoError: Error, Sendable, CustomStringConvertible {
    /// The step that failed.
    public var step: String
    /// Why (the SDK error's description, which never contains a secret).
    public var reason: String
    /// What to do about it.
    public var hint: String

    /// Creates an error.
    public init(step: String, reason: String, hint: String) {
        self.step = step
        self.reason = reason
        self.hint = hint
    }

    /// One line: `<step> failed: <reason>. <hint>`.
    public var description: String {
        let flat = reason.replacingOccurrences(of: "\n", with: " ")
        return "\(step) failed: \(flat). \(hint)"
    }
}

extension DemoOptions.Storage {
    /// A `--store` value that names no usable store.
    public struct Invalid: Error, Sendable {
        /// Why, without the URL's password.
        public var reason: String
    }

    /// The storage a `--store` value names: `memory`, a `postgres://` or `postgresql://` URL (its local files in
    /// `.cdr-demo/postgres`), or an SQLite file's path.
    /// - Parameter text: The value.
    /// - Throws: ``Invalid`` for a PostgreSQL URL that cannot be used.
    public init(_ text: String) throws {
        if text == "memory" {
            self = .memory
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            do {
                self = .postgres(
                    url: try PostgresURL(text), folder: URL(fileURLWithPath: ".cdr-demo/postgres", isDirectory: true))
            } catch let error as StoreError {
                throw Invalid(reason: error.reason)
            }
        } else {
            self = .sqlite(path: URL(fileURLWithPath: text))
        }
    }
}
