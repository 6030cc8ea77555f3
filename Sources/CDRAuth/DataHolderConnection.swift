public import CDRJOSE
public import CDRTransport
public import Foundation
import HTTPTypes
public import Logging

/// The recipient's registered connection to one data holder: consent (PAR, the authorisation redirect, the JARM
/// callback, the token exchange, ID token validation), token management, introspection and revocation.
///
/// One connection serves every customer of the holder. Every check that fails throws an ``AuthorizationError``
/// and stops the flow: nothing further is sent to the holder.
///
/// ```swift
/// let connection = DataHolderConnection(configuration: .init(product: product, clientID: registration.clientId,
///                                                              metadata: metadata), transport: transport)
/// let redirect = try await connection.startAuthorization(
///     AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))
/// // … the customer consents at redirect.url; the holder redirects back with ?response=<JWT> …
/// let arrangement = try await connection.completeAuthorization(response: responseJWT, expectedState: redirect.state)
/// let token = try await connection.tokenManager(for: arrangement.id).accessToken()
/// ```
public final class DataHolderConnection: Sendable {
    /// What the connection needs to know.
    public struct Configuration: Sendable {
        /// The recipient's software product.
        public var product: SoftwareProductIdentity
        /// Our `client_id` at this holder (from DCR).
        public var clientID: String
        /// The holder's discovery document (checked by ``DiscoveryClient``).
        public var metadata: HolderMetadata
        /// The holder's brand id on the Register: revocations arriving at the recipient's endpoint from any other
        /// brand are refused. `nil` accepts the brand the endpoint authenticated (use only with one holder).
        public var holderBrandID: String?
        /// The registered `id_token_signed_response_alg`.
        public var idTokenSigningAlgorithm: JWSAlgorithm
        /// The registered `authorization_signed_response_alg`.
        public var authorizationSigningAlgorithm: JWSAlgorithm
        /// Whether JARM encryption is registered (the product's decryption key is then required).
        public var isAuthorizationResponseEncrypted: Bool
        /// How long a pending authorisation waits for its callback.
        public var pendingAuthorizationLifetime: Duration
        /// The most authorisations pending at once.
        public var maximumPendingAuthorizations: Int
        /// How long before expiry an access token is refreshed.
        public var refreshLeeway: Duration
        /// How long before the sharing period ends an arrangement counts as expiring.
        public var expiryWarning: Duration
        /// The lifetime assumed when a token response has no `expires_in` (the shortest the CDS allows).
        public var assumedAccessTokenLifetime: Duration
        /// Clock difference tolerated in JWT checks.
        public var clockSkew: Duration

        /// Creates a configuration.
        /// - Parameters:
        ///   - product: The software product.
        ///   - clientID: The holder-issued `client_id`.
        ///   - metadata: The holder's discovery document.
        ///   - holderBrandID: The holder's brand id on the Register.
        ///   - idTokenSigningAlgorithm: The registered ID token algorithm (PS256 by default).
        ///   - authorizationSigningAlgorithm: The registered JARM algorithm (PS256 by default).
        ///   - isAuthorizationResponseEncrypted: Whether JARM encryption was registered.
        ///   - pendingAuthorizationLifetime: 10 minutes by default.
        ///   - maximumPendingAuthorizations: 10,000 by default.
        ///   - refreshLeeway: 30 s by default.
        ///   - expiryWarning: 7 days by default.
        ///   - assumedAccessTokenLifetime: 120 s by default.
        ///   - clockSkew: 30 s by default.
        public init(
            product: SoftwareProductIdentity, clientID: String, metadata: HolderMetadata, holderBrandID: String? = nil,
            idTokenSigningAlgorithm: JWSAlgorithm = .ps256, authorizationSigningAlgorithm: JWSAlgorithm = .ps256,
            isAuthorizationResponseEncrypted: Bool = false, pendingAuthorizationLifetime: Duration = .seconds(600),
            maximumPendingAuthorizations: Int = 10_000, refreshLeeway: Duration = .seconds(30),
            expiryWarning: Duration = .seconds(7 * 86_400), assumedAccessTokenLifetime: Duration = .seconds(120),
            clockSkew: Duration = .seconds(30)
        ) {
            self.product = product
            self.clientID = clientID
            self.metadata = metadata
            self.holderBrandID = holderBrandID
            self.idTokenSigningAlgorithm = idTokenSigningAlgorithm
            self.authorizationSigningAlgorithm = authorizationSigningAlgorithm
            self.isAuthorizationResponseEncrypted = isAuthorizationResponseEncrypted
            self.pendingAuthorizationLifetime = pendingAuthorizationLifetime
            self.maximumPendingAuthorizations = maximumPendingAuthorizations
            self.refreshLeeway = refreshLeeway
            self.expiryWarning = expiryWarning
            self.assumedAccessTokenLifetime = assumedAccessTokenLifetime
            self.clockSkew = clockSkew
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// The holder's endpoints (aliases applied).
    public let endpoints: HolderEndpoints
    /// The store that keeps arrangements and tokens.
    public let tokenStore: any TokenStore
    /// The holder's clock (corrected from its `Date` headers), used for every JWT built or checked for this holder.
    public let clock: CorrectedClock
    let oauth: OAuthClient
    let holderKeys: any JWKSSource
    let logger: Logger
    private let pending: PendingAuthorizations
    private let managers: TokenManagers

    /// Creates a connection.
    /// - Parameters:
    ///   - configuration: The product, client id and holder metadata.
    ///   - transport: The transport (mutual TLS for the back channel, public TLS for the holder's JWKS); put
    ///     interaction-id, retry and logging middleware in front of it. The connection adds clock correction.
    ///   - holderKeys: The holder's JWKS; by default a ``/CDRJOSE/JWKSCache`` of `jwks_uri` fetched over `transport`.
    ///   - tokenStore: Where arrangements and tokens are kept; in memory by default.
    ///   - clock: The holder's clock; a new ``/CDRJOSE/CorrectedClock`` by default.
    ///   - logger: Logs ids and outcomes, never secrets; silent by default.
    /// - Throws: ``AuthorizationError/Code/discoveryFailed`` when the metadata's endpoints are unusable;
    ///   ``AuthorizationError/Code/invalidRequest`` when encryption is registered without a decryption key.
    public init(
        configuration: Configuration, transport: any HTTPTransport, holderKeys: (any JWKSSource)? = nil,
        tokenStore: any TokenStore = InMemoryTokenStore(), clock: CorrectedClock = CorrectedClock(),
        logger: Logger = Logger(label: "cdr-do-not-log", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        guard !configuration.isAuthorizationResponseEncrypted || configuration.product.decryptionKey != nil else {
            throw AuthorizationError(.invalidRequest, reason: "JARM encryption is registered but no decryption key is set")
        }
        self.configuration = configuration
        self.endpoints = try configuration.metadata.endpoints
        self.tokenStore = tokenStore
        self.clock = clock
        let chained = MiddlewareTransport(transport, middlewares: [ClockCorrectionMiddleware(clock: clock)])
        self.oauth = OAuthClient(transport: chained)
        self.holderKeys =
            try holderKeys
            ?? DiscoveryClient(transport: transport, backgroundActivityLogger: logger)
            .makeJWKSCache(for: configuration.metadata)
        self.logger = logger
        self.pending = PendingAuthorizations(capacity: configuration.maximumPendingAuthorizations)
        self.managers = TokenManagers()
    }

    var authentication: PrivateKeyJWT {
        PrivateKeyJWT(
            clientID: configuration.clientID, audience: endpoints.issuer, signingKey: configuration.product.signingKey,
            timeSource: clock)
    }

    // MARK: Consent

    /// Pushes a signed authorisation request (PAR) and returns where to send the customer.
    ///
    /// The request object carries `response_type=code`, `response_mode=jwt`, PKCE S256, a fresh `state` and `nonce`,
    /// `sharing_duration`, `cdr_arrangement_id` when amending, and the essential `acr`. Its PKCE verifier and nonce
    /// stay in memory under the `state` until ``completeAuthorization(response:expectedState:)``.
    /// - Parameter request: What to ask for.
    /// - Returns: The authorisation URL (`client_id` and `request_uri` only), its `state` and expiry.
    /// - Throws: ``AuthorizationError``: `.invalidRequest` (sharing duration out of range, unregistered redirect URI,
    ///   no scope), `.unsupportedHolder` (no PAR endpoint), `.pushedAuthorizationRejected` (with the OAuth error).
    public func startAuthorization(_ request: AuthorizationRequest) async throws -> AuthorizationRedirect {
        guard (0...CDRClaims.maximumSharingDuration).contains(request.sharingDuration) else {
            throw AuthorizationError(.invalidRequest, reason: "sharing_duration must be 0…\(CDRClaims.maximumSharingDuration) s")
        }
        guard !request.scopes.isEmpty else { throw AuthorizationError(.invalidRequest, reason: "no scope requested") }
        guard !request.authenticationContexts.isEmpty else {
            throw AuthorizationError(.invalidRequest, reason: "no acr value requested")
        }
        let redirectURI = request.redirectURI ?? configuration.product.redirectURIs.first ?? ""
        guard configuration.product.redirectURIs.contains(redirectURI) else {
            throw AuthorizationError(.invalidRequest, reason: "the redirect URI is not one of the product's")
        }
        guard let parEndpoint = endpoints.pushedAuthorizationRequest else {
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
            clientID: configuration.clientID, audience: endpoints.issuer, redirectURI: redirectURI,
            scopes: ["openid", "profile"] + Self.unique(request.scopes.map(\.rawValue)), state: state, nonce: nonce,
            pkce: pkce, claims: claims)
        let signed = try await requestObject.sign(with: configuration.product.signingKey, timeSource: clock)
        let response = try await oauth.postForm(
            parEndpoint, [("request", signed)], authentication: authentication, operation: "par")
        struct PARResponse: Decodable {
            var request_uri: String
            var expires_in: Int?
        }
        let par = try oauth.decode(PARResponse.self, from: response, failure: .pushedAuthorizationRejected, expecting: [201])
        let expiresAt = clock.now().addingTimeInterval(configuration.pendingAuthorizationLifetime.timeInterval)
        try await pending.insert(
            PendingAuthorization(request: request, redirectURI: redirectURI, pkce: pkce, nonce: nonce, expiresAt: expiresAt),
            state: state, now: clock.now())
        var components = URLComponents(url: endpoints.authorization, resolvingAgainstBaseURL: false)
        components?.percentEncodedQuery = FormEncoding.encode([
            ("client_id", configuration.clientID), ("request_uri", par.request_uri),
        ])
        guard let url = components?.url else {
            throw AuthorizationError(.discoveryFailed, reason: "the authorisation endpoint cannot take a query")
        }
        logger.debug(
            "CDR authorisation pushed",
            metadata: ["cdr.holder": "\(endpoints.issuer)", "cdr.interaction_id": "\(response.interactionID ?? "-")"])
        return AuthorizationRedirect(url: url, state: state, expiresAt: expiresAt)
    }

    /// Completes an authorisation from the redirect URL the holder sent the customer back to.
    /// - Parameters:
    ///   - callbackURL: The redirect URL with its `response` query (or fragment) parameter.
    ///   - expectedState: The ``AuthorizationRedirect/state`` kept in the customer's session when the authorisation
    ///     started; the response must carry it. This binds the callback to the browser that began the flow.
    /// - Returns: The authorised arrangement (stored, with its tokens, in ``tokenStore``).
    /// - Throws: ``AuthorizationError``: `.invalidAuthorizationResponse` when there is no `response`; and everything
    ///   ``completeAuthorization(response:expectedState:)`` throws.
    public func completeAuthorization(callbackURL: URL, expectedState: String) async throws -> Arrangement {
        let components = URLComponents(url: callbackURL, resolvingAgainstBaseURL: false)
        let fragmentItems = components?.fragment.flatMap { FormEncoding.decode($0) } ?? [:]
        guard let response = components?.queryItems?.first(where: { $0.name == "response" })?.value
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
        let flow = try await pending.peek(state: state, now: clock.now())
        let validator = JARMValidator(
            configuration: .init(
                issuer: endpoints.issuer, clientID: configuration.clientID,
                allowedAlgorithms: [configuration.authorizationSigningAlgorithm], clockSkew: configuration.clockSkew,
                decrypter: configuration.isAuthorizationResponseEncrypted
                    ? configuration.product.decryptionKey.map { JWEDecrypter(keys: [$0]) } : nil),
            keys: holderKeys, timeSource: clock)
        let authorization: AuthorizationResponse
        do {
            authorization = try await validator.validate(response, expectedState: state)
        } catch let error as JOSEError where error.code == .authorizationError {
            _ = try? await pending.take(state: state, now: clock.now())
            throw AuthorizationError(
                .authorizationDenied, reason: "the holder answered with an OAuth error", oauthError: error.authorizationError,
                underlying: error)
        } catch {
            throw AuthorizationError(.invalidAuthorizationResponse, reason: "the JARM response failed validation", underlying: error)
        }
        // Validated: use the pending authorisation up (a concurrent completion with the same response loses here).
        _ = try await pending.take(state: state, now: clock.now())
        let tokenResponse = try await oauth.postForm(
            endpoints.token,
            [
                ("grant_type", "authorization_code"), ("code", authorization.code), ("redirect_uri", flow.redirectURI),
                ("code_verifier", flow.pkce.verifier),
            ], authentication: authentication, operation: "token")
        let tokens = try oauth.decode(TokenResponse.self, from: tokenResponse, failure: .tokenRequestRejected)
        let now = clock.now()
        let requestedScopes = ["openid", "profile"] + flow.request.scopes.map(\.rawValue)
        let (tokenSet, arrangementID) = try checkedTokens(
            tokens, requestedScopes: requestedScopes, sharingDuration: flow.request.sharingDuration, now: now,
            interactionID: tokenResponse.interactionID)
        guard let idTokenJWS = tokens.idToken else {
            throw AuthorizationError(
                .invalidTokenResponse, reason: "the token response has no id_token", interactionID: tokenResponse.interactionID)
        }
        let idToken: IDToken
        do {
            idToken = try await idTokenValidator(acr: flow.request).validate(idTokenJWS, expectedNonce: flow.nonce)
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
        if let existing = try await tokenStore.load(arrangementID: arrangementID)?.arrangement, !existing.state.isTerminal {
            guard existing.holderIssuer == endpoints.issuer, existing.clientID == configuration.clientID,
                existing.subject == nil || existing.subject == idToken.subject
            else {
                throw AuthorizationError(
                    .invalidIDToken, reason: "the amended arrangement \(arrangementID) belongs to another customer or client",
                    interactionID: tokenResponse.interactionID)
            }
            arrangement = try existing.applying(.amended, at: now)
            arrangement.scopes = tokenSet.scopes
            arrangement.sharingExpiresAt = tokenSet.sharingExpiresAt
            arrangement.subject = idToken.subject
        } else {
            arrangement = Arrangement(
                id: arrangementID, holderIssuer: endpoints.issuer, clientID: configuration.clientID,
                subject: idToken.subject, scopes: tokenSet.scopes, sharingExpiresAt: tokenSet.sharingExpiresAt,
                authorisedAt: now)
        }
        try await tokenStore.save(ArrangementRecord(arrangement: arrangement, tokens: tokenSet))
        await managers.reset(arrangementID, originalIDToken: idToken)
        logger.debug(
            "CDR arrangement authorised",
            metadata: [
                "cdr.holder": "\(endpoints.issuer)", "cdr.arrangement_id": "\(arrangementID)",
                "cdr.amendments": "\(arrangement.amendmentCount)",
                "cdr.interaction_id": "\(tokenResponse.interactionID ?? "-")",
            ])
        return arrangement
    }

    /// How many authorisations wait for their callback.
    public var pendingAuthorizationCount: Int {
        get async { await pending.count }
    }

    // MARK: Tokens

    /// The token manager of an arrangement (one per arrangement per connection).
    /// - Parameter arrangementID: The `cdr_arrangement_id`.
    /// - Returns: The manager.
    public func tokenManager(for arrangementID: String) async -> TokenManager {
        await managers.manager(for: arrangementID, connection: self)
    }

    /// The arrangement as stored.
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: The arrangement, or `nil` when the store has none.
    /// - Throws: The store's error.
    public func arrangement(id: String) async throws -> Arrangement? {
        try await tokenStore.load(arrangementID: id)?.arrangement
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
                // Without the original (after a restart) it can't be checked as a continuation: don't keep it.
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
                now: now, assumed: configuration.assumedAccessTokenLifetime.timeInterval),
            refreshToken: sharingDuration > 0 ? tokens.refreshToken : nil,
            sharingExpiresAt: sharingDuration > 0 ? now.addingTimeInterval(TimeInterval(sharingDuration)) : nil,
            scopes: scopes, idToken: tokens.idToken)
        return (set, arrangementID)
    }

    private func idTokenValidator(acr request: AuthorizationRequest) -> IDTokenValidator {
        IDTokenValidator(
            configuration: .init(
                issuer: endpoints.issuer, clientID: configuration.clientID,
                acceptedACRValues: Set(request.authenticationContexts.map(\.rawValue)),
                allowedAlgorithms: [configuration.idTokenSigningAlgorithm], clockSkew: configuration.clockSkew,
                requiresAuthTime: request.requiresAuthenticationTime),
            keys: holderKeys, timeSource: clock)
    }

    private func idTokenValidator(acceptedACRValues: Set<String>) -> IDTokenValidator {
        IDTokenValidator(
            configuration: .init(
                issuer: endpoints.issuer, clientID: configuration.clientID, acceptedACRValues: acceptedACRValues,
                allowedAlgorithms: [configuration.idTokenSigningAlgorithm], clockSkew: configuration.clockSkew),
            keys: holderKeys, timeSource: clock)
    }

    // MARK: Introspection, revocation, userinfo

    /// Introspects an arrangement's refresh token (the only token type CDS holders introspect).
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: The holder's answer.
    /// - Throws: ``AuthorizationError``: `.unknownArrangement`, `.introspectionFailed`, `.unsupportedHolder`.
    public func introspectRefreshToken(arrangementID: String) async throws -> RefreshTokenIntrospection {
        guard let introspection = endpoints.introspection else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no introspection endpoint")
        }
        guard let refreshToken = try await tokenStore.load(arrangementID: arrangementID)?.tokens?.refreshToken else {
            throw AuthorizationError(.unknownArrangement, reason: "no refresh token is stored for the arrangement")
        }
        let response = try await oauth.postForm(
            introspection, [("token", refreshToken), ("token_type_hint", "refresh_token")],
            authentication: authentication, operation: "introspect")
        return try oauth.decode(RefreshTokenIntrospection.self, from: response, failure: .introspectionFailed)
    }

    /// Revokes an arrangement's tokens at the holder (RFC 7009), refresh token first, as the standard asks after
    /// once-off collection; then ends the arrangement here (`revoked(by: recipient)`) and deletes its tokens, since
    /// it can no longer be used.
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: What was ended and deleted.
    /// - Throws: ``AuthorizationError``: `.unknownArrangement`, `.revocationFailed`, `.unsupportedHolder`.
    @discardableResult
    public func revokeTokens(arrangementID: String) async throws -> ArrangementEnding {
        guard let revocation = endpoints.revocation else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no revocation endpoint")
        }
        guard let tokens = try await tokenStore.load(arrangementID: arrangementID)?.tokens else {
            throw AuthorizationError(.unknownArrangement, reason: "no tokens are stored for the arrangement")
        }
        var toRevoke: [(String, String)] = []
        if let refresh = tokens.refreshToken { toRevoke.append((refresh, "refresh_token")) }
        toRevoke.append((tokens.accessToken, "access_token"))
        for (token, hint) in toRevoke {
            let response = try await oauth.postForm(
                revocation, [("token", token), ("token_type_hint", hint)], authentication: authentication,
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
    public func revokeArrangement(id: String, initiator: RevocationInitiator = .consumer) async throws -> ArrangementEnding {
        guard let endpoint = endpoints.arrangementRevocation else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no arrangement revocation endpoint")
        }
        let response = try await oauth.postForm(
            endpoint, [("cdr_arrangement_id", id)], authentication: authentication, operation: "revokeArrangement")
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
        guard let arrangement = try await tokenStore.load(arrangementID: id)?.arrangement, !arrangement.state.isTerminal,
            arrangement.holderIssuer == endpoints.issuer, arrangement.clientID == configuration.clientID
        else { return nil }
        return try await end(id, with: .revoked(by: .holder), holderKnewIt: true)
    }

    /// Moves an arrangement to a terminal state and deletes its tokens and the customer's subject, keeping only a
    /// tombstone (id, holder, scopes, final state) so callers can tell "ended" from "never existed"; reports it.
    func end(_ id: String, with event: ArrangementEvent, holderKnewIt: Bool) async throws -> ArrangementEnding {
        let now = clock.now()
        let record = try await tokenStore.load(arrangementID: id)
        var arrangement = try record.map { try $0.arrangement.applying(event, at: now) }
        arrangement?.subject = nil
        let hadTokens = record?.tokens != nil
        if let arrangement {
            try await tokenStore.save(ArrangementRecord(arrangement: arrangement, tokens: nil))
        } else {
            try await tokenStore.delete(arrangementID: id)
        }
        await managers.remove(id)
        logger.info(
            "CDR arrangement ended",
            metadata: [
                "cdr.holder": "\(endpoints.issuer)", "cdr.arrangement_id": "\(id)", "cdr.event": "\(event)",
                "cdr.tokens_deleted": "\(hadTokens)",
            ])
        return ArrangementEnding(
            arrangementID: id, state: arrangement?.state ?? ArrangementEnding.state(for: event), tokensDeleted: hadTokens,
            holderConfirmed: holderKnewIt, endedAt: now)
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

extension Duration {
    var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
