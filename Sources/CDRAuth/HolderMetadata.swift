public import Foundation

/// A data holder's OpenID Provider configuration (`<issuer>/.well-known/openid-configuration`), as the CDS requires
/// it, with the endpoints to call already resolved.
///
/// Fetch and check it with ``DiscoveryClient``; the values here are as the holder published them.
public struct HolderMetadata: Sendable, Hashable, Codable {
    /// The holder's issuer: equal to the URL the document was fetched from, less the well-known suffix.
    public var issuer: String
    /// The browser-facing authorisation endpoint (public TLS).
    public var authorizationEndpoint: String
    /// The token endpoint.
    public var tokenEndpoint: String
    /// The holder's JWKS (public TLS).
    public var jwksURI: String
    /// The DCR endpoint.
    public var registrationEndpoint: String?
    /// The PAR endpoint.
    public var pushedAuthorizationRequestEndpoint: String?
    /// Whether PAR is required (always in the CDR).
    public var requirePushedAuthorizationRequests: Bool?
    /// The token introspection endpoint (refresh tokens only).
    public var introspectionEndpoint: String?
    /// The token revocation endpoint.
    public var revocationEndpoint: String?
    /// The userinfo endpoint.
    public var userinfoEndpoint: String?
    /// The CDR arrangement revocation endpoint.
    public var cdrArrangementRevocationEndpoint: String?
    /// Supported `acr` values (`urn:cds.au:cdr:2`, `urn:cds.au:cdr:3`).
    public var acrValuesSupported: [String]?
    /// Supported claims.
    public var claimsSupported: [String]?
    /// Supported scopes.
    public var scopesSupported: [String]?
    /// Supported response types.
    public var responseTypesSupported: [String]?
    /// Supported response modes.
    public var responseModesSupported: [String]?
    /// Supported grant types.
    public var grantTypesSupported: [String]?
    /// Supported PKCE methods.
    public var codeChallengeMethodsSupported: [String]?
    /// ID token signing algorithms.
    public var idTokenSigningAlgValuesSupported: [String]?
    /// Request object signing algorithms.
    public var requestObjectSigningAlgValuesSupported: [String]?
    /// Client authentication methods at the token endpoint.
    public var tokenEndpointAuthMethodsSupported: [String]?
    /// Client assertion signing algorithms.
    public var tokenEndpointAuthSigningAlgValuesSupported: [String]?
    /// JARM signing algorithms.
    public var authorizationSigningAlgValuesSupported: [String]?
    /// JARM encryption algorithms (may be absent or empty).
    public var authorizationEncryptionAlgValuesSupported: [String]?
    /// JARM content encryptions (may be absent or empty).
    public var authorizationEncryptionEncValuesSupported: [String]?
    /// Whether access tokens are bound to the client certificate (must be `true`).
    public var tlsClientCertificateBoundAccessTokens: Bool?
    /// Mutual-TLS aliases of the endpoints (RFC 8705 §5), preferred when present.
    public var mtlsEndpointAliases: [String: String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case registrationEndpoint = "registration_endpoint"
        case pushedAuthorizationRequestEndpoint = "pushed_authorization_request_endpoint"
        case requirePushedAuthorizationRequests = "require_pushed_authorization_requests"
        case introspectionEndpoint = "introspection_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case cdrArrangementRevocationEndpoint = "cdr_arrangement_revocation_endpoint"
        case acrValuesSupported = "acr_values_supported"
        case claimsSupported = "claims_supported"
        case scopesSupported = "scopes_supported"
        case responseTypesSupported = "response_types_supported"
        case responseModesSupported = "response_modes_supported"
        case grantTypesSupported = "grant_types_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case requestObjectSigningAlgValuesSupported = "request_object_signing_alg_values_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case tokenEndpointAuthSigningAlgValuesSupported = "token_endpoint_auth_signing_alg_values_supported"
        case authorizationSigningAlgValuesSupported = "authorization_signing_alg_values_supported"
        case authorizationEncryptionAlgValuesSupported = "authorization_encryption_alg_values_supported"
        case authorizationEncryptionEncValuesSupported = "authorization_encryption_enc_values_supported"
        case tlsClientCertificateBoundAccessTokens = "tls_client_certificate_bound_access_tokens"
        case mtlsEndpointAliases = "mtls_endpoint_aliases"
    }

    /// The endpoints to call, with `mtls_endpoint_aliases` applied, as URLs.
    public var endpoints: HolderEndpoints {
        get throws { try HolderEndpoints(self) }
    }
}

/// A data holder's endpoints as URLs, mutual-TLS aliases preferred.
public struct HolderEndpoints: Sendable, Hashable {
    /// The issuer, as a string (the `aud` of request objects and client assertions).
    public var issuer: String
    /// The browser-facing authorisation endpoint.
    public var authorization: URL
    /// The token endpoint.
    public var token: URL
    /// The JWKS.
    public var jwks: URL
    /// DCR.
    public var registration: URL?
    /// PAR.
    public var pushedAuthorizationRequest: URL?
    /// Introspection.
    public var introspection: URL?
    /// Token revocation.
    public var revocation: URL?
    /// Userinfo.
    public var userinfo: URL?
    /// CDR arrangement revocation.
    public var arrangementRevocation: URL?

    /// Resolves `metadata`'s endpoints.
    /// - Parameter metadata: The discovery document.
    /// - Throws: ``AuthorizationError/Code/discoveryFailed`` when a required endpoint is missing or not an `https` URL.
    public init(_ metadata: HolderMetadata) throws {
        let aliases = metadata.mtlsEndpointAliases ?? [:]
        func url(_ name: String, _ value: String?, aliased: Bool) throws -> URL? {
            guard let value = (aliased ? aliases[name] : nil) ?? value else { return nil }
            guard let url = URL(string: value), url.scheme?.lowercased() == "https", url.host != nil else {
                throw AuthorizationError(.discoveryFailed, reason: "\(name) is not an https URL")
            }
            return url
        }
        func required(_ name: String, _ value: String?, aliased: Bool) throws -> URL {
            guard let url = try url(name, value, aliased: aliased) else {
                throw AuthorizationError(.discoveryFailed, reason: "the discovery document has no \(name)")
            }
            return url
        }
        issuer = metadata.issuer
        authorization = try required("authorization_endpoint", metadata.authorizationEndpoint, aliased: false)
        token = try required("token_endpoint", metadata.tokenEndpoint, aliased: true)
        jwks = try required("jwks_uri", metadata.jwksURI, aliased: false)
        registration = try url("registration_endpoint", metadata.registrationEndpoint, aliased: true)
        pushedAuthorizationRequest = try url(
            "pushed_authorization_request_endpoint", metadata.pushedAuthorizationRequestEndpoint, aliased: true)
        introspection = try url("introspection_endpoint", metadata.introspectionEndpoint, aliased: true)
        revocation = try url("revocation_endpoint", metadata.revocationEndpoint, aliased: true)
        userinfo = try url("userinfo_endpoint", metadata.userinfoEndpoint, aliased: true)
        arrangementRevocation = try url(
            "cdr_arrangement_revocation_endpoint", metadata.cdrArrangementRevocationEndpoint, aliased: true)
    }
}
