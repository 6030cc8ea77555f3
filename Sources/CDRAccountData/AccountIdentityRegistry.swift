import Foundation

/// What a source knows about an account that can tell it apart from the customer's others.
public struct AccountFingerprint: Hashable, Sendable, Codable {
    /// The BSB, when disclosed.
    public var bsb: String?
    /// The full account number, when disclosed.
    public var accountNumber: String?
    /// The masked number (`xxxx xxxx xxxx 1234`).
    public var maskedNumber: String?
    /// The institution's name for the account.
    public var displayName: String
    /// The product category.
    public var category: AccountCategory?

    /// Creates a fingerprint.
    public init(
        bsb: String? = nil, accountNumber: String? = nil, maskedNumber: String? = nil, displayName: String,
        category: AccountCategory? = nil
    ) {
        self.bsb = bsb
        self.accountNumber = accountNumber
        self.maskedNumber = maskedNumber
        self.displayName = displayName
        self.category = category
    }

    /// The BSB and number as digits only, when both are known.
    var bsbAndNumber: String? {
        guard let bsb = bsb.map(Self.digits), let number = accountNumber.map(Self.digits), !bsb.isEmpty,
            !number.isEmpty
        else { return nil }
        return bsb + "/" + number
    }

    /// The last four digits of the number (full or masked), when at least four are visible.
    var lastDigits: String? {
        let source = accountNumber ?? maskedNumber ?? ""
        let visible = Self.digits(String(source.reversed().prefix { $0.isNumber || $0 == " " || $0 == "-" }.reversed()))
        guard visible.count >= 4 else { return nil }
        return String(visible.suffix(4))
    }

    /// The name in a form where spelling differences in case, spaces and punctuation do not matter.
    var normalisedName: String {
        displayName.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    static func digits(_ text: String) -> String { text.filter(\.isNumber) }
}

/// One account as an ``AccountIdentityRegistry`` knows it: its key, what the sources said about it, and each
/// source's own id for it. A registry's ``AccountIdentityRegistry/identities`` are these, to keep and restore with
/// ``AccountIdentityRegistry/init(restoring:)``.
public struct AccountIdentity: Sendable, Hashable, Codable {
    /// The account's key.
    public var key: AccountKey
    /// What the sources disclosed about it (merged: the first value of each field seen is kept).
    public var fingerprint: AccountFingerprint
    /// Each source's own id for the account, by access method.
    public var sourceIDs: [AccessMethod: String]

    /// Creates an identity.
    /// - Parameters:
    ///   - key: The account's key.
    ///   - fingerprint: What the sources disclosed.
    ///   - sourceIDs: Each source's own id for the account.
    public init(key: AccountKey, fingerprint: AccountFingerprint, sourceIDs: [AccessMethod: String]) {
        self.key = key
        self.fingerprint = fingerprint
        self.sourceIDs = sourceIDs
    }
}

/// Where an ``AccountIdentityRegistry`` keeps its identities between runs (for example the recipient's store, sealed
/// under the arrangement's key: `RecipientStore.accountIdentities(holderBrandID:arrangementID:)` in `CDRStore`).
public protocol AccountIdentityPersistence: Sendable {
    /// The identities kept, or none.
    /// - Returns: The identities.
    /// - Throws: The storage's error.
    func loadIdentities() async throws -> [AccountIdentity]

    /// Keeps the identities, replacing those kept before.
    /// - Parameter identities: Every identity of the registry.
    /// - Throws: The storage's error.
    func saveIdentities(_ identities: [AccountIdentity]) async throws
}

/// Gives each of a customer's accounts one ``AccountKey`` whichever source reports it, so an account keeps its
/// identity when the source changes (CDR today, DDC during an outage).
///
/// Matching, in order: the same source's own id seen before; BSB and account number (when both sources disclose
/// them); the last four digits of the (masked) number together with the account's name; else a new key. A key is
/// bound to at most one account of each source, so two accounts of one source never merge. Share one registry
/// between the sources of a customer (``FallbackAccountDataSource`` does); it holds only these fingerprints.
///
/// To keep the keys across restarts, snapshot ``identities`` (``revision`` changes whenever
/// ``identify(_:method:sourceAccountID:)`` learns something) and restore them with ``init(restoring:)``; or give the
/// registry an ``AccountIdentityPersistence``: the sources then call ``restoreIfNeeded()`` before they use it and
/// ``saveIfChanged()`` after they identify accounts.
public actor AccountIdentityRegistry {
    private var entries: [AccountIdentity] = []
    /// Counts the changes ``identify(_:method:sourceAccountID:)`` made (a new account, a source id bound, a
    /// fingerprint completed); a restored registry starts at 0.
    public private(set) var revision = 0
    private var persistence: (any AccountIdentityPersistence)?
    private var isRestored = true
    private var restoring: Task<[AccountIdentity], any Error>?
    private var savedRevision = 0
    private var saving: Task<Void, any Error>?

    /// Creates a registry that knows `identities` (none by default).
    /// - Parameter identities: Identities kept from an earlier run (``identities``).
    public init(restoring identities: [AccountIdentity] = []) {
        entries = identities
    }

    /// Creates a registry whose identities are kept in `persistence`: loaded by the first ``restoreIfNeeded()``,
    /// saved by ``saveIfChanged()``.
    /// - Parameter persistence: Where they are kept.
    public init(persistence: any AccountIdentityPersistence) {
        self.persistence = persistence
        self.isRestored = false
    }

    /// Every account the registry knows, in the order it learnt them.
    public var identities: [AccountIdentity] { entries }

    /// Loads the kept identities once, when the registry has an ``AccountIdentityPersistence`` (concurrent callers
    /// share one load); nothing otherwise.
    /// - Throws: The persistence's error (a later call tries again).
    public func restoreIfNeeded() async throws {
        guard let persistence, !isRestored else { return }
        let task: Task<[AccountIdentity], any Error>
        if let restoring {
            task = restoring
        } else {
            task = Task { try await persistence.loadIdentities() }
            restoring = task
        }
        let loaded: [AccountIdentity]
        do {
            loaded = try await task.value
        } catch {
            if restoring == task { restoring = nil }
            throw error
        }
        // Whichever waiter resumes first applies the load, before anyone identifies against it.
        guard !isRestored else { return }
        let known = Set(loaded.map(\.key))
        entries = loaded + entries.filter { !known.contains($0.key) }
        isRestored = true
        restoring = nil
    }

    /// Saves the identities when ``revision`` changed since the last save or restore (one save at a time); nothing
    /// without an ``AccountIdentityPersistence``, or after ``removeAll()``.
    /// - Throws: The persistence's error (the next call tries again).
    public func saveIfChanged() async throws {
        while let running = saving {
            _ = try? await running.value
            if saving == running { saving = nil }
        }
        guard let persistence, isRestored, revision != savedRevision else { return }
        let snapshot = entries
        let at = revision
        let task = Task { try await persistence.saveIdentities(snapshot) }
        saving = task
        defer { if saving == task { saving = nil } }
        try await task.value
        savedRevision = at
    }

    /// The key for an account reported by a source; matches it to a known account or creates a new key.
    /// - Parameters:
    ///   - fingerprint: What the source says about the account.
    ///   - method: The source's access method.
    ///   - sourceAccountID: The source's own id for the account.
    /// - Returns: The account's key.
    public func identify(
        _ fingerprint: AccountFingerprint, method: AccessMethod, sourceAccountID: String
    ) -> AccountKey {
        if let index = entries.firstIndex(where: { $0.sourceIDs[method] == sourceAccountID }) {
            update(index) { $0.fingerprint = merged($0.fingerprint, fingerprint) }
            return entries[index].key
        }
        let free = entries.indices.filter { entries[$0].sourceIDs[method] == nil }
        let match =
            free.first { index in
                guard let a = entries[index].fingerprint.bsbAndNumber, let b = fingerprint.bsbAndNumber else {
                    return false
                }
                return a == b
            }
            ?? free.first { index in
                let known = entries[index].fingerprint
                guard let a = known.lastDigits, let b = fingerprint.lastDigits, a == b else { return false }
                if let x = known.bsbAndNumber, let y = fingerprint.bsbAndNumber, x != y { return false }
                if let x = known.category, let y = fingerprint.category, x != y { return false }
                return known.normalisedName == fingerprint.normalisedName
            }
        if let index = match {
            update(index) {
                $0.sourceIDs[method] = sourceAccountID
                $0.fingerprint = merged($0.fingerprint, fingerprint)
            }
            return entries[index].key
        }
        let key = AccountKey(rawValue: "acct-" + UUID().uuidString.lowercased())
        entries.append(AccountIdentity(key: key, fingerprint: fingerprint, sourceIDs: [method: sourceAccountID]))
        revision += 1
        return key
    }

    /// The source's own id for an account, when that source has reported it.
    /// - Parameters:
    ///   - key: The account's key.
    ///   - method: The source's access method.
    /// - Returns: The source's id, or `nil`.
    public func sourceAccountID(for key: AccountKey, method: AccessMethod) -> String? {
        entries.first { $0.key == key }?.sourceIDs[method]
    }

    /// Forgets every account (when the customer's arrangement and connection have both ended), and stops saving:
    /// what was kept goes with the arrangement's data.
    public func removeAll() {
        entries.removeAll()
        persistence = nil
        revision += 1
    }

    /// Applies `change` to an entry, counting a revision when it changed something.
    private func update(_ index: Int, _ change: (inout AccountIdentity) -> Void) {
        let before = entries[index]
        change(&entries[index])
        if entries[index] != before { revision += 1 }
    }

    private func merged(_ known: AccountFingerprint, _ new: AccountFingerprint) -> AccountFingerprint {
        var result = known
        result.bsb = known.bsb ?? new.bsb
        result.accountNumber = known.accountNumber ?? new.accountNumber
        result.maskedNumber = known.maskedNumber ?? new.maskedNumber
        result.category = known.category ?? new.category
        return result
    }
}

extension AccountIdentityRegistry {
    /// The key bound to a source's own account id, when that source has reported it.
    public func key(forSourceID sourceAccountID: String, method: AccessMethod) -> AccountKey? {
        entries.first { $0.sourceIDs[method] == sourceAccountID }?.key
    }
}
