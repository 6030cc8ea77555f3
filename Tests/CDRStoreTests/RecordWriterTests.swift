import CDRAccountData
import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

/// `RecordWriter`: records written while a sync goes on are kept in batches in the background, in order, one batch
/// at a time; a refused batch stops the writer with the store's error and nothing after it is kept.
@Suite("RecordWriter", .timeLimit(.minutes(5)))
struct RecordWriterTests {
    static let scope = RecordSealingTests.scope

    static func pages(_ total: Int, of size: Int) -> [[StoredRecord]] {
        stride(from: 0, to: total, by: size).map { start in
            (start..<min(total, start + size)).map { RecordSealingTests.transaction($0) }
        }
    }

    /// A record store that remembers each save's size, notices overlapping saves, and refuses the save numbered
    /// `refusing` (counting from 1).
    actor WatchedStore: RecordStore {
        struct Refused: Error {}
        let inner = EncryptedRecordStore()
        let refusing: Int?
        private(set) var saves: [Int] = []
        private(set) var overlapped = false
        private var saving = false

        init(refusing: Int? = nil) { self.refusing = refusing }

        func save(_ records: [StoredRecord], in scope: DataScope) async throws {
            if saving { overlapped = true }
            saving = true
            defer { saving = false }
            saves.append(records.count)
            try await Task.sleep(for: .milliseconds(20))  // long enough for a second save to overlap, if one could
            if saves.count == refusing { throw Refused() }
            try await inner.save(records, in: scope)
        }
        func records(in scope: DataScope) async throws -> [StoredRecord] { try await inner.records(in: scope) }
        func count(in scope: DataScope) async throws -> Int { await inner.count(in: scope) }
        func deleteAll(in scope: DataScope) async throws -> (records: Int, keyDestroyed: Bool) {
            await inner.deleteAll(in: scope)
        }
    }

    @Test("25,000 records in pages of 1,000 are kept in SQLite in batches, all of them, in the order written")
    func keepsEverythingInOrder() async throws {
        try await RecordSealingTests.withStore { store, _, _ in
            let pages = Self.pages(25_000, of: 1_000)
            let kept = try await store.withRecordWriter(in: Self.scope, batchSize: 10_000) { writer in
                for page in pages { try await writer.write(page) }
            }
            #expect(kept == 25_000)
            #expect(try await store.count(in: Self.scope) == 25_000)
            #expect(try await store.records(in: Self.scope) == pages.flatMap { $0 })
        }
    }

    @Test("batches are saved one at a time, in order, sized as asked; the rest is saved when the body returns")
    func batchesInOrder() async throws {
        let store = WatchedStore()
        let kept = try await store.withRecordWriter(in: Self.scope, batchSize: 3_000) { writer in
            for page in Self.pages(10_500, of: 1_000) { try await writer.write(page) }
        }
        #expect(kept == 10_500)
        #expect(await store.saves == [3_000, 3_000, 3_000, 1_500])
        #expect(await store.overlapped == false)
        #expect(try await store.records(in: Self.scope) == Self.pages(10_500, of: 1_000).flatMap { $0 })
    }

    /// A record store whose `prepare` and `keep` take a while, and which notes what was in progress at once.
    actor PipelinedStore: RecordStore {
        let inner = EncryptedRecordStore()
        private(set) var kept: [Int] = []
        private(set) var keepsOverlapped = false
        private(set) var preparedWhileKeeping = false
        private(set) var mostHeld = 0
        private var preparing = 0
        private var waiting = 0
        private var keeping = false

        private func note() { mostHeld = max(mostHeld, preparing + waiting + (keeping ? 1 : 0)) }

        func prepare(_ records: [StoredRecord], in scope: DataScope) async throws -> PreparedRecords {
            preparing += 1
            note()
            if keeping { preparedWhileKeeping = true }
            try await Task.sleep(for: .milliseconds(10))
            preparing -= 1
            waiting += 1
            return PreparedRecords(records, in: scope)
        }

        func keep(_ batch: PreparedRecords) async throws {
            if keeping { keepsOverlapped = true }
            keeping = true
            waiting -= 1
            note()
            try await Task.sleep(for: .milliseconds(40))
            try await inner.keep(batch)
            kept.append(batch.count)
            keeping = false
        }

        func save(_ records: [StoredRecord], in scope: DataScope) async throws {
            try await keep(try await prepare(records, in: scope))
        }
        func records(in scope: DataScope) async throws -> [StoredRecord] { try await inner.records(in: scope) }
        func count(in scope: DataScope) async throws -> Int { await inner.count(in: scope) }
        func deleteAll(in scope: DataScope) async throws -> (records: Int, keyDestroyed: Bool) {
            await inner.deleteAll(in: scope)
        }
    }

    @Test("the next batch is prepared while the one before is kept; keeps never overlap; at most three are held")
    func preparesWhileKeeping() async throws {
        let store = PipelinedStore()
        let pages = Self.pages(12_000, of: 500)
        let kept = try await store.withRecordWriter(in: Self.scope, batchSize: 1_000) { writer in
            for page in pages { try await writer.write(page) }
        }
        #expect(kept == 12_000)
        #expect(await store.kept == Array(repeating: 1_000, count: 12))
        #expect(await store.keepsOverlapped == false)
        #expect(await store.preparedWhileKeeping)
        #expect(await store.mostHeld <= 3)
        #expect(try await store.records(in: Self.scope) == pages.flatMap { $0 })
    }

    @Test("a refused batch stops the writer: the store's error reaches the caller and nothing after it is kept")
    func refusedBatch() async throws {
        let store = WatchedStore(refusing: 2)
        var written = 0
        await #expect(throws: WatchedStore.Refused.self) {
            try await store.withRecordWriter(in: Self.scope, batchSize: 2_000) { writer in
                for page in Self.pages(20_000, of: 1_000) {
                    try await writer.write(page)
                    written += page.count
                }
            }
        }
        #expect(written < 20_000)  // the writer threw while the body was still writing
        #expect(try await store.count(in: Self.scope) == 2_000)  // the first batch only
        #expect(await store.saves.count == 2)  // nothing was saved after the refused batch
    }

    struct BodyFailed: Error {}

    @Test("when the body throws, what it wrote before is kept, and its error is the one thrown")
    func bodyFails() async throws {
        let store = WatchedStore()
        await #expect(throws: BodyFailed.self) {
            try await store.withRecordWriter(in: Self.scope, batchSize: 4_000) { writer in
                for page in Self.pages(5_000, of: 1_000) { try await writer.write(page) }
                throw BodyFailed()
            }
        }
        #expect(try await store.count(in: Self.scope) == 5_000)
    }

    @Test("without a store the body runs and nothing is kept")
    func noStore() async throws {
        var pagesWritten = 0
        let kept = try await RecordWriter.run(store: nil, scope: Self.scope) { writer in
            for page in Self.pages(3_000, of: 1_000) {
                try await writer.write(page)
                pagesWritten += 1
            }
        }
        #expect(kept == 0)
        #expect(pagesWritten == 3)
    }
}
