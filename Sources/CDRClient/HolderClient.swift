public import CDRAccountData
public import CDRAuth
public import CDRBanking
public import CDRModels
public import CDRStore
import CDRTransport
public import Foundation
import Logging
import Synchronization

/// Everything the recipient does with one data holder brand: consent, data, and ending arrangements with the
/// deletion of what was kept for them. Get one from ``CDRClient/connect(holderBrandID:registration:)``.
///
/// It is also the ``/CDRAuth/ArrangementRevocationReceiver`` for this brand: mount it behind the recipient's
/// `/arrangements/revoke` endpoint and a holder's revocation deletes the arrangement's tokens and kept data too.
public final class HolderClient: Sendable {
    /// The brand and its endpoints.
    public let brand: HolderBrand
    /// The registration (its `client_id`); keep it to reconnect without registering again.
    public let registration: RegistrationProperties
    /// The consent and token layer for this holder.
    public let connection: DataHolderConnection
    let client: CDRClient
    private let registries = Mutex<[String: AccountIdentityRegistry]>([:])
    private let budgets = Mutex<[String: UnattendedTrafficBudget]>([:])

    init(brand: HolderBrand, registration: RegistrationProperties, connection: DataHolderConnection, client: CDRClient)
    {
        self.brand = brand
        self.registration = registration
        self.connection = connection
        self.client = client
    }

    // MARK: Consent

    /// Pushes the authorisation request (PAR) and returns where to send the customer.
    /// - Parameter request: The scopes and sharing duration (and the arrangement, when amending).
    /// - Returns: The authorisation URL, its `state` and expiry.
    /// - Throws: `AuthorizationError`.
    public func startAuthorization(_ request: AuthorizationRequest) async throws -> AuthorizationRedirect {
        try await connection.startAuthorization(request)
    }

    /// Completes the authorisation from the URL the holder redirected the customer's browser to.
    /// - Parameters:
    ///   - callbackURL: The redirect URI with its `response` (JARM) parameter.
    ///   - expectedState: The `state` of the redirect, as kept in the customer's session.
    /// - Returns: The arrangement, its tokens kept in the token store.
    /// - Throws: `AuthorizationError`; nothing further is sent after a failed check.
    public func completeAuthorization(callbackURL: URL, expectedState: String) async throws -> Arrangement {
        try await audited(
            try await connection.completeAuthorization(callbackURL: callbackURL, expectedState: expectedState))
    }

    /// Completes the authorisation from the JARM `response` parameter.
    /// - Parameters:
    ///   - response: The `response` JWT.
    ///   - expectedState: The `state` of the redirect.
    /// - Returns: The arrangement.
    /// - Throws: `AuthorizationError`.
    public func completeAuthorization(response: String, expectedState: String) async throws -> Arrangement {
        try await audited(try await connection.completeAuthorization(response: response, expectedState: expectedState))
    }

    /// Records the consent in the audit trail: given for a new arrangement, amended for a re-authorisation.
    private func audited(_ arrangement: Arrangement) async throws -> Arrangement {
        let event: AuditEvent =
            arrangement.amendmentCount > 0
            ? .consentAmended(
                holderBrandID: brand.id, arrangementID: arrangement.id, scopes: arrangement.scopes,
                sharingExpiresAt: arrangement.sharingExpiresAt)
            : .consentGiven(
                holderBrandID: brand.id, arrangementID: arrangement.id, scopes: arrangement.scopes,
                sharingExpiresAt: arrangement.sharingExpiresAt)
        try await client.configuration.store.record(event, scope: scope(of: arrangement.id))
        return arrangement
    }

    /// The arrangements of this brand kept in the store (ended ones keep a tombstone without tokens).
    /// - Returns: The arrangements, oldest consent first.
    /// - Throws: ``/CDRStore/StoreError``.
    public func storedArrangements() async throws -> [Arrangement] {
        try await client.configuration.store.arrangements(holderBrandID: brand.id).map(\.arrangement)
    }

    /// The audit trail of one arrangement: its consent, every collection of its data, its end and the deletion's
    /// evidence, oldest first. It names calls, counts and ids, never data or secrets.
    /// - Parameter arrangementID: The `cdr_arrangement_id`.
    /// - Returns: The entries.
    /// - Throws: ``/CDRStore/StoreError``.
    public func auditTrail(of arrangementID: String) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        while true {
            let page = try await client.configuration.store.auditTrail(
                for: scope(of: arrangementID), after: entries.last?.sequence ?? 0, limit: 1_000)
            guard !page.isEmpty else { return entries }
            entries += page
        }
    }

    /// The arrangement as the token store knows it (also after it ended: a tombstone without tokens).
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: The arrangement, or `nil` when it never existed here.
    /// - Throws: The token store's error.
    public func arrangement(id: String) async throws -> Arrangement? {
        try await connection.arrangement(id: id)
    }

    // MARK: Data

    /// A banking client for an arrangement: its token manager attaches (and refreshes) the access token.
    /// - Parameters:
    ///   - arrangement: The arrangement.
    ///   - context: Attended or unattended; unattended since the arrangement's authorisation by default.
    /// - Returns: The client. Clients for the same arrangement share one traffic budget, when one is configured.
    ///   Every response that carries the customer's data is recorded in the store's audit trail (a collection:
    ///   operation, version, record count, interaction id), before its records reach the caller. The brand's
    ///   entry in ``CDRClient/Configuration/holderQuirks`` is applied, and what decoding tolerated goes into
    ///   ``CDRClient/dataQualityReport``.
    public func banking(for arrangement: Arrangement, context: CallContext? = nil) async -> BankingClient {
        let tokens = await connection.tokenManager(for: arrangement.id)
        let budget = client.configuration.trafficBudget.map { limits in
            budgets.withLock { budgets in
                if let existing = budgets[arrangement.id] { return existing }
                let created = UnattendedTrafficBudget(limits: limits)
                budgets[arrangement.id] = created
                return created
            }
        }
        let transport = MiddlewareTransport.standard(
            client.base, logger: client.logger, retry: client.configuration.retry, accessTokens: tokens,
            trafficBudget: budget.map { TrafficBudgetMiddleware(budget: $0) })
        return BankingClient(
            configuration: .init(
                resourceBaseURL: brand.resourceBaseURL, publicBaseURL: brand.publicBaseURL, holderBrandID: brand.id,
                versions: client.configuration.versions, pageSize: client.configuration.pageSize,
                quirks: client.configuration.holderQuirks.quirks(forBrand: brand.id) ?? HolderQuirks()),
            context: context ?? .unattended(authenticatedAt: arrangement.authorisedAt),
            transport: transport, logger: client.logger,
            collectionObserver: CollectionAudit(store: client.configuration.store, scope: scope(of: arrangement.id)),
            dataQuality: client.dataQuality)
    }

    /// The arrangement's data as an ``/CDRAccountData/AccountDataSource`` (domain records with provenance).
    /// - Parameters:
    ///   - arrangement: The arrangement.
    ///   - context: Attended or unattended; unattended by default.
    ///   - registry: Where account identities are kept across sources; one per arrangement by default (share it
    ///     with a DDC source for the same customer so both name an account by the same key).
    ///   - options: The source's options.
    /// - Returns: The source.
    public func accountData(
        for arrangement: Arrangement, context: CallContext? = nil, registry: AccountIdentityRegistry? = nil,
        options: CDRAccountDataSource.Options = .init()
    ) async -> CDRAccountDataSource {
        let registry = registry ?? keptRegistry(for: arrangement.id)
        return CDRAccountDataSource(
            holderBrandID: brand.id, arrangementID: arrangement.id,
            banking: await banking(for: arrangement, context: context), registry: registry, options: options)
    }

    /// The identity registry the facade keeps for an arrangement, restored from the store: the same account keeps
    /// the same `AccountKey` after a restart. Created on first use; the account-data sources save it back to the
    /// store (sealed under the arrangement's key) whenever they learn an account; forgotten, with what was kept,
    /// when the arrangement ends.
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: Its registry.
    /// - Throws: ``/CDRStore/StoreError`` when the kept identities cannot be read.
    public func registry(for arrangementID: String) async throws -> AccountIdentityRegistry {
        let registry = keptRegistry(for: arrangementID)
        try await registry.restoreIfNeeded()
        return registry
    }

    /// The arrangement's registry, which restores itself from the store on first use.
    func keptRegistry(for arrangementID: String) -> AccountIdentityRegistry {
        registries.withLock { registries in
            if let existing = registries[arrangementID] { return existing }
            let created = AccountIdentityRegistry(
                persistence: client.configuration.store.accountIdentities(
                    holderBrandID: brand.id, arrangementID: arrangementID, tokenStore: connection.tokenStore))
            registries[arrangementID] = created
            return created
        }
    }

    /// The scope under which this arrangement's records are kept.
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: The scope.
    public func scope(of arrangementID: String) -> DataScope {
        .arrangement(holderBrandID: brand.id, arrangementID: arrangementID)
    }

    /// Keeps records of an arrangement in the configured record store; does nothing without one.
    /// - Parameters:
    ///   - records: The records.
    ///   - arrangementID: Their arrangement.
    /// - Returns: Whether they were kept.
    /// - Throws: ``CDRClientError/Code/storeFailed``.
    @discardableResult
    public func keep(_ records: [StoredRecord], of arrangementID: String) async throws -> Bool {
        try await client.keep(records, in: scope(of: arrangementID))
    }

    /// Runs `body` with a ``/CDRStore/RecordWriter`` for an arrangement's records
    /// (``CDRClient/withRecordWriter(in:batchSize:_:)``): they are kept in batches in the background while `body`
    /// fetches more, and this returns once every batch is kept, so a checkpoint saved after it is never ahead.
    /// - Parameters:
    ///   - arrangementID: Their arrangement.
    ///   - batchSize: Records per batch (one transaction of the store).
    ///   - body: What collects the records and writes them.
    /// - Returns: How many records were kept (0 without a record store).
    /// - Throws: What `body` throws, or ``CDRClientError/Code/storeFailed``.
    @discardableResult
    public func withRecordWriter(
        of arrangementID: String, batchSize: Int = 10_000, _ body: (RecordWriter) async throws -> Void
    ) async throws -> Int {
        try await client.withRecordWriter(in: scope(of: arrangementID), batchSize: batchSize, body)
    }

    // MARK: Ending

    /// Withdraws consent: revokes the arrangement at the holder, then deletes its tokens, its kept records (and
    /// their key) and the account identities learnt for it.
    /// - Parameters:
    ///   - id: The `cdr_arrangement_id`.
    ///   - initiator: The consumer (withdrawal in the recipient's app, the default) or the recipient.
    /// - Returns: What was deleted.
    /// - Throws: `AuthorizationError.revocationFailed` (nothing is deleted then, so it can be retried), or
    ///   ``CDRClientError/Code/storeFailed``.
    public func revokeArrangement(id: String, initiator: RevocationInitiator = .consumer) async throws -> DataDeletion {
        let ending = try await connection.revokeArrangement(id: id, initiator: initiator)
        return try await deleteData(of: ending, channel: .recipient)
    }

    /// Deletes what was kept for an arrangement that ended at the holder (its revocation arrived at the recipient's
    /// endpoint, or the holder reports it unknown).
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: What was deleted, or `nil` when this holder has no such live arrangement.
    /// - Throws: The stores' errors.
    public func holderRevokedArrangement(id: String) async throws -> DataDeletion? {
        guard let ending = try await connection.holderRevokedArrangement(id: id) else { return nil }
        return try await deleteData(of: ending, channel: .holder)
    }

    private func deleteData(of ending: ArrangementEnding, channel: WithdrawalChannel) async throws -> DataDeletion {
        let scope = scope(of: ending.arrangementID)
        // The store recorded the end (expired, or withdrawn through the holder or the recipient) with the
        // arrangement's tombstone, and destroyed its key in the same transaction, when the token store is the
        // store's own; a separate token store ends it here.
        if client.configuration.tokenStore != nil {
            let event: AuditEvent =
                ending.state == .expired
                ? .consentExpired(holderBrandID: brand.id, arrangementID: ending.arrangementID)
                : .consentWithdrawn(holderBrandID: brand.id, arrangementID: ending.arrangementID, channel: channel)
            try await client.configuration.store.record(event, scope: scope)
        }
        let deleted = try await client.deleteRecords(in: scope)
        let registry = registries.withLock { $0.removeValue(forKey: ending.arrangementID) }
        _ = budgets.withLock { $0.removeValue(forKey: ending.arrangementID) }
        await registry?.removeAll()
        let deletion = DataDeletion(
            scope: scope, recordsDeleted: deleted.records, keyDestroyed: deleted.keyDestroyed,
            arrangement: .init(
                state: "\(ending.state)", tokensDeleted: ending.tokensDeleted, holderConfirmed: ending.holderConfirmed),
            identitiesForgotten: true, deletedAt: ending.endedAt, evidence: deleted.evidence)
        client.logger.info(
            "CDR arrangement data deleted",
            metadata: [
                "cdr.holder_brand_id": "\(brand.id)", "cdr.arrangement_id": "\(ending.arrangementID)",
                "cdr.records_deleted": "\(deleted.records)", "cdr.tokens_deleted": "\(ending.tokensDeleted)",
            ])
        return deletion
    }
}

/// Keeps an audit entry for every collection of an arrangement's data (the holder, the operation, the time, the
/// record count and the interaction id; never the data).
struct CollectionAudit: DataCollectionObserver {
    let store: RecipientStore
    let scope: DataScope

    func collected(_ collection: DataCollection) async throws {
        try await store.record(
            .collected(
                CollectionSummary(
                    source: collection.holderBrandID ?? "", method: "cdr", operation: collection.operation,
                    recordCount: collection.recordCount, interactionIDs: collection.interactionID.map { [$0] } ?? [])),
            scope: scope)
    }
}

extension HolderClient: ArrangementRevocationReceiver {
    /// Ends an arrangement the holder revoked at the recipient's endpoint and deletes its tokens and kept data.
    /// - Parameter revocation: The verified revocation.
    /// - Returns: `false` when it names another brand or no live arrangement of this holder (the endpoint then
    ///   answers 422).
    /// - Throws: The stores' errors.
    public func revokeArrangement(_ revocation: ArrangementRevocation) async throws -> Bool {
        guard revocation.holderBrandID == brand.id else { return false }
        return try await holderRevokedArrangement(id: revocation.arrangementID) != nil
    }
}
