public import CDRJOSE
public import CDRModels
public import CDRTransport
public import Foundation
public import Logging

/// The recipient's registered connection to one data holder, in two parts: the ``consent`` flow (PAR, the
/// authorisation redirect, the JARM callback, the token exchange, ID token validation) and the arrangement
/// ``lifecycle`` (token managers and refresh, introspection, revocation, the holder's revocations).
///
/// One connection serves every customer of the holder. Every check that fails throws an ``AuthorizationError``
/// and stops the flow: nothing further is sent to the holder. The connection's methods are shorthands for its two
/// parts'.
///
/// ```swift
/// let connection = try DataHolderConnection(
///     configuration: .init(product: product, registration: registration, metadata: metadata), transport: transport)
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
    public var configuration: Configuration { context.configuration }
    /// The holder's endpoints (aliases applied).
    public var endpoints: HolderEndpoints { context.endpoints }
    /// The store that keeps arrangements and tokens.
    public var tokenStore: any TokenStore { lifecycle.tokenStore }
    /// The holder's clock (corrected from its `Date` headers), used for every JWT built or checked for this holder.
    public var clock: CorrectedClock { context.clock }
    /// Consent: PAR, the callback, the code exchange.
    public let consent: ConsentFlow
    /// What happens to arrangements after consent: tokens, introspection, revocation.
    public let lifecycle: ArrangementLifecycle
    let context: HolderContext

    /// Creates a connection.
    /// - Parameters:
    ///   - configuration: The product, client id and holder metadata.
    ///   - transport: The transport (mutual TLS for the back channel, public TLS for the holder's JWKS), with the
    ///     standard chain (``/CDRTransport/MiddlewareTransport/standard(_:logger:retry:accessTokens:trafficBudget:clockCorrection:)``)
    ///     in front of it.
    ///   - holderKeys: The holder's JWKS; by default a ``/CDRJOSE/JWKSCache`` of `jwks_uri` fetched over `transport`.
    ///   - tokenStore: Where arrangements and tokens are kept; in memory by default.
    ///   - pendingAuthorizations: Where authorisations wait between PAR and callback; by default an
    ///     ``InMemoryPendingAuthorizationStore`` of ``Configuration/maximumPendingAuthorizations``. Pass a durable one
    ///     (`RecipientStore.pendingAuthorizations(holderBrandID:)`) to complete callbacks after a restart or in
    ///     another process.
    ///   - clock: The holder's clock, when `transport` already corrects it (its chain has a
    ///     ``ClockCorrectionMiddleware`` for it). By default the connection makes one and corrects it from the `Date`
    ///     headers of its own requests.
    ///   - logger: Logs ids and outcomes, never secrets; silent by default.
    /// - Throws: ``AuthorizationError/Code/discoveryFailed`` when the metadata's endpoints are unusable;
    ///   ``AuthorizationError/Code/invalidRequest`` when encryption is registered without a decryption key.
    public init(
        configuration: Configuration, transport: any HTTPTransport, holderKeys: (any JWKSSource)? = nil,
        tokenStore: any TokenStore = InMemoryTokenStore(),
        pendingAuthorizations: (any PendingAuthorizationStore)? = nil, clock: CorrectedClock? = nil,
        logger: Logger = .cdrDisabled
    ) throws {
        guard !configuration.isAuthorizationResponseEncrypted || configuration.product.decryptionKey != nil else {
            throw AuthorizationError(
                .invalidRequest, reason: "JARM encryption is registered but no decryption key is set")
        }
        let holderClock = clock ?? CorrectedClock()
        let oauthTransport: any HTTPTransport =
            clock == nil
            ? MiddlewareTransport(transport, middlewares: [ClockCorrectionMiddleware(clock: holderClock)]) : transport
        let keys =
            try holderKeys
            ?? DiscoveryClient(transport: transport, backgroundActivityLogger: logger)
            .makeJWKSCache(for: configuration.metadata)
        let context = HolderContext(
            configuration: configuration, endpoints: try configuration.metadata.endpoints,
            oauth: OAuthClient(transport: oauthTransport), holderKeys: keys, clock: holderClock, logger: logger)
        self.context = context
        self.lifecycle = ArrangementLifecycle(context: context, tokenStore: tokenStore)
        self.consent = ConsentFlow(
            context: context, lifecycle: lifecycle,
            pending: pendingAuthorizations
                ?? InMemoryPendingAuthorizationStore(capacity: configuration.maximumPendingAuthorizations))
    }

    var authentication: PrivateKeyJWT { context.authentication }

    // MARK: Consent

    /// Pushes a signed authorisation request (PAR); see ``ConsentFlow/startAuthorization(_:)``.
    /// - Parameter request: What to ask for.
    /// - Returns: The authorisation URL, its `state` and expiry.
    /// - Throws: ``AuthorizationError``.
    public func startAuthorization(_ request: AuthorizationRequest) async throws -> AuthorizationRedirect {
        try await consent.startAuthorization(request)
    }

    /// Completes an authorisation from the callback URL; see
    /// ``ConsentFlow/completeAuthorization(callbackURL:expectedState:)``.
    /// - Parameters:
    ///   - callbackURL: The redirect URL with its `response` parameter.
    ///   - expectedState: The `state` kept in the customer's session.
    /// - Returns: The authorised arrangement.
    /// - Throws: ``AuthorizationError``.
    public func completeAuthorization(callbackURL: URL, expectedState: String) async throws -> Arrangement {
        try await consent.completeAuthorization(callbackURL: callbackURL, expectedState: expectedState)
    }

    /// Completes an authorisation from the JARM `response`; see
    /// ``ConsentFlow/completeAuthorization(response:expectedState:)``.
    /// - Parameters:
    ///   - response: The `response` JWT.
    ///   - expectedState: The `state` kept in the customer's session.
    /// - Returns: The authorised (or amended) arrangement.
    /// - Throws: ``AuthorizationError``.
    public func completeAuthorization(response: String, expectedState: String) async throws -> Arrangement {
        try await consent.completeAuthorization(response: response, expectedState: expectedState)
    }

    /// How many authorisations wait for their callback; see ``ConsentFlow/pendingAuthorizationCount``.
    public var pendingAuthorizationCount: Int? {
        get async { await consent.pendingAuthorizationCount }
    }

    // MARK: Lifecycle

    /// The token manager of an arrangement; see ``ArrangementLifecycle/tokenManager(for:)``.
    /// - Parameter arrangementID: The `cdr_arrangement_id`.
    /// - Returns: The manager.
    public func tokenManager(for arrangementID: String) async -> TokenManager {
        await lifecycle.tokenManager(for: arrangementID)
    }

    /// The arrangement as stored.
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: The arrangement, or `nil` when the store has none.
    /// - Throws: The store's error.
    public func arrangement(id: String) async throws -> Arrangement? {
        try await lifecycle.arrangement(id: id)
    }

    /// Introspects an arrangement's refresh token; see ``ArrangementLifecycle/introspectRefreshToken(arrangementID:)``.
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: The holder's answer.
    /// - Throws: ``AuthorizationError``.
    public func introspectRefreshToken(arrangementID: String) async throws -> RefreshTokenIntrospection {
        try await lifecycle.introspectRefreshToken(arrangementID: arrangementID)
    }

    /// Revokes an arrangement's tokens at the holder and ends it here; see
    /// ``ArrangementLifecycle/revokeTokens(arrangementID:)``.
    /// - Parameter arrangementID: The arrangement.
    /// - Returns: What was ended and deleted.
    /// - Throws: ``AuthorizationError``.
    @discardableResult
    public func revokeTokens(arrangementID: String) async throws -> ArrangementEnding {
        try await lifecycle.revokeTokens(arrangementID: arrangementID)
    }

    /// Revokes an arrangement at the holder and ends it here; see
    /// ``ArrangementLifecycle/revokeArrangement(id:initiator:)``.
    /// - Parameters:
    ///   - id: The `cdr_arrangement_id`.
    ///   - initiator: The consumer (the default) or the recipient.
    /// - Returns: What was ended and deleted.
    /// - Throws: ``AuthorizationError``.
    @discardableResult
    public func revokeArrangement(id: String, initiator: RevocationInitiator = .consumer) async throws
        -> ArrangementEnding
    {
        try await lifecycle.revokeArrangement(id: id, initiator: initiator)
    }

    /// Ends an arrangement the holder revoked; see ``ArrangementLifecycle/holderRevokedArrangement(id:)``.
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: What was ended and deleted, or `nil` when this connection has no such live arrangement.
    /// - Throws: The store's error.
    public func holderRevokedArrangement(id: String) async throws -> ArrangementEnding? {
        try await lifecycle.holderRevokedArrangement(id: id)
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
