import CDRJOSE
import CDRTransport
public import Foundation
import Logging

/// The consent side of a holder connection: pushes signed authorisation requests (PAR with PKCE, `state`, `nonce`,
/// the CDR claims), keeps each pending authorisation until its callback, validates the JARM response, exchanges the
/// code, validates the ID token and hands the authorised (or amended) arrangement to the connection's
/// ``ArrangementLifecycle``.
///
/// Every check that fails throws an ``AuthorizationError`` and stops the flow: nothing further is sent to the
/// holder. Get it from ``DataHolderConnection/consent``.
///
/// ```swift
/// let redirect = try await connection.consent.startAuthorization(
///     AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))
/// // … the customer consents at redirect.url; the holder redirects back with ?response=<JWT> …
/// let arrangement = try await connection.consent.completeAuthorization(
///     response: responseJWT, expectedState: redirect.state)
/// ```
public final class ConsentFlow: Sendable {
    /// Where authorised arrangements go.
    public let lifecycle: ArrangementLifecycle
    let context: HolderContext
    /// Where pending authorisations wait for their callbacks.
    public let pendingAuthorizations: any PendingAuthorizationStore
    private var pending: any PendingAuthorizationStore { pendingAuthorizations }

    init(context: HolderContext, lifecycle: ArrangementLifecycle, pending: any PendingAuthorizationStore) {
        self.context = context
        self.lifecycle = lifecycle
        self.pendingAuthorizations = pending
    }

    // MARK: Consent

    /// Pushes a signed authorisation request (PAR) and returns where to send the customer.
    ///
    /// The request object carries `response_type=code`, `response_mode=jwt`, PKCE S256, a fresh `state` and `nonce`,
    /// `sharing_duration`, `cdr_arrangement_id` when amending, and the essential `acr`. Its PKCE verifier and nonce
    /// stay in the ``pendingAuthorizations`` store under the `state` until
    /// ``completeAuthorization(response:expectedState:)``.
    /// - Parameter request: What to ask for.
    /// - Returns: The authorisation URL (`client_id` and `request_uri` only), its `state` and expiry.
    /// - Throws: ``AuthorizationError``: `.invalidRequest` (sharing duration out of range, unregistered redirect URI,
    ///   no scope, or too many authorisations pending), `.unsupportedHolder` (no PAR endpoint),
    ///   `.pushedAuthorizationRejected` (with the OAuth error); the pending-authorisation store's error.
    public func startAuthorization(_ request: AuthorizationRequest) async throws -> AuthorizationRedirect {
        guard (0...CDRClaims.maximumSharingDuration).contains(request.sharingDuration) else {
            throw AuthorizationError(
                .invalidRequest, reason: "sharing_duration must be 0…\(CDRClaims.maximumSharingDuration) s")
        }
        guard !request.scopes.isEmpty else { throw AuthorizationError(.invalidRequest, reason: "no scope requested") }
        guard !request.authenticationContexts.isEmpty else {
            throw AuthorizationError(.invalidRequest, reason: "no acr value requested")
        }
        let redirectURI = request.redirectURI ?? context.configuration.product.redirectURIs.first ?? ""
        guard context.configuration.product.redirectURIs.contains(redirectURI) else {
            throw AuthorizationError(.invalidRequest, reason: "the redirect URI is not one of the product's")
        }
        guard let parEndpoint = context.endpoints.pushedAuthorizationRequest else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no PAR endpoint")
        }
        let pkce = PKCE.generate()
        let state = Self.randomToken()
        let nonce = Self.randomToken()
        let claims = CDRClaims(
            sharingDuration: request.sharingDuration, cdrArrangementID: request.arrangementID,
            acrValues: request.authenticationContexts.map(\.rawValue),
            requestsAuthTime: request.requiresAuthenticationTime)
        let requestObject = RequestObject(
            clientID: context.configuration.clientID, audience: context.endpoints.issuer, redirectURI: redirectURI,
            scopes: ["openid", "profile"] + Self.unique(request.scopes.map(\.rawValue)), state: state, nonce: nonce,
            pkce: pkce, claims: claims)
        let signed = try await requestObject.sign(
            with: context.configuration.product.signingKey, timeSource: context.clock)
        let response = try await context.oauth.postForm(
            parEndpoint, [("request", signed)], authentication: context.authentication, operation: "par")
        struct PARResponse: Decodable {
            var request_uri: String
            var expires_in: Int?
        }
        let par = try context.oauth.decode(
            PARResponse.self, from: response, failure: .pushedAuthorizationRejected, expecting: [201])
        let expiresAt = context.clock.now().addingTimeInterval(
            context.configuration.pendingAuthorizationLifetime.timeInterval)
        try await pending.insert(
            PendingAuthorization(
                request: request, redirectURI: redirectURI, pkce: pkce, nonce: nonce, expiresAt: expiresAt),
            state: state, now: context.clock.now())
        var components = URLComponents(url: context.endpoints.authorization, resolvingAgainstBaseURL: false)
        components?.percentEncodedQuery = FormEncoding.encode([
            ("client_id", context.configuration.clientID), ("request_uri", par.request_uri),
        ])
        guard let url = components?.url else {
            throw AuthorizationError(.discoveryFailed, reason: "the authorisation endpoint cannot take a query")
        }
        context.logger.debug(
            "CDR authorisation pushed",
            metadata: [
                "cdr.holder": "\(context.endpoints.issuer)", "cdr.interaction_id": "\(response.interactionID ?? "-")",
            ])
        return AuthorizationRedirect(url: url, state: state, expiresAt: expiresAt)
    }

    /// Completes an authorisation from the redirect URL the holder sent the customer back to.
    /// - Parameters:
    ///   - callbackURL: The redirect URL with its `response` query (or fragment) parameter.
    ///   - expectedState: The ``AuthorizationRedirect/state`` kept in the customer's session when the authorisation
    ///     started; the response must carry it. This binds the callback to the browser that began the flow.
    /// - Returns: The authorised arrangement (stored, with its tokens, in ``ArrangementLifecycle/tokenStore``).
    /// - Throws: ``AuthorizationError``: `.invalidAuthorizationResponse` when there is no `response`; and everything
    ///   ``completeAuthorization(response:expectedState:)`` throws.
    public func completeAuthorization(callbackURL: URL, expectedState: String) async throws -> Arrangement {
        let components = URLComponents(url: callbackURL, resolvingAgainstBaseURL: false)
        let fragmentItems = components?.fragment.flatMap { FormEncoding.decode($0) } ?? [:]
        guard
            let response = components?.queryItems?.first(where: { $0.name == "response" })?.value
                ?? fragmentItems["response"]
        else {
            throw AuthorizationError(.invalidAuthorizationResponse, reason: "the callback has no response parameter")
        }
        return try await completeAuthorization(response: response, expectedState: expectedState)
    }

    /// Completes an authorisation from the JARM `response` JWT: validates it, exchanges the code, validates the ID
    /// token and stores the arrangement.
    ///
    /// The pending authorisation is found by `expectedState` (from the customer's session) and is used up only once
    /// the response has passed validation, so a forged response can't burn the customer's flow; after the code
    /// exchange has been attempted it can't be used again.
    /// - Parameters:
    ///   - response: The `response` parameter (JWS, or JWE when encryption is registered).
    ///   - expectedState: The ``AuthorizationRedirect/state`` kept in the customer's session.
    /// - Returns: The authorised (or amended) arrangement.
    /// - Throws: ``AuthorizationError``: `.unknownState`/`.stateExpired` (no pending authorisation for the state);
    ///   `.invalidAuthorizationResponse` (JARM checks, including a `state` other than `expectedState`; `underlying`
    ///   is the ``/CDRJOSE/JOSEError``); `.authorizationDenied` (the holder's OAuth error); `.tokenRequestRejected`;
    ///   `.invalidTokenResponse`; `.invalidIDToken`. After any of them nothing further is sent.
    public func completeAuthorization(response: String, expectedState: String) async throws -> Arrangement {
        let state = expectedState
        let flow = try await pending.peek(state: state, now: context.clock.now())
        let validator = JARMValidator(
            configuration: .init(
                issuer: context.endpoints.issuer, clientID: context.configuration.clientID,
                allowedAlgorithms: [context.configuration.authorizationSigningAlgorithm],
                clockSkew: context.configuration.clockSkew,
                decrypter: context.configuration.isAuthorizationResponseEncrypted
                    ? context.configuration.product.decryptionKey.map { JWEDecrypter(keys: [$0]) } : nil),
            keys: context.holderKeys, timeSource: context.clock)
        let authorization: AuthorizationResponse
        do {
            authorization = try await validator.validate(response, expectedState: state)
        } catch let error as JOSEError where error.code == .authorizationError {
            _ = try? await pending.take(state: state, now: context.clock.now())
            throw AuthorizationError(
                .authorizationDenied, reason: "the holder answered with an OAuth error",
                oauthError: error.authorizationError,
                underlying: error)
        } catch {
            throw AuthorizationError(
                .invalidAuthorizationResponse, reason: "the JARM response failed validation", underlying: error)
        }
        // Validated: use the pending authorisation up (a concurrent completion with the same response loses here).
        _ = try await pending.take(state: state, now: context.clock.now())
        let verifier: String
        do {
            verifier = try flow.pkce.verifier
        } catch {
            throw AuthorizationError(
                .invalidRequest, reason: "the pending authorisation's PKCE verifier is malformed", underlying: error)
        }
        let tokenResponse = try await context.oauth.postForm(
            context.endpoints.token,
            [
                ("grant_type", "authorization_code"), ("code", authorization.code), ("redirect_uri", flow.redirectURI),
                ("code_verifier", verifier),
            ], authentication: context.authentication, operation: "token")
        let tokens = try context.oauth.decode(TokenResponse.self, from: tokenResponse, failure: .tokenRequestRejected)
        let now = context.clock.now()
        let requestedScopes = ["openid", "profile"] + flow.request.scopes.map(\.rawValue)
        let (tokenSet, arrangementID) = try checkedTokens(
            tokens, requestedScopes: requestedScopes, sharingDuration: flow.request.sharingDuration, now: now,
            interactionID: tokenResponse.interactionID)
        guard let idTokenJWS = tokens.idToken else {
            throw AuthorizationError(
                .invalidTokenResponse, reason: "the token response has no id_token",
                interactionID: tokenResponse.interactionID)
        }
        let idToken: IDToken
        do {
            idToken = try await context.idTokenValidator(acr: flow.request).validate(
                idTokenJWS, expectedNonce: flow.nonce)
        } catch {
            throw AuthorizationError(
                .invalidIDToken, reason: "the ID token failed validation (arrangement \(arrangementID) not stored)",
                interactionID: tokenResponse.interactionID, underlying: error)
        }
        if let amended = flow.request.arrangementID, amended != arrangementID {
            throw AuthorizationError(
                .invalidTokenResponse, reason: "the amended arrangement came back with a different cdr_arrangement_id",
                interactionID: tokenResponse.interactionID)
        }
        var arrangement: Arrangement
        if let existing = try await lifecycle.tokenStore.load(arrangementID: arrangementID)?.arrangement,
            !existing.state.isTerminal
        {
            guard existing.holderIssuer == context.endpoints.issuer,
                existing.clientID == context.configuration.clientID,
                existing.subject == nil || existing.subject == idToken.subject
            else {
                throw AuthorizationError(
                    .invalidIDToken,
                    reason: "the amended arrangement \(arrangementID) belongs to another customer or client",
                    interactionID: tokenResponse.interactionID)
            }
            arrangement = try existing.applying(.amended, at: now)
            arrangement.scopes = tokenSet.scopes
            arrangement.sharingExpiresAt = tokenSet.sharingExpiresAt
            arrangement.subject = idToken.subject
        } else {
            arrangement = Arrangement(
                id: arrangementID, holderIssuer: context.endpoints.issuer, clientID: context.configuration.clientID,
                subject: idToken.subject, scopes: tokenSet.scopes, sharingExpiresAt: tokenSet.sharingExpiresAt,
                authorisedAt: now)
        }
        try await lifecycle.tokenStore.save(
            ArrangementRecord(arrangement: arrangement, tokens: tokenSet, originalIDToken: idToken))
        await lifecycle.adopt(arrangementID, originalIDToken: idToken)
        context.logger.debug(
            "CDR arrangement authorised",
            metadata: [
                "cdr.holder": "\(context.endpoints.issuer)", "cdr.arrangement_id": "\(arrangementID)",
                "cdr.amendments": "\(arrangement.amendmentCount)",
                "cdr.interaction_id": "\(tokenResponse.interactionID ?? "-")",
            ])
        return arrangement
    }

    /// How many authorisations wait for their callback (including expired ones not yet dropped), when they are kept
    /// in an ``InMemoryPendingAuthorizationStore``; `nil` for another store.
    public var pendingAuthorizationCount: Int? {
        get async { await (pending as? InMemoryPendingAuthorizationStore)?.count }
    }

    private func checkedTokens(
        _ tokens: TokenResponse, requestedScopes: [String], sharingDuration: Int, now: Date, interactionID: String?
    ) throws -> (TokenSet, String) {
        func invalid(_ reason: String) -> AuthorizationError {
            AuthorizationError(.invalidTokenResponse, reason: reason, interactionID: interactionID)
        }
        guard tokens.isBearer else { throw invalid("token_type is not Bearer, or access_token is empty") }
        guard let arrangementID = tokens.cdrArrangementID, !arrangementID.isEmpty else {
            throw invalid("the token response has no cdr_arrangement_id")
        }
        if sharingDuration > 0, tokens.refreshToken == nil {
            throw invalid("a sharing duration was requested but no refresh_token was issued")
        }
        let scopes = tokens.scopes(default: requestedScopes)
        // Once-off collection keeps no refresh token, even if the holder issued one (revoke it with revokeTokens).
        let set = TokenSet(
            accessToken: tokens.accessToken,
            accessTokenExpiresAt: tokens.accessTokenExpiry(
                now: now, assumed: context.configuration.assumedAccessTokenLifetime.timeInterval),
            refreshToken: sharingDuration > 0 ? tokens.refreshToken : nil,
            sharingExpiresAt: sharingDuration > 0 ? now.addingTimeInterval(TimeInterval(sharingDuration)) : nil,
            scopes: scopes, idToken: tokens.idToken)
        return (set, arrangementID)
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Base64URL.encode(Data(bytes))
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
