import CDRJOSE
import CDRTransport
public import Foundation
import HTTPTypes
import Logging

/// The life of a holder's arrangements after consent: their tokens (handed out and refreshed by one
/// ``TokenManager`` per arrangement), refresh-token introspection, revocation at the holder, and the holder's own
/// revocations arriving at the recipient's endpoint.
///
/// Every ending keeps a tombstone (id, holder, scopes, final state) in the ``TokenStore`` and deletes the tokens.
/// Get it from ``DataHolderConnection/lifecycle``; the ``ConsentFlow`` of the same connection hands it each new or
/// amended arrangement.
///
/// ```swift
/// let tokens = await connection.lifecycle.tokenManager(for: arrangement.id)
/// let accessToken = try await tokens.accessToken()
/// let ending = try await connection.lifecycle.revokeArrangement(id: arrangement.id)
/// ```
public final class ArrangementLifecycle: Sendable {
    /// The store that keeps arrangements and tokens.
    public let tokenStore: any TokenStore
    let context: HolderContext
    private let managers = TokenManagers()

    init(context: HolderContext, tokenStore: any TokenStore) {
        self.context = context
        self.tokenStore = tokenStore
    }

    // MARK: Tokens

    /// The token manager of an arrangement (one per arrangement, shared by every caller while anyone holds it).
    /// - Parameter arrangementID: The `cdr_arrangement_id`.
    /// - Returns: The manager.
    public func tokenManager(for arrangementID: String) async -> TokenManager {
        await managers.manager(for: arrangementID) { original in
            TokenManager(
                arrangementID: arrangementID, tokenStore: tokenStore, clock: context.clock,
                policy: context.tokenPolicy, refresh: context.refreshFunction, originalIDToken: original,
                holder: context.endpoints.issuer, logger: context.logger)
        }
    }

    /// The arrangement as stored.
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: The arrangement, or `nil` when the store has none.
    /// - Throws: The store's error.
    public func arrangement(id: String) async throws -> Arrangement? {
        try await tokenStore.load(arrangementID: id)?.arrangement
    }

    /// Takes an arrangement the consent flow authorised (or amended): its token manager checks refreshed ID tokens
    /// against `originalIDToken` from now on.
    func adopt(_ arrangementID: String, originalIDToken: IDToken) async {
        await managers.reset(arrangementID, originalIDToken: originalIDToken)
    }

    // MARK: Introspection and revocation

    /// Introspects an arrangement's refresh token (the only token type CDS holders introspect).
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: The holder's answer.
    /// - Throws: ``AuthorizationError``: `.unknownArrangement`, `.introspectionFailed`, `.unsupportedHolder`.
    public func introspectRefreshToken(arrangementID: String) async throws -> RefreshTokenIntrospection {
        guard let introspection = context.endpoints.introspection else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no introspection endpoint")
        }
        guard let refreshToken = try await tokenStore.load(arrangementID: arrangementID)?.tokens?.refreshToken else {
            throw AuthorizationError(.unknownArrangement, reason: "no refresh token is stored for the arrangement")
        }
        let response = try await context.oauth.postForm(
            introspection, [("token", refreshToken), ("token_type_hint", "refresh_token")],
            authentication: context.authentication, operation: "introspect")
        return try context.oauth.decode(RefreshTokenIntrospection.self, from: response, failure: .introspectionFailed)
    }

    /// Revokes an arrangement's tokens at the holder (RFC 7009), refresh token first, as the standard asks after
    /// once-off collection; then ends the arrangement here (`revoked(by: recipient)`) and deletes its tokens, since
    /// it can no longer be used.
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: What was ended and deleted.
    /// - Throws: ``AuthorizationError``: `.unknownArrangement`, `.revocationFailed`, `.unsupportedHolder`.
    @discardableResult
    public func revokeTokens(arrangementID: String) async throws -> ArrangementEnding {
        guard let revocation = context.endpoints.revocation else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no revocation endpoint")
        }
        guard let tokens = try await tokenStore.load(arrangementID: arrangementID)?.tokens else {
            throw AuthorizationError(.unknownArrangement, reason: "no tokens are stored for the arrangement")
        }
        var toRevoke: [(String, String)] = []
        if let refresh = tokens.refreshToken { toRevoke.append((refresh, "refresh_token")) }
        toRevoke.append((tokens.accessToken, "access_token"))
        for (token, hint) in toRevoke {
            let response = try await context.oauth.postForm(
                revocation, [("token", token), ("token_type_hint", hint)], authentication: context.authentication,
                operation: "revoke")
            guard response.status.code == 200 else { throw OAuthClient.error(.revocationFailed, response: response) }
        }
        return try await end(arrangementID, with: .revoked(by: .recipient), holderKnewIt: true)
    }

    /// Revokes an arrangement at the holder (`cdr_arrangement_revocation_endpoint`), then ends it here and deletes
    /// its tokens.
    /// - Parameters:
    ///   - id: The `cdr_arrangement_id`.
    ///   - initiator: Who asked: the consumer (withdrawal in the recipient's app) or the recipient.
    /// - Returns: What was ended and deleted.
    /// - Throws: ``AuthorizationError``: `.revocationFailed` (the holder refused, other than not knowing it), the
    ///   store's error. A `422 Authorisation/InvalidArrangement` (the holder no longer knows it) still ends it here.
    @discardableResult
    public func revokeArrangement(id: String, initiator: RevocationInitiator = .consumer) async throws
        -> ArrangementEnding
    {
        guard let endpoint = context.endpoints.arrangementRevocation else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no arrangement revocation endpoint")
        }
        let response = try await context.oauth.postForm(
            endpoint, [("cdr_arrangement_id", id)], authentication: context.authentication,
            operation: "revokeArrangement")
        let unknownAtHolder =
            response.status.code == 422
            && String(decoding: response.body, as: UTF8.self).contains("Authorisation/InvalidArrangement")
        guard response.status.code == 204 || response.status.code == 200 || unknownAtHolder else {
            throw OAuthClient.error(.revocationFailed, response: response)
        }
        return try await end(id, with: .revoked(by: initiator), holderKnewIt: !unknownAtHolder)
    }

    /// Ends an arrangement the holder revoked (from the recipient's `/arrangements/revoke`): it moves to
    /// `revoked(by: holder)` and its tokens are deleted.
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: What was ended and deleted, or `nil` when this connection has no such live arrangement (unknown,
    ///   already ended, or another holder's or client's).
    /// - Throws: The store's error.
    public func holderRevokedArrangement(id: String) async throws -> ArrangementEnding? {
        guard let arrangement = try await tokenStore.load(arrangementID: id)?.arrangement,
            !arrangement.state.isTerminal,
            arrangement.holderIssuer == context.endpoints.issuer,
            arrangement.clientID == context.configuration.clientID
        else { return nil }
        return try await end(id, with: .revoked(by: .holder), holderKnewIt: true)
    }

    /// Ends an arrangement here (tombstone, tokens deleted) and forgets its token manager.
    func end(_ id: String, with event: ArrangementEvent, holderKnewIt: Bool) async throws -> ArrangementEnding {
        let ending = try await tokenStore.end(
            id, with: event, holderKnewIt: holderKnewIt, at: context.clock.now(), holder: context.endpoints.issuer,
            logger: context.logger)
        await managers.remove(id)
        return ending
    }
}

/// What ending an arrangement did: the final state and what was deleted.
public struct ArrangementEnding: Sendable, Hashable {
    /// The `cdr_arrangement_id`.
    public let arrangementID: String
    /// The terminal state.
    public let state: ArrangementState
    /// Whether tokens were held and are now deleted.
    public let tokensDeleted: Bool
    /// Whether the holder knew the arrangement (`false` when revocation answered 422).
    public let holderConfirmed: Bool
    /// When it ended (holder clock).
    public let endedAt: Date

    static func state(for event: ArrangementEvent) -> ArrangementState {
        if case .revoked(let initiator) = event { return .revoked(by: initiator) }
        return .expired
    }
}
