/// Keeps a stream of records of one scope in the background while the caller goes on collecting.
///
/// Records given to ``write(_:)`` are gathered into batches of ``batchSize``. Each full batch goes through two
/// stages on tasks of their own: ``RecordStore/prepare(_:in:)`` (a ``RecipientStore`` encodes and seals it on a
/// thread of its own, not one of Swift's cooperative threads) and ``RecordStore/keep(_:)`` (one transaction of the
/// backend), in order. So while the
/// caller gathers the next batch from the holder, the batch before is being sealed and the one before that written:
/// the three overlap instead of following one another. At most three batches are held at once (one being written,
/// the next prepared or being prepared, and one being prepared or gathered), so memory stays flat however long the
/// sync.
///
/// Get one with ``RecordStore/withRecordWriter(in:batchSize:_:)``, which keeps what is left and waits for every
/// batch before it returns. A batch the store refuses is kept not at all (as with `save`); the writer then keeps
/// nothing more, and ``write(_:)`` and the enclosing call throw the store's error, so a sync checkpoint saved after a
/// successful return is never ahead of what is kept.
public actor RecordWriter {
    /// The store records are saved to; `nil` for a writer that keeps nothing (a client without a record store).
    public nonisolated let store: (any RecordStore)?
    /// The arrangement or connection whose records these are.
    public nonisolated let scope: DataScope
    /// How many records make a batch (one transaction of the store).
    public nonisolated let batchSize: Int

    private var buffer: [StoredRecord] = []
    /// The writes of the batches started and not yet waited for, oldest first; each waits for the one before it,
    /// and returns how many records are kept in all once it is done.
    private var writes: [Task<Int, any Error>] = []
    /// How many records the batches already waited for kept.
    private var kept = 0
    private var failure: (any Error)?

    /// The error of the batch the store refused, if one was refused.
    public var refusal: (any Error)? { failure }

    init(store: (any RecordStore)?, scope: DataScope, batchSize: Int) {
        self.store = store
        self.scope = scope
        self.batchSize = max(1, batchSize)
        buffer.reserveCapacity(self.batchSize)
    }

    /// Adds records; when a batch is full, starts preparing it (and then writing it, after the batch before), and
    /// waits until the write before that one is done, so that no more than three batches are held.
    /// - Parameter records: The records, in the order collected.
    /// - Throws: The error of a batch the store refused (this one's or an earlier one's).
    public func write(_ records: [StoredRecord]) async throws {
        if let failure { throw failure }
        guard store != nil else { return }
        buffer.append(contentsOf: records)
        guard buffer.count >= batchSize else { return }
        startKeeping()
        // The batch just started is prepared while the one before is written; the one before that must be done.
        if writes.count > 2 { try await settle(writes.removeFirst()) }
    }

    /// Keeps what is gathered and waits for every batch.
    /// - Returns: How many records this writer kept.
    /// - Throws: The error of a batch the store refused.
    func finish() async throws -> Int {
        if let failure { throw failure }
        if !buffer.isEmpty { startKeeping() }
        guard let last = writes.last else { return kept }
        writes.removeAll()
        do {
            kept = try await last.value
            return kept
        } catch {
            failure = error
            throw error
        }
    }

    /// Starts preparing the gathered records at once, and keeping them after the write before.
    private func startKeeping() {
        guard let store else { return }
        let batch = buffer
        buffer = []
        buffer.reserveCapacity(batchSize)
        let previous = writes.last
        let scope = scope
        let prepared = Task { try await store.prepare(batch, in: scope) }
        let kept = kept
        writes.append(
            Task {
                let before: Int
                do {
                    before = try await previous?.value ?? kept
                } catch {
                    prepared.cancel()
                    throw error
                }
                let ready = try await prepared.value
                try await store.keep(ready)
                return before + ready.count
            })
    }

    private func settle(_ task: Task<Int, any Error>) async throws {
        do {
            kept = try await task.value
        } catch {
            failure = error
            throw error
        }
    }
}

extension RecordStore {
    /// Runs `body` with a ``RecordWriter`` for `scope`, then saves what is left and waits for every batch.
    ///
    /// ```swift
    /// let kept = try await store.withRecordWriter(in: scope) { writer in
    ///     for try await page in pages { try await writer.write(page.map(StoredRecord.transaction)) }
    /// }
    /// try await store.saveCheckpoint(checkpoint, in: scope)  // only once every record is kept
    /// ```
    /// - Parameters:
    ///   - scope: The arrangement or connection.
    ///   - batchSize: Records per batch (per transaction of the store); 10,000 by default.
    ///   - body: What collects the records and writes them.
    /// - Returns: How many records were kept.
    /// - Throws: What `body` throws (after the records it wrote before are saved, or have failed to be), or the
    ///   error of a batch the store refused.
    @discardableResult
    public func withRecordWriter(
        in scope: DataScope, batchSize: Int = 10_000, _ body: (RecordWriter) async throws -> Void
    ) async throws -> Int {
        try await RecordWriter.run(store: self, scope: scope, batchSize: batchSize, body)
    }
}

extension RecordWriter {
    /// Runs `body` with a writer, then saves what is left and waits for every batch (also when `body` throws).
    /// - Parameters:
    ///   - store: The store, or `nil` to keep nothing.
    ///   - scope: The arrangement or connection.
    ///   - batchSize: Records per batch.
    ///   - body: What collects the records and writes them.
    /// - Returns: How many records were kept.
    /// - Throws: What `body` throws, or the error of a batch the store refused.
    public static func run(
        store: (any RecordStore)?, scope: DataScope, batchSize: Int = 10_000,
        _ body: (RecordWriter) async throws -> Void
    ) async throws -> Int {
        let writer = RecordWriter(store: store, scope: scope, batchSize: batchSize)
        do {
            try await body(writer)
        } catch {
            _ = try? await writer.finish()
            throw error
        }
        return try await writer.finish()
    }
}
