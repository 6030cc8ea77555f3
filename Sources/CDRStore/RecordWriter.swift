/// Keeps a stream of records of one scope in the background while the caller goes on collecting.
///
/// Records given to ``write(_:)`` are gathered into batches of ``batchSize`` and each batch is saved with
/// ``RecordStore/save(_:in:)`` on a task of its own, in order, while the caller fetches the next pages: sealing and
/// writing overlap the holder's answers instead of following them. At most two batches are held at once (one being
/// saved, one being gathered), so memory stays flat however long the sync.
///
/// Get one with ``RecordStore/withRecordWriter(in:batchSize:_:)``, which saves what is left and waits for every save
/// before it returns. A batch the store refuses is kept not at all (as with `save`); the writer then keeps nothing
/// more, and ``write(_:)`` and the enclosing call throw the store's error, so a sync checkpoint saved after a
/// successful return is never ahead of what is kept.
public actor RecordWriter {
    /// The store records are saved to; `nil` for a writer that keeps nothing (a client without a record store).
    public nonisolated let store: (any RecordStore)?
    /// The arrangement or connection whose records these are.
    public nonisolated let scope: DataScope
    /// How many records make a batch (one transaction of the store).
    public nonisolated let batchSize: Int

    private var buffer: [StoredRecord] = []
    /// The newest batch's save; it waits for the one before it, and returns how many records are kept in all.
    private var last: Task<Int, any Error>?
    private var failure: (any Error)?

    /// The error of the batch the store refused, if one was refused.
    public var refusal: (any Error)? { failure }

    init(store: (any RecordStore)?, scope: DataScope, batchSize: Int) {
        self.store = store
        self.scope = scope
        self.batchSize = max(1, batchSize)
        buffer.reserveCapacity(self.batchSize)
    }

    /// Adds records; when a batch is full, starts saving it, after waiting for the batch before it (so that no more
    /// than two are held).
    /// - Parameter records: The records, in the order collected.
    /// - Throws: The error of a batch the store refused (this one's or an earlier one's).
    public func write(_ records: [StoredRecord]) async throws {
        if let failure { throw failure }
        guard store != nil else { return }
        buffer.append(contentsOf: records)
        guard buffer.count >= batchSize else { return }
        let previous = startSaving()
        if let previous { try await settle(previous) }
    }

    /// Saves what is gathered and waits for every batch.
    /// - Returns: How many records this writer kept.
    /// - Throws: The error of a batch the store refused.
    func finish() async throws -> Int {
        if let failure { throw failure }
        if !buffer.isEmpty { _ = startSaving() }
        guard let last else { return 0 }
        do {
            return try await last.value
        } catch {
            failure = error
            throw error
        }
    }

    /// Starts the save of the gathered records after the one before; returns the one before.
    private func startSaving() -> Task<Int, any Error>? {
        let batch = buffer
        buffer = []
        buffer.reserveCapacity(batchSize)
        let previous = last
        let store = store
        let scope = scope
        last = Task {
            let before = try await previous?.value ?? 0
            try await store?.save(batch, in: scope)
            return before + batch.count
        }
        return previous
    }

    private func settle(_ task: Task<Int, any Error>) async throws {
        do {
            _ = try await task.value
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
