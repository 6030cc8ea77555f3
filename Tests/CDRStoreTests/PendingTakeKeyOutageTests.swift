import CDRAuth
import CDRStore
import CDRStoreSQLite
import Foundation
import Synchronization
import Testing

/// A callback that arrives while the key-encryption key cannot be reached (a KMS outage) fails with the provider's
/// error and leaves the pending authorisation in place: the same callback completes once the key is back.
@Suite("Pending authorisations: a key outage at the callback loses nothing", .timeLimit(.minutes(2)))
struct PendingTakeKeyOutageTests {
    /// A key-encryption key whose unwrapping can be switched off, as a KMS that is down.
    final class SwitchableKey: KeyEncryptionKeyProvider, Sendable {
        struct Unreachable: Error {}
        let inner = LocalKeyEncryptionKey.random()
        let reachable = Mutex(true)
        var keyID: String { inner.keyID }
        func wrap(_ dataKey: [UInt8], context: [UInt8]) async throws -> [UInt8] {
            try inner.wrap(dataKey, context: context)
        }
        func unwrap(_ wrapped: [UInt8], context: [UInt8]) async throws -> [UInt8] {
            guard reachable.withLock({ $0 }) else { throw Unreachable() }
            return try inner.unwrap(wrapped, context: context)
        }
    }

    @Test("take during the outage throws and keeps the entry; after it, take returns the entry once")
    func outageKeepsTheEntry() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let key = SwitchableKey()
            let pending = PendingAuthorizationStoreTests.pending()
            let now = PendingAuthorizationStoreTests.start
            // The process that pushed the request.
            let first = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            try await first.pendingAuthorizations(holderBrandID: "bank").insert(pending, state: "state-1", now: now)
            try await first.close()
            // The process that receives the callback, while the KMS is down.
            let second = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            do {
                let store = second.pendingAuthorizations(holderBrandID: "bank")
                key.reachable.withLock { $0 = false }
                await #expect(throws: SwitchableKey.Unreachable.self) {
                    _ = try await store.take(state: "state-1", now: now)
                }
                key.reachable.withLock { $0 = true }
                let taken = try await store.take(state: "state-1", now: now)
                #expect(taken.nonce == pending.nonce)
                let again = await PendingAuthorizationStoreTests.code {
                    try await store.take(state: "state-1", now: now)
                }
                #expect(again == .unknownState)
            } catch {
                try? await second.close()
                throw error
            }
            try await second.close()
        }
    }
}
