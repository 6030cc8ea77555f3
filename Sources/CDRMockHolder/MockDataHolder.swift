public import CDRJOSE
public import CDRMockData
public import CDRModels
public import CDRTestPKI
public import Foundation
import Hummingbird
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle
import Synchronization

/// A mock CDR data holder served over real TLS and mutual TLS on loopback.
///
/// It runs two listeners, as a real holder publishes two kinds of base URI:
/// - the **public** listener (TLS, no client certificate): OIDC discovery, the holder's JWKS, the authorisation
///   endpoint and its consent page, products, status and outages, and the mock Register's public endpoints;
/// - the **secure** listener (mutual TLS, a client certificate from the mock CDR CA required): the Register's
///   token, SSA and holder-brand endpoints, DCR, PAR, token, userinfo, introspection, revocation, arrangement
///   revocation and every authenticated banking and common endpoint.
///
/// Certificates are minted at start-up (``pki``). The holder is a `Service`: run it in a `ServiceGroup`, or use
/// ``withRunning(_:logger:_:)``, which starts it, waits until both listeners are bound and stops it when the body
/// returns.
///
/// ```swift
/// try await MockDataHolder.withRunning { holder in
///     let endpoints = holder.endpoints          // base URLs with the bound ports
///     // …connect with holder.pki.client and trust holder.pki.certificateAuthority
/// }
/// ```
public final class MockDataHolder: Service, Sendable {
    /// How the mock holder is set up.
    public struct Configuration: Sendable {
        /// The address both listeners bind to. Loopback only: `127.0.0.1` or `::1`.
        public var host: String
        /// The public (TLS) listener's port; 0 picks a free one.
        public var publicPort: Int
        /// The secure (mutual TLS) listener's port; 0 picks a free one.
        public var securePort: Int
        /// The seeded data the holder serves.
        public var dataset: MockDataset.Configuration
        /// The holder brand as the Register lists it.
        public var brand: Brand
        /// How long an access token lives (the standard allows 2 to 10 minutes).
        public var accessTokenLifetime: Duration
        /// How long a PAR `request_uri` lives (the standard allows 10 to 90 seconds).
        public var requestURILifetime: Duration
        /// How long an authorisation code lives.
        public var authorizationCodeLifetime: Duration
        /// How long a software statement issued by the mock Register lives (the standard says 10 minutes).
        public var softwareStatementLifetime: Duration
        /// The largest `page-size` accepted.
        public var maximumPageSize: Int
        /// The clock used for every token, code and check. Tests pass a manual clock.
        public var timeSource: any TimeSource
        /// Where the holder keeps what a restart needs (`state.json`, mode 0600, in a directory of mode 0700), or
        /// `nil` to keep everything in memory.
        ///
        /// With a directory, the holder restores its PKI, signing keys, Register products, clients, arrangements and
        /// (hashed) tokens from the file when it exists, and otherwise mints them and writes the file. It rewrites
        /// the file atomically after every change that matters for a restart. The dataset comes from the file
        /// (the options given must have the same seed and sizes), and a port left at 0 reuses the one saved, so
        /// the URLs stay the same. See ``MockHolderError/Code/unreadableState``,
        /// ``MockHolderError/Code/incompatibleState``, ``MockHolderError/Code/stateNotSaved`` and
        /// ``MockHolderError/Code/portInUse``.
        public var stateDirectory: URL?
        /// Whether refreshes rotate the refresh token, and when the presented one dies; ``RefreshTokenRotation/never``
        /// by default.
        public var refreshTokenRotation: RefreshTokenRotation = .never

        /// The holder brand's identity.
        public struct Brand: Sendable, Hashable {
            /// The brand's Register identifier.
            public var id: String
            /// The brand's name.
            public var name: String
            /// The legal entity's identifier.
            public var legalEntityID: String
            /// The legal entity's name.
            public var legalEntityName: String

            /// Creates a brand.
            public init(
                id: String = "b2f5d6a4-1c3e-4f7a-9d2b-6e8c0a1f3b5d", name: String = "Mock Bank",
                legalEntityID: String = "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                legalEntityName: String = "Mock Bank Ltd"
            ) {
                self.id = id
                self.name = name
                self.legalEntityID = legalEntityID
                self.legalEntityName = legalEntityName
            }
        }

        /// Creates a configuration; every value has a default that suits tests.
        public init(
            host: String = "127.0.0.1", publicPort: Int = 0, securePort: Int = 0,
            dataset: MockDataset.Configuration = MockDataset.Configuration(), brand: Brand = Brand(),
            accessTokenLifetime: Duration = .seconds(300), requestURILifetime: Duration = .seconds(60),
            authorizationCodeLifetime: Duration = .seconds(60), softwareStatementLifetime: Duration = .seconds(600),
            maximumPageSize: Int = 1000, timeSource: any TimeSource = SystemTimeSource(), stateDirectory: URL? = nil
        ) {
            self.host = host
            self.publicPort = publicPort
            self.securePort = securePort
            self.dataset = dataset
            self.brand = brand
            self.accessTokenLifetime = accessTokenLifetime
            self.requestURILifetime = requestURILifetime
            self.authorizationCodeLifetime = authorizationCodeLifetime
            self.softwareStatementLifetime = softwareStatementLifetime
            self.maximumPageSize = maximumPageSize
            self.timeSource = timeSource
            self.stateDirectory = stateDirectory
        }
    }

    /// The base URLs of a running holder.
    public struct Endpoints: Sendable, Hashable, Codable {
        /// The public listener, for example `https://127.0.0.1:50001`.
        public var publicBaseURL: String
        /// The secure (mutual TLS) listener, for example `https://127.0.0.1:50002`.
        public var secureBaseURL: String

        /// The holder's OIDC issuer (its InfoSecBaseUri): the public base URL.
        public var issuer: String { publicBaseURL }
        /// The OIDC discovery document's URL.
        public var discoveryURL: String { publicBaseURL + "/.well-known/openid-configuration" }
        /// The base of the authenticated CDS resources (ResourceBaseUri), ending in `/cds-au/v1`.
        public var resourceBaseURL: String { secureBaseURL + "/cds-au/v1" }
        /// The base of the public CDS resources (PublicBaseUri and ProductBaseUri), ending in `/cds-au/v1`.
        public var publicResourceBaseURL: String { publicBaseURL + "/cds-au/v1" }
        /// The mock Register's public base (its JWKS and public lists).
        public var registerPublicBaseURL: String { publicBaseURL + "/cdr-register/v1" }
        /// The mock Register's secure base (SSA and data holder brands).
        public var registerSecureBaseURL: String { secureBaseURL + "/cdr-register/v1" }
        /// The mock Register's token endpoint.
        public var registerTokenURL: String { secureBaseURL + "/idp/connect/token" }
        /// The mock Register's OIDC issuer.
        public var registerIssuer: String { publicBaseURL + "/idp" }
        /// The mock DDC provider's API base (public TLS, API key), ending in `/ddc/v1`.
        public var ddcBaseURL: String { publicBaseURL + "/ddc/v1" }

        /// Creates endpoints from the two base URLs.
        public init(publicBaseURL: String, secureBaseURL: String) {
            self.publicBaseURL = publicBaseURL
            self.secureBaseURL = secureBaseURL
        }
    }

    /// The holder's configuration.
    public let configuration: Configuration
    /// The certificates minted at start-up: the mock CDR CA, the server leaf and a client identity for recipients.
    public let pki: TestPKI
    /// The data the holder serves.
    public let dataset: MockDataset
    /// Switches for misbehaviour; change them at any time, from any task.
    public let faults: MockFaults
    /// The mock Register.
    public let register: MockRegister
    /// The mock DDC provider served under ``Endpoints/ddcBaseURL``, with its switches.
    public let ddc: MockDDCProvider

    let state: HolderState
    let keys: HolderKeys
    /// The state directory's store; `nil` when the holder keeps everything in memory.
    let stateStore: HolderStateStore?
    let logger: Logger
    let handshakes = HandshakeTally()
    private let running: Mutex<RunState>

    private enum RunState {
        case idle(waiters: [CheckedContinuation<Endpoints, any Error>])
        case running(Endpoints)
        case stopped(any Error)
    }

    /// Creates a holder; nothing listens until ``run()``.
    ///
    /// With ``Configuration/stateDirectory``, the state file is read here (or, when there is none, a fresh state
    /// is written), and ``configuration`` carries the dataset and ports restored from it.
    /// - Parameters:
    ///   - configuration: The set-up.
    ///   - pki: Certificates to use; new ones are minted when `nil`. Ignored when the state directory holds a state.
    ///   - logger: Where the holder logs (ids and outcomes, never secrets). Silent by default.
    /// - Throws: ``MockHolderError`` when the host is not loopback, or the state directory's file cannot be read
    ///   (``MockHolderError/Code/unreadableState``), is newer or for another dataset
    ///   (``MockHolderError/Code/incompatibleState``) or cannot be written (``MockHolderError/Code/stateNotSaved``);
    ///   key or certificate generation errors.
    public init(
        configuration: Configuration = Configuration(), pki: TestPKI? = nil,
        logger: Logger = .cdrDisabled
    ) throws {
        guard ["127.0.0.1", "::1", "localhost"].contains(configuration.host) else {
            throw MockHolderError(.notLoopback, reason: "the mock holder binds to loopback only")
        }
        let start = try HolderStartingPoint(configuration: configuration, pki: pki)
        self.configuration = start.configuration
        self.pki = start.pki
        self.dataset = MockDataset(configuration: start.configuration.dataset)
        self.faults = MockFaults()
        self.keys = start.keys
        self.register = start.register
        self.ddc = MockDDCProvider(dataset: dataset, institutionName: configuration.brand.name)
        self.state = start.state
        self.stateStore = start.store
        self.logger = logger
        self.running = Mutex(.idle(waiters: []))
        try attachStateDirectory(isFresh: start.isFresh)
    }

    /// The base URLs; `nil` until both listeners are bound.
    public var endpoints: Endpoints? {
        running.withLock { state in
            if case .running(let endpoints) = state { return endpoints }
            return nil
        }
    }

    /// Waits until both listeners are bound.
    /// - Returns: The base URLs.
    /// - Throws: The start-up error when the holder failed to start.
    public func waitUntilRunning() async throws -> Endpoints {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<Endpoints, any Error>? = running.withLock { state in
                switch state {
                case .running(let endpoints): return .success(endpoints)
                case .stopped(let error): return .failure(error)
                case .idle(var waiters):
                    waiters.append(continuation)
                    state = .idle(waiters: waiters)
                    return nil
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    /// Runs both listeners until graceful shutdown.
    /// - Throws: Bind or TLS set-up errors.
    public func run() async throws {
        let publicPort = Mutex<Int?>(nil)
        let securePort = Mutex<Int?>(nil)
        let host = configuration.host
        let announce: @Sendable () -> Void = { [self] in
            guard let p = publicPort.withLock({ $0 }), let s = securePort.withLock({ $0 }) else { return }
            let hostPart = host.contains(":") ? "[\(host)]" : host
            let endpoints = Endpoints(
                publicBaseURL: "https://\(hostPart):\(p)", secureBaseURL: "https://\(hostPart):\(s)")
            let outcome: Result<Endpoints, any Error> =
                recordBoundPorts(publicPort: p, securePort: s).map { .failure($0) } ?? .success(endpoints)
            let waiters = running.withLock { state -> [CheckedContinuation<Endpoints, any Error>] in
                guard case .idle(let waiters) = state else { return [] }
                switch outcome {
                case .success(let endpoints): state = .running(endpoints)
                case .failure(let error): state = .stopped(error)
                }
                return waiters
            }
            for waiter in waiters { waiter.resume(with: outcome) }
        }
        let handshakes = self.handshakes
        do {
            var publicTLS = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try pki.server.nioCertificate())],
                privateKey: .privateKey(try pki.server.nioPrivateKey()))
            publicTLS.minimumTLSVersion = .tlsv12
            let secureTLS = try pki.makeServerTLSConfiguration()

            let publicApp = Application(
                router: makePublicRouter(),
                server: try .tls(
                    .http1(configuration: .init(additionalChannelHandlers: [handshakes.makeHandler(for: .public)])),
                    tlsConfiguration: publicTLS),
                configuration: .init(address: .hostname(host, port: configuration.publicPort), serverName: nil),
                onServerRunning: { channel in
                    publicPort.withLock { $0 = channel.localAddress?.port }
                    announce()
                },
                logger: logger)
            let secureApp = Application(
                router: makeSecureRouter(),
                server: try .tls(
                    .http1(configuration: .init(additionalChannelHandlers: [handshakes.makeHandler(for: .secure)])),
                    tlsConfiguration: secureTLS),
                configuration: .init(address: .hostname(host, port: configuration.securePort), serverName: nil),
                onServerRunning: { channel in
                    securePort.withLock { $0 = channel.localAddress?.port }
                    announce()
                },
                logger: logger)
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await publicApp.run() }
                group.addTask { try await secureApp.run() }
            }
            finish(with: MockHolderError(.stopped, reason: "the holder stopped"))
        } catch {
            let error = startFailure(error)
            finish(with: error)
            throw error
        }
    }

    private func finish(with error: any Error) {
        let waiters = running.withLock { state -> [CheckedContinuation<Endpoints, any Error>] in
            let waiters: [CheckedContinuation<Endpoints, any Error>]
            if case .idle(let pending) = state { waiters = pending } else { waiters = [] }
            state = .stopped(error)
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    /// Starts a holder, runs `body` once both listeners are bound, and stops the holder when `body` returns or
    /// throws.
    /// - Parameters:
    ///   - configuration: The set-up.
    ///   - logger: Where the holder logs. Silent by default.
    ///   - body: The work to do against the running holder.
    /// - Returns: What `body` returns.
    /// - Throws: Start-up errors, or what `body` throws.
    public static func withRunning<Result: Sendable>(
        _ configuration: Configuration = Configuration(),
        logger: Logger = .cdrDisabled,
        _ body: (MockDataHolder) async throws -> Result
    ) async throws -> Result {
        let holder = try MockDataHolder(configuration: configuration, logger: logger)
        return try await holder.withRunning(logger: logger, body)
    }

    /// Runs this holder for the duration of `body`; see ``withRunning(_:logger:_:)``.
    /// - Parameters:
    ///   - logger: The service group's logger.
    ///   - body: The work to do against the running holder.
    /// - Returns: What `body` returns.
    /// - Throws: Start-up errors, or what `body` throws.
    public func withRunning<Result: Sendable>(
        logger: Logger = .cdrDisabled,
        _ body: (MockDataHolder) async throws -> Result
    ) async throws -> Result {
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [self], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            do {
                _ = try await waitUntilRunning()
                let result = try await body(self)
                await serviceGroup.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// The current base URLs, or a placeholder before start-up (used while building responses).
    var currentEndpoints: Endpoints {
        endpoints ?? Endpoints(publicBaseURL: "https://127.0.0.1", secureBaseURL: "https://127.0.0.1")
    }

    /// The time now, from the configured clock.
    var now: Date { configuration.timeSource.now() }
}
