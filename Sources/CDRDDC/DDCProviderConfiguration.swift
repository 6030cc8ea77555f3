public import Foundation

/// How to reach a credential-based capture provider, and the limits the client keeps to.
///
/// ``description`` and ``customMirror`` show the provider and base URL, never the API key.
///
/// ```swift
/// var configuration = DDCProviderConfiguration(
///     providerID: "acme-capture", baseURL: URL(string: "https://api.acme.example/ddc/v1")!, apiKey: key)
/// configuration.pollInterval = .milliseconds(500)
/// ```
public struct DDCProviderConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// A short name for the provider, recorded with what is captured (provenance) and in logs.
    public var providerID: String
    /// The base of the provider's API, for example `https://api.provider.example/ddc/v1`; paths are appended.
    public var baseURL: URL
    /// The API key, sent as `Authorization: Bearer …` (a header the transport's logging redacts).
    public var apiKey: String
    /// How long to wait between two reads of a running job; `.zero` polls straight away.
    public var pollInterval: Duration
    /// How many times a job is read before ``DDCError/Code/jobPollingLimitReached`` is reported.
    public var maximumPolls: Int
    /// How many transactions to ask for per page (the provider may cap it).
    public var pageSize: Int
    /// How many pages one transaction walk may follow before ``DDCError/Code/paginationLimitReached``.
    public var maximumPages: Int
    /// The time zone of the provider's calendar dates (the `from`/`to` filters and dates without a time).
    public var timeZone: TimeZone
    /// The time allowed for each call, or `nil` for the transport's default.
    public var requestTimeout: Duration?

    /// Creates a configuration.
    /// - Parameters:
    ///   - providerID: A short name for the provider.
    ///   - baseURL: The base of the provider's API.
    ///   - apiKey: The API key.
    ///   - pollInterval: The pause between two reads of a running job; one second by default.
    ///   - maximumPolls: The most reads of one job; 600 by default.
    ///   - pageSize: Transactions per page; 200 by default.
    ///   - maximumPages: The most pages of one walk; 100,000 by default.
    ///   - timeZone: The provider's calendar; UTC by default.
    ///   - requestTimeout: The time allowed for each call.
    public init(
        providerID: String, baseURL: URL, apiKey: String, pollInterval: Duration = .seconds(1),
        maximumPolls: Int = 600, pageSize: Int = 200, maximumPages: Int = 100_000,
        timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current, requestTimeout: Duration? = nil
    ) {
        self.providerID = providerID
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.pollInterval = pollInterval
        self.maximumPolls = maximumPolls
        self.pageSize = pageSize
        self.maximumPages = maximumPages
        self.timeZone = timeZone
        self.requestTimeout = requestTimeout
    }

    /// The provider and base URL; the API key is left out.
    public var description: String { "DDCProviderConfiguration(\(providerID), \(baseURL.absoluteString))" }

    /// Mirrors ``description`` so that `dump` shows no API key.
    public var customMirror: Mirror {
        Mirror(self, children: ["providerID": providerID, "baseURL": baseURL], displayStyle: .struct)
    }
}
