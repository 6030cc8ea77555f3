public import Foundation

/// What one run of the demo did, as `--json` prints it.
public struct DemoResult: Sendable, Codable {
    /// The holder and the registration.
    public struct Holder: Sendable, Codable {
        /// `embedded` or `remote`.
        public var mode: String
        /// The holder brand id on the Register.
        public var brandID: String
        /// The brand name.
        public var brandName: String
        /// The OIDC issuer.
        public var issuer: String
        /// The software product registered.
        public var softwareProductID: String
        /// The `client_id` the holder issued at DCR.
        public var clientID: String
    }

    /// The consent.
    public struct Consent: Sendable, Codable {
        /// `headless` or `interactive`.
        public var mode: String
        /// The `cdr_arrangement_id`.
        public var arrangementID: String
        /// The scopes granted.
        public var scopes: [String]
        /// When sharing ends.
        public var sharingExpiresAt: Date?
    }

    /// One account with its balance and the transactions read.
    public struct AccountRow: Sendable, Codable {
        /// The recipient's key for the account (the same from CDR and DDC).
        public var key: String
        /// The display name.
        public var name: String
        /// The masked number.
        public var maskedNumber: String
        /// The category.
        public var category: String
        /// The current balance, as text (exact decimal).
        public var currentBalance: String?
        /// The available balance.
        public var availableBalance: String?
        /// The currency.
        public var currency: String?
        /// How many transactions were read for the period.
        public var transactions: Int
        /// The sum of their amounts, as text.
        public var net: String
        /// Where the account record came from.
        public var provenance: ProvenanceRow
    }

    /// A record's provenance, flattened.
    public struct ProvenanceRow: Sendable, Codable, Hashable {
        /// `cdr` or `ddc`.
        public var method: String
        /// CDR: the holder brand; DDC: the provider.
        public var source: String
        /// CDR: the arrangement.
        public var arrangementID: String?
        /// CDR: the `x-v` the holder answered with.
        public var version: Int?
        /// CDR: the `x-fapi-interaction-id`.
        public var interactionID: String?
        /// DDC: the connection.
        public var connectionID: String?
        /// DDC: the capture job.
        public var jobID: String?
        /// When it was fetched.
        public var fetchedAt: Date
    }

    /// The transactions read over CDR.
    public struct Transactions: Sendable, Codable {
        /// The period's start.
        public var from: Date
        /// The period's end.
        public var to: Date
        /// How many in all.
        public var count: Int
        /// How many accounts they were read from.
        public var accounts: Int
    }

    /// The outage and the fallback to DDC.
    public struct Fallback: Sendable, Codable {
        /// What the holder's status said during the simulated outage.
        public var holderStatusDuringOutage: String
        /// Who served the accounts during the outage: `ddc:<provider>`.
        public var servedBy: String
        /// Why CDR was skipped (for example `outage`).
        public var cdrSkippedBecause: String
        /// How many accounts DDC served.
        public var accounts: Int
        /// How many transactions DDC served for the first account in the period.
        public var transactions: Int
        /// Whether every DDC account got the same key as the CDR account it is.
        public var sameAccountKeys: Bool
        /// The provenance of the first DDC account.
        public var provenance: ProvenanceRow
        /// The MFA the provider asked for and the demo answered.
        public var challenge: String
        /// Who served after the outage ended.
        public var servedByAfterRecovery: String
    }

    /// What revocation deleted.
    public struct Deletion: Sendable, Codable {
        /// The arrangement.
        public var arrangementID: String
        /// Its final state.
        public var state: String
        /// Whether the holder confirmed the revocation.
        public var holderConfirmed: Bool
        /// Whether its tokens were deleted.
        public var tokensDeleted: Bool
        /// Whether the token store still holds any token for it (must be false).
        public var tokensRemaining: Bool
        /// How many kept records were deleted.
        public var recordsDeleted: Int
        /// How many records the store still holds for it (must be 0).
        public var recordsRemaining: Int
        /// Whether its encryption key was destroyed.
        public var keyDestroyed: Bool
        /// What a data call for the arrangement does afterwards.
        public var dataCallAfterRevocation: String
        /// The store's evidence: when the key was destroyed, what was deleted, and that nothing was left.
        public var evidence: String?
        /// Whether reading back after the deletion found neither the key nor a row.
        public var verified: Bool
        /// The arrangement's audit trail after the deletion (consent, collections, withdrawal, deletion).
        public var auditTrail: [String]
    }

    /// The DDC connection of the run, ended at its end.
    public struct DDCEnding: Sendable, Codable {
        /// Records kept for the connection and deleted.
        public var recordsDeleted: Int
        /// Whether the provider confirmed it deleted the connection.
        public var providerConfirmed: Bool
    }

    /// Where the run kept its state, and what it reused from an earlier run.
    public struct Storage: Sendable, Codable {
        /// One account's collection since its checkpoint.
        public struct Checkpoint: Sendable, Codable {
            /// The account's key.
            public var account: String
            /// The newest transaction the earlier runs kept (`nil` on the first run).
            public var previousThrough: Date?
            /// Where this run started reading: the period's start, or the checkpoint less the late-posting overlap.
            public var from: Date
            /// The transactions this run read for it (the overlap's repeats included).
            public var records: Int
        }

        /// `memory`, the SQLite file's path, or the PostgreSQL URL without its password.
        public var location: String
        /// Whether the registration (`client_id`) came from the store: no DCR this run.
        public var registrationReused: Bool
        /// Whether the arrangement came from the store: no consent this run.
        public var arrangementReused: Bool
        /// Per account, what was read since the checkpoint.
        public var checkpoints: [Checkpoint]
        /// Transactions this run added to the store (read less those it already kept).
        public var newTransactionsKept: Int
        /// Records the store keeps for the arrangement at the end of the run.
        public var recordsKept: Int
    }

    /// The holder.
    public var holder: Holder
    /// The consent.
    public var consent: Consent
    /// The accounts, balances and transaction counts.
    public var accounts: [AccountRow]
    /// The transactions read.
    public var transactions: Transactions
    /// The fallback.
    public var fallback: Fallback
    /// The store.
    public var storage: Storage
    /// The deletion, when the run ended its arrangement (``DemoOptions/endsArrangement``).
    public var deletion: Deletion?
    /// The DDC connection's end.
    public var ddc: DDCEnding
    /// Milliseconds per step, in order.
    public var timings: [String: Int]
    /// What the SDK's decoding tolerated in the holder's data, one line per quirk and field (the client's
    /// data-quality report: counts, first and last seen, example interaction ids; never a value).
    public var dataQuality: [String] = []
}
