import CDRAccountData
import CDRStore
import Foundation
import SQLiteNIO
import Testing

@testable import CDRStoreSQLite

/// A file written by schema version 1 (records named by their scope's text and a text row key) opens under version
/// 2 with every record readable, in its order, under its sequence number.
@Suite("SQLite store: schema migrations", .timeLimit(.minutes(2)))
struct SQLiteMigrationTests {
    @Test("a version-1 file migrates to version 2 and every record, item and key reads back")
    func versionOneMigrates() async throws {
        try await withTemporaryDirectory { folder in
            let current = folder.appendingPathComponent("current.sqlite").path
            let old = folder.appendingPathComponent("old.sqlite").path
            let key = LocalKeyEncryptionKey.random()
            let scope = RecordSealingTests.scope
            let other = DataScope.arrangement(holderBrandID: "bank", arrangementID: "arr-2")
            let checkpoint = SyncCheckpoint(
                account: AccountKey(rawValue: "acc-1"), collectedThrough: Date(timeIntervalSince1970: 5_000),
                collectedAt: Date(timeIntervalSince1970: 6_000), lastRecordCount: 3)

            // What a store keeps, written by this version, then the same rows laid out as version 1 kept them.
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: current), keyEncryptionKey: key)
            try await store.save((1...3).map { RecordSealingTests.transaction($0) }, in: scope)
            try await store.save([RecordSealingTests.transaction(9)], in: other)
            try await store.save([RecordSealingTests.transaction(2, amount: -99)], in: scope)  // replaces, keeps place
            try await store.saveCheckpoint(checkpoint, in: scope)
            let expected = try await store.records(in: scope)
            let sequences = try await store.backend.records(scope: scope.description, after: 0, limit: 10)
                .map(\.sequence)
            try await store.close()
            try await writeVersionOne(of: current, to: old)

            let migrated = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: old), keyEncryptionKey: key)
            #expect(try await migrated.records(in: scope) == expected)
            #expect(
                try await migrated.backend.records(scope: scope.description, after: 0, limit: 10).map(\.sequence)
                    == sequences)
            #expect(try await migrated.records(in: other) == [RecordSealingTests.transaction(9)])
            #expect(try await migrated.checkpoint(for: checkpoint.account, in: scope) == checkpoint)
            // The migrated file goes on as a version-2 file: a record saved again keeps its place, a new one follows.
            try await migrated.save(
                [RecordSealingTests.transaction(4), RecordSealingTests.transaction(1, amount: -1)], in: scope)
            let after = try await migrated.records(in: scope)
            #expect(after.count == 4)
            #expect(after.first == RecordSealingTests.transaction(1, amount: -1))
            #expect(after.last == RecordSealingTests.transaction(4))
            #expect(try await migrated.destroy(other).verified)
            #expect(try await migrated.count(in: other) == 0)
            try await migrated.close()
            #expect(try await userVersion(old) == SQLiteStoreBackend.schemaVersion)
        }
    }

    /// Copies a current file's rows into a new file with the version-1 schema (the first migration only).
    private func writeVersionOne(of current: String, to old: String) async throws {
        let connection = try await SQLiteConnection.open(storage: .file(path: old))
        do {
            for statement in Schema.migrations[0] { _ = try await connection.query(statement) }
            _ = try await connection.query("PRAGMA user_version = 1")
            _ = try await connection.query("ATTACH DATABASE ? AS current", [.text(current)])
            for table in ["metadata", "data_keys", "items", "audit", "replay"] {
                _ = try await connection.query("INSERT INTO main.\(table) SELECT * FROM current.\(table)")
            }
            _ = try await connection.query(
                """
                INSERT INTO main.records (sequence, scope, record_key, sealed)
                SELECT records.sequence, scopes.name, lower(hex(records.record_key)), records.sealed
                FROM current.records JOIN current.scopes ON scopes.id = records.scope_id
                """)
            _ = try await connection.query("DETACH DATABASE current")
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func userVersion(_ path: String) async throws -> Int {
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        let rows = try await connection.query("PRAGMA user_version")
        try await connection.close()
        return rows.first?.column("user_version")?.integer ?? -1
    }
}
