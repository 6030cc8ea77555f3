import CDRMockData
import Foundation

/// What the holder writes to `state.json` in its state directory: only what a restart needs.
///
/// - the PKI (CA, server and client leaves with their keys) and the holder's and the Register's signing keys, as
///   PEM, so recipients keep trusting the same CA and verifying the same JWKS;
/// - the dataset's configuration, not its records: ``MockDataset`` computes every record from it;
/// - the ports last bound, so the URLs recipients saved stay valid;
/// - the Register's software products, the DCR clients and every arrangement with its status;
/// - refresh and access tokens by their SHA-256 only (the holder keys its records that way), so the file never
///   holds a usable token. Authorisation codes, pushed requests, consent sessions and the replay cache live for
///   seconds and are not kept.
struct PersistedHolderState: Codable, Sendable {
    /// The format version this build writes; a file with a higher one is refused.
    static let currentVersion = 1

    /// A certificate and its private key, both PEM.
    struct Identity: Codable, Sendable {
        var certificatePEM: String
        var privateKeyPEM: String
    }

    /// The mock CDR CA and its two leaves.
    struct PKI: Codable, Sendable {
        var certificateAuthority: Identity
        var server: Identity
        var client: Identity
    }

    /// The signing keys, PKCS #8 PEM.
    struct Keys: Codable, Sendable {
        /// The holder's RSA key (PS256).
        var holderRSA: String
        /// The holder's ES256 key.
        var holderES256: String
        /// The mock Register's PS256 key (it signs SSAs).
        var registerPS256: String
    }

    /// ``MockDataset/Configuration``, field by field.
    struct Dataset: Codable, Sendable, Hashable {
        var seed: UInt64
        var customerCount: Int
        var accountsPerCustomer: Int
        var transactionsPerAccount: Int
        /// Whole seconds since 1970.
        var referenceDate: Int64
        /// Whole seconds.
        var historySeconds: Int64
    }

    /// The ports last bound; `nil` before the first start finished.
    struct Ports: Codable, Sendable, Hashable {
        var publicPort: Int?
        var securePort: Int?
    }

    var version: Int
    var pki: PKI
    var keys: Keys
    var dataset: Dataset
    var ports: Ports
    var softwareProducts: [MockRegister.SoftwareProduct]
    var clients: [ClientRecord]
    var arrangements: [ArrangementRecord]
    /// Refresh token records by the SHA-256 of the token (``HolderState/key(of:)``).
    var refreshTokens: [String: RefreshTokenRecord]
    /// Access token records by the SHA-256 of the token. Kept until they expire (minutes), so a recipient that
    /// restarts together with the holder can keep using its current access token.
    var accessTokens: [String: AccessTokenRecord]
}

extension PersistedHolderState.Dataset {
    /// The stored form of a dataset configuration.
    init(_ configuration: MockDataset.Configuration) {
        seed = configuration.seed
        customerCount = configuration.customerCount
        accountsPerCustomer = configuration.accountsPerCustomer
        transactionsPerAccount = configuration.transactionsPerAccount
        referenceDate = Int64(configuration.referenceDate.timeIntervalSince1970.rounded(.down))
        historySeconds = configuration.history.components.seconds
    }

    /// The configuration it stores.
    var configuration: MockDataset.Configuration {
        MockDataset.Configuration(
            seed: seed, customerCount: customerCount, accountsPerCustomer: accountsPerCustomer,
            transactionsPerAccount: transactionsPerAccount,
            referenceDate: Date(timeIntervalSince1970: TimeInterval(referenceDate)), history: .seconds(historySeconds))
    }

    /// Whether `other` generates the same records, leaving aside the reference date (which defaults to "now" and
    /// is taken from the state).
    func hasSameShape(as other: Self) -> Bool {
        seed == other.seed && customerCount == other.customerCount
            && accountsPerCustomer == other.accountsPerCustomer
            && transactionsPerAccount == other.transactionsPerAccount && historySeconds == other.historySeconds
    }

    /// A short description for error messages.
    var summary: String {
        "seed \(seed), \(customerCount) customers, \(accountsPerCustomer) accounts each, "
            + "\(transactionsPerAccount) transactions per account"
    }
}
