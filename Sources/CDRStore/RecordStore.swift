public import CDRAccountData
import Crypto
public import Foundation

/// Whose data a stored record is: one CDR arrangement or one DDC connection.
///
/// Everything the recipient keeps is kept per scope, so that when the arrangement or connection ends, one call
/// deletes all of it.
public enum DataScope: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A CDR arrangement (`cdr_arrangement_id`) with a data holder brand.
    case arrangement(holderBrandID: String, arrangementID: String)
    /// A DDC connection at a capture provider.
    case ddcConnection(providerID: String, connectionID: String)

    /// `arrangement mock-bank/abc` or `ddc mock-aggregator/conn-1`.
    public var description: String {
        switch self {
        case .arrangement(let brand, let id): "arrangement \(brand)/\(id)"
        case .ddcConnection(let provider, let id): "ddc \(provider)/\(id)"
        }
    }
}

/// One record of account data as the recipient keeps it.
public enum StoredRecord: Hashable, Sendable, Codable {
    /// An account.
    case account(Account)
    /// A balance.
    case balance(Balance)
    /// A transaction.
    case transaction(Transaction)
    /// A saved payee.
    case payee(Payee)
    /// A direct debit or scheduled payment.
    case regularPayment(RegularPayment)

    /// Where the record came from and when.
    public var provenance: Provenance {
        switch self {
        case .account(let record): record.provenance
        case .balance(let record): record.provenance
        case .transaction(let record): record.provenance
        case .payee(let record): record.provenance
        case .regularPayment(let record): record.provenance
        }
    }
}

/// What deleting a scope's data did.
public struct DataDeletion: Sendable, Hashable, CustomStringConvertible {
    /// The arrangement or connection.
    public var scope: DataScope
    /// How many stored records were deleted (0 when no store was given: nothing was kept).
    public var recordsDeleted: Int
    /// Whether the scope's encryption key was destroyed (the store encrypts per scope).
    public var keyDestroyed: Bool
    /// For an arrangement: its final state and whether its tokens were deleted (`nil` for a DDC connection).
    public var arrangement: ArrangementSummary?
    /// For a DDC connection: whether the provider confirmed it deleted the connection and its captured data.
    public var providerConfirmed: Bool?
    /// Whether the account identities learnt for the scope were forgotten.
    public var identitiesForgotten: Bool
    /// When the deletion happened.
    public var deletedAt: Date
    /// The store's evidence (when the key was destroyed, the rows deleted, and that reading back found none), when the
    /// records were kept in a ``RecipientStore``.
    public var evidence: DeletionEvidence?

    /// What ending an arrangement did at the token store.
    public struct ArrangementSummary: Sendable, Hashable {
        /// The final state, for example `revoked(by: consumer)`.
        public var state: String
        /// Whether the arrangement's tokens were held and are now deleted.
        public var tokensDeleted: Bool
        /// Whether the holder knew the arrangement when it was revoked there.
        public var holderConfirmed: Bool

        /// Creates a summary.
        /// - Parameters:
        ///   - state: The final state.
        ///   - tokensDeleted: Whether tokens were held and deleted.
        ///   - holderConfirmed: Whether the holder knew the arrangement.
        public init(state: String, tokensDeleted: Bool, holderConfirmed: Bool) {
            self.state = state
            self.tokensDeleted = tokensDeleted
            self.holderConfirmed = holderConfirmed
        }
    }

    /// Creates a report.
    public init(
        scope: DataScope, recordsDeleted: Int, keyDestroyed: Bool, arrangement: ArrangementSummary? = nil,
        providerConfirmed: Bool? = nil, identitiesForgotten: Bool, deletedAt: Date, evidence: DeletionEvidence? = nil
    ) {
        self.evidence = evidence
        self.scope = scope
        self.recordsDeleted = recordsDeleted
        self.keyDestroyed = keyDestroyed
        self.arrangement = arrangement
        self.providerConfirmed = providerConfirmed
        self.identitiesForgotten = identitiesForgotten
        self.deletedAt = deletedAt
    }

    /// `arrangement mock-bank/abc: 412 records deleted, key destroyed, tokens deleted`.
    public var description: String {
        var parts = ["\(recordsDeleted) records deleted"]
        if keyDestroyed { parts.append("key destroyed") }
        if let arrangement {
            parts.append(arrangement.tokensDeleted ? "tokens deleted" : "no tokens held")
            parts.append(arrangement.state)
        }
        if let providerConfirmed {
            parts.append(providerConfirmed ? "provider deleted the connection" : "provider unreachable")
        }
        return "\(scope): " + parts.joined(separator: ", ")
    }
}

/// Where the recipient keeps account data, per ``DataScope``.
///
/// CDRKit keeps nothing unless the caller gives a store (`CDRClient.Configuration.recordStore`). A store must
/// encrypt what it keeps, per scope, and delete all of a scope's records in ``deleteAll(in:)``, which the client
/// calls when an arrangement or connection ends. Implement it over your database; ``EncryptedRecordStore`` keeps
/// records in memory, sealed with a key per scope.
public protocol RecordStore: Sendable {
    /// Appends records to a scope.
    /// - Parameters:
    ///   - records: The records.
    ///   - scope: Their arrangement or connection.
    /// - Throws: The store's error; nothing of the batch is kept then.
    func save(_ records: [StoredRecord], in scope: DataScope) async throws
    /// Reads back a scope's records, in the order they were saved.
    /// - Parameter scope: The arrangement or connection.
    /// - Returns: The records; empty when nothing is kept.
    /// - Throws: The store's error.
    func records(in scope: DataScope) async throws -> [StoredRecord]
    /// How many records a scope has.
    /// - Parameter scope: The arrangement or connection.
    /// - Returns: The count.
    /// - Throws: The store's error.
    func count(in scope: DataScope) async throws -> Int
    /// Deletes every record of a scope and its key.
    /// - Parameter scope: The arrangement or connection.
    /// - Returns: How many records were deleted and whether a key was destroyed.
    /// - Throws: The store's error.
    func deleteAll(in scope: DataScope) async throws -> (records: Int, keyDestroyed: Bool)
    /// Gets a batch ready to be kept without keeping it (a store that encrypts encodes and seals it here), so that a
    /// ``RecordWriter`` prepares one batch while the store writes the one before. The default keeps the records as
    /// they are, for ``keep(_:)`` to ``save(_:in:)``.
    /// - Parameters:
    ///   - records: The records.
    ///   - scope: Their arrangement or connection.
    /// - Returns: The batch, ready for ``keep(_:)``.
    /// - Throws: The store's error; nothing is kept either way.
    func prepare(_ records: [StoredRecord], in scope: DataScope) async throws -> PreparedRecords
    /// Keeps a batch that ``prepare(_:in:)`` of this store made, all of it or nothing.
    /// - Parameter batch: The prepared batch.
    /// - Throws: The store's error; nothing of the batch is kept then.
    func keep(_ batch: PreparedRecords) async throws
}

extension RecordStore {
    /// A batch that holds the records as they are.
    public func prepare(_ records: [StoredRecord], in scope: DataScope) async throws -> PreparedRecords {
        PreparedRecords(records, in: scope)
    }

    /// Saves the batch's records with ``save(_:in:)``.
    /// - Throws: ``StoreError`` `.invalidData` for a batch another store prepared (sealed under its keys), or what
    ///   `save` throws.
    public func keep(_ batch: PreparedRecords) async throws {
        guard case .records(let records) = batch.content else {
            throw StoreError(.invalidData, reason: "a batch sealed by another store cannot be kept here")
        }
        try await save(records, in: batch.scope)
    }
}

/// A batch of records of one scope, made ready to be kept by ``RecordStore/prepare(_:in:)`` and kept by
/// ``RecordStore/keep(_:)`` of the same store.
///
/// A ``RecipientStore`` seals the records into it (the batch then holds only ciphertext, and only that store's
/// `keep` can write it); another store holds the records as they are.
public struct PreparedRecords: Sendable {
    /// What the batch holds.
    enum Content: Sendable {
        /// The records themselves.
        case records([StoredRecord])
        /// Rows sealed by a ``RecipientStore`` (the one `by` names), for its backend.
        case sealed(by: RecipientStore, rows: [SealedRecord])
    }

    /// The arrangement or connection whose records these are.
    public let scope: DataScope
    /// How many records the batch holds.
    public let count: Int
    let content: Content

    /// A batch that holds the records as they are (for a store whose ``RecordStore/keep(_:)`` calls its `save`).
    /// - Parameters:
    ///   - records: The records.
    ///   - scope: Their arrangement or connection.
    public init(_ records: [StoredRecord], in scope: DataScope) {
        self.init(scope: scope, count: records.count, content: .records(records))
    }

    init(scope: DataScope, count: Int, content: Content) {
        self.scope = scope
        self.count = count
        self.content = content
    }
}

/// A ``RecordStore`` in memory that seals every batch with AES-256-GCM under a random key per scope (the scope's
/// description is the additional authenticated data, so a batch cannot be moved to another scope). Deleting a
/// scope drops its sealed batches and destroys its key.
///
/// Memory is about the size of the JSON of the records plus 28 bytes per batch.
public actor EncryptedRecordStore: RecordStore {
    private struct Vault {
        let key: SymmetricKey
        var batches: [Data] = []
        var count = 0
    }

    private var vaults: [DataScope: Vault] = [:]
    private let encoder: JSONEncoder
    private let decoder = JSONDecoder()

    /// Creates an empty store.
    public init() {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        self.encoder = encoder
        decoder.dateDecodingStrategy = .millisecondsSince1970
    }

    /// Seals the batch with the scope's key (created on first use) and appends it.
    public func save(_ records: [StoredRecord], in scope: DataScope) throws {
        guard !records.isEmpty else { return }
        let plain = try encoder.encode(records)
        var vault = vaults[scope] ?? Vault(key: SymmetricKey(size: .bits256))
        let sealed = try AES.GCM.seal(plain, using: vault.key, authenticating: Data(scope.description.utf8))
        guard let combined = sealed.combined else { throw StoreError(.invalidData, reason: "sealing failed") }
        vault.batches.append(combined)
        vault.count += records.count
        vaults[scope] = vault
    }

    /// Opens and decodes the scope's batches.
    public func records(in scope: DataScope) throws -> [StoredRecord] {
        guard let vault = vaults[scope] else { return [] }
        var records: [StoredRecord] = []
        records.reserveCapacity(vault.count)
        for batch in vault.batches {
            let box = try AES.GCM.SealedBox(combined: batch)
            let plain = try AES.GCM.open(box, using: vault.key, authenticating: Data(scope.description.utf8))
            records += try decoder.decode([StoredRecord].self, from: plain)
        }
        return records
    }

    /// The number of records kept for the scope.
    public func count(in scope: DataScope) -> Int { vaults[scope]?.count ?? 0 }

    /// Drops the scope's batches and key.
    public func deleteAll(in scope: DataScope) -> (records: Int, keyDestroyed: Bool) {
        guard let vault = vaults.removeValue(forKey: scope) else { return (0, false) }
        return (vault.count, true)
    }

    /// The scopes that have records (for diagnostics and tests).
    public var scopes: Set<DataScope> { Set(vaults.keys) }

    /// The sealed bytes kept for a scope, as they would sit on disk (for tests that check nothing is in clear).
    public func sealedBatches(in scope: DataScope) -> [Data] { vaults[scope]?.batches ?? [] }
}
