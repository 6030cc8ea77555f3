public import CDRModels
public import CDRTransport
public import Foundation
import HTTPTypes
public import Logging

/// Typed calls to every banking and common operation of a data holder, for one arrangement.
///
/// The client builds each request with `x-v` (the newest version it reads) and `x-min-v` (the oldest), decodes the
/// body by the `x-v` the holder answers with, adds `x-fapi-auth-date` (and, when the customer is present, their IP
/// address and headers) to every authenticated call, and turns error responses into ``DataHolderError``.
/// Lists come back as a ``PagedSequence`` that follows `links.next` with guardrails.
///
/// The client does not know about tokens: give it a transport whose middleware attaches the arrangement's access
/// token (`BearerTokenMiddleware` with the arrangement's token manager), so the same client code runs against a
/// recording or fake transport in tests.
///
/// ```swift
/// let transport = MiddlewareTransport(base, middlewares: [
///     InteractionIDMiddleware(), BearerTokenMiddleware(provider: tokenManager), RetryMiddleware(), LoggingMiddleware(),
/// ])
/// let banking = BankingClient(
///     configuration: .init(resourceBaseURL: holder.resourceBaseURL, publicBaseURL: holder.publicBaseURL),
///     context: .unattended(authenticatedAt: lastLogin), transport: transport)
/// for try await account in banking.accounts() { … }
/// ```
public struct BankingClient: Sendable {
    /// Where the holder is and how the client talks to it.
    public struct Configuration: Sendable {
        /// The base of the authenticated resources: the holder brand's `resourceBaseUri` followed by `/cds-au/v1`.
        public var resourceBaseURL: URL
        /// The base of the public resources (products, status, outages): `publicBaseUri` (or `productBaseUri`)
        /// followed by `/cds-au/v1`.
        public var publicBaseURL: URL
        /// The holder brand's identifier, for logs and provenance.
        public var holderBrandID: String?
        /// Per-operation version overrides for this holder.
        public var versions: VersionPreferences
        /// The `page-size` to ask for; `nil` leaves the holder's default (25). The standard allows up to 1000.
        public var pageSize: Int?
        /// How lists are walked.
        public var pagination: PaginationPolicy
        /// Lenient (the default) repairs or leaves out what departs from the standard, field by field, with a
        /// diagnostic each, and leaves out only records whose identity or money is unusable; strict fails the page.
        public var decodingMode: CDRDecoder.Mode
        /// A timeout for each request; `nil` uses the transport's.
        public var requestTimeout: Duration?
        /// What is known of this holder's behaviour (a ``HolderQuirksRegistry`` entry): a `page-size` cap,
        /// versions not to ask for, quirks to expect and fields to ignore.
        public var quirks: HolderQuirks

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - resourceBaseURL: The base of the authenticated resources.
        ///   - publicBaseURL: The base of the public resources.
        ///   - holderBrandID: The holder brand's identifier.
        ///   - versions: Per-operation version overrides.
        ///   - pageSize: The `page-size` to ask for; the holder's default when `nil`.
        ///   - pagination: How lists are walked.
        ///   - decodingMode: Lenient (the default) or strict.
        ///   - requestTimeout: A timeout for each request; the transport's when `nil`.
        ///   - quirks: What is known of the holder; by default the ``HolderQuirksRegistry/bundled`` registry's entry
        ///     for `holderBrandID`, if it has one.
        public init(
            resourceBaseURL: URL, publicBaseURL: URL, holderBrandID: String? = nil,
            versions: VersionPreferences = VersionPreferences(), pageSize: Int? = nil,
            pagination: PaginationPolicy = PaginationPolicy(), decodingMode: CDRDecoder.Mode = .lenient,
            requestTimeout: Duration? = nil, quirks: HolderQuirks? = nil
        ) {
            self.quirks = quirks ?? HolderQuirksRegistry.bundled.quirks(forBrand: holderBrandID) ?? HolderQuirks()
            self.resourceBaseURL = resourceBaseURL
            self.publicBaseURL = publicBaseURL
            self.holderBrandID = holderBrandID
            self.versions = versions
            self.pageSize = pageSize
            self.pagination = pagination
            self.decodingMode = decodingMode
            self.requestTimeout = requestTimeout
        }
    }

    /// The configuration.
    public var configuration: Configuration
    /// Whether the customer is present, and when they last authenticated; applied to every authenticated call.
    public var context: CallContext
    /// The transport (with the arrangement's bearer-token middleware in front of the network).
    public let transport: any HTTPTransport
    /// Where the client logs (operation, version, interaction id, pagination anomalies; never a header value).
    public var logger: Logger
    /// Told of every authenticated response that carried data (``DataCollection``), for an audit trail; `nil` for none.
    public var collectionObserver: (any DataCollectionObserver)?
    /// Told of every response whose decoding tolerated a departure from the standard, for a data-quality report
    /// (``DataQualityRecorder``); `nil` for none.
    public var dataQuality: (any DataQualityObserver)?

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: Where the holder is.
    ///   - context: The call context for authenticated calls.
    ///   - transport: The transport, with the bearer-token middleware for the arrangement.
    ///   - logger: Where to log; silent by default.
    ///   - collectionObserver: Told of every collection of customer data; none by default.
    ///   - dataQuality: Told of the diagnostics of every response that has some; none by default.
    public init(
        configuration: Configuration, context: CallContext, transport: any HTTPTransport,
        logger: Logger = .cdrDisabled, collectionObserver: (any DataCollectionObserver)? = nil,
        dataQuality: (any DataQualityObserver)? = nil
    ) {
        self.configuration = configuration
        self.context = context
        self.transport = transport
        self.logger = logger
        self.collectionObserver = collectionObserver
        self.dataQuality = dataQuality
    }

    /// A copy of the client that makes its calls in another context (for example attended, while the customer is
    /// on the recipient's site).
    public func with(context: CallContext) -> BankingClient {
        var copy = self
        copy.context = context
        return copy
    }
}

// MARK: - Requests

/// A response body decoded in the version the holder answered with.
public struct CDSResult<Body: Sendable>: Sendable {
    /// The decoded body.
    public var body: Body
    /// The version the holder answered with (`x-v`).
    public var version: Int
    /// The response's `x-fapi-interaction-id`.
    public var interactionID: String?
    /// When the response arrived.
    public var fetchedAt: Date
    /// Departures from the standard that lenient decoding tolerated: values repaired or left out, and records left
    /// out (see `CDRDecoder`).
    public var diagnostics: [DecodingDiagnostic]
}

/// One exchange with the holder, before the body is decoded.
struct RawResponse: Sendable {
    var url: URL
    var version: Int
    var interactionID: String?
    var body: Data
    var fetchedAt: Date
    /// Whether the operation is authenticated (it then carries a customer's data).
    var isAuthenticated: Bool
}

/// A CDS call: the operation, its path parameters, query and body.
struct CDSCall: Sendable {
    var operationID: String
    var pathParameters: [String: String] = [:]
    var query: [(String, String)] = []
    var body: Data?
}

extension BankingClient {
    /// The operation's newest supported version description (method, path, authentication).
    func operation(_ id: String) throws -> CDSOperation {
        guard let newest = configuration.offeredVersions(of: id).first,
            let operation = CDSOperation.named(id, version: newest)
        else {
            throw DataHolderError(
                .invalidRequest, operation: id, reason: "no version of the operation is allowed by the preferences")
        }
        return operation
    }

    /// The absolute URL of a call.
    func url(for call: CDSCall, operation: CDSOperation) throws -> URL {
        var path = operation.path
        for (name, value) in call.pathParameters {
            guard !value.isEmpty else {
                throw DataHolderError(.invalidRequest, operation: call.operationID, reason: "\(name) is empty")
            }
            path = path.replacingOccurrences(of: "{\(name)}", with: FormEncoding.escape(value))
        }
        let base = operation.isAuthenticated ? configuration.resourceBaseURL : configuration.publicBaseURL
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !call.query.isEmpty { text += "?" + FormEncoding.encode(call.query) }
        guard let url = URL(string: text), url.scheme?.lowercased() == "https" else {
            throw DataHolderError(.invalidRequest, operation: call.operationID, reason: "the base URL is not https")
        }
        return url
    }

    /// Sends a call to its URL (or to `url`, a pagination link), negotiating the version: `x-v` newest,
    /// `x-min-v` oldest; after a 406 the lower versions are tried one at a time, for holders that ignore
    /// `x-min-v`.
    func send(_ call: CDSCall, to url: URL? = nil) async throws -> RawResponse {
        let operation = try operation(call.operationID)
        let target = try url ?? self.url(for: call, operation: operation)
        let versions = configuration.offeredVersions(of: call.operationID)
        var offers: [(maximum: Int, minimum: Int?)] = []
        if let newest = versions.first, let oldest = versions.last {
            offers.append((newest, oldest < newest ? oldest : nil))
            for lower in versions.dropFirst() { offers.append((lower, nil)) }
        }
        var lastError: DataHolderError?
        for (maximum, minimum) in offers {
            do {
                return try await exchange(
                    call, operation: operation, url: target, maximum: maximum, minimum: minimum ?? maximum)
            } catch let error as DataHolderError where error.code == .unsupportedVersion {
                lastError = error
                logger.debug(
                    "version refused",
                    metadata: [
                        "cdr.operation": "\(call.operationID)", "cdr.x_v": "\(maximum)",
                        "cdr.interaction_id": "\(error.interactionID ?? "-")",
                    ])
            }
        }
        throw lastError ?? DataHolderError(.unsupportedVersion, operation: call.operationID)
    }

    /// One request and its response, checked.
    private func exchange(
        _ call: CDSCall, operation: CDSOperation, url: URL, maximum: Int, minimum: Int
    ) async throws -> RawResponse {
        var fields = HTTPFields()
        fields[.cdsVersion] = String(maximum)
        if minimum < maximum { fields[.cdsMinimumVersion] = String(minimum) }
        fields[.accept] = "application/json"
        // The call's own interaction id, so an error can name it even when the holder does not echo it (an
        // `InteractionIDMiddleware` further down keeps it).
        fields[.fapiInteractionID] = UUID().uuidString.lowercased()
        if call.body != nil { fields[.contentType] = "application/json" }
        if operation.isAuthenticated { context.apply(to: &fields) }
        let request = TransportRequest(
            method: HTTPRequest.Method(operation.method) ?? .get, url: url, headerFields: fields, body: call.body,
            security: operation.isAuthenticated ? .mutualTLS : .publicTLS,
            isIdempotent: true, operation: call.operationID, timeout: configuration.requestTimeout)
        let response = try await transport.send(request)
        let interactionID = response.interactionID ?? request.interactionID
        guard response.status.code == 200 else {
            throw DataHolderError(
                DataHolderError.Code.forStatus(response.status.code), operation: call.operationID,
                status: response.status.code, errors: DataHolderError.details(from: response.body),
                interactionID: interactionID)
        }
        let version: Int
        if let header = response.headerFields[.cdsVersion] {
            guard let value = Int(header), value >= minimum, value <= maximum else {
                throw DataHolderError(
                    .versionMismatch, operation: call.operationID, status: 200, interactionID: interactionID,
                    reason: "the holder answered x-v \(header.prefix(12)) outside the requested \(minimum)...\(maximum)"
                )
            }
            version = value
        } else if minimum == maximum {
            version = maximum
        } else {
            throw DataHolderError(
                .versionMismatch, operation: call.operationID, status: 200, interactionID: interactionID,
                reason: "the response has no x-v, so it could be version \(minimum) to \(maximum)")
        }
        logger.trace(
            "holder answered",
            metadata: [
                "cdr.operation": "\(call.operationID)", "cdr.x_v": "\(version)",
                "cdr.interaction_id": "\(interactionID ?? "-")", "cdr.bytes": "\(response.body.count)",
            ])
        return RawResponse(
            url: url, version: version, interactionID: interactionID, body: response.body, fetchedAt: Date(),
            isAuthenticated: operation.isAuthenticated)
    }

    /// Decodes a body with the configured mode, turning failures into ``DataHolderError/Code/invalidResponse``.
    func decode<T: Decodable>(_ type: T.Type, _ raw: RawResponse, operation: String) throws -> Decoded<T> {
        do {
            let decoded = try configuration.decoder(for: operation).decode(type, from: raw.body)
            if !decoded.diagnostics.isEmpty, let dataQuality {
                dataQuality.observe(
                    decoded.diagnostics,
                    in: DataQualityContext(
                        holderBrandID: configuration.holderBrandID, operation: operation, version: raw.version,
                        interactionID: raw.interactionID, receivedAt: raw.fetchedAt))
            }
            return decoded
        } catch {
            throw DataHolderError(
                .invalidResponse, operation: operation, status: 200, interactionID: raw.interactionID,
                reason: "the body is not a valid version \(raw.version) response", underlying: error)
        }
    }

    /// Performs a call whose response is not paginated, decoding by the answered version.
    func fetch<Body: Sendable>(
        _ call: CDSCall, decode: @Sendable (BankingClient, RawResponse) throws -> (Body, [DecodingDiagnostic])
    ) async throws -> CDSResult<Body> {
        let raw = try await send(call)
        let (body, diagnostics) = try decode(self, raw)
        try await report(raw, operation: call.operationID, recordCount: 1)
        return CDSResult(
            body: body, version: raw.version, interactionID: raw.interactionID, fetchedAt: raw.fetchedAt,
            diagnostics: diagnostics)
    }

    /// Whether `version` of `operationID` is answered with `type`.
    static func version(_ version: Int, of operationID: String, uses type: Any.Type) -> Bool {
        guard let operation = CDSOperation.named(operationID, version: version) else { return false }
        return ObjectIdentifier(operation.responseType) == ObjectIdentifier(type)
    }

    /// A decoder for a single-response operation answered in one of two types.
    static func versioned<C: CDSResponse, P: CDSResponse, CV: Hashable & Sendable, PV: Hashable & Sendable>(
        _ operationID: String, current: C.Type, _ currentData: @escaping @Sendable (C) -> CV, previous: P.Type,
        _ previousData: @escaping @Sendable (P) -> PV
    ) -> @Sendable (BankingClient, RawResponse) throws -> (Versioned<CV, PV>, [DecodingDiagnostic]) {
        { client, raw in
            if version(raw.version, of: operationID, uses: C.self) {
                let decoded = try client.decode(C.self, raw, operation: operationID)
                return (.current(currentData(decoded.value)), decoded.diagnostics)
            }
            let decoded = try client.decode(P.self, raw, operation: operationID)
            return (.previous(previousData(decoded.value)), decoded.diagnostics)
        }
    }

    /// A decoder for a single-response operation answered in one type.
    static func single<R: CDSResponse, Value: Sendable>(
        _ operationID: String, _ type: R.Type, _ data: @escaping @Sendable (R) -> Value
    ) -> @Sendable (BankingClient, RawResponse) throws -> (Value, [DecodingDiagnostic]) {
        { client, raw in
            let decoded = try client.decode(R.self, raw, operation: operationID)
            return (data(decoded.value), decoded.diagnostics)
        }
    }
}
