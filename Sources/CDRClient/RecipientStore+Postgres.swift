public import CDRModels
public import CDRStore
public import CDRStorePostgres
public import Logging

extension RecipientStore {
    /// Opens a store in a PostgreSQL database, shared by every instance of the recipient that opens it.
    ///
    /// ```swift
    /// let store = try await RecipientStore.postgres(
    ///     url: try PostgresURL("postgres://recipient@db.internal/cdr?sslmode=verify-full"),
    ///     keyEncryptionKey: try .file(at: kekURL))
    /// ```
    /// - Parameters:
    ///   - url: The database (see `PostgresURL`); it is migrated to the schema this CDRKit writes.
    ///   - configuration: How the backend uses the database (pool sizes, retries, timeouts).
    ///   - keyEncryptionKey: The key-encryption key that wraps every data key; every instance uses the same one, kept
    ///     apart from the database.
    ///   - logger: Logs scopes and counts, never a secret; silent by default.
    /// - Returns: The store; close it with ``/CDRStore/RecipientStore/close()`` when done.
    /// - Throws: ``/CDRStore/StoreError``: `.unavailable` (the server cannot be reached), `.connectionRejected`
    ///   (credentials or TLS), `.wrongKey`, `.newerSchema`.
    public static func postgres(
        url: PostgresURL, configuration: PostgresStoreBackend.Configuration = .init(),
        keyEncryptionKey: some KeyEncryptionKeyProvider, logger: Logger = .cdrDisabled
    ) async throws -> RecipientStore {
        let backend = try await PostgresStoreBackend.open(url: url, configuration: configuration, logger: logger)
        do {
            return try await RecipientStore.open(backend: backend, keyEncryptionKey: keyEncryptionKey, logger: logger)
        } catch {
            try? await backend.close()
            throw error
        }
    }
}
