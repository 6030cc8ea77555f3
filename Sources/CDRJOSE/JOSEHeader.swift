import Foundation

/// A decoded JOSE header (JWS or JWE protected header).
public struct JOSEHeader: Sendable, Hashable {
    /// Every header parameter, by name.
    public var values: [String: ClaimValue]

    /// Creates a header.
    /// - Parameter values: The header parameters.
    public init(_ values: [String: ClaimValue] = [:]) { self.values = values }

    /// `alg`.
    public var algorithm: String? { values["alg"]?.stringValue }
    /// `kid`.
    public var keyID: String? { values["kid"]?.stringValue }
    /// `typ`.
    public var type: String? { values["typ"]?.stringValue }
    /// `cty`.
    public var contentType: String? { values["cty"]?.stringValue }
    /// `enc` (JWE only).
    public var encryption: String? { values["enc"]?.stringValue }
}

/// A compact JWS split into its parts, before any verification.
struct CompactJWS {
    let header: JOSEHeader
    let payload: Data
    let signature: Data

    /// Tokens longer than this are rejected before parsing.
    static let maximumLength = 65_536

    init(_ token: String) throws {
        guard token.utf8.count <= Self.maximumLength else {
            throw JOSEError(.malformedToken, reason: "token is too long")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw JOSEError(
                .malformedToken, reason: parts.count == 5 ? "token is a JWE, not a JWS" : "not a compact JWS")
        }
        guard let headerData = Base64URL.decode(parts[0]),
            let header = try? JSONDecoder().decode([String: ClaimValue].self, from: headerData)
        else { throw JOSEError(.malformedToken, reason: "header is not base64url JSON") }
        guard let payload = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else {
            throw JOSEError(.malformedToken, reason: "payload or signature is not base64url")
        }
        self.header = JOSEHeader(header)
        self.payload = payload
        self.signature = signature
    }

    func claims() throws -> JWTClaims {
        guard let claims = try? JSONDecoder().decode(JWTClaims.self, from: payload) else {
            throw JOSEError(.malformedToken, reason: "payload is not a JSON object")
        }
        return claims
    }
}

/// A JWT's header and claims read **without any verification**, for routing only (for example to find `iss`
/// before choosing which issuer's keys to verify with). Never trust its contents.
public struct UnverifiedJWT: Sendable {
    /// The unverified header.
    public let header: JOSEHeader
    /// The unverified claims.
    public let claims: JWTClaims

    /// Splits and decodes a compact JWS without checking its signature.
    /// - Parameter token: A compact JWS.
    /// - Throws: ``JOSEError`` `.malformedToken`.
    public init(_ token: String) throws {
        let jws = try CompactJWS(token)
        header = jws.header
        claims = try jws.claims()
    }
}
