public import CDRAuth
public import CDRBanking
public import CDRDDC
public import CDRJOSE
public import CDRModels
public import CDRTransport
public import CDRTransportAsyncHTTPClient
public import Foundation
public import Logging

/// The recipient's entry point: one value that wires the transport (mutual TLS with the pinned CDR CA, public
/// TLS), the Register, the data holders (discovery, DCR, consent, tokens, banking data, revocation), DDC capture
/// providers and the deletion of everything kept for an arrangement or connection when it ends.
///
/// ```swift
/// try await CDRClient.withClient(configuration: configuration) { cdr in
///     let bank = try await cdr.connect(holderBrandID: "bank-brand-id")      // Register, discovery, SSA, DCR
///     let redirect = try await bank.startAuthorization(
///         AuthorizationRequest(scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90)))
///     // … the customer consents at redirect.url; the holder calls back …
///     let arrangement = try await bank.completeAuthorization(callbackURL: callback, expectedState: redirect.state)
///     let source = await bank.accountData(for: arrangement)
///     for account in try await source.accounts() { print(account.displayName, account.provenance) }
///     let deletion = try await bank.revokeArrangement(id: arrangement.id)   // tokens and kept data deleted
/// }
/// ```
///
/// Every layer below stays usable on its own; the facade only chooses the defaults: the standard middleware chain
/// (interaction ids, retries of idempotent calls, logging without secrets), a bearer-token middleware per
/// arrangement backed by its token manager, the unattended context from the arrangement's authorisation time, and
/// the newest and previous versions of every operation.
public final class CDRClient: Sendable {
    /// What the recipient brings: its software product, its CDR certificate, and where to keep things.
    public struct Configuration: Sendable {
        /// The software product (id, brand, signing key, redirect URIs) as registered with the Register.
        public var product: SoftwareProductIdentity
        /// The mutual-TLS identity: the product's certificate from the CDR CA and its key.
        public var identity: ClientIdentity
        /// The CDR CA, pinned for every mutual-TLS endpoint (holders' secure endpoints and the Register's).
        public var cdrCertificateAuthority: TrustRoots
        /// The roots for public endpoints (discovery, JWKS, public CDS resources, DDC providers).
        public var publicTrustRoots: TrustRoots
        /// Where the Register is; the production Register by default.
        public var register: RegisterClient.Configuration
        /// Where everything the client keeps is kept, envelope-encrypted: registrations, arrangements and their
        /// tokens, pending authorisations, the revocation endpoint's replay cache, DDC connections, checkpoints and
        /// the audit trail. In memory by default (nothing survives a restart); open one on SQLite with
        /// `RecipientStore.sqlite(path:keyEncryptionKey:logger:)`.
        public var store: RecipientStore
        /// Another place for arrangements and tokens, or `nil` (the default) for ``store``.
        public var tokenStore: (any TokenStore)?
        /// Where account data is kept, encrypted per arrangement or connection; `nil` (the default) keeps nothing.
        /// Pass ``store`` to keep records there.
        public var recordStore: (any RecordStore)?
        /// The versions asked for, per operation; the newest and the previous live ones by default.
        public var versions: VersionPreferences
        /// The `page-size` asked for in lists; 1,000 (the standard's maximum) by default, to make fewer calls.
        public var pageSize: Int?
        /// Retries of idempotent calls (429, 503, 504, connection failures).
        public var retry: RetryMiddleware.Policy
        /// A timeout for each request.
        public var requestTimeout: Duration
        /// The unattended traffic budget applied per arrangement, or `nil` for none (the default).
        public var trafficBudget: UnattendedTrafficBudget.Limits?
        /// What is known of holders' behaviour, applied per brand by every banking client; the registry that ships
        /// with CDRKit by default. Add your own with ``/CDRBanking/HolderQuirksRegistry/merging(_:)``.
        public var holderQuirks: HolderQuirksRegistry

        /// Creates a configuration.
        /// - Parameters:
        ///   - product: The software product.
        ///   - identity: The mutual-TLS certificate chain and key.
        ///   - cdrCertificateAuthority: The pinned CDR CA.
        ///   - publicTrustRoots: Roots for public endpoints; the system's by default.
        ///   - register: The Register; production by default.
        ///   - store: Where everything is kept; a new in-memory store by default.
        ///   - tokenStore: `nil` by default: arrangements and tokens are kept in `store`.
        ///   - recordStore: `nil` by default: no account data is kept.
        ///   - versions: The default version preferences.
        ///   - pageSize: 1,000 by default.
        ///   - retry: The default retry policy.
        ///   - requestTimeout: 60 s by default.
        ///   - trafficBudget: `nil` by default.
        ///   - holderQuirks: ``/CDRBanking/HolderQuirksRegistry/bundled`` by default.
        public init(
            product: SoftwareProductIdentity, identity: ClientIdentity, cdrCertificateAuthority: TrustRoots,
            publicTrustRoots: TrustRoots = .system, register: RegisterClient.Configuration = .production,
            store: RecipientStore = .ephemeral(), tokenStore: (any TokenStore)? = nil,
            recordStore: (any RecordStore)? = nil,
            versions: VersionPreferences = VersionPreferences(), pageSize: Int? = 1000,
            retry: RetryMiddleware.Policy = RetryMiddleware.Policy(), requestTimeout: Duration = .seconds(60),
            trafficBudget: UnattendedTrafficBudget.Limits? = nil, holderQuirks: HolderQuirksRegistry = .bundled
        ) {
            self.holderQuirks = holderQuirks
            self.product = product
            self.identity = identity
            self.cdrCertificateAuthority = cdrCertificateAuthority
            self.publicTrustRoots = publicTrustRoots
            self.register = register
            self.store = store
            self.tokenStore = tokenStore
            self.recordStore = recordStore
            self.versions = versions
            self.pageSize = pageSize
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.trafficBudget = trafficBudget
        }

        /// Where one holder brand's arrangements and tokens are kept: ``tokenStore`` when given, else ``store``.
        /// - Parameter holderBrandID: The brand.
        /// - Returns: The token store.
        public func tokenStore(for holderBrandID: String) -> any TokenStore {
            tokenStore ?? store.tokenStore(holderBrandID: holderBrandID)
        }

        /// The AsyncHTTPClient settings these choices imply.
        public var transportConfiguration: AsyncHTTPClientTransport.Configuration {
            AsyncHTTPClientTransport.Configuration(
                mutualTLS: .init(identity: identity, trustRoots: cdrCertificateAuthority),
                publicTrustRoots: publicTrustRoots, requestTimeout: requestTimeout)
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// The transport with the standard middleware (interaction ids, retries, logging) over the base transport.
    public let transport: any HTTPTransport
    /// The Register client (SSA, data holder brands), sharing the transport.
    public let register: RegisterClient
    /// What this client's decoding tolerated, per holder brand and operation, since it was created (in memory):
    /// read ``dataQualityReport``.
    public let dataQuality = DataQualityRecorder()

    /// Every departure from the standard the client's banking calls tolerated, aggregated per holder brand and
    /// operation: counts per quirk and field, first and last seen, example interaction ids; never a value.
    public var dataQualityReport: DataQualityReport { dataQuality.report }
    let base: any HTTPTransport
    let logger: Logger

    /// Creates a client over a transport you own (for example an `AsyncHTTPClientTransport` shared with other
    /// work, or a recording transport in tests). Prefer ``withClient(configuration:logger:_:)``, which creates and
    /// shuts down the transport.
    /// - Parameters:
    ///   - configuration: The product, certificates and stores.
    ///   - transport: The base transport: mutual TLS with the product's identity, public TLS for the rest.
    ///   - logger: Logs ids, statuses and outcomes, never secrets; silent by default.
    public init(
        configuration: Configuration, transport: any HTTPTransport,
        logger: Logger = .cdrDisabled
    ) {
        self.configuration = configuration
        self.base = transport
        self.logger = logger
        let standard = MiddlewareTransport.standard(transport, logger: logger, retry: configuration.retry)
        self.transport = standard
        self.register = RegisterClient(
            product: configuration.product, configuration: configuration.register, transport: standard,
            backgroundActivityLogger: logger)
    }

    /// Runs `body` with a client over a new AsyncHTTPClient transport, shut down when `body` returns or throws.
    /// - Parameters:
    ///   - configuration: The product, certificates and stores.
    ///   - logger: Logs ids, statuses and outcomes, never secrets; silent by default.
    ///   - body: The work.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or a `TransportError` when the certificates cannot be loaded.
    public static func withClient<Result: Sendable>(
        configuration: Configuration,
        logger: Logger = .cdrDisabled,
        _ body: (CDRClient) async throws -> Result
    ) async throws -> Result {
        try await AsyncHTTPClientTransport.withTransport(configuration: configuration.transportConfiguration) { base in
            try await body(CDRClient(configuration: configuration, transport: base, logger: logger))
        }
    }

    // MARK: Holders

    /// The banking data holder brands the Register lists (every page).
    /// - Returns: The brands with their endpoints; a brand whose base URIs are not `https` URLs is left out and
    ///   logged at warning level.
    /// - Throws: `AuthorizationError.registerRequestFailed`.
    public func holderBrands() async throws -> [HolderBrand] {
        try await register.dataHolderBrands(industry: .banking).compactMap { entry in
            do {
                return try HolderBrand(registerEntry: entry)
            } catch {
                logger.warning(
                    "Register brand left out: unusable endpoints",
                    metadata: ["cdr.holder_brand_id": "\(entry.dataHolderBrandId)", "cdr.error": "\(error)"])
                return nil
            }
        }
    }

    /// Connects to a holder brand listed by the Register: discovery (the issuer must match), then, unless a
    /// registration is given, an SSA from the Register and Dynamic Client Registration.
    /// - Parameters:
    ///   - holderBrandID: The brand's `dataHolderBrandId`.
    ///   - registration: A registration made earlier with this brand (its `client_id` is reused; no DCR).
    /// - Returns: The holder client; keep ``HolderClient/registration`` to reconnect without registering again.
    /// - Throws: ``CDRClientError/Code/holderNotFound``, or `AuthorizationError` from discovery, the Register or DCR.
    public func connect(holderBrandID: String, registration: RegistrationProperties? = nil) async throws -> HolderClient
    {
        let entries = try await register.dataHolderBrands(industry: .banking)
        guard let entry = entries.first(where: { $0.dataHolderBrandId == holderBrandID }) else {
            throw CDRClientError(.holderNotFound, reason: "the Register lists no banking holder brand \(holderBrandID)")
        }
        guard entry.status == .active else {
            throw CDRClientError(.holderNotFound, reason: "holder brand \(holderBrandID) is \(entry.status.rawValue)")
        }
        return try await connect(brand: HolderBrand(registerEntry: entry), registration: registration)
    }

    /// Connects to a holder brand whose endpoints you already have (from ``holderBrands()`` or your own cache).
    ///
    /// Without a `registration`, the one kept in ``Configuration/store`` for this brand and software product is
    /// reused (no DCR); when the product's redirect URIs have changed since, it is updated at the holder (same
    /// `client_id`) and kept again. With none kept, the product registers (DCR) and the registration is kept.
    /// - Parameters:
    ///   - brand: The brand and its base URIs.
    ///   - registration: A registration made earlier with this brand, or `nil` for the stored one (or a new one).
    /// - Returns: The holder client.
    /// - Throws: `AuthorizationError` from discovery, the Register or DCR.
    public func connect(brand: HolderBrand, registration: RegistrationProperties? = nil) async throws -> HolderClient {
        let metadata = try await DiscoveryClient(transport: transport, backgroundActivityLogger: logger)
            .discover(issuer: brand.issuer)
        let dcr = HolderRegistrationClient(holder: metadata, product: configuration.product, transport: transport)
        let productID = configuration.product.softwareProductID
        let confirmed: RegistrationProperties
        if let registration {
            confirmed = registration
        } else if let stored = try await storeCall({
            try await $0.registration(holderBrandID: brand.id, softwareProductID: productID)
        }) {
            if Set(stored.registration.redirectUris) == Set(configuration.product.redirectURIs) {
                confirmed = stored.registration
                logger.info(
                    "CDR registration reused from the store",
                    metadata: ["cdr.holder_brand_id": "\(brand.id)", "cdr.client_id": "\(confirmed.clientId)"])
            } else {
                // The product's redirect URIs changed since it registered: update the registration (same
                // `client_id`, so its arrangements stay valid) and keep the new one.
                confirmed = try await dcr.updateRegistration(
                    clientID: stored.registration.clientId, using: register, logger: logger)
                try await storeCall {
                    try await $0.saveRegistration(
                        StoredRegistration(
                            holderBrandID: brand.id, softwareProductID: productID, registration: confirmed,
                            registeredAt: Date()))
                }
                logger.info(
                    "CDR registration updated: the redirect URIs changed",
                    metadata: ["cdr.holder_brand_id": "\(brand.id)", "cdr.client_id": "\(confirmed.clientId)"])
            }
        } else {
            confirmed = try await dcr.register(using: register, logger: logger)
            try await storeCall {
                try await $0.saveRegistration(
                    StoredRegistration(
                        holderBrandID: brand.id, softwareProductID: productID, registration: confirmed,
                        registeredAt: Date()))
            }
        }
        // The holder's clock is corrected inside the chain, from every attempt's `Date` header.
        let clock = CorrectedClock()
        let holderTransport = MiddlewareTransport.standard(
            base, logger: logger, retry: configuration.retry, clockCorrection: ClockCorrectionMiddleware(clock: clock))
        let connectionConfiguration = try DataHolderConnection.Configuration(
            product: configuration.product, registration: confirmed, metadata: metadata, holderBrandID: brand.id)
        let connection = try DataHolderConnection(
            configuration: connectionConfiguration,
            transport: holderTransport,
            tokenStore: configuration.tokenStore(for: brand.id),
            pendingAuthorizations: configuration.store.pendingAuthorizations(
                holderBrandID: brand.id, capacity: connectionConfiguration.maximumPendingAuthorizations),
            clock: clock, logger: logger)
        logger.info(
            "CDR holder connected",
            metadata: ["cdr.holder_brand_id": "\(brand.id)", "cdr.client_id": "\(confirmed.clientId)"])
        return HolderClient(brand: brand, registration: confirmed, connection: connection, client: self)
    }

    /// The replay store to mount the recipient's `/arrangements/revoke` endpoint with: the `jti`s of the holders'
    /// tokens are kept in ``Configuration/store``, so a replayed revocation is refused after a restart and by every
    /// process that shares the store's database.
    ///
    /// ```swift
    /// let endpoint = ArrangementRevocationEndpoint(
    ///     configuration: endpointConfiguration, holderKeys: directory, receiver: bank,
    ///     replayCache: cdr.revocationReplayStore)
    /// ```
    public var revocationReplayStore: any ReplayStore { configuration.store.replayStore() }

    // MARK: DDC

    /// A client for a Digital Data Capture provider, over the standard chain (public TLS).
    /// - Parameter provider: The provider's id, base URL and API key.
    /// - Returns: The client.
    public func ddc(_ provider: DDCProviderConfiguration) -> DDCClient {
        DDCClient(configuration: provider, transport: transport, logger: logger)
    }

    /// Ends a DDC connection: deletes it at the provider (which deletes the credentials' use and the captured
    /// data there) and deletes every record kept for it here.
    ///
    /// The local records are deleted even when the provider cannot be reached; the report says so.
    /// - Parameters:
    ///   - connection: The connection.
    ///   - client: The provider's client.
    /// - Returns: What was deleted.
    /// - Throws: The record store's error.
    public func endConnection(_ connection: DDCConnectionID, at client: DDCClient) async throws -> DataDeletion {
        var confirmed = true
        do {
            try await client.deleteConnection(connection)
        } catch let error as DDCError where error.code == .unknownConnection {
            // Already gone at the provider: nothing left there.
        } catch {
            confirmed = false
            logger.warning(
                "DDC connection could not be deleted at the provider",
                metadata: ["cdr.ddc_connection": "\(connection.rawValue)", "cdr.error": "\(error)"])
        }
        let scope = DataScope.ddcConnection(
            providerID: client.configuration.providerID, connectionID: connection.rawValue)
        let deleted = try await deleteRecords(in: scope)
        try await storeCall {
            try await $0.record(
                .ddcConnectionEnded(
                    providerID: client.configuration.providerID, connectionID: connection.rawValue,
                    providerConfirmed: confirmed),
                scope: scope)
        }
        return DataDeletion(
            scope: scope, recordsDeleted: deleted.records, keyDestroyed: deleted.keyDestroyed,
            providerConfirmed: confirmed, identitiesForgotten: false, deletedAt: Date(), evidence: deleted.evidence)
    }

    // MARK: Records

    /// Keeps records in the configured ``Configuration/recordStore``; does nothing without one.
    /// - Parameters:
    ///   - records: The records.
    ///   - scope: Their arrangement or connection.
    /// - Returns: Whether they were kept.
    /// - Throws: ``CDRClientError/Code/storeFailed``.
    @discardableResult
    public func keep(_ records: [StoredRecord], in scope: DataScope) async throws -> Bool {
        guard let store = configuration.recordStore else { return false }
        do {
            try await store.save(records, in: scope)
        } catch {
            throw CDRClientError(.storeFailed, reason: "the record store refused a batch for \(scope): \(error)")
        }
        return true
    }

    /// Runs `body` with a ``/CDRStore/RecordWriter`` on the configured ``Configuration/recordStore``: records written
    /// are kept in batches in the background while `body` collects more; it returns once every batch is kept. Without
    /// a record store the writer keeps nothing and this returns 0.
    /// - Parameters:
    ///   - scope: The arrangement or connection.
    ///   - batchSize: Records per batch (one transaction of the store).
    ///   - body: What collects the records and writes them.
    /// - Returns: How many records were kept.
    /// - Throws: What `body` throws, or ``CDRClientError/Code/storeFailed`` when the store refused a batch (nothing
    ///   of that batch and of those after it is kept then).
    @discardableResult
    public func withRecordWriter(
        in scope: DataScope, batchSize: Int = 10_000, _ body: (RecordWriter) async throws -> Void
    ) async throws -> Int {
        var opened: RecordWriter?
        do {
            return try await RecordWriter.run(store: configuration.recordStore, scope: scope, batchSize: batchSize) {
                opened = $0
                try await body($0)
            }
        } catch {
            guard let refusal = await opened?.refusal else { throw error }
            throw CDRClientError(.storeFailed, reason: "the record store refused a batch for \(scope): \(refusal)")
        }
    }

    /// Deletes what is kept for a scope: the records of a separate record store, then, in the store, the scope's data
    /// key first and its rows after (``/CDRStore/RecipientStore/destroy(_:)``).
    func deleteRecords(in scope: DataScope) async throws -> (
        records: Int, keyDestroyed: Bool, evidence: DeletionEvidence
    ) {
        var records = 0
        var keyDestroyed = false
        if let other = configuration.recordStore, (other as? RecipientStore) !== configuration.store {
            do {
                (records, keyDestroyed) = try await other.deleteAll(in: scope)
            } catch {
                throw CDRClientError(.storeFailed, reason: "the record store could not delete \(scope): \(error)")
            }
        }
        let evidence = try await storeCall { try await $0.destroy(scope) }
        return (records + evidence.recordsDeleted, keyDestroyed || evidence.keyDestroyedAt != nil, evidence)
    }

    /// Runs a call on the store; its ``/CDRStore/StoreError`` passes through unchanged (with its category).
    @discardableResult
    func storeCall<Result: Sendable>(_ body: (RecipientStore) async throws -> Result) async throws -> Result {
        try await body(configuration.store)
    }
}

/// A data holder brand and where its endpoints are, as the Register lists them.
public struct HolderBrand: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The `dataHolderBrandId`.
    public var id: String
    /// The brand name.
    public var name: String
    /// The OIDC issuer (InfosecBaseUri).
    public var issuer: String
    /// The authenticated resources' base (ResourceBaseUri followed by `/cds-au/v1`).
    public var resourceBaseURL: URL
    /// The public resources' base (PublicBaseUri followed by `/cds-au/v1`).
    public var publicBaseURL: URL

    /// Creates a brand from its parts.
    /// - Parameters:
    ///   - id: The brand id.
    ///   - name: The brand name.
    ///   - issuer: The InfosecBaseUri.
    ///   - resourceBaseURI: The ResourceBaseUri (without `/cds-au/v1`).
    ///   - publicBaseURI: The PublicBaseUri (without `/cds-au/v1`).
    /// - Throws: ``CDRClientError/Code/invalidHolder`` when a base URI is not an `https` URL.
    public init(id: String, name: String, issuer: String, resourceBaseURI: String, publicBaseURI: String) throws {
        func base(_ text: String, _ what: String) throws -> URL {
            let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
            guard let url = URL(string: trimmed + "/cds-au/v1"), url.scheme == "https", url.host != nil else {
                throw CDRClientError(.invalidHolder, reason: "holder brand \(id) has an invalid \(what)")
            }
            return url
        }
        self.id = id
        self.name = name
        self.issuer = issuer
        self.resourceBaseURL = try base(resourceBaseURI, "resourceBaseUri")
        self.publicBaseURL = try base(publicBaseURI, "publicBaseUri")
    }

    /// Reads a brand from the Register's entry.
    /// - Parameter entry: The Register's data holder brand.
    /// - Throws: ``CDRClientError/Code/invalidHolder``.
    public init(registerEntry entry: RegisterDataHolderBrandV2) throws {
        try self.init(
            id: entry.dataHolderBrandId, name: entry.brandName, issuer: entry.endpointDetail.infosecBaseUri,
            resourceBaseURI: entry.endpointDetail.resourceBaseUri, publicBaseURI: entry.endpointDetail.publicBaseUri)
    }

    /// `name (id)`.
    public var description: String { "\(name) (\(id))" }
}
