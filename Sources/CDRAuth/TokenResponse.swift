public import Foundation

/// A token endpoint's JSON answer (RFC 6749 §5.1 plus the CDS members).
struct TokenResponse: Decodable, Sendable {
    var accessToken: String
    var tokenType: String
    var expiresIn: Int?
    var refreshToken: String?
    var idToken: String?
    var scope: String?
    var cdrArrangementID: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case idToken = "id_token"
        case scope
        case cdrArrangementID = "cdr_arrangement_id"
    }

    /// Whether `token_type` is `Bearer`, in any case (RFC 6749 §5.1 makes it case-insensitive).
    var isBearer: Bool { tokenType.caseInsensitiveCompare("Bearer") == .orderedSame && !accessToken.isEmpty }

    /// The granted scopes, or `fallback` when the holder left `scope` out (it then means "as requested").
    func scopes(default fallback: [String]) -> [String] {
        scope.map { $0.split(separator: " ").map(String.init) } ?? fallback
    }

    /// When the access token expires: `expires_in` from `now`, or `assumed` when the holder left it out.
    func accessTokenExpiry(now: Date, assumed: TimeInterval) -> Date {
        now.addingTimeInterval(expiresIn.map(TimeInterval.init) ?? assumed)
    }
}

/// A refresh token's introspection (CDS: refresh tokens only).
public struct RefreshTokenIntrospection: Decodable, Sendable, Hashable {
    /// Whether the refresh token is active.
    public var active: Bool
    /// When it expires (the end of the sharing period).
    public var expiresAt: Date?
    /// The granted scopes.
    public var scope: String?
    /// The arrangement it belongs to.
    public var arrangementID: String?

    enum CodingKeys: String, CodingKey {
        case active
        case exp
        case scope
        case arrangementID = "cdr_arrangement_id"
    }

    /// Decodes the introspection answer.
    /// - Parameter decoder: The decoder.
    /// - Throws: When `active` is missing or a member has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        active = try container.decode(Bool.self, forKey: .active)
        expiresAt = try container.decodeIfPresent(Int.self, forKey: .exp).map {
            Date(timeIntervalSince1970: TimeInterval($0))
        }
        scope = try container.decodeIfPresent(String.self, forKey: .scope)
        arrangementID = try container.decodeIfPresent(String.self, forKey: .arrangementID)
    }
}
