import CDRJOSE
import CDRTransport
import Foundation
import Logging

/// What the consent flow and the arrangement lifecycle of one holder connection share: the configuration, the
/// holder's endpoints, its clock and keys, and the token endpoint.
///
/// A value: neither side holds the other through it, and a ``TokenManager`` gets only the refresh function it
/// needs (``refreshFunction``), not the connection.
struct HolderContext: Sendable {
    let configuration: DataHolderConnection.Configuration
    let endpoints: HolderEndpoints
    let oauth: OAuthClient
    let holderKeys: any JWKSSource
    let clock: CorrectedClock
    let logger: Logger

    var authentication: PrivateKeyJWT {
        PrivateKeyJWT(
            clientID: configuration.clientID, audience: endpoints.issuer, signingKey: configuration.product.signingKey,
            timeSource: clock)
    }

    /// The settings a token manager works by.
    var tokenPolicy: TokenManager.Policy {
        TokenManager.Policy(
            refreshLeeway: configuration.refreshLeeway.timeInterval,
            expiryWarning: configuration.expiryWarning.timeInterval,
            clockSkew: configuration.clockSkew.timeInterval)
    }

    /// The refresh-token grant as a function of the current token set and the original ID token.
    var refreshFunction: TokenManager.RefreshFunction {
        { [self] current, original in try await refreshTokens(current, original: original) }
    }

    func idTokenValidator(acr request: AuthorizationRequest) -> IDTokenValidator {
        IDTokenValidator(
            configuration: .init(
                issuer: endpoints.issuer, clientID: configuration.clientID,
                acceptedACRValues: Set(request.authenticationContexts.map(\.rawValue)),
                allowedAlgorithms: [configuration.idTokenSigningAlgorithm], clockSkew: configuration.clockSkew,
                requiresAuthTime: request.requiresAuthenticationTime),
            keys: holderKeys, timeSource: clock)
    }

    func idTokenValidator(acceptedACRValues: Set<String>) -> IDTokenValidator {
        IDTokenValidator(
            configuration: .init(
                issuer: endpoints.issuer, clientID: configuration.clientID, acceptedACRValues: acceptedACRValues,
                allowedAlgorithms: [configuration.idTokenSigningAlgorithm], clockSkew: configuration.clockSkew),
            keys: holderKeys, timeSource: clock)
    }

    /// Exchanges a refresh token (no rotation expected; a returned one is kept).
    func refreshTokens(_ current: TokenSet, original: IDToken?) async throws -> TokenSet {
        guard let refreshToken = current.refreshToken else {
            throw AuthorizationError(.arrangementExpired, reason: "the arrangement has no refresh token (once-off)")
        }
        let response = try await oauth.postForm(
            endpoints.token, [("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
            authentication: authentication, operation: "refresh")
        let tokens = try oauth.decode(TokenResponse.self, from: response, failure: .tokenRequestRejected)
        let now = clock.now()
        guard tokens.isBearer else {
            throw AuthorizationError(
                .invalidTokenResponse, reason: "the refresh answer has no bearer access token",
                interactionID: response.interactionID)
        }
        var idToken = current.idToken
        if let refreshedIDToken = tokens.idToken {
            if let original {
                do {
                    _ = try await idTokenValidator(acceptedACRValues: [original.authenticationContextClass])
                        .validateRefreshed(refreshedIDToken, original: original)
                    idToken = refreshedIDToken
                } catch {
                    throw AuthorizationError(
                        .invalidIDToken, reason: "the refreshed ID token failed validation",
                        interactionID: response.interactionID, underlying: error)
                }
            } else {
                // Without the original (a record kept before it was stored) it can't be checked: don't keep it.
                logger.debug("CDR refreshed ID token not kept (no original in memory)")
            }
        }
        return TokenSet(
            accessToken: tokens.accessToken,
            accessTokenExpiresAt: tokens.accessTokenExpiry(
                now: now, assumed: configuration.assumedAccessTokenLifetime.timeInterval),
            refreshToken: tokens.refreshToken ?? current.refreshToken, sharingExpiresAt: current.sharingExpiresAt,
            scopes: tokens.scopes(default: current.scopes), idToken: idToken)
    }
}

extension TokenStore {
    /// Moves an arrangement to a terminal state and deletes its tokens and the customer's subject, keeping only a
    /// tombstone (id, holder, scopes, final state) so callers can tell "ended" from "never existed"; logs and
    /// reports it.
    func end(
        _ id: String, with event: ArrangementEvent, holderKnewIt: Bool, at now: Date, holder: String, logger: Logger
    ) async throws -> ArrangementEnding {
        let record = try await load(arrangementID: id)
        var arrangement = try record.map { try $0.arrangement.applying(event, at: now) }
        arrangement?.subject = nil
        let hadTokens = record?.tokens != nil
        if let arrangement {
            try await save(ArrangementRecord(arrangement: arrangement, tokens: nil))
        } else {
            try await delete(arrangementID: id)
        }
        logger.info(
            "CDR arrangement ended",
            metadata: [
                "cdr.holder": "\(holder)", "cdr.arrangement_id": "\(id)", "cdr.event": "\(event)",
                "cdr.tokens_deleted": "\(hadTokens)",
            ])
        return ArrangementEnding(
            arrangementID: id, state: arrangement?.state ?? ArrangementEnding.state(for: event),
            tokensDeleted: hadTokens,
            holderConfirmed: holderKnewIt, endedAt: now)
    }
}
