public import CDRAccountData
public import CDRAuth
import CDRStore
public import Foundation

/// What one account's part of ``HolderClient/syncTransactions(of:in:lateOverlap:progress:)`` did.
public struct TransactionSyncResult: Sendable, Hashable {
    /// The account.
    public var account: AccountKey
    /// Where collection started: the period's start on the first sync, the checkpoint less the overlap after.
    public var from: Date
    /// Whether it resumed from a checkpoint an earlier sync (perhaps in another instance) saved.
    public var resumed: Bool
    /// How many transactions it read (the overlap's repeats replace themselves in the store).
    public var records: Int
    /// The newest transaction time kept, which the checkpoint now holds.
    public var collectedThrough: Date?
}

extension HolderClient {
    /// Collects every account's transactions of an arrangement into the record store, resumably: each account
    /// starts from its checkpoint (the newest transaction time an earlier sync kept, less `lateOverlap` for
    /// transactions that post late with an earlier date), or from the period's start on its first sync.
    ///
    /// Pages are kept in the background while the next ones are fetched (``withRecordWriter(of:batchSize:_:)``),
    /// and an account's checkpoint is saved only once every one of its records is kept. So a sync stopped at any
    /// point (an error, a killed process, a database that went away) loses no record it reported kept, and the
    /// next sync, in this instance or another on the same store, resumes from the checkpoints without keeping any
    /// record twice (records are kept by what they are, so a repeat replaces itself).
    /// - Parameters:
    ///   - arrangement: The arrangement.
    ///   - period: The transactions' period.
    ///   - lateOverlap: How far before the checkpoint a resumed sync starts; 3 days by default.
    ///   - progress: Called after each account, with what it did.
    /// - Returns: One result per account, in the holder's order.
    /// - Throws: What the account-data source throws (the holder's or the token manager's error), or the store's.
    @discardableResult
    public func syncTransactions(
        of arrangement: Arrangement, in period: DateInterval, lateOverlap: TimeInterval = 3 * 86_400,
        progress: @Sendable (TransactionSyncResult) -> Void = { _ in }
    ) async throws -> [TransactionSyncResult] {
        let source = await accountData(for: arrangement)
        let store = client.configuration.store
        let scope = scope(of: arrangement.id)
        var results: [TransactionSyncResult] = []
        for account in try await source.accounts() {
            let previous = try await store.checkpoint(for: account.id, in: scope)?.collectedThrough
            let from = previous.map { max($0.addingTimeInterval(-lateOverlap), period.start) } ?? period.start
            let next = source.transactions(of: account.id, in: DateInterval(start: from, end: period.end))
                .makePageReader()
            var newest = previous
            var count = 0
            try await withRecordWriter(of: arrangement.id) { writer in
                while let page = try await next() {
                    count += page.count
                    for transaction in page { newest = max(newest ?? transaction.date, transaction.date) }
                    try await writer.write(page.map(StoredRecord.transaction))
                }
            }
            try await store.saveCheckpoint(
                SyncCheckpoint(
                    account: account.id, collectedThrough: newest, collectedAt: Date(), lastRecordCount: count),
                in: scope)
            let result = TransactionSyncResult(
                account: account.id, from: from, resumed: previous != nil, records: count, collectedThrough: newest)
            results.append(result)
            progress(result)
        }
        return results
    }
}
