public import CDRModels
public import CDRStore
import CDRStoreSQLite
public import Logging

extension RecipientStore {
    /// Opens (or creates) a store in one SQLite file: the embedded default.
    ///
    /// ```swift
    /// let store = try await RecipientStore.sqlite(
    ///     path: "/var/lib/recipient/cdr.sqlite", keyEncryptionKey: try .file(at: kekURL))
    /// ```
    /// - Parameters:
    ///   - path: The database file; created (mode 0600) when missing, with its folder.
    ///   - keyEncryptionKey: The key-encryption key that wraps every data key; keep it apart from the file.
    ///   - logger: Logs scopes and counts, never a secret; silent by default.
    /// - Returns: The store; close it with ``/CDRStore/RecipientStore/close()`` when done.
    /// - Throws: ``/CDRStore/StoreError``: `.wrongKey` (another key made this file; nothing was written),
    ///   `.newerSchema` (a newer CDRKit wrote it), `.corruptDatabase`, `.ioFailure`.
    public static func sqlite(
        path: String, keyEncryptionKey: some KeyEncryptionKeyProvider, logger: Logger = .cdrDisabled
    ) async throws -> RecipientStore {
        let backend = try await SQLiteStoreBackend.open(path: path)
        do {
            return try await RecipientStore.open(backend: backend, keyEncryptionKey: keyEncryptionKey, logger: logger)
        } catch {
            try? await backend.close()
            throw error
        }
    }
}
