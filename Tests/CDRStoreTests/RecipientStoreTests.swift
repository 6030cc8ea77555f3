import CDRAccountData
import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

/// The envelope-encryption layer over a real SQLite file on disk.
@Suite("RecipientStore on SQLite: keys, tampering, deletion")
struct RecipientStoreTests {
    static func withFolder<R>(_ body: (URL) async throws -> R) async throws -> R {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "recipient-store-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    static func account(_ id: String, in scope: DataScope) -> StoredRecord {
        .account(
            Account(
                id: AccountKey(rawValue: id), sourceAccountID: "src-" + id, displayName: "Everyday \(id)",
                maskedNumber: "xxxx 1234", category: .transactionAndSavings, productName: "Everyday",
                provenance: .cdr(
                    .init(holderBrandID: "bank", arrangementID: "a", version: 2),
                    fetchedAt: Date(timeIntervalSince1970: 0))))
    }

    @Test("a wrong key-encryption key fails at open with .wrongKey, and the file is not changed")
    func wrongKey() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let scope = DataScope.arrangement(holderBrandID: "bank", arrangementID: "a")
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: LocalKeyEncryptionKey.random()
            )
            try await store.save([Self.account("1", in: scope)], in: scope)
            try await store.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let backend = try await SQLiteStoreBackend.open(path: path)
            await #expect(throws: StoreError.self) {
                _ = try await RecipientStore.open(backend: backend, keyEncryptionKey: LocalKeyEncryptionKey.random())
            }
            do {
                _ = try await RecipientStore.open(backend: backend, keyEncryptionKey: LocalKeyEncryptionKey.random())
            } catch let error as StoreError {
                #expect(error.code == .wrongKey)
            }
            try await backend.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test("a tampered, truncated or swapped record is .tampered for its scope only; other scopes still read")
    func tampering() async throws {
        try await Self.withFolder { folder in
            let backend = try await SQLiteStoreBackend.open(path: folder.appendingPathComponent("s.sqlite").path)
            let store = try await RecipientStore.open(
                backend: backend, keyEncryptionKey: LocalKeyEncryptionKey.random())
            let a = DataScope.arrangement(holderBrandID: "bank", arrangementID: "a")
            let b = DataScope.arrangement(holderBrandID: "bank", arrangementID: "b")
            let c = DataScope.arrangement(holderBrandID: "bank", arrangementID: "c")
            try await store.save([Self.account("1", in: a)], in: a)
            try await store.save([Self.account("2", in: b)], in: b)
            try await store.save([Self.account("3", in: c)], in: c)
            // Truncate a's row; move b's row into c (same row key, another scope).
            var rowA = try #require(try await backend.records(scope: a.description, after: 0, limit: 10).first)
            rowA.sealed = Array(rowA.sealed.prefix(10))
            try await backend.apply([.putRecords(scope: a.description, records: [rowA])])
            let rowB = try #require(try await backend.records(scope: b.description, after: 0, limit: 10).first)
            try await backend.apply([.putRecords(scope: c.description, records: [rowB])])
            for scope in [a, c] {
                do {
                    _ = try await store.records(in: scope)
                    Issue.record("\(scope) read despite a bad row")
                } catch let error as StoreError {
                    #expect(error.code == .tampered)
                }
            }
            #expect(try await store.records(in: b).count == 1)
            try await store.close()
        }
    }

    @Test(
        "ending one scope destroys its key and rows with evidence; every other scope still reads, also after reopening")
    func deletionIsolation() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("s.sqlite").path
            let kek = LocalKeyEncryptionKey.random()
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
            let a = DataScope.arrangement(holderBrandID: "bank", arrangementID: "a")
            let b = DataScope.ddcConnection(providerID: "agg", connectionID: "c1")
            try await store.save([Self.account("1", in: a), Self.account("2", in: a)], in: a)
            try await store.save([Self.account("3", in: b)], in: b)
            let evidence = try await store.destroy(a)
            #expect(evidence.recordsDeleted == 2)
            #expect(evidence.keyDestroyedAt != nil)
            #expect(evidence.verified)
            #expect(try await store.count(in: a) == 0)
            try await store.close()
            let reopened = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
            #expect(try await reopened.records(in: b).count == 1)
            let trail = try await reopened.auditTrail(for: a)
            #expect(trail.map(\.event.name) == ["deletion.key-destroyed", "deletion"])
            try await reopened.close()
        }
    }

    @Test(
        "rotating the key-encryption key re-wraps data keys; the new key opens the store and the old one no longer does"
    )
    func rotation() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("s.sqlite").path
            let old = LocalKeyEncryptionKey.random()
            let new = LocalKeyEncryptionKey.random()
            let scope = DataScope.arrangement(holderBrandID: "bank", arrangementID: "a")
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: old)
            try await store.save([Self.account("1", in: scope)], in: scope)
            let sealedBefore = try await store.backend.records(scope: scope.description, after: 0, limit: 10)
            #expect(try await store.rotateKeyEncryptionKey(to: new) == 1)
            // The records were not re-encrypted.
            #expect(try await store.backend.records(scope: scope.description, after: 0, limit: 10) == sealedBefore)
            try await store.close()
            let backend = try await SQLiteStoreBackend.open(path: path)
            await #expect(throws: StoreError.self) {
                _ = try await RecipientStore.open(backend: backend, keyEncryptionKey: old)
            }
            let reopened = try await RecipientStore.open(backend: backend, keyEncryptionKey: new)
            #expect(try await reopened.records(in: scope).count == 1)
            try await reopened.close()
        }
    }

    @Test("a key file is created 0600, and one readable by others is refused")
    func keyFile() async throws {
        try await Self.withFolder { folder in
            let url = folder.appendingPathComponent("kek")
            let first = try LocalKeyEncryptionKey.file(at: url)
            let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            #expect(try LocalKeyEncryptionKey.file(at: url).keyID == first.keyID)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
            do {
                _ = try LocalKeyEncryptionKey.file(at: url)
                Issue.record("a world-readable key file was accepted")
            } catch let error as StoreError {
                #expect(error.code == .insecureKeyFile)
            }
        }
    }
}
