public import Foundation

/// One entry of the audit trail.
public struct AuditEntry: Sendable, Hashable, CustomStringConvertible {
    /// Its place in the trail (1 for the first).
    public var sequence: Int64
    /// When it happened.
    public var at: Date
    /// The scope it concerns (`arrangement <brand>/<id>`, `ddc <provider>/<connection>`), or `nil`.
    public var scope: String?
    /// What happened.
    public var event: AuditEvent

    /// `#12 2026-12-02T10:00:00Z consent.given arrangement mock-bank/abc: …`.
    public var description: String {
        "#\(sequence) \(at.formatted(.iso8601)) \(event.name)\(scope.map { " " + $0 } ?? ""): \(event)"
    }
}

/// Through which channel a consent was withdrawn.
public struct WithdrawalChannel: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The channel's name.
    public let rawValue: String
    /// Wraps a name.
    /// - Parameter rawValue: The name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The customer withdrew in the recipient's own service (the recipient then revoked at the holder).
    public static let recipient = WithdrawalChannel(rawValue: "recipient")
    /// The customer withdrew at the holder, which told the recipient (its `/arrangements/revoke`, or `invalid_grant`).
    public static let holder = WithdrawalChannel(rawValue: "holder")
    /// The name.
    public var description: String { rawValue }
}

/// What was collected in one call: never the data itself.
public struct CollectionSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Who served it: a holder brand id or a DDC provider id.
    public var source: String
    /// The access method (`cdr` or `ddc`).
    public var method: String
    /// The data cluster or operation (for example `bank:transactions:read` or `getTransactions`).
    public var operation: String
    /// How many records came back.
    public var recordCount: Int
    /// The `x-fapi-interaction-id`s of the calls (CDR), when known.
    public var interactionIDs: [String]

    /// Creates a summary.
    public init(source: String, method: String, operation: String, recordCount: Int, interactionIDs: [String] = []) {
        self.source = source
        self.method = method
        self.operation = operation
        self.recordCount = recordCount
        self.interactionIDs = interactionIDs
    }

    /// `getTransactions from mock-bank (cdr): 412 records`.
    public var description: String { "\(operation) from \(source) (\(method)): \(recordCount) records" }
}

/// What deleting a scope did, kept in the audit trail as evidence.
public struct DeletionEvidence: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The scope.
    public var scope: String
    /// When its data key was destroyed, or `nil` when it had none (nothing was kept under it, or a stopped process had
    /// destroyed it already).
    public var keyDestroyedAt: Date?
    /// When its rows were deleted.
    public var rowsDeletedAt: Date?
    /// How many kept records were deleted.
    public var recordsDeleted: Int
    /// Whether reading the store back afterwards found no key and no record of the scope.
    public var verified: Bool

    /// Creates evidence.
    public init(scope: String, keyDestroyedAt: Date?, rowsDeletedAt: Date?, recordsDeleted: Int, verified: Bool) {
        self.scope = scope
        self.keyDestroyedAt = keyDestroyedAt
        self.rowsDeletedAt = rowsDeletedAt
        self.recordsDeleted = recordsDeleted
        self.verified = verified
    }

    /// `arrangement mock-bank/abc: key destroyed at …, 412 records deleted, verified`.
    public var description: String {
        var parts: [String] = []
        if let keyDestroyedAt { parts.append("key destroyed at \(keyDestroyedAt.formatted(.iso8601))") }
        parts.append("\(recordsDeleted) records deleted")
        parts.append(verified ? "verified" : "NOT verified")
        return "\(scope): " + parts.joined(separator: ", ")
    }
}

/// What the audit trail records. No case holds a secret or kept data: ids, scopes, times, counts and channels only.
public enum AuditEvent: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A holder brand registered the software product (`client_id`).
    case registered(holderBrandID: String, softwareProductID: String, clientID: String)
    /// The customer consented: a new arrangement.
    case consentGiven(holderBrandID: String, arrangementID: String, scopes: [String], sharingExpiresAt: Date?)
    /// The customer amended an arrangement (same `cdr_arrangement_id`).
    case consentAmended(holderBrandID: String, arrangementID: String, scopes: [String], sharingExpiresAt: Date?)
    /// The consent was withdrawn, through a channel.
    case consentWithdrawn(holderBrandID: String, arrangementID: String, channel: WithdrawalChannel)
    /// The sharing period ended.
    case consentExpired(holderBrandID: String, arrangementID: String)
    /// Data was collected.
    case collected(CollectionSummary)
    /// A DDC connection was made (never its credentials).
    case ddcConnectionCreated(providerID: String, connectionID: String)
    /// A DDC connection ended (at the customer's request or the recipient's).
    case ddcConnectionEnded(providerID: String, connectionID: String, providerConfirmed: Bool)
    /// A scope's data key was destroyed (the first step of a deletion).
    case keyDestroyed(scope: String, at: Date)
    /// A scope's rows were deleted after its key: the evidence.
    case deletionCompleted(DeletionEvidence)
    /// The key-encryption key was rotated.
    case keyRotated(from: String, to: String, dataKeys: Int)

    /// The event's name: `consent.given`, `collection`, `deletion`, ….
    public var name: String {
        switch self {
        case .registered: "registration"
        case .consentGiven: "consent.given"
        case .consentAmended: "consent.amended"
        case .consentWithdrawn: "consent.withdrawn"
        case .consentExpired: "consent.expired"
        case .collected: "collection"
        case .ddcConnectionCreated: "ddc.connection.created"
        case .ddcConnectionEnded: "ddc.connection.ended"
        case .keyDestroyed: "deletion.key-destroyed"
        case .deletionCompleted: "deletion"
        case .keyRotated: "kek.rotated"
        }
    }

    /// A line for people.
    public var description: String {
        switch self {
        case .registered(let brand, let product, let clientID):
            "\(product) registered with \(brand) (client_id \(clientID))"
        case .consentGiven(let brand, let id, let scopes, let until):
            "arrangement \(id) with \(brand): \(scopes.joined(separator: " "))\(Self.until(until))"
        case .consentAmended(let brand, let id, let scopes, let until):
            "arrangement \(id) with \(brand) amended: \(scopes.joined(separator: " "))\(Self.until(until))"
        case .consentWithdrawn(let brand, let id, let channel):
            "arrangement \(id) with \(brand) withdrawn through the \(channel)"
        case .consentExpired(let brand, let id): "arrangement \(id) with \(brand) expired"
        case .collected(let summary): summary.description
        case .ddcConnectionCreated(let provider, let id): "DDC connection \(id) at \(provider) made"
        case .ddcConnectionEnded(let provider, let id, let confirmed):
            "DDC connection \(id) at \(provider) ended\(confirmed ? ", provider confirmed" : ", provider unreachable")"
        case .keyDestroyed(let scope, _): "data key of \(scope) destroyed"
        case .deletionCompleted(let evidence): evidence.description
        case .keyRotated(let from, let to, let count):
            "key-encryption key \(from) → \(to), \(count) data keys re-wrapped"
        }
    }

    private static func until(_ date: Date?) -> String {
        date.map { ", until \($0.formatted(.iso8601))" } ?? ""
    }
}
