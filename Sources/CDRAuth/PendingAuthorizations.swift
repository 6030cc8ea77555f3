import CDRJOSE
import Foundation

/// The secrets of an authorisation between PAR and its callback, kept by `state`.
struct PendingAuthorization: Sendable {
    var request: AuthorizationRequest
    var redirectURI: String
    var pkce: PKCE
    var nonce: String
    var expiresAt: Date
}

/// Pending authorisations by `state`: each is taken once, and only before it expires.
actor PendingAuthorizations {
    private var entries: [String: PendingAuthorization] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Keeps `pending` under `state`, dropping expired entries first.
    func insert(_ pending: PendingAuthorization, state: String, now: Date) throws {
        entries = entries.filter { $0.value.expiresAt > now }
        guard entries.count < capacity else {
            throw AuthorizationError(.invalidRequest, reason: "too many authorisations are pending (\(capacity))")
        }
        entries[state] = pending
    }

    /// Returns the entry for `state` without removing it.
    /// - Throws: `.unknownState` when there is none; `.stateExpired` when it expired.
    func peek(state: String, now: Date) throws -> PendingAuthorization {
        guard let pending = entries[state] else {
            throw AuthorizationError(.unknownState, reason: "no pending authorisation has this state")
        }
        guard pending.expiresAt > now else {
            entries[state] = nil
            throw AuthorizationError(.stateExpired, reason: "the pending authorisation expired at \(pending.expiresAt)")
        }
        return pending
    }

    /// Removes and returns the entry for `state`.
    /// - Throws: `.unknownState` when there is none (never issued, or already used); `.stateExpired` when it expired.
    func take(state: String, now: Date) throws -> PendingAuthorization {
        guard let pending = entries.removeValue(forKey: state) else {
            throw AuthorizationError(.unknownState, reason: "no pending authorisation has this state")
        }
        guard pending.expiresAt > now else {
            throw AuthorizationError(.stateExpired, reason: "the pending authorisation expired at \(pending.expiresAt)")
        }
        return pending
    }

    var count: Int { entries.count }
}
