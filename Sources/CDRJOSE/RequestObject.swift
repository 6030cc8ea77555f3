public import Foundation

/// The CDR-specific `claims` request parameter (CDS "Request Object", "Requesting Sharing Duration").
public struct CDRClaims: Sendable, Hashable {
    /// `sharing_duration` in seconds; `nil` or 0 asks for once-off access (no refresh token).
    public var sharingDuration: Int?
    /// `cdr_arrangement_id` when amending an existing arrangement.
    public var cdrArrangementID: String?
    /// The `acr` values requested (as an essential `id_token` claim), `urn:cds.au:cdr:2` by default.
    public var acrValues: [String]
    /// Whether `auth_time` is requested as an essential `id_token` claim.
    public var requestsAuthTime: Bool
    /// The `userinfo` claims requested (each with a `null` request), `given_name` and `family_name` by default.
    public var userinfoClaims: [String]

    /// The longest sharing duration the standard grants (one year); longer requests are capped by holders.
    public static let maximumSharingDuration = 31_536_000

    /// Creates the claims.
    /// - Parameters:
    ///   - sharingDuration: Seconds of access; must not be negative.
    ///   - cdrArrangementID: The arrangement to amend.
    ///   - acrValues: Requested levels of assurance.
    ///   - requestsAuthTime: Whether to ask for `auth_time`.
    ///   - userinfoClaims: Requested userinfo claims.
    public init(
        sharingDuration: Int? = nil, cdrArrangementID: String? = nil, acrValues: [String] = ["urn:cds.au:cdr:2"],
        requestsAuthTime: Bool = false, userinfoClaims: [String] = ["given_name", "family_name"]
    ) {
        self.sharingDuration = sharingDuration
        self.cdrArrangementID = cdrArrangementID
        self.acrValues = acrValues
        self.requestsAuthTime = requestsAuthTime
        self.userinfoClaims = userinfoClaims
    }

    /// The `claims` object.
    public var claimValue: ClaimValue {
        var idToken: [String: ClaimValue] = [
            "acr": ["essential": true, "values": .array(acrValues.map(ClaimValue.string))]
        ]
        if requestsAuthTime { idToken["auth_time"] = ["essential": true] }
        var object: [String: ClaimValue] = ["id_token": .object(idToken)]
        if let sharingDuration { object["sharing_duration"] = .integer(sharingDuration) }
        if let cdrArrangementID { object["cdr_arrangement_id"] = .string(cdrArrangementID) }
        if !userinfoClaims.isEmpty {
            object["userinfo"] = .object(Dictionary(uniqueKeysWithValues: userinfoClaims.map { ($0, ClaimValue.null) }))
        }
        return .object(object)
    }
}

/// A CDR authorisation request object, pushed to the holder's PAR endpoint.
///
/// Signed with `typ: oauth-authz-req+jwt`; `aud` is the holder's issuer; `nbf` = `iat` = now and
/// `exp` − `nbf` at most 60 minutes (CDS); `response_type=code`, `response_mode=jwt`, PKCE S256; never `sub`,
/// `request` or `request_uri`.
public struct RequestObject: Sendable {
    /// The `typ` header value.
    public static let mediaType = "oauth-authz-req+jwt"
    /// The longest lifetime CDS allows (`exp` − `nbf`).
    public static let maximumLifetime = Duration.seconds(3600)

    /// Our `client_id` (`iss` and `client_id`).
    public var clientID: String
    /// The holder's issuer (`aud`).
    public var audience: String
    /// The registered redirect URI.
    public var redirectURI: String
    /// Scopes; `openid` is added if missing.
    public var scopes: [String]
    /// The `state`, bound to the user's session.
    public var state: String
    /// The `nonce`, checked in the ID token.
    public var nonce: String
    /// The PKCE challenge (S256).
    public var codeChallenge: String
    /// The CDR `claims`.
    public var claims: CDRClaims
    /// `exp` − `nbf`; at most 60 minutes. 5 minutes by default.
    public var lifetime: Duration

    /// Creates a request object.
    /// - Parameters:
    ///   - clientID: Our `client_id`.
    ///   - audience: The holder's issuer.
    ///   - redirectURI: The registered redirect URI.
    ///   - scopes: Requested scopes.
    ///   - state: The `state`.
    ///   - nonce: The `nonce`.
    ///   - pkce: The PKCE pair; only the challenge is sent.
    ///   - claims: The CDR claims.
    ///   - lifetime: The validity period.
    public init(
        clientID: String, audience: String, redirectURI: String, scopes: [String], state: String, nonce: String,
        pkce: PKCE, claims: CDRClaims = CDRClaims(), lifetime: Duration = .seconds(300)
    ) {
        self.clientID = clientID
        self.audience = audience
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.nonce = nonce
        self.codeChallenge = pkce.challenge
        self.claims = claims
        self.lifetime = lifetime
    }

    /// The claim set, with a fresh `jti` and dates from `now`.
    /// - Parameter now: The issue time (truncated to whole seconds).
    /// - Returns: The claims.
    /// - Throws: ``JOSEError`` `.lifetimeTooLong` above 60 minutes, `.invalidClaim` for a lifetime under a second,
    ///   a negative sharing duration or an empty `state`/`nonce`.
    public func makeClaims(now: Date) throws -> JWTClaims {
        guard lifetime <= Self.maximumLifetime else {
            throw JOSEError(.lifetimeTooLong, reason: "request object lifetime must be at most 60 minutes")
        }
        guard lifetime >= .seconds(1) else { throw JOSEError(.invalidClaim, reason: "lifetime must be positive") }
        if let duration = claims.sharingDuration, duration < 0 {
            throw JOSEError(.invalidClaim, reason: "sharing_duration must not be negative")
        }
        guard !state.isEmpty, !nonce.isEmpty else {
            throw JOSEError(.invalidClaim, reason: "state and nonce are required")
        }
        let issued = now.truncatedToSeconds
        var scopeList = scopes
        if !scopeList.contains("openid") { scopeList.insert("openid", at: 0) }
        var result = JWTClaims()
        result.issuer = clientID
        result["aud"] = .string(audience)
        result.issuedAt = issued
        result.notBefore = issued
        result.expiresAt = issued.addingTimeInterval(lifetime.seconds.rounded(.down))
        result.jwtID = UUID().uuidString
        result["client_id"] = .string(clientID)
        result["response_type"] = "code"
        result["response_mode"] = "jwt"
        result["redirect_uri"] = .string(redirectURI)
        result["scope"] = .string(scopeList.joined(separator: " "))
        result["state"] = .string(state)
        result["nonce"] = .string(nonce)
        result["code_challenge"] = .string(codeChallenge)
        result["code_challenge_method"] = .string(PKCE.method)
        result["claims"] = claims.claimValue
        return result
    }

    /// Signs the request object.
    /// - Parameters:
    ///   - key: Our signing key.
    ///   - timeSource: The clock.
    /// - Returns: The compact JWS to send as the PAR `request` parameter. Do not log it.
    /// - Throws: ``JOSEError`` from ``makeClaims(now:)`` or `.signingFailed`.
    public func sign(with key: SigningKey, timeSource: any TimeSource = SystemTimeSource()) async throws -> String {
        try await JWSSigner(key: key).sign(makeClaims(now: timeSource.now()), type: Self.mediaType)
    }
}
