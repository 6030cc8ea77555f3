import CDRJOSE
import CDRModels
import CryptoExtras
import Foundation
import Synchronization

/// The holder's signing keys: what signs ID tokens, JARM responses and the holder's self-signed JWTs to recipients.
struct HolderKeys: Sendable {
    /// PS256: the default for ID tokens, JARM and self-signed JWTs.
    let ps256: SigningKey
    /// ES256: used when a client registered ES256 for ID tokens or JARM.
    let es256: SigningKey
    /// The public JWKS served at `jwks_uri`.
    let jwks: JWKS
    /// The RSA key behind ``ps256``, kept so the RS256 faults can sign with the holder's real key.
    let rsa: _RSA.Signing.PrivateKey
    /// The keys behind ``ps256`` and ``es256`` under a `kid` that is not in the JWKS (the unknown-kid faults).
    let unknownKeyIDPS256: SigningKey
    let unknownKeyIDES256: SigningKey

    init() throws {
        try self.init(
            rsa: _RSA.Signing.PrivateKey(keySize: .bits2048),
            es256: SigningKey.generate(.es256, keyID: "mock-holder-es256"))
    }

    /// The keys from a saved RSA key and ES256 key (the state directory).
    init(rsa: _RSA.Signing.PrivateKey, es256: SigningKey) throws {
        self.rsa = rsa
        ps256 = try SigningKey(pem: rsa.pkcs8PEMRepresentation, keyID: "mock-holder-ps256")
        self.es256 = try SigningKey(pem: es256.pemRepresentation, keyID: "mock-holder-es256")
        unknownKeyIDPS256 = try SigningKey(pem: rsa.pkcs8PEMRepresentation, keyID: "mock-holder-unpublished-ps256")
        unknownKeyIDES256 = try SigningKey(pem: es256.pemRepresentation, keyID: "mock-holder-unpublished-es256")
        jwks = JWKS(keys: [ps256.publicJWK, self.es256.publicJWK])
    }

    /// The key for an algorithm a client registered.
    func key(for algorithm: JWSAlgorithm) -> SigningKey { algorithm == .es256 ? es256 : ps256 }
}

/// A client registered through DCR.
struct ClientRecord: Sendable, Codable {
    var clientID: String
    var softwareProductID: String
    var recipientBrandID: String
    var redirectURIs: [String]
    /// The scopes the SSA allows.
    var allowedScopes: Set<String>
    /// The software product's public keys (from the SSA's `jwks_uri`).
    var jwks: JWKS
    var tokenEndpointAuthSigningAlgorithm: JWSAlgorithm
    var idTokenSignedResponseAlgorithm: JWSAlgorithm
    var requestObjectSigningAlgorithm: JWSAlgorithm
    var authorizationSignedResponseAlgorithm: JWSAlgorithm
    var authorizationEncryptedResponseAlgorithm: JWEKeyAlgorithm?
    var authorizationEncryptedResponseEncryption: JWEContentEncryption?
    /// The recipient's base URI for `/arrangements/revoke`, from the SSA.
    var recipientBaseURI: String?
    /// The registered `grant_types`.
    var grantTypes: Set<String> = ["authorization_code", "refresh_token", "client_credentials"]
    /// The registration as the holder echoes it (RFC 7591 response).
    var registration: RegistrationProperties
    var issuedAt: Date
}

/// A pushed authorisation request waiting for the customer.
struct PushedRequest: Sendable {
    var requestURI: String
    var clientID: String
    var expiresAt: Date
    var redirectURI: String
    var scopes: [String]
    var state: String
    var nonce: String
    var codeChallenge: String
    var sharingDuration: Int
    var arrangementID: String?
    var acrValues: [String]
    var requestsAuthTime: Bool
}

/// An authorisation code waiting to be exchanged.
struct AuthorizationCodeRecord: Sendable {
    var clientID: String
    var redirectURI: String
    var codeChallenge: String
    var nonce: String
    var arrangementID: String
    var scopes: [String]
    var acr: String
    var authTime: Date
    var expiresAt: Date
    /// The customer who consented.
    var customerID: String = ""
    /// The accounts the customer chose.
    var accountIDs: [String] = []
    /// The granted sharing duration in seconds (already capped); 0 for once-off access.
    var sharingDuration: Int = 0
    /// Whether the code was exchanged already (a second use revokes what the first one issued).
    var redeemed: Bool = false
}

/// A CDR arrangement: one customer's consent to one client.
struct ArrangementRecord: Sendable, Codable {
    enum Status: Sendable, Hashable, Codable { case active, revoked, expired }
    var id: String
    var clientID: String
    var customerID: String
    var accountIDs: [String]
    var scopes: [String]
    var createdAt: Date
    /// When sharing ends; `nil` for a once-off collection.
    var sharingExpiresAt: Date?
    var status: Status
    /// The subject identifier (PPID) of the customer for this client.
    var subject: String
    /// The level of assurance of the last authentication.
    var acr: String = "urn:cds.au:cdr:2"
    /// When the customer last authenticated for this arrangement.
    var authTime: Date?

    /// Whether the arrangement can be used at `now`: active and, for ongoing sharing, not past its end.
    func isActive(at now: Date) -> Bool {
        guard status == .active else { return false }
        if let sharingExpiresAt { return sharingExpiresAt > now }
        return true
    }
}

/// An issued access token, by its value's hash.
struct AccessTokenRecord: Sendable, Codable {
    enum Kind: Sendable, Hashable, Codable {
        /// A data access token for an arrangement.
        case arrangement(String)
        /// A client-credentials token (for example `cdr:registration`).
        case clientCredentials
    }
    var kind: Kind
    var clientID: String
    var scopes: Set<String>
    /// The `x5t#S256` of the certificate the token is bound to.
    var certificateThumbprint: String
    var expiresAt: Date
    var revoked: Bool
    /// The key of the refresh token issued with this access token, when refresh tokens rotate.
    var refreshTokenKey: String? = nil
}

/// An issued refresh token, by its value's hash.
struct RefreshTokenRecord: Sendable, Codable {
    var clientID: String
    var arrangementID: String
    var scopes: [String]
    var expiresAt: Date
    var revoked: Bool
    /// The key of the refresh token this one replaced, revoked when this one is first used (rotation on first use).
    var predecessor: String? = nil
    /// The key of the newest refresh token issued by a refresh with this one.
    var successor: String? = nil
    /// Whether it (or an access token issued with it) has been used.
    var used = false
}

/// Everything the holder remembers between requests. Tokens and codes are keyed by a SHA-256 of their value, so
/// the state never holds a usable secret.
final class HolderState: Sendable {
    struct Storage: Sendable {
        var clients: [String: ClientRecord] = [:]
        var pushedRequests: [String: PushedRequest] = [:]
        var codes: [String: AuthorizationCodeRecord] = [:]
        var arrangements: [String: ArrangementRecord] = [:]
        var accessTokens: [String: AccessTokenRecord] = [:]
        var refreshTokens: [String: RefreshTokenRecord] = [:]
        /// Customer ids signed in on the consent page, by session cookie hash.
        var consentSessions: [String: String] = [:]

        /// Revokes every access and refresh token issued for an arrangement.
        mutating func revokeTokens(ofArrangement id: String) {
            for (key, record) in accessTokens where record.kind == .arrangement(id) && !record.revoked {
                accessTokens[key]?.revoked = true
            }
            for (key, record) in refreshTokens where record.arrangementID == id && !record.revoked {
                refreshTokens[key]?.revoked = true
            }
        }

        /// Notes a use of a refresh token (presented, or an access token issued with it accepted): the token it
        /// replaced, if still waiting, is revoked now.
        mutating func noteUse(ofRefreshToken key: String) {
            guard refreshTokens[key] != nil else { return }
            refreshTokens[key]?.used = true
            if let previous = refreshTokens[key]?.predecessor {
                refreshTokens[previous]?.revoked = true
                refreshTokens[key]?.predecessor = nil
            }
        }

        /// Revokes every token issued to a client.
        mutating func revokeTokens(ofClient clientID: String) {
            for (key, record) in accessTokens where record.clientID == clientID && !record.revoked {
                accessTokens[key]?.revoked = true
            }
            for (key, record) in refreshTokens where record.clientID == clientID && !record.revoked {
                refreshTokens[key]?.revoked = true
            }
        }
    }

    let storage = Mutex(Storage())
    /// `jti`s of client assertions and other client JWTs, per issuer.
    let replayCache = ReplayCache()

    init() {}

    /// The record of a refresh token that `clientID` may still use at `now` (not revoked, not expired, its
    /// arrangement active), with its arrangement; `nil` otherwise.
    func liveRefreshToken(_ token: String, of clientID: String, at now: Date)
        -> (RefreshTokenRecord, ArrangementRecord)?
    {
        storage.withLock { storage in
            guard let record = storage.refreshTokens[Self.key(of: token)], record.clientID == clientID,
                !record.revoked, record.expiresAt > now,
                let arrangement = storage.arrangements[record.arrangementID], arrangement.isActive(at: now)
            else { return nil }
            return (record, arrangement)
        }
    }

    /// The SHA-256 of a secret, base64url: the key under which its record is kept.
    static func key(of secret: String) -> String {
        CertificateThumbprint.sha256(derEncoded: Array(secret.utf8))
    }

    /// A new random value: `bytes` random bytes, base64url.
    static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return Base64URL.encode(data)
    }
}

/// What a resource request is allowed to see, after its access token was checked.
struct ResourceGrant: Sendable {
    var clientID: String
    var arrangement: ArrangementRecord
    var scopes: Set<String>
}
