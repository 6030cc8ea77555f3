public import CDRJOSE
public import CDRModels
public import CDRTransport
public import Foundation
import HTTPTypes
public import Logging

/// Calls the CDR Register as a software product: its access token, the product's software statement (SSA) and the
/// list of data holder brands.
///
/// The secure endpoints need mutual TLS with the product's CDR certificate (the transport's identity) and a
/// `client_credentials` token of scope `cdr-register:read`. The client gets that token with `private_key_jwt`
/// (`iss` = `sub` = `client_id` = the software product id, `aud` = the Register's token URL), keeps it until
/// shortly before it expires, and asks for a new one for one caller at a time: concurrent calls share the request
/// in flight. A 401 from the Register drops the token and the call is tried once more with a new one.
///
/// ```swift
/// let register = RegisterClient(product: product, transport: transport)
/// let brands = try await register.dataHolderBrands(industry: .banking)
/// let ssa = try await register.softwareStatement(verifyingWith: register.makeJWKSCache())
/// ```
///
/// Every failure is an ``AuthorizationError`` with ``AuthorizationError/Code/registerRequestFailed`` carrying the
/// HTTP status, the Register's error code and the interaction id; no token, assertion or SSA is ever part of it.
public actor RegisterClient {
    /// Where the Register is and how the client uses it.
    public struct Configuration: Sendable {
        /// The Register's public (TLS) base, `https://api.cdr.gov.au` in production.
        public var publicBaseURL: URL
        /// The Register's secure (mutual-TLS) base, `https://secure.api.cdr.gov.au` in production.
        public var secureBaseURL: URL
        /// The Register's token endpoint, `https://secure.api.cdr.gov.au/idp/connect/token` in production.
        public var tokenURL: URL
        /// The `aud` of the client assertion; the token URL when `nil`.
        public var tokenAudience: String?
        /// How long before its expiry a cached token is replaced.
        public var tokenRenewalMargin: Duration
        /// The most pages of data holder brands followed before the call fails.
        public var maximumPages: Int
        /// The `page-size` to ask for, or `nil` for the Register's default.
        public var pageSize: Int?

        /// Creates a configuration; the defaults are the production Register's.
        /// - Parameters:
        ///   - publicBaseURL: The public base.
        ///   - secureBaseURL: The secure base.
        ///   - tokenURL: The token endpoint.
        ///   - tokenAudience: The client assertion's `aud`; the token URL when `nil`.
        ///   - tokenRenewalMargin: How long before expiry a token is replaced.
        ///   - maximumPages: The page cap for the data holder brands.
        ///   - pageSize: The `page-size` to ask for.
        public init(
            publicBaseURL: URL = URL(string: "https://api.cdr.gov.au")!,
            secureBaseURL: URL = URL(string: "https://secure.api.cdr.gov.au")!,
            tokenURL: URL = URL(string: "https://secure.api.cdr.gov.au/idp/connect/token")!,
            tokenAudience: String? = nil, tokenRenewalMargin: Duration = .seconds(30), maximumPages: Int = 100,
            pageSize: Int? = nil
        ) {
            self.publicBaseURL = publicBaseURL
            self.secureBaseURL = secureBaseURL
            self.tokenURL = tokenURL
            self.tokenAudience = tokenAudience
            self.tokenRenewalMargin = tokenRenewalMargin
            self.maximumPages = maximumPages
            self.pageSize = pageSize
        }

        /// The production CDR Register.
        public static var production: Configuration { Configuration() }
    }

    /// The software product the client acts for.
    public nonisolated let product: SoftwareProductIdentity
    /// The Register's location and the client's limits.
    public nonisolated let configuration: Configuration
    /// The transport; its mutual-TLS identity must be the product's CDR certificate.
    public nonisolated let transport: any HTTPTransport
    private let timeSource: any TimeSource
    private let logger: Logger
    private var cachedToken: (value: String, renewAt: Date)?
    private var tokenInFlight: Task<ClientCredentialsGrant.Issued, any Error>?

    /// Creates a client.
    /// - Parameters:
    ///   - product: The software product (its id is the `client_id`; its key signs the assertions).
    ///   - configuration: The Register's location; production by default.
    ///   - transport: Sends the requests.
    ///   - timeSource: The clock for assertions and the token's expiry.
    ///   - backgroundActivityLogger: Receives debug messages (operations, statuses, interaction ids; never a
    ///     secret); silent by default.
    public init(
        product: SoftwareProductIdentity, configuration: Configuration = .production, transport: any HTTPTransport,
        timeSource: any TimeSource = SystemTimeSource(),
        backgroundActivityLogger: Logger = .cdrDisabled
    ) {
        self.product = product
        self.configuration = configuration
        self.transport = transport
        self.timeSource = timeSource
        self.logger = backgroundActivityLogger
    }

    // MARK: Software statement

    /// Gets a fresh software statement assertion for the product (`GET …/data-recipients/brands/{brandId}/
    /// software-products/{softwareProductId}/ssa`, `x-v` 4).
    ///
    /// SSAs live 10 minutes: get one right before registering or updating a registration.
    /// - Parameters:
    ///   - industry: The path's industry; the Register accepts only ``RegisterIndustry/all``.
    ///   - keySource: The Register's keys (see ``makeJWKSCache(minimumRefetchInterval:maximumAge:)``); when given,
    ///     the SSA must verify with PS256, have `iss` `cdr-register`, name this product as `software_id` and be
    ///     unexpired.
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The SSA (a compact JWS). Secret: do not log it.
    /// - Throws: ``AuthorizationError/Code/registerRequestFailed``.
    public func softwareStatement(
        industry: RegisterIndustry = .all, verifyingWith keySource: (any JWKSSource)? = nil, logger: Logger? = nil
    ) async throws -> String {
        let logger = logger ?? self.logger
        let path =
            "/cdr-register/v1/\(Self.segment(industry.rawValue))/data-recipients/brands/"
            + "\(Self.segment(product.brandID))/software-products/\(Self.segment(product.softwareProductID))/ssa"
        let url = try Self.url(configuration.secureBaseURL, path)
        let response = try await authorizedGET(
            url, version: 4, operation: "getSoftwareStatementAssertion", logger: logger)
        let statement = try Self.softwareStatement(from: response)
        if let keySource { try await verify(statement, keySource: keySource) }
        return statement
    }

    /// Builds the cache of the Register's signing keys (`<public base>/cdr-register/v1/jwks`, public TLS), for
    /// verifying SSAs.
    /// - Parameters:
    ///   - minimumRefetchInterval: The least time between two refetches caused by an unknown `kid`.
    ///   - maximumAge: How long a fetched key set is used.
    /// - Returns: A cache that fetches on first use.
    /// - Throws: ``AuthorizationError/Code/registerRequestFailed`` when the URL cannot be formed.
    public nonisolated func makeJWKSCache(
        minimumRefetchInterval: Duration = .seconds(60), maximumAge: Duration = .seconds(3600)
    ) throws -> JWKSCache {
        let url = try Self.url(configuration.publicBaseURL, "/cdr-register/v1/jwks")
        let transport = self.transport
        return JWKSCache(
            url: url, minimumRefetchInterval: minimumRefetchInterval, maximumAge: maximumAge, timeSource: timeSource,
            backgroundActivityLogger: logger
        ) { url in
            try await DiscoveryClient.fetchPublicJSON(url, transport: transport, operation: "getRegisterJwks")
        }
    }

    // MARK: Data holder brands

    /// Lists the data holder brands (`GET …/{industry}/data-holders/brands`, `x-v` 3), following `links.next`
    /// through every page.
    ///
    /// A `next` link must stay on the Register's secure host and must not repeat a page; more than
    /// ``Configuration/maximumPages`` pages fail the call rather than return part of the list. Malformed brands are
    /// left out (lenient decoding) and logged at debug level.
    /// - Parameters:
    ///   - industry: The industry to list; ``RegisterIndustry/all`` by default.
    ///   - updatedSince: Only brands updated after this time (`updated-since`).
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The brands of every page, in order, with their `endpointDetail` and `authDetails`.
    /// - Throws: ``AuthorizationError/Code/registerRequestFailed``.
    public func dataHolderBrands(
        industry: RegisterIndustry = .all, updatedSince: Date? = nil, logger: Logger? = nil
    ) async throws -> [RegisterDataHolderBrandV2] {
        let logger = logger ?? self.logger
        var components = URLComponents(
            url: try Self.url(
                configuration.secureBaseURL, "/cdr-register/v1/\(Self.segment(industry.rawValue))/data-holders/brands"),
            resolvingAgainstBaseURL: false)
        var query: [URLQueryItem] = []
        if let updatedSince {
            guard let text = CDRDateTime(updatedSince)?.rawValue else {
                throw AuthorizationError(.registerRequestFailed, reason: "updated-since cannot be written as a date")
            }
            query.append(URLQueryItem(name: "updated-since", value: text))
        }
        if let pageSize = configuration.pageSize { query.append(URLQueryItem(name: "page-size", value: "\(pageSize)")) }
        components?.queryItems = query.isEmpty ? nil : query
        guard var next = components?.url else {
            throw AuthorizationError(.registerRequestFailed, reason: "the brands URL cannot be formed")
        }
        var brands: [RegisterDataHolderBrandV2] = []
        var visited: Set<String> = []
        while true {
            guard visited.count < configuration.maximumPages else {
                throw AuthorizationError(
                    .registerRequestFailed, reason: "the brand list has more than \(configuration.maximumPages) pages")
            }
            visited.insert(next.absoluteString)
            let response = try await authorizedGET(next, version: 3, operation: "getDataHolderBrands", logger: logger)
            let page: Decoded<ResponseRegisterDataHolderBrandListV2>
            do {
                page = try CDRDecoder(mode: .lenient).decode(
                    ResponseRegisterDataHolderBrandListV2.self, from: response.body)
            } catch {
                throw AuthorizationError(
                    .registerRequestFailed, reason: "the data holder brands page could not be read",
                    status: response.status.code, interactionID: response.interactionID, underlying: error)
            }
            let leftOut = page.diagnostics.count { $0.outcome == .recordLeftOut }
            if leftOut > 0 {
                logger.debug("data holder brands left out", metadata: ["cdr.count": "\(leftOut)"])
            }
            brands += page.value.data
            guard let link = page.value.links.next else { return brands }
            next = try nextPage(link, visited: visited, response: response)
        }
    }

    /// Checks a `links.next` value: absolute, `https`, on the secure base's host and port, and not seen before.
    private func nextPage(_ link: String, visited: Set<String>, response: TransportResponse) throws -> URL {
        func invalid(_ reason: String) -> AuthorizationError {
            AuthorizationError(
                .registerRequestFailed, reason: reason, status: response.status.code,
                interactionID: response.interactionID)
        }
        let base = configuration.secureBaseURL
        guard let url = URL(string: link), url.scheme?.lowercased() == "https",
            url.host?.lowercased() == base.host?.lowercased(), (url.port ?? 443) == (base.port ?? 443)
        else { throw invalid("links.next is not a URL on the Register's secure host") }
        guard !visited.contains(url.absoluteString) else { throw invalid("links.next repeats a page already read") }
        return url
    }

    // MARK: Requests

    /// GETs a secure Register resource with the bearer token, replacing the token once on a 401.
    private func authorizedGET(
        _ url: URL, version: Int, operation: String, logger: Logger
    ) async throws -> TransportResponse {
        var retried = false
        while true {
            let token = try await accessToken(logger: logger)
            var fields = HTTPFields()
            fields[.accept] = "application/json"
            fields[.authorization] = "Bearer " + token
            fields[.cdsVersion] = String(version)
            let response: TransportResponse
            do {
                response = try await transport.send(
                    TransportRequest(
                        method: .get, url: url, headerFields: fields, security: .mutualTLS, operation: operation))
            } catch {
                throw AuthorizationError(
                    .registerRequestFailed, reason: "\(operation) could not be sent", underlying: error)
            }
            logger.debug(
                "Register call answered",
                metadata: [
                    "cdr.endpoint": "\(operation)", "cdr.status": "\(response.status.code)", "cdr.x_v": "\(version)",
                    "cdr.interaction_id": "\(response.interactionID ?? "-")",
                ])
            if response.status.code == 401, !retried {
                retried = true
                if cachedToken?.value == token { cachedToken = nil }
                continue
            }
            guard response.status.code == 200 else { throw Self.failure(operation, response: response) }
            return response
        }
    }

    /// The cached Register token, or a new one (one request at a time; concurrent callers share it).
    private func accessToken(logger: Logger) async throws -> String {
        if let cachedToken, timeSource.now() < cachedToken.renewAt { return cachedToken.value }
        if let tokenInFlight { return try await tokenInFlight.value.accessToken }
        let grant = ClientCredentialsGrant(
            tokenURL: configuration.tokenURL, scope: "cdr-register:read",
            authentication: PrivateKeyJWT(
                clientID: product.softwareProductID,
                audience: configuration.tokenAudience ?? configuration.tokenURL.absoluteString,
                signingKey: product.signingKey, timeSource: timeSource),
            operation: "registerToken")
        let transport = self.transport
        let task = Task<ClientCredentialsGrant.Issued, any Error> {
            do {
                return try await grant.request(using: transport, failure: .registerRequestFailed)
            } catch var error as AuthorizationError {
                error.code = .registerRequestFailed
                error.reason = "the Register refused the access token request" + (error.reason.map { " (\($0))" } ?? "")
                throw error
            } catch {
                throw AuthorizationError(
                    .registerRequestFailed, reason: "the Register token request could not be sent", underlying: error)
            }
        }
        tokenInFlight = task
        defer { tokenInFlight = nil }
        let issued = try await task.value
        let now = timeSource.now()
        if let lifetime = issued.expiresIn {
            let usable = TimeInterval(lifetime) - Self.seconds(configuration.tokenRenewalMargin)
            cachedToken = usable > 0 ? (issued.accessToken, now.addingTimeInterval(usable)) : nil
        } else {
            cachedToken = nil
        }
        logger.debug(
            "Register token issued", metadata: ["cdr.expires_in": "\(issued.expiresIn.map(String.init) ?? "-")"])
        return issued.accessToken
    }

    /// Verifies an SSA against the Register's keys and checks its `iss`, `software_id` and `exp`.
    private func verify(_ statement: String, keySource: any JWKSSource) async throws {
        let claims: JWTClaims
        do {
            claims = try await JWSVerifier(keySource: keySource, allowedAlgorithms: [.ps256]).verify(statement).claims
        } catch {
            throw AuthorizationError(
                .registerRequestFailed, reason: "the software statement does not verify with the Register's keys",
                underlying: error)
        }
        guard claims.issuer == "cdr-register" else {
            throw AuthorizationError(.registerRequestFailed, reason: "the software statement's iss is not cdr-register")
        }
        guard claims.string("software_id") == product.softwareProductID else {
            throw AuthorizationError(
                .registerRequestFailed, reason: "the software statement is for another software product")
        }
        guard let expiry = claims.expiresAt, expiry > timeSource.now() else {
            throw AuthorizationError(.registerRequestFailed, reason: "the software statement has expired")
        }
    }

    // MARK: Helpers

    /// The SSA in a 200 body: the bare JWT, or (as the OpenAPI `string` schema reads) a JSON string.
    static func softwareStatement(from response: TransportResponse) throws -> String {
        var text = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("\""), let decoded = try? JSONDecoder().decode(String.self, from: Data(text.utf8)) {
            text = decoded
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let base64URL = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(base64URL.contains) }) else {
            throw AuthorizationError(
                .registerRequestFailed, reason: "the software statement response is not a signed JWT",
                status: response.status.code, interactionID: response.interactionID)
        }
        return text
    }

    /// The error for a Register answer other than 200: the status, the first CDS error code, the interaction id.
    static func failure(_ operation: String, response: TransportResponse) -> AuthorizationError {
        struct ErrorList: Decodable {
            struct Entry: Decodable { var code: String }
            var errors: [Entry]
        }
        var reason = "\(operation) answered \(response.status.code)"
        if let code = (try? JSONDecoder().decode(ErrorList.self, from: response.body))?.errors.first?.code {
            reason += " " + AuthorizationError.quoted(code)
        }
        return AuthorizationError(
            .registerRequestFailed, reason: reason, status: response.status.code, interactionID: response.interactionID)
    }

    /// `base` (without a trailing `/`) followed by `path`.
    static func url(_ base: URL, _ path: String) throws -> URL {
        var text = base.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text + path) else {
            throw AuthorizationError(.registerRequestFailed, reason: "a Register URL cannot be formed")
        }
        return url
    }

    /// A path segment with everything outside the unreserved set percent-encoded.
    static func segment(_ value: String) -> String { FormEncoding.escape(value) }

    /// A duration in seconds.
    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }
}
