import CDRJOSE
import CDRModels
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// The paths of the holder's security profile.
enum SecurityPath {
    static let discovery = "/.well-known/openid-configuration"
    static let jwks = "/jwks"
    static let authorise = "/authorise"
    static let authoriseLogin = "/authorise/login"
    static let authoriseConfirm = "/authorise/confirm"
    static let register = "/register"
    static let par = "/par"
    static let token = "/token"
    static let userinfo = "/userinfo"
    static let introspect = "/introspect"
    static let revoke = "/revoke"
    static let arrangementRevoke = "/arrangements/revoke"
}

/// The CDR levels of assurance the holder supports.
enum CDRACR {
    static let level2 = "urn:cds.au:cdr:2"
    static let level3 = "urn:cds.au:cdr:3"
    static let supported = [level2, level3]
}

extension MockDataHolder.Endpoints {
    /// The authorisation endpoint (public listener: the customer's browser has no client certificate).
    var authorisationEndpoint: String { publicBaseURL + SecurityPath.authorise }
    /// The holder's JWKS.
    var holderJWKSURL: String { publicBaseURL + SecurityPath.jwks }
    /// DCR.
    var registrationEndpoint: String { secureBaseURL + SecurityPath.register }
    /// PAR.
    var parEndpoint: String { secureBaseURL + SecurityPath.par }
    /// The token endpoint.
    var tokenEndpoint: String { secureBaseURL + SecurityPath.token }
    /// Userinfo.
    var userinfoEndpoint: String { secureBaseURL + SecurityPath.userinfo }
    /// Token introspection.
    var introspectionEndpoint: String { secureBaseURL + SecurityPath.introspect }
    /// Token revocation.
    var revocationEndpoint: String { secureBaseURL + SecurityPath.revoke }
    /// CDR arrangement revocation.
    var arrangementRevocationEndpoint: String { secureBaseURL + SecurityPath.arrangementRevoke }
}

extension JWTClaims {
    /// The claims as compact JSON (sorted keys, unescaped slashes).
    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension ClaimValue {
    /// The strings of an array claim; `nil` unless every element is a string.
    var stringArray: [String]? {
        guard let items = arrayValue else { return nil }
        let strings = items.compactMap(\.stringValue)
        return strings.count == items.count ? strings : nil
    }
}

extension Date {
    /// The date without its fraction of a second (JWT dates are whole seconds).
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

extension MockDataHolder {
    /// An OAuth 2.0 error to throw from a handler.
    func oauthFailure(
        _ error: String, _ description: String, status: HTTPResponse.Status = .badRequest
    ) -> HolderHTTPError {
        HolderHTTPError(response: HolderResponse.oauthError(error, description: description, status: status))
    }

    /// 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3).
    func invalidTokenFailure(_ description: String) -> HolderHTTPError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = #"Bearer error="invalid_token", error_description="\#(description)""#
        headers[.cacheControl] = "no-store"
        return HolderHTTPError(response: Response(status: .unauthorized, headers: headers))
    }

    /// A JSON answer that must not be cached (token, introspection and registration responses).
    func noStoreJSON(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("pragma")!] = "no-cache"
        return try HolderResponse.json(value, status: status, headers: headers)
    }

    /// The registered client with this id.
    func clientRecord(_ clientID: String) -> ClientRecord? {
        state.storage.withLock { $0.clients[clientID] }
    }

    /// A client's current public keys: the software product's JWKS as the Register holds it now (the SSA's
    /// `jwks_uri` points at the Register's copy), or the keys seen at registration if the product is gone.
    func currentKeys(of client: ClientRecord) -> JWKS {
        register.softwareProduct(id: client.softwareProductID)?.jwks ?? client.jwks
    }

    /// Authenticates a registered client with `private_key_jwt` on a secure endpoint.
    /// - Parameters:
    ///   - form: The request's form.
    ///   - endpoint: The endpoint's URL, accepted as `aud` next to the issuer, PAR and token URLs.
    /// - Returns: The client.
    /// - Throws: ``HolderHTTPError`` 401 `invalid_client`.
    func authenticateRegisteredClient(form: [String: String], endpoint: String) async throws(HolderHTTPError)
        -> ClientRecord
    {
        let endpoints = currentEndpoints
        let audiences: Set<String> = [endpoints.issuer, endpoints.parEndpoint, endpoints.tokenEndpoint, endpoint]
        let clientID = try await authenticateClient(form: form, audiences: audiences) { [self] id in
            guard let client = clientRecord(id) else { return nil }
            return (currentKeys(of: client), [client.tokenEndpointAuthSigningAlgorithm])
        }
        guard let client = clientRecord(clientID) else {
            throw oauthFailure("invalid_client", "unknown client", status: .unauthorized)
        }
        return client
    }

    /// Checks a bearer access token: known, not revoked or expired, and bound to the presented certificate.
    /// - Returns: The token's record.
    /// - Throws: ``HolderHTTPError`` 401 `invalid_token`.
    func checkBearer(_ request: Request, context: MockRequestContext) async throws(HolderHTTPError)
        -> AccessTokenRecord
    {
        guard let token = request.bearerToken else { throw invalidTokenFailure("a bearer token is required") }
        let thumbprint = await context.clientCertificateThumbprint()
        guard let record = state.storage.withLock({ $0.accessTokens[HolderState.key(of: token)] }) else {
            throw invalidTokenFailure("unknown token")
        }
        guard !record.revoked, record.expiresAt > now else {
            throw invalidTokenFailure("the token is revoked or expired")
        }
        guard let thumbprint, thumbprint == record.certificateThumbprint else {
            throw invalidTokenFailure("the token is bound to another certificate")
        }
        if let issuedWith = record.refreshTokenKey {
            state.storage.withLock { $0.noteUse(ofRefreshToken: issuedWith) }
        }
        return record
    }

    /// The pairwise subject (PPID) of a customer for a software product: stable across registrations of the
    /// same product, different for every product.
    func pairwiseSubject(customerID: String, softwareProductID: String) -> String {
        HolderState.key(of: "ppid|\(configuration.brand.id)|\(softwareProductID)|\(customerID)")
    }
}

/// Escaping for the consent pages.
enum HTML {
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
