import CDRStore
import CDRStoreSQLite
import Foundation
import SQLiteNIO
import Testing

/// Runs `body` with a new, empty folder in the temporary directory, removed afterwards.
private func withTemporaryFolder(_ body: (URL) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdr-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try await body(folder)
}

private func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require(attributes[.posixPermissions] as? Int) & 0o777
}

/// What only the SQLite backend does: a file that outlives the process, shared by processes, refused when foreign.
@Suite(.timeLimit(.minutes(5)))
struct SQLiteStoreBackendTests {
    @Test func everyRowSurvivesCloseAndReopen() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let scope = "arrangement bank/a"
            let pending = item("pending", "state-1", scope: scope, expiresAt: at(300))
            let audit = AuditRow(at: at(2.25), scope: scope, event: "consent.given", details: bytes(#"{"a":1}"#))

            let first = try await SQLiteStoreBackend.open(path: path)
            try await first.apply([
                .setMetadata(name: "check", value: bytes("sealed check")),
                .putDataKey(wrappedKey(scope)),
                .putItem(pending),
                .putRecords(scope: scope, records: records(["r1", "r2"])),
                .appendAudit(audit),
                .recordJTI(issuer: "holder", jti: "j1", expiresAt: at(60), now: at(0), capacity: 10),
            ])
            let saved = try await first.records(scope: scope, after: 0, limit: 10)
            try await first.close()

            let second = try await SQLiteStoreBackend.open(path: path)
            #expect(try await second.metadata("check") == bytes("sealed check"))
            #expect(try await second.dataKey(scope: scope) == wrappedKey(scope))
            #expect(try await second.item(kind: "pending", key: "state-1") == pending)
            #expect(try await second.records(scope: scope, after: 0, limit: 10) == saved)
            #expect(try await second.auditEntries(scope: nil, after: 0, limit: 10).map(\.event) == ["consent.given"])
            #expect(try await second.auditEntries(scope: nil, after: 0, limit: 10).first?.at == audit.at)
            await expectStoreError(.conflict) {
                try await second.apply([
                    .recordJTI(issuer: "holder", jti: "j1", expiresAt: at(60), now: at(1), capacity: 10)
                ])
            }
            // Sequence numbers go on from where the first backend left them.
            try await second.apply([.putRecords(scope: scope, records: records(["r3"]))])
            let all = try await second.records(scope: scope, after: 0, limit: 10)
            #expect(all.map(\.recordKey) == ["r1", "r2", "r3"])
            #expect(all[2].sequence > saved[1].sequence)
            try await second.close()
        }
    }

    @Test func twoBackendsOnOneFileShareTheirCommitsAndTakeAnItemOnce() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let one = try await SQLiteStoreBackend.open(path: path)
            let two = try await SQLiteStoreBackend.open(path: path)

            let stored = item("pending", "state-1")
            try await one.apply([.putItem(stored)])
            #expect(try await two.takeItem(kind: "pending", key: "state-1") == stored)
            #expect(try await one.takeItem(kind: "pending", key: "state-1") == nil)
            #expect(try await one.item(kind: "pending", key: "state-1") == nil)

            try await two.apply([.putRecords(scope: "scope a", records: records(["r1"]))])
            #expect(try await one.records(scope: "scope a", after: 0, limit: 10).map(\.recordKey) == ["r1"])

            try await one.apply([.putItem(item("pending", "state-2"))])
            let taken = try await withThrowingTaskGroup(of: StoreItem?.self) { group in
                for index in 0..<50 {
                    let backend = index.isMultiple(of: 2) ? one : two
                    group.addTask { try await backend.takeItem(kind: "pending", key: "state-2") }
                }
                var taken: [StoreItem] = []
                for try await result in group { if let result { taken.append(result) } }
                return taken
            }
            #expect(taken.map(\.key) == ["state-2"])
            try await one.close()
            try await two.close()
        }
    }

    @Test func aFileOfANewerSchemaIsRefusedAndLeftAsItIs() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let backend = try await SQLiteStoreBackend.open(path: path)
            try await backend.apply([.setMetadata(name: "check", value: bytes("check"))])
            try await backend.close()

            // The header's user_version (bytes 60 to 63, big-endian) is the schema version.
            var contents = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            contents.replaceSubrange(60..<64, with: [0, 0, 0, UInt8(SQLiteStoreBackend.schemaVersion + 1)])
            try Data(contents).write(to: URL(fileURLWithPath: path))

            let error = await #expect(throws: StoreError.self) { _ = try await SQLiteStoreBackend.open(path: path) }
            #expect(error?.code == .newerSchema)
            #expect(error?.reason.contains(path) == true)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == contents)
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAtOpenAndLeftAsItIs() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let garbage = (0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            try Data(garbage).write(to: URL(fileURLWithPath: path))

            let error = await #expect(throws: StoreError.self) { _ = try await SQLiteStoreBackend.open(path: path) }
            #expect(error?.code == .corruptDatabase)
            #expect(error?.reason.contains(path) == true)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == garbage)
        }
    }

    @Test func aFullDatabaseRollsBackTheBatchAndKeepsEveryEarlierRow() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let backend = try await SQLiteStoreBackend.open(path: path, configuration: .init(maximumPageCount: 40))
            let scope = "arrangement bank/a"
            let pending = item("pending", "state-1", scope: scope)
            try await backend.apply([
                .setMetadata(name: "check", value: bytes("check")),
                .putItem(pending),
                .putRecords(scope: scope, records: records(["r0"])),
            ])

            let big = (0..<2_000).map { index in
                SealedRecord(recordKey: "big-\(index)", sealed: [UInt8](repeating: UInt8(index % 251), count: 512))
            }
            let error = await #expect(throws: StoreError.self) {
                try await backend.apply([
                    .putItem(item("pending", "state-2", scope: scope)),
                    .putRecords(scope: scope, records: big),
                ])
            }
            #expect(error?.code == .storageFull)
            #expect(error?.reason.contains(path) == true)

            #expect(try await backend.metadata("check") == bytes("check"))
            #expect(try await backend.item(kind: "pending", key: "state-1") == pending)
            #expect(try await backend.item(kind: "pending", key: "state-2") == nil)
            #expect(try await backend.records(scope: scope, after: 0, limit: 10).map(\.recordKey) == ["r0"])
            #expect(try await backend.recordCount(scope: scope) == 1)
            // The rollback freed the pages, so a small change still fits.
            try await backend.apply([
                .appendAudit(AuditRow(at: at(0), scope: scope, event: "collection", details: bytes("{}")))
            ])
            #expect(try await backend.auditEntries(scope: scope, after: 0, limit: 10).count == 1)
            try await backend.close()
        }
    }

    @Test func theFileAndItsLogsAreReadableByTheOwnerOnly() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let backend = try await SQLiteStoreBackend.open(path: path)
            try await backend.apply([.putItem(item("pending", "state-1"))])
            #expect(try permissions(path) == 0o600)
            for suffix in ["-wal", "-shm"] {
                #expect(FileManager.default.fileExists(atPath: path + suffix))
                #expect(try permissions(path + suffix) == 0o600)
            }
            try await backend.close()
        }
    }

    @Test func readsRunWhileABigWriteIsInProgress() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let backend = try await SQLiteStoreBackend.open(path: path)
            let scope = "arrangement bank/a"
            try await backend.apply([.putRecords(scope: scope, records: records(["first"]))])

            let write = Task {
                try await backend.apply([
                    .putRecords(scope: scope, records: records((0..<20_000).map { "r\($0)" }))
                ])
            }
            // Each read sees the store before or after the batch, never part of it.
            var counts: Set<Int> = []
            for _ in 0..<20 { counts.insert(try await backend.recordCount(scope: scope)) }
            try await write.value
            #expect(counts.isSubset(of: [1, 20_001]))
            #expect(try await backend.recordCount(scope: scope) == 20_001)
            try await backend.close()
        }
    }

    @Test func readsGoOnWhileAnotherProcessHoldsTheWriteLock() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let backend = try await SQLiteStoreBackend.open(
                path: path,
                configuration: .init(busyTimeout: .milliseconds(200))
            )
            try await backend.apply([.putItem(item("pending", "state-1"))])

            // Another process's connection opens a write transaction and keeps it open.
            let other = try await SQLiteConnection.open(storage: .file(path: path))
            _ = try await other.query("BEGIN IMMEDIATE")
            _ = try await other.query("INSERT INTO metadata (name, value) VALUES ('check', x'01')")

            #expect(try await backend.item(kind: "pending", key: "state-1") != nil)
            #expect(try await backend.metadata("check") == nil)
            // A write waits for the lock up to the busy timeout, then fails and keeps nothing.
            await #expect(throws: StoreError.self) {
                try await backend.apply([.putItem(item("pending", "state-2"))])
            }

            _ = try await other.query("COMMIT")
            try await other.close()
            #expect(try await backend.metadata("check") == [1])
            #expect(try await backend.item(kind: "pending", key: "state-2") == nil)
            try await backend.apply([.putItem(item("pending", "state-2"))])
            #expect(try await backend.item(kind: "pending", key: "state-2") != nil)
            try await backend.close()
        }
    }
}
