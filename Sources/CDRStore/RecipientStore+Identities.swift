public import CDRAccountData
public import CDRAuth
import Foundation

extension RecipientStore {
    /// Where the account identities learnt for one arrangement are kept: an
    /// ``/CDRAccountData/AccountIdentityPersistence`` to give an `AccountIdentityRegistry`.
    ///
    /// The identities are one item of kind `identities` (key `<brand>/<arrangement>`), sealed under the arrangement's
    /// own data key, so ending the arrangement (``destroy(_:)``) deletes them with its tokens and records. They are
    /// what the registry holds: each account's key, each source's id for it, and its fingerprint (name, category,
    /// masked number, and the BSB and number only when a source disclosed them).
    /// - Parameters:
    ///   - holderBrandID: The brand.
    ///   - arrangementID: The arrangement.
    ///   - tokenStore: Where the arrangement is kept, when not in this store (identities are saved only while it
    ///     is live there).
    /// - Returns: The view.
    public nonisolated func accountIdentities(
        holderBrandID: String, arrangementID: String, tokenStore: (any TokenStore)? = nil
    ) -> StoredAccountIdentities {
        StoredAccountIdentities(
            store: self, holderBrandID: holderBrandID, arrangementID: arrangementID,
            tokenStore: tokenStore ?? self.tokenStore(holderBrandID: holderBrandID))
    }
}

/// The account identities of one arrangement in a ``RecipientStore``, as an
/// ``/CDRAccountData/AccountIdentityPersistence``; get one from
/// ``RecipientStore/accountIdentities(holderBrandID:arrangementID:tokenStore:)``.
public struct StoredAccountIdentities: AccountIdentityPersistence {
    static let kind = "identities"
    /// The store.
    public let store: RecipientStore
    /// The brand.
    public let holderBrandID: String
    /// The arrangement.
    public let arrangementID: String
    /// Where the arrangement is kept (this store's by default).
    public let tokenStore: any TokenStore

    /// The scope whose key seals the identities: the arrangement's.
    public var scope: DataScope { .arrangement(holderBrandID: holderBrandID, arrangementID: arrangementID) }

    /// The identities kept for the arrangement, or none.
    /// - Returns: The identities.
    /// - Throws: ``StoreError`` when the row cannot be read or opened (`.tampered`, `.keyDestroyed`).
    public func loadIdentities() async throws -> [AccountIdentity] {
        try await store.item([AccountIdentity].self, kind: Self.kind, key: key) ?? []
    }

    /// Keeps the identities, replacing those kept before; nothing when the arrangement is no longer kept with its
    /// tokens (it ended: its data key must not be made again).
    /// - Parameter identities: Every identity of the registry.
    /// - Throws: ``StoreError``.
    public func saveIdentities(_ identities: [AccountIdentity]) async throws {
        guard
            let record = try await tokenStore.load(arrangementID: arrangementID),
            record.tokens != nil, !record.arrangement.state.isTerminal
        else { return }
        try await store.putItem(identities, kind: Self.kind, key: key, scope: scope.description)
    }

    private var key: String { "\(holderBrandID)/\(arrangementID)" }
}
