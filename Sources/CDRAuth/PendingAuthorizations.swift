public import CDRJOSE
public import Foundation

/// The secrets of one authorisation between its PAR and its callback: what was asked, where the holder redirects,
/// the PKCE verifier and the nonce, and when it expires.
///
/// A ``PendingAuthorizationStore`` keeps it under the authorisation's `state`. The verifier and the nonce are
/// secrets: ``description`` and `dump()` (``customMirror``) show neither, and a durable store must seal the value
/// (`RecipientStore` in `CDRStore` does).
public struct PendingAuthorization: Sendable, Hashable, Codable, CustomStringConvertible, CustomReflectable {
    /// What the recipient asked for.
    public var request: AuthorizationRequest
    /// The redirect URI the request object named (the token request repeats it).
    public var redirectURI: String
    /// The PKCE code verifier (``/CDRJOSE/PKCE/verifier``). Secret.
    public var pkceVerifier: String
    /// The `nonce` the ID token must carry. Secret until the ID token is validated.
    public var nonce: String
    /// When the authorisation stops waiting for its callback.
    public var expiresAt: Date

    /// Creates a pending authorisation.
    /// - Parameters:
    ///   - request: What was asked for.
    ///   - redirectURI: The redirect URI of the request object.
    ///   - pkce: The PKCE pair whose challenge the request object carried.
    ///   - nonce: The request object's `nonce`.
    ///   - expiresAt: When it expires.
    public init(request: AuthorizationRequest, redirectURI: String, pkce: PKCE, nonce: String, expiresAt: Date) {
        self.request = request
        self.redirectURI = redirectURI
        self.pkceVerifier = pkce.verifier
        self.nonce = nonce
        self.expiresAt = expiresAt
    }

    /// The PKCE pair, rebuilt from the verifier.
    /// - Throws: ``/CDRJOSE/JOSEError`` `.invalidVerifier` when the kept verifier is not a valid one.
    public var pkce: PKCE {
        get throws { try PKCE(verifier: pkceVerifier) }
    }

    /// The scopes and the expiry; no verifier, no nonce.
    public var description: String {
        "PendingAuthorization(\(request.scopes.map(\.rawValue).joined(separator: " ")), expires \(expiresAt))"
    }

    /// Mirrors ``description``: `dump` shows neither the verifier nor the nonce.
    public var customMirror: Mirror {
        Mirror(self, children: ["pending": description], displayStyle: .struct)
    }
}

/// Where a ``ConsentFlow`` keeps its pending authorisations between PAR and callback, by `state`.
///
/// Each entry is taken at most once, and only before it expires: of any number of concurrent ``take(state:now:)``
/// calls for one `state`, exactly one gets the entry. ``InMemoryPendingAuthorizationStore`` keeps them in the
/// process; `RecipientStore.pendingAuthorizations(holderBrandID:)` (in `CDRStore`) keeps them sealed on disk, so a
/// callback can complete in another process, or after a restart. Conformers pass the pending-authorisation
/// conformance suite of the tests.
public protocol PendingAuthorizationStore: Sendable {
    /// Keeps `pending` under `state` (replacing an entry with the same `state`), dropping expired entries first.
    /// - Parameters:
    ///   - pending: The authorisation.
    ///   - state: Its `state`.
    ///   - now: The current time.
    /// - Throws: ``AuthorizationError`` `.invalidRequest` when as many authorisations are pending as the store may
    ///   hold; the store's own error when it cannot write.
    func insert(_ pending: PendingAuthorization, state: String, now: Date) async throws

    /// The entry for `state`, left in place.
    /// - Parameters:
    ///   - state: The callback's `state`.
    ///   - now: The current time.
    /// - Returns: The entry.
    /// - Throws: ``AuthorizationError`` `.unknownState` when there is none (never issued, or already taken);
    ///   `.stateExpired` when it expired (it is dropped then).
    func peek(state: String, now: Date) async throws -> PendingAuthorization

    /// Removes and returns the entry for `state`, exactly once.
    /// - Parameters:
    ///   - state: The callback's `state`.
    ///   - now: The current time.
    /// - Returns: The entry.
    /// - Throws: ``AuthorizationError`` `.unknownState` when there is none (never issued, or already taken);
    ///   `.stateExpired` when it expired.
    func take(state: String, now: Date) async throws -> PendingAuthorization
}

extension AuthorizationError {
    /// The error of a full pending-authorisation store.
    /// - Parameter capacity: The store's capacity.
    /// - Returns: `.invalidRequest`.
    package static func tooManyPendingAuthorizations(capacity: Int) -> AuthorizationError {
        AuthorizationError(.invalidRequest, reason: "too many authorisations are pending (\(capacity))")
    }

    /// The error of a `state` no pending authorisation has.
    package static var unknownPendingState: AuthorizationError {
        AuthorizationError(.unknownState, reason: "no pending authorisation has this state")
    }

    /// The error of an expired pending authorisation.
    /// - Parameter expiresAt: When it expired.
    /// - Returns: `.stateExpired`.
    package static func pendingStateExpired(at expiresAt: Date) -> AuthorizationError {
        AuthorizationError(.stateExpired, reason: "the pending authorisation expired at \(expiresAt)")
    }
}

/// Pending authorisations in memory, by `state`: nothing survives the process. The default of a
/// ``DataHolderConnection``.
public actor InMemoryPendingAuthorizationStore: PendingAuthorizationStore {
    private var entries: [String: PendingAuthorization] = [:]
    /// The most authorisations pending at once.
    public nonisolated let capacity: Int

    /// Creates an empty store.
    /// - Parameter capacity: The most authorisations pending at once (10,000 by default).
    public init(capacity: Int = 10_000) { self.capacity = capacity }

    /// Keeps `pending` under `state`, dropping expired entries first.
    /// - Parameters:
    ///   - pending: The authorisation.
    ///   - state: Its `state`.
    ///   - now: The current time.
    /// - Throws: ``AuthorizationError`` `.invalidRequest` when ``capacity`` authorisations are pending.
    public func insert(_ pending: PendingAuthorization, state: String, now: Date) throws {
        entries = entries.filter { $0.value.expiresAt > now }
        guard entries[state] != nil || entries.count < capacity else {
            throw AuthorizationError.tooManyPendingAuthorizations(capacity: capacity)
        }
        entries[state] = pending
    }

    /// The entry for `state`, left in place.
    /// - Parameters:
    ///   - state: The callback's `state`.
    ///   - now: The current time.
    /// - Returns: The entry.
    /// - Throws: ``AuthorizationError`` `.unknownState` when there is none; `.stateExpired` when it expired.
    public func peek(state: String, now: Date) throws -> PendingAuthorization {
        guard let pending = entries[state] else { throw AuthorizationError.unknownPendingState }
        guard pending.expiresAt > now else {
            entries[state] = nil
            throw AuthorizationError.pendingStateExpired(at: pending.expiresAt)
        }
        return pending
    }

    /// Removes and returns the entry for `state`.
    /// - Parameters:
    ///   - state: The callback's `state`.
    ///   - now: The current time.
    /// - Returns: The entry.
    /// - Throws: ``AuthorizationError`` `.unknownState` when there is none (never issued, or already used);
    ///   `.stateExpired` when it expired.
    public func take(state: String, now: Date) throws -> PendingAuthorization {
        guard let pending = entries.removeValue(forKey: state) else { throw AuthorizationError.unknownPendingState }
        guard pending.expiresAt > now else { throw AuthorizationError.pendingStateExpired(at: pending.expiresAt) }
        return pending
    }

    /// How many authorisations are kept (including expired ones not yet dropped).
    public var count: Int { entries.count }
}
