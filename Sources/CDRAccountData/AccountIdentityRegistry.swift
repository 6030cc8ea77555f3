import Foundation

/// What a source knows about an account that can tell it apart from the customer's others.
public struct AccountFingerprint: Hashable, Sendable {
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

/// Gives each of a customer's accounts one ``AccountKey`` whichever source reports it, so an account keeps its
/// identity when the source changes (CDR today, DDC during an outage).
///
/// Matching, in order: the same source's own id seen before; BSB and account number (when both sources disclose
/// them); the last four digits of the (masked) number together with the account's name; else a new key. A key is
/// bound to at most one account of each source, so two accounts of one source never merge. Share one registry
/// between the sources of a customer (``FallbackAccountDataSource`` does); it holds only these fingerprints.
public actor AccountIdentityRegistry {
    private struct Identity {
        var key: AccountKey
        var fingerprint: AccountFingerprint
        var sourceIDs: [AccessMethod: String]
    }

    private var identities: [Identity] = []

    /// Creates an empty registry.
    public init() {}

    /// The key for an account reported by a source; matches it to a known account or creates a new key.
    /// - Parameters:
    ///   - fingerprint: What the source says about the account.
    ///   - method: The source's access method.
    ///   - sourceAccountID: The source's own id for the account.
    public func identify(
        _ fingerprint: AccountFingerprint, method: AccessMethod, sourceAccountID: String
    ) -> AccountKey {
        if let index = identities.firstIndex(where: { $0.sourceIDs[method] == sourceAccountID }) {
            identities[index].fingerprint = merged(identities[index].fingerprint, fingerprint)
            return identities[index].key
        }
        let free = identities.indices.filter { identities[$0].sourceIDs[method] == nil }
        let match =
            free.first { index in
                guard let a = identities[index].fingerprint.bsbAndNumber, let b = fingerprint.bsbAndNumber else {
                    return false
                }
                return a == b
            }
            ?? free.first { index in
                let known = identities[index].fingerprint
                guard let a = known.lastDigits, let b = fingerprint.lastDigits, a == b else { return false }
                if let x = known.bsbAndNumber, let y = fingerprint.bsbAndNumber, x != y { return false }
                if let x = known.category, let y = fingerprint.category, x != y { return false }
                return known.normalisedName == fingerprint.normalisedName
            }
        if let index = match {
            identities[index].sourceIDs[method] = sourceAccountID
            identities[index].fingerprint = merged(identities[index].fingerprint, fingerprint)
            return identities[index].key
        }
        let key = AccountKey(rawValue: "acct-" + UUID().uuidString.lowercased())
        identities.append(Identity(key: key, fingerprint: fingerprint, sourceIDs: [method: sourceAccountID]))
        return key
    }

    /// The source's own id for an account, when that source has reported it.
    public func sourceAccountID(for key: AccountKey, method: AccessMethod) -> String? {
        identities.first { $0.key == key }?.sourceIDs[method]
    }

    /// Forgets every account (when the customer's arrangement and connection have both ended).
    public func removeAll() { identities.removeAll() }

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
        identities.first { $0.sourceIDs[method] == sourceAccountID }?.key
    }
}
