public import CDRAccountData
public import CDRAuth
public import CDRModels
public import Foundation

/// A registration with one holder brand, as the store keeps it.
public struct StoredRegistration: Sendable, Hashable, Codable {
    /// The holder brand.
    public var holderBrandID: String
    /// The software product that registered.
    public var softwareProductID: String
    /// What the holder confirmed (its `client_id` among it).
    public var registration: RegistrationProperties
    /// When it was stored.
    public var registeredAt: Date

    /// Creates a stored registration.
    public init(
        holderBrandID: String, softwareProductID: String, registration: RegistrationProperties, registeredAt: Date
    ) {
        self.holderBrandID = holderBrandID
        self.softwareProductID = softwareProductID
        self.registration = registration
        self.registeredAt = registeredAt
    }
}

/// A DDC connection as the store keeps it: ids and status, never credentials or one-time codes.
public struct StoredDDCConnection: Sendable, Hashable, Codable {
    /// The provider's id.
    public var providerID: String
    /// The connection's id at the provider.
    public var connectionID: String
    /// The institution connected to.
    public var institutionID: String?
    /// The last known status (`active`, `ended`, …).
    public var status: String
    /// When it was made.
    public var createdAt: Date
    /// When the status last changed.
    public var updatedAt: Date

    /// Creates a stored connection.
    public init(
        providerID: String, connectionID: String, institutionID: String?, status: String, createdAt: Date,
        updatedAt: Date
    ) {
        self.providerID = providerID
        self.connectionID = connectionID
        self.institutionID = institutionID
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Its scope.
    public var scope: DataScope { .ddcConnection(providerID: providerID, connectionID: connectionID) }
}

/// How far collection has got for one account of a scope.
public struct SyncCheckpoint: Sendable, Hashable, Codable {
    /// The account.
    public var account: AccountKey
    /// The newest transaction time collected (the next sync asks from here), or `nil` before the first.
    public var collectedThrough: Date?
    /// When the last collection finished.
    public var collectedAt: Date
    /// How many records the last collection brought.
    public var lastRecordCount: Int

    /// Creates a checkpoint.
    public init(account: AccountKey, collectedThrough: Date?, collectedAt: Date, lastRecordCount: Int) {
        self.account = account
        self.collectedThrough = collectedThrough
        self.collectedAt = collectedAt
        self.lastRecordCount = lastRecordCount
    }
}

extension RecipientStore {
    /// The scope of the store's own items (registrations, pending authorisations), with its own data key.
    static let recipientScope = "recipient"

    // MARK: Registrations

    /// Keeps the registration of a software product with a holder brand (replacing an earlier one).
    /// - Parameter registration: The registration.
    /// - Throws: ``StoreError``.
    public func saveRegistration(_ registration: StoredRegistration) async throws {
        try await putItem(
            registration, kind: "registration",
            key: Self.registrationKey(registration.holderBrandID, registration.softwareProductID),
            scope: Self.recipientScope,
            audit: .registered(
                holderBrandID: registration.holderBrandID, softwareProductID: registration.softwareProductID,
                clientID: registration.registration.clientId))
    }

    /// The registration of a software product with a holder brand, or `nil`.
    /// - Throws: ``StoreError``.
    public func registration(holderBrandID: String, softwareProductID: String) async throws -> StoredRegistration? {
        try await item(
            StoredRegistration.self, kind: "registration", key: Self.registrationKey(holderBrandID, softwareProductID))
    }

    /// Forgets a registration (for example when the holder no longer knows the `client_id`).
    /// - Throws: ``StoreError``.
    public func deleteRegistration(holderBrandID: String, softwareProductID: String) async throws {
        try await deleteItem(kind: "registration", key: Self.registrationKey(holderBrandID, softwareProductID))
    }

    static func registrationKey(_ brand: String, _ product: String) -> String { "\(product)@\(brand)" }

    // MARK: Arrangements

    /// The `TokenStore` of one holder brand's arrangements: each arrangement's record and tokens sealed under the
    /// arrangement's own data key.
    /// - Parameter holderBrandID: The brand.
    /// - Returns: The view.
    public nonisolated func tokenStore(holderBrandID: String) -> StoredArrangements {
        StoredArrangements(store: self, holderBrandID: holderBrandID)
    }

    /// Every kept arrangement of a holder brand (ended ones are deleted, so these are live or awaiting deletion).
    /// - Parameter holderBrandID: The brand.
    /// - Returns: The records, oldest consent first.
    /// - Throws: ``StoreError`` for a row that cannot be opened.
    public func arrangements(holderBrandID: String) async throws -> [ArrangementRecord] {
        let prefix = holderBrandID + "/"
        var records: [ArrangementRecord] = []
        for item in try await backend.items(kind: StoredArrangements.kind) where item.key.hasPrefix(prefix) {
            records.append(try await open(ArrangementRecord.self, item))
        }
        return records.sorted { $0.arrangement.authorisedAt < $1.arrangement.authorisedAt }
    }

    // MARK: DDC connections

    /// Keeps (or updates) a DDC connection's ids and status.
    /// - Parameter connection: The connection.
    /// - Throws: ``StoreError``.
    public func saveDDCConnection(_ connection: StoredDDCConnection) async throws {
        let key = "\(connection.providerID)/\(connection.connectionID)"
        let isNew = try await backend.item(kind: "ddc-connection", key: key) == nil
        try await putItem(
            connection, kind: "ddc-connection", key: key, scope: connection.scope.description,
            audit: isNew
                ? .ddcConnectionCreated(providerID: connection.providerID, connectionID: connection.connectionID)
                : nil)
    }

    /// Every kept DDC connection.
    /// - Throws: ``StoreError`` for a row that cannot be opened.
    public func ddcConnections() async throws -> [StoredDDCConnection] {
        try await items(StoredDDCConnection.self, kind: "ddc-connection").map { try $0.get() }
    }

    // MARK: Checkpoints

    /// Keeps how far collection has got for an account of a scope.
    /// - Parameters:
    ///   - checkpoint: The checkpoint.
    ///   - scope: The arrangement or connection.
    /// - Throws: ``StoreError``.
    public func saveCheckpoint(_ checkpoint: SyncCheckpoint, in scope: DataScope) async throws {
        try await putItem(
            checkpoint, kind: "checkpoint", key: "\(scope)|\(checkpoint.account.rawValue)", scope: scope.description)
    }

    /// The checkpoint of an account of a scope, or `nil` before the first collection.
    /// - Throws: ``StoreError``.
    public func checkpoint(for account: AccountKey, in scope: DataScope) async throws -> SyncCheckpoint? {
        try await item(SyncCheckpoint.self, kind: "checkpoint", key: "\(scope)|\(account.rawValue)")
    }
}

/// One holder brand's arrangements in a ``RecipientStore``, as a `TokenStore`.
public struct StoredArrangements: TokenStore {
    static let kind = "arrangement"
    /// The store.
    public let store: RecipientStore
    /// The brand.
    public let holderBrandID: String

    /// Seals the record under the arrangement's data key (made on first use) and keeps it.
    ///
    /// An ended arrangement's record (no tokens: a tombstone that says how it ended) is sealed under the store's
    /// own key instead, so it outlives the arrangement, and saving it ends the arrangement's scope: in one
    /// transaction the tombstone replaces the tokens and the scope's data key is destroyed, then the scope's rows
    /// (records, identities, checkpoints) are deleted. However the arrangement ended (withdrawal, the holder's
    /// revocation, a refused refresh), nothing of its data stays readable; a stop between the two steps leaves only
    /// rows without a key, which the next open deletes.
    public func save(_ record: ArrangementRecord) async throws {
        let arrangementScope = DataScope.arrangement(
            holderBrandID: holderBrandID, arrangementID: record.arrangement.id
        ).description
        guard record.tokens == nil, record.arrangement.state.isTerminal else {
            try await store.putItem(record, kind: Self.kind, key: key(record.arrangement.id), scope: arrangementScope)
            return
        }
        let tombstone = try await store.sealedItem(
            record, kind: Self.kind, key: key(record.arrangement.id), scope: RecipientStore.recipientScope)
        var changes: [StoreChange] = [.putItem(tombstone)]
        // The consent's end enters the audit trail with the tombstone, once.
        let earlier = try await store.backend.item(kind: Self.kind, key: key(record.arrangement.id))
        if earlier?.scope != RecipientStore.recipientScope {
            changes.append(try await store.auditRow(ending(of: record.arrangement), scope: arrangementScope))
        }
        _ = try await store.destroy(scope: arrangementScope, alongWith: changes)
    }

    /// The audit event of an arrangement's end: expired, or withdrawn through the holder or the recipient.
    private func ending(of arrangement: Arrangement) -> AuditEvent {
        switch arrangement.state {
        case .expired:
            return .consentExpired(holderBrandID: holderBrandID, arrangementID: arrangement.id)
        case .revoked(let initiator) where initiator == .holder:
            return .consentWithdrawn(holderBrandID: holderBrandID, arrangementID: arrangement.id, channel: .holder)
        default:
            return .consentWithdrawn(holderBrandID: holderBrandID, arrangementID: arrangement.id, channel: .recipient)
        }
    }

    /// Opens the arrangement's record, or `nil`. A record that says the arrangement ended (perhaps in another
    /// instance on the same database) also drops the arrangement's data key from this store's memory.
    public func load(arrangementID: String) async throws -> ArrangementRecord? {
        let record = try await store.item(ArrangementRecord.self, kind: Self.kind, key: key(arrangementID))
        if let record, record.tokens == nil, record.arrangement.state.isTerminal {
            await store.forgetDataKey(
                scope: DataScope.arrangement(holderBrandID: holderBrandID, arrangementID: arrangementID).description)
        }
        return record
    }

    /// Deletes the arrangement's record and tokens (its kept records and key go with ``RecipientStore/destroy(_:)``).
    @discardableResult
    public func delete(arrangementID: String) async throws -> Bool {
        let existed = try await store.backend.item(kind: Self.kind, key: key(arrangementID)) != nil
        try await store.deleteItem(kind: Self.kind, key: key(arrangementID))
        return existed
    }

    /// Runs `body` under the backend's exclusive lock `refresh <brand>/<arrangement>`: across every instance on a
    /// PostgreSQL database, within the process on SQLite and in memory.
    public func withRefreshLock<T: Sendable>(arrangementID: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await store.backend.withExclusiveLock("refresh \(key(arrangementID))", body)
    }

    private func key(_ id: String) -> String { "\(holderBrandID)/\(id)" }
}
