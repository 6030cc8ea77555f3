public import CDRMockHolder
public import CDRTransport
public import CDRTransportAsyncHTTPClient

extension MockDataHolder {
    /// AsyncHTTPClient settings for a client of this holder: the holder's client certificate on mutual-TLS
    /// requests, and its test CA (and only it) trusted in both trust modes.
    /// - Parameters:
    ///   - identity: The client certificate to present; the holder's PKI client by default.
    ///   - requestTimeout: The per-request timeout.
    ///   - connectTimeout: The connect timeout.
    ///   - maximumResponseSize: The largest response body read.
    /// - Returns: The settings, for `AsyncHTTPClientTransport.withTransport(configuration:_:)`.
    /// - Throws: When the test certificates cannot be serialised.
    public func transportConfiguration(
        identity: ClientIdentity? = nil, requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(5),
        maximumResponseSize: Int = 32 << 20
    ) throws -> AsyncHTTPClientTransport.Configuration {
        .mockHolder(
            identity: try identity ?? pki.clientIdentity(), trust: try pki.trustRoots, requestTimeout: requestTimeout,
            connectTimeout: connectTimeout, maximumResponseSize: maximumResponseSize)
    }
}

extension AsyncHTTPClientTransport.Configuration {
    /// A client of a mock holder, in this process or another: `identity` on mutual-TLS requests and `trust` (the
    /// holder's test CA, and only it) pinned for both trust modes.
    static func mockHolder(
        identity: ClientIdentity, trust: TrustRoots, requestTimeout: Duration, connectTimeout: Duration = .seconds(5),
        maximumResponseSize: Int = 32 << 20
    ) -> Self {
        Self(
            mutualTLS: .init(identity: identity, trustRoots: trust), publicTrustRoots: trust,
            connectTimeout: connectTimeout, requestTimeout: requestTimeout, maximumResponseSize: maximumResponseSize)
    }
}

extension MockDataHolder {
    /// Runs `body` with an AsyncHTTPClient transport for this running holder
    /// (``transportConfiguration(identity:requestTimeout:connectTimeout:maximumResponseSize:)``), shut down when `body` returns or throws: for tests below the facade (the transport, discovery, onboarding)
    /// that want the holder without the world's product, onboarding and consent.
    ///
    /// ```swift
    /// try await MockDataHolder.withRunning { holder in
    ///     try await holder.withTransport { transport in
    ///         let metadata = try await DiscoveryClient(transport: transport).discover(issuer: holder.endpoints!.issuer)
    ///     }
    /// }
    /// ```
    /// - Parameters:
    ///   - identity: The client certificate to present; the holder's PKI client by default.
    ///   - requestTimeout: The per-request timeout.
    ///   - body: The work.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or when the test certificates cannot be loaded.
    public func withTransport<Result: Sendable>(
        identity: ClientIdentity? = nil, requestTimeout: Duration = .seconds(30),
        _ body: (AsyncHTTPClientTransport) async throws -> Result
    ) async throws -> Result {
        try await AsyncHTTPClientTransport.withTransport(
            configuration: try transportConfiguration(identity: identity, requestTimeout: requestTimeout), body)
    }
}
