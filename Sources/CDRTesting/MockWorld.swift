public import CDRAuth
public import CDRClient
public import CDRDDC
public import CDRJOSE
import CDRMockData
public import CDRMockHolder
public import CDRModels
public import CDRTransport
public import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes

/// A running mock data holder and a recipient connected to it, built by ``withMockDataHolder(_:_:)``.
///
/// From the top down: a consented ``arrangement``, a connected ``holderClient`` (Register → discovery → SSA →
/// DCR done), the ``client`` (a `CDRClient` with the standard chain), the registered software ``product``, the
/// ``recording`` transport that records every request that reaches the network, the real ``base`` transport
/// (AsyncHTTPClient over the holder's test PKI, mutual TLS on the secure listener) and the holder itself
/// (``holder`` when it runs in this process, ``control`` either way). Tests of a lower layer build their own objects
/// from these parts: ``metadata``, ``registration``, ``product`` and ``transport`` are what a
/// `DataHolderConnection` or a `BankingClient` takes.
public struct MockWorld: Sendable {
    /// How the world was built.
    public let options: Options
    /// The holder's base URLs.
    public let endpoints: MockDataHolder.Endpoints
    /// The holder, in this process or another one, for what both can do (outages, DDC settings, products).
    public let control: any MockHolderControl
    /// The TLS settings of ``base``: the holder's client identity and its CA, pinned for both trust modes.
    public let transportConfiguration: AsyncHTTPClientTransport.Configuration
    /// The real transport to the holder (AsyncHTTPClient over TLS and mutual TLS on loopback).
    public let base: AsyncHTTPClientTransport
    /// Records every request that reaches the network, with its response (below the client's middleware).
    public let recording: RecordingTransport
    /// The software product registered on the mock Register.
    public let product: SoftwareProductIdentity
    /// The client: the standard middleware chain over ``recording``.
    public let client: CDRClient
    /// The holder brand as the Register lists it.
    public let brand: HolderBrand
    /// The holder as discovery describes it (endpoints, algorithms).
    public let metadata: HolderMetadata
    /// The client connected to the holder, registered with Dynamic Client Registration.
    public let holderClient: HolderClient
    /// The customer who consented (or who will, by default, in ``consent(_:customer:accounts:at:)``).
    public let customer: String

    private let inProcessHolder: MockDataHolder?
    /// Set once, by ``withMockDataHolder(_:_:)``, when the world's consent was given.
    var consented: Arrangement?

    init(
        options: Options, endpoints: MockDataHolder.Endpoints, control: any MockHolderControl,
        inProcessHolder: MockDataHolder?, transportConfiguration: AsyncHTTPClientTransport.Configuration,
        base: AsyncHTTPClientTransport, recording: RecordingTransport, product: SoftwareProductIdentity,
        client: CDRClient,
        brand: HolderBrand, metadata: HolderMetadata, holderClient: HolderClient
    ) {
        self.options = options
        self.endpoints = endpoints
        self.control = control
        self.inProcessHolder = inProcessHolder
        self.transportConfiguration = transportConfiguration
        self.base = base
        self.recording = recording
        self.product = product
        self.client = client
        self.brand = brand
        self.metadata = metadata
        self.holderClient = holderClient
        self.customer = options.customer
    }

    /// The holder running in this process: its data set, faults, Register, DDC provider and PKI.
    /// - Throws: `MockHolderError` (`invalidConfiguration`) when the holder runs in another process.
    public var holder: MockDataHolder {
        get throws {
            guard let inProcessHolder else {
                throw MockHolderError(
                    .invalidConfiguration, reason: "the holder runs in another process: use the world's control")
            }
            return inProcessHolder
        }
    }

    /// Whether the holder runs in this process.
    public var isInProcess: Bool { inProcessHolder != nil }

    /// The arrangement consented while the world was built.
    /// - Throws: `MockHolderError` (`invalidConfiguration`) when ``Options/consent`` was `nil`.
    public var arrangement: Arrangement {
        get throws {
            guard let consented else {
                throw MockHolderError(
                    .invalidConfiguration, reason: "the world was built without consent (options.consent is nil)")
            }
            return consented
        }
    }

    /// What the SDK sends through: the client's standard middleware chain over ``recording``.
    public var transport: any HTTPTransport { client.transport }

    /// The client's registration at the holder (its `client_id`).
    public var registration: RegistrationProperties { holderClient.registration }

    /// The holder's CA, pinned, for either trust mode.
    public var trustRoots: TrustRoots { transportConfiguration.publicTrustRoots }

    /// The client identity the holder's secure listener accepts.
    public var clientIdentity: ClientIdentity { client.configuration.identity }

    // MARK: Consent

    /// Gives a consent with the mock's headless auto-consent: PAR, the authorisation URL answered for `customer`,
    /// the JARM callback, tokens.
    /// - Parameters:
    ///   - request: What to ask for; ``Options/standardConsent`` by default.
    ///   - customer: The consenting customer; the world's ``customer`` by default.
    ///   - accounts: The account ids to share; all of the customer's when `nil`.
    ///   - holderClient: The holder client that asks; the world's ``holderClient`` by default.
    /// - Returns: The new arrangement.
    /// - Throws: `AuthorizationError` from the consent flow, `MockHolderError` when the holder does not redirect.
    public func consent(
        _ request: AuthorizationRequest = Options.standardConsent, customer: String? = nil, accounts: [String]? = nil,
        at holderClient: HolderClient? = nil
    ) async throws -> Arrangement {
        let asking = holderClient ?? self.holderClient
        let redirect = try await asking.startAuthorization(request)
        let callback = try await callbackURL(for: redirect, customer: customer, accounts: accounts)
        return try await asking.completeAuthorization(callbackURL: callback, expectedState: redirect.state)
    }

    /// The browser leg, headless: follows an authorisation URL with the mock's auto-consent and returns the URL the
    /// holder redirects the customer's browser back to (the recipient's callback with the JARM `response`).
    /// - Parameters:
    ///   - redirect: What `startAuthorization` returned.
    ///   - customer: The consenting customer; the world's ``customer`` by default.
    ///   - accounts: The account ids to share; all of the customer's when `nil`.
    ///   - deny: Whether the customer refuses.
    /// - Returns: The callback URL.
    /// - Throws: `MockHolderError` (`invalidConfiguration`) when the holder answers anything but a redirect.
    public func callbackURL(
        for redirect: AuthorizationRedirect, customer: String? = nil, accounts: [String]? = nil, deny: Bool = false
    ) async throws -> URL {
        var extra = [("mock_customer", customer ?? self.customer)]
        if let accounts { extra.append(("mock_accounts", accounts.joined(separator: ","))) }
        if deny { extra.append(("mock_deny", "1")) }
        guard let url = URL(string: redirect.url.absoluteString + "&" + FormEncoding.encode(extra)) else {
            throw MockHolderError(.invalidConfiguration, reason: "the authorisation URL cannot take parameters")
        }
        let answer = try await base.send(
            TransportRequest(method: .get, url: url, security: .publicTLS, operation: "authorise"))
        guard answer.status.code == 302, let location = answer.headerFields[.location],
            let callback = URL(string: location)
        else {
            throw MockHolderError(
                .invalidConfiguration, reason: "the authorisation endpoint answered \(answer.status.code), not 302")
        }
        return callback
    }

    /// The JARM `response` the holder sends back for an authorisation URL, answered headlessly.
    /// - Parameters:
    ///   - redirect: What `startAuthorization` returned.
    ///   - customer: The consenting customer; the world's ``customer`` by default.
    ///   - accounts: The account ids to share; all of the customer's when `nil`.
    ///   - deny: Whether the customer refuses.
    /// - Returns: The `response` parameter (a JWT; a secret of the consent, don't print it).
    /// - Throws: `MockHolderError` (`invalidConfiguration`) when there is no redirect or no `response`.
    public func authorizationResponse(
        for redirect: AuthorizationRedirect, customer: String? = nil, accounts: [String]? = nil, deny: Bool = false
    ) async throws -> String {
        let callback = try await callbackURL(for: redirect, customer: customer, accounts: accounts, deny: deny)
        guard
            let response = URLComponents(url: callback, resolvingAgainstBaseURL: false)?.queryItems?
                .first(where: { $0.name == "response" })?.value
        else {
            throw MockHolderError(.invalidConfiguration, reason: "the callback carries no response parameter")
        }
        return response
    }

    // MARK: More recipients and DDC

    /// Adds another software product to the mock Register (a second recipient, an ES256 key, a JARM encryption
    /// key), with redirect URIs `https://recipient.example/<id>/callback` and `…/second`.
    /// - Parameters:
    ///   - id: The product's id; its brand is `brand-<id>`.
    ///   - signing: The signing key's algorithm.
    ///   - decryptionKey: A JARM decryption key to publish and register with.
    ///   - recipientBaseURI: The recipient's base URI at the Register.
    ///   - redirectURIs: The identity's redirect URIs; the Register's first one by default.
    /// - Returns: The product's identity, for a `DataHolderConnection` or a `CDRClient`.
    /// - Throws: Key generation errors, or `MockHolderError` when the holder refuses the product.
    public func registerProduct(
        id: String, signing: JWSAlgorithm = .ps256, decryptionKey: DecryptionKey? = nil,
        recipientBaseURI: String? = nil, redirectURIs: [String]? = nil
    ) async throws -> SoftwareProductIdentity {
        try await Self.registerProduct(
            id: id, signing: signing, decryptionKey: decryptionKey, recipientBaseURI: recipientBaseURI,
            redirectURIs: redirectURIs, at: control)
    }

    /// Connects another software product (one from
    /// ``registerProduct(id:signing:decryptionKey:recipientBaseURI:redirectURIs:)``) to the holder, as the world's
    /// client did: Register, discovery, SSA and DCR, over the same transport and stores.
    /// - Parameter product: The product.
    /// - Returns: Its holder client, for ``consent(_:customer:accounts:at:)``.
    /// - Throws: `AuthorizationError` from the Register, discovery or DCR.
    public func connect(_ product: SoftwareProductIdentity) async throws -> HolderClient {
        var configuration = client.configuration
        configuration.product = product
        return try await CDRClient(configuration: configuration, transport: recording).connect(holderBrandID: brand.id)
    }

    /// The redirect URIs ``registerProduct(id:signing:decryptionKey:recipientBaseURI:redirectURIs:)`` gives the
    /// Register for a product.
    /// - Parameter productID: The product's id.
    /// - Returns: The callback and a second URI.
    public static func registeredRedirectURIs(of productID: String) -> [String] {
        ["https://recipient.example/\(productID)/callback", "https://recipient.example/\(productID)/second"]
    }

    static func registerProduct(
        id: String, signing: JWSAlgorithm, decryptionKey: DecryptionKey?, recipientBaseURI: String?,
        redirectURIs: [String]?, at control: any MockHolderControl
    ) async throws -> SoftwareProductIdentity {
        let key = try SigningKey.generate(signing, keyID: id + "-sig")
        var jwks = JWKS(keys: [key.publicJWK])
        if let decryptionKey { jwks.keys.append(decryptionKey.publicJWK) }
        let registered = registeredRedirectURIs(of: id)
        try await control.addSoftwareProduct(
            MockRegister.SoftwareProduct(
                id: id, brandID: "brand-" + id, name: "Test product \(id)", redirectURIs: registered, jwks: jwks,
                recipientBaseURI: recipientBaseURI))
        return SoftwareProductIdentity(
            softwareProductID: id, brandID: "brand-" + id, signingKey: key, decryptionKey: decryptionKey,
            redirectURIs: redirectURIs ?? [registered[0]])
    }

    /// The mock DDC provider's settings for a DDC client: its base URL and API key (a secret).
    /// - Parameters:
    ///   - providerID: The id records carry in their provenance.
    ///   - pollInterval: How often a job is polled; short by default, so tests stay fast.
    /// - Returns: The provider configuration, for `CDRClient.ddc(_:)` or a `DDCClient`.
    /// - Throws: `MockHolderError` when the holder cannot be asked.
    public func ddcProvider(
        id providerID: String = "mock-aggregator", pollInterval: Duration = .milliseconds(5)
    ) async throws -> DDCProviderConfiguration {
        let settings = try await control.ddcSettings()
        guard let baseURL = URL(string: endpoints.ddcBaseURL) else {
            throw MockHolderError(.invalidConfiguration, reason: "the DDC base URL is not a URL")
        }
        return DDCProviderConfiguration(
            providerID: providerID, baseURL: baseURL, apiKey: settings.apiKey, pollInterval: pollInterval)
    }

    /// The account ids of a customer in the in-process holder's data set, in the holder's order.
    /// - Parameter customer: The customer; the world's ``customer`` by default.
    /// - Returns: The ids; empty when the customer is unknown.
    /// - Throws: `MockHolderError` when the holder runs in another process.
    public func accountIDs(of customer: String? = nil) throws -> [String] {
        let dataset = try holder.dataset
        guard let found = dataset.customer(id: customer ?? self.customer) else { return [] }
        return dataset.accounts(of: found).map(\.id)
    }

    /// The whole history of the in-process holder's data set as a period (from before its oldest transaction to
    /// just after its reference date), for transaction queries that should see every transaction.
    /// - Throws: `MockHolderError` when the holder runs in another process.
    public var wholeHistory: DateInterval {
        get throws {
            let configuration = try holder.dataset.configuration
            let end = configuration.referenceDate.addingTimeInterval(1)
            let span = Double(configuration.history.components.seconds) + 86_400
            return DateInterval(start: end.addingTimeInterval(-span), end: end)
        }
    }
}
