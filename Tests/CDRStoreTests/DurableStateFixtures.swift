import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

/// The three places the durable-state seams are tested over: the in-process default, a `RecipientStore` on the
/// in-memory backend, and a `RecipientStore` on a real SQLite file.
enum DurableStateHost: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess
    case storeOnMemory
    case storeOnSQLite

    var testDescription: String { rawValue }
}

/// Runs `body` with a new folder in the temporary directory, removed afterwards.
func withTemporaryDirectory<R>(_ body: (URL) async throws -> R) async throws -> R {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdr-durable-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

/// Runs `body` with a `RecipientStore` for `host` (`nil` for the in-process host), closed afterwards.
func withRecipientStore<R>(
    for host: DurableStateHost, _ body: (RecipientStore?) async throws -> R
) async throws -> R {
    switch host {
    case .inProcess:
        return try await body(nil)
    case .storeOnMemory:
        let store = try await RecipientStore.open(
            backend: InMemoryStoreBackend(), keyEncryptionKey: LocalKeyEncryptionKey.random())
        let result = try await body(store)
        try await store.close()
        return result
    case .storeOnSQLite:
        return try await withTemporaryDirectory { folder in
            let backend = try await SQLiteStoreBackend.open(path: folder.appendingPathComponent("store.sqlite").path)
            let store = try await RecipientStore.open(
                backend: backend, keyEncryptionKey: LocalKeyEncryptionKey.random())
            do {
                let result = try await body(store)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
    }
}
