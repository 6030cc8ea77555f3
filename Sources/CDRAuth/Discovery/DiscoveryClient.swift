public import CDRJOSE
public import CDRModels
public import CDRTransport
public import Foundation
import HTTPTypes
public import Logging

/// Fetches a data holder brand's OpenID Provider configuration and checks it before anything else is called.
///
/// The document is read from `<issuer>/.well-known/openid-configuration` over public TLS (the issuer is the brand's
/// `infosecBaseUri` from the Register). The checks run in this order, and the first failure ends discovery:
///
/// 1. The document's `issuer` must be the issuer asked for (OIDC Discovery §4.3; a single trailing `/` on either
///    side is ignored), else ``AuthorizationError/Code/issuerMismatch``.
/// 2. Every member the CDS requires must be present, else ``AuthorizationError/Code/discoveryFailed``.
/// 3. The holder must support what a CDR recipient relies on: certificate-bound access tokens, a PAR endpoint,
///    `private_key_jwt`, the `code` response type, the `jwt` response mode, PKCE `S256`, and PS256 or ES256 in each
///    signing algorithm list, else ``AuthorizationError/Code/unsupportedHolder``.
/// 4. The endpoints must resolve to `https` URLs (with `mtls_endpoint_aliases` applied), else
///    ``AuthorizationError/Code/discoveryFailed``.
///
/// ```swift
/// let discovery = DiscoveryClient(transport: transport)
/// let holder = try await discovery.discover(issuer: brand.endpointDetail.infosecBaseUri)
/// let keys = try discovery.makeJWKSCache(for: holder)
/// ```
public struct DiscoveryClient: Sendable {
    /// The transport every request goes through.
    public let transport: any HTTPTransport
    private let logger: Logger

    /// The members the CDS requires in a holder's discovery document, apart from the two that say whether the
    /// holder can be used at all (`pushed_authorization_request_endpoint` and
    /// `tls_client_certificate_bound_access_tokens`, whose absence means "not supported").
    static let requiredMembers = [
        "issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint",
        "require_pushed_authorization_requests", "introspection_endpoint", "revocation_endpoint",
        "userinfo_endpoint", "cdr_arrangement_revocation_endpoint", "acr_values_supported", "claims_supported",
        "scopes_supported", "response_types_supported", "response_modes_supported", "grant_types_supported",
        "code_challenge_methods_supported", "id_token_signing_alg_values_supported",
        "request_object_signing_alg_values_supported", "token_endpoint_auth_methods_supported",
        "token_endpoint_auth_signing_alg_values_supported", "authorization_signing_alg_values_supported",
    ]

    /// Creates a client.
    /// - Parameters:
    ///   - transport: Sends the requests; discovery and the JWKS use its public-TLS trust.
    ///   - backgroundActivityLogger: Receives debug messages (URLs and outcomes, never document contents); silent by
    ///     default.
    public init(
        transport: any HTTPTransport,
        backgroundActivityLogger: Logger = .cdrDisabled
    ) {
        self.transport = transport
        self.logger = backgroundActivityLogger
    }

    /// The discovery document's URL for an issuer: the issuer without a trailing `/`, then
    /// `/.well-known/openid-configuration`.
    /// - Parameter issuer: The holder brand's issuer (its `infosecBaseUri`).
    /// - Returns: The URL.
    /// - Throws: ``AuthorizationError/Code/discoveryFailed`` when `issuer` is not an `https` URL with a host and no
    ///   query or fragment.
    public static func discoveryURL(forIssuer issuer: String) throws -> URL {
        guard let components = URLComponents(string: issuer), components.scheme?.lowercased() == "https",
            components.host?.isEmpty == false, components.query == nil, components.fragment == nil
        else { throw AuthorizationError(.discoveryFailed, reason: "the issuer is not an https URL") }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        guard let url = URL(string: base + "/.well-known/openid-configuration") else {
            throw AuthorizationError(.discoveryFailed, reason: "the issuer is not an https URL")
        }
        return url
    }

    /// Fetches and checks the holder's discovery document.
    /// - Parameters:
    ///   - issuer: The issuer to trust: the holder brand's `infosecBaseUri` from the Register.
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The document, checked; its ``HolderMetadata/endpoints`` resolve.
    /// - Throws: ``AuthorizationError`` with ``AuthorizationError/Code/issuerMismatch``,
    ///   ``AuthorizationError/Code/discoveryFailed`` (also when the request fails, with the
    ///   ``/CDRTransport/TransportError`` as ``AuthorizationError/underlying``) or
    ///   ``AuthorizationError/Code/unsupportedHolder``.
    public func discover(issuer: String, logger: Logger? = nil) async throws -> HolderMetadata {
        let logger = logger ?? self.logger
        let url = try Self.discoveryURL(forIssuer: issuer)
        var fields = HTTPFields()
        fields[.accept] = "application/json"
        let response: TransportResponse
        do {
            response = try await transport.send(
                TransportRequest(
                    method: .get, url: url, headerFields: fields, security: .publicTLS, operation: "discovery"))
        } catch {
            logger.debug("discovery request failed", metadata: ["cdr.endpoint": "\(url.absoluteString)"])
            throw AuthorizationError(
                .discoveryFailed, reason: "the discovery document could not be fetched", underlying: error)
        }
        guard response.status.code == 200 else {
            throw AuthorizationError(
                .discoveryFailed, reason: "the discovery endpoint did not answer 200", status: response.status.code,
                interactionID: response.interactionID)
        }
        do {
            let metadata = try Self.validate(response.body, expectedIssuer: issuer)
            logger.debug(
                "holder discovered", metadata: ["cdr.endpoint": "\(url.absoluteString)", "cdr.status": "200"])
            return metadata
        } catch var error as AuthorizationError {
            error.interactionID = error.interactionID ?? response.interactionID
            logger.debug(
                "holder discovery rejected",
                metadata: ["cdr.endpoint": "\(url.absoluteString)", "cdr.error": "\(error.code)"])
            throw error
        }
    }

    /// Builds the cache of the holder's signing keys (its `jwks_uri`, fetched over public TLS through this client's
    /// transport), for verifying ID tokens and JARM responses.
    /// - Parameters:
    ///   - metadata: The holder's checked discovery document.
    ///   - minimumRefetchInterval: The least time between two refetches caused by an unknown `kid`.
    ///   - maximumAge: How long a fetched key set is used before it is fetched again.
    ///   - timeSource: The clock.
    /// - Returns: A cache that fetches on first use; give each holder brand its own.
    /// - Throws: ``AuthorizationError/Code/discoveryFailed`` when `jwks_uri` is not an `https` URL.
    public func makeJWKSCache(
        for metadata: HolderMetadata, minimumRefetchInterval: Duration = .seconds(60),
        maximumAge: Duration = .seconds(3600), timeSource: any TimeSource = SystemTimeSource()
    ) throws -> JWKSCache {
        let jwksURL = try metadata.endpoints.jwks
        let transport = self.transport
        return JWKSCache(
            url: jwksURL, minimumRefetchInterval: minimumRefetchInterval, maximumAge: maximumAge,
            timeSource: timeSource, backgroundActivityLogger: logger
        ) { url in
            try await Self.fetchPublicJSON(url, transport: transport, operation: "holderJWKS")
        }
    }

    /// GETs a public JSON document (a JWKS) and returns its body; non-200 answers throw.
    static func fetchPublicJSON(_ url: URL, transport: any HTTPTransport, operation: String) async throws -> Data {
        var fields = HTTPFields()
        fields[.accept] = "application/json"
        let response = try await transport.send(
            TransportRequest(method: .get, url: url, headerFields: fields, security: .publicTLS, operation: operation))
        guard response.status.code == 200 else {
            throw AuthorizationError(
                .unexpectedResponse, reason: "\(operation) answered \(response.status.code)",
                status: response.status.code, interactionID: response.interactionID)
        }
        return response.body
    }

    /// Checks a discovery document's body in the order the type's documentation gives.
    /// - Parameters:
    ///   - body: The JSON body.
    ///   - expectedIssuer: The issuer the caller asked for.
    /// - Returns: The checked document.
    /// - Throws: ``AuthorizationError`` (issuerMismatch, discoveryFailed, unsupportedHolder).
    static func validate(_ body: Data, expectedIssuer: String) throws -> HolderMetadata {
        let members: [String: JSONValue]
        do {
            members = try JSONDecoder().decode([String: JSONValue].self, from: body)
        } catch {
            throw AuthorizationError(
                .discoveryFailed, reason: "the discovery document is not a JSON object", underlying: error)
        }
        guard case .string(let issuer)? = members["issuer"] else {
            throw AuthorizationError(.discoveryFailed, reason: "the discovery document has no issuer")
        }
        guard issuerMatches(issuer, expected: expectedIssuer) else {
            throw AuthorizationError(
                .issuerMismatch, reason: "the document's issuer is not the issuer it was fetched from")
        }
        let missing = requiredMembers.filter { name in
            switch members[name] {
            case nil, .null?: true
            default: false
            }
        }
        if !missing.isEmpty {
            throw AuthorizationError(
                .discoveryFailed,
                reason: "the discovery document lacks \(missing.joined(separator: ", "))")
        }
        let metadata: HolderMetadata
        do {
            metadata = try JSONDecoder().decode(HolderMetadata.self, from: body)
        } catch {
            throw AuthorizationError(
                .discoveryFailed, reason: "a discovery document member has the wrong type", underlying: error)
        }
        try checkCapabilities(metadata)
        _ = try metadata.endpoints
        return metadata
    }

    /// Whether the document's issuer is the one asked for: equal after at most one trailing `/` is dropped from each.
    static func issuerMatches(_ issuer: String, expected: String) -> Bool {
        func trimmed(_ value: String) -> Substring { value.hasSuffix("/") ? value.dropLast() : value[...] }
        return trimmed(issuer) == trimmed(expected)
    }

    /// Checks that the holder supports what the CDS requires of it.
    static func checkCapabilities(_ metadata: HolderMetadata) throws {
        func unsupported(_ reason: String) -> AuthorizationError {
            AuthorizationError(.unsupportedHolder, reason: reason)
        }
        guard metadata.tlsClientCertificateBoundAccessTokens == true else {
            throw unsupported("access tokens are not bound to the client certificate")
        }
        guard let par = metadata.pushedAuthorizationRequestEndpoint, !par.isEmpty else {
            throw unsupported("the holder has no pushed authorisation request endpoint")
        }
        guard metadata.tokenEndpointAuthMethodsSupported?.contains("private_key_jwt") == true else {
            throw unsupported("private_key_jwt client authentication is not supported")
        }
        guard metadata.responseTypesSupported?.contains("code") == true else {
            throw unsupported("the code response type is not supported")
        }
        guard metadata.responseModesSupported?.contains("jwt") == true else {
            throw unsupported("the jwt response mode (JARM) is not supported")
        }
        guard metadata.codeChallengeMethodsSupported?.contains("S256") == true else {
            throw unsupported("PKCE S256 is not supported")
        }
        let signingLists: [(String, [String]?)] = [
            ("id_token_signing_alg_values_supported", metadata.idTokenSigningAlgValuesSupported),
            ("request_object_signing_alg_values_supported", metadata.requestObjectSigningAlgValuesSupported),
            (
                "token_endpoint_auth_signing_alg_values_supported",
                metadata.tokenEndpointAuthSigningAlgValuesSupported
            ),
            ("authorization_signing_alg_values_supported", metadata.authorizationSigningAlgValuesSupported),
        ]
        for (name, values) in signingLists where HolderMetadata.preferredSigningAlgorithm(among: values) == nil {
            throw unsupported("\(name) has neither PS256 nor ES256")
        }
    }
}
