/// The claims of a software statement assertion (SSA): the JWT the CDR Register signs (PS256) for a data recipient's
/// software product, and which the recipient puts in its registration request to a data holder.
///
/// The Register's API returns the SSA as a compact JWT; verify it against the Register's JWKS before trusting these
/// claims. An SSA expires 10 minutes after it is issued, so fetch a fresh one right before registering.
public struct SoftwareStatementClaims: Codable, Hashable, Sendable {
    /// The issuer: `cdr-register`.
    public var iss: String
    /// Issued at, in seconds since 1970.
    public var iat: Int
    /// Expiry, in seconds since 1970.
    public var exp: Int
    /// The token's unique identifier.
    public var jti: String
    /// The recipient's legal entity identifier.
    public var legalEntityId: String?
    /// The recipient's legal entity name.
    public var legalEntityName: String?
    /// The recipient brand's identifier.
    public var orgId: String
    /// The recipient brand's name.
    public var orgName: String
    /// The software product's name, shown to customers.
    public var clientName: String
    /// A description of the software product.
    public var clientDescription: String
    /// The software product's home page.
    public var clientUri: String
    /// Every redirect URI the product may register.
    public var redirectUris: [String]
    /// Where the product's sector identifier document lives, when it has one.
    public var sectorIdentifierUri: String?
    /// The product's logo.
    public var logoUri: String
    /// The product's terms of service.
    public var tosUri: String?
    /// The product's privacy policy.
    public var policyUri: String?
    /// Where the product publishes its public keys.
    public var jwksUri: String
    /// The product's arrangement revocation endpoint (superseded by ``recipientBaseUri``).
    public var revocationUri: String?
    /// The base URI of the recipient's own endpoints, such as `/arrangements/revoke`.
    public var recipientBaseUri: String?
    /// The software product's identifier.
    public var softwareId: String
    /// The product's role: `data-recipient-software-product`.
    public var softwareRoles: String
    /// The scopes the product may ask for, space separated.
    public var scope: String

    /// The scopes the product may ask for.
    public var scopes: [String] { scope.split(separator: " ").map(String.init) }

    /// Creates a set of claims.
    public init(
        iss: String = "cdr-register",
        iat: Int,
        exp: Int,
        jti: String,
        legalEntityId: String? = nil,
        legalEntityName: String? = nil,
        orgId: String,
        orgName: String,
        clientName: String,
        clientDescription: String,
        clientUri: String,
        redirectUris: [String],
        sectorIdentifierUri: String? = nil,
        logoUri: String,
        tosUri: String? = nil,
        policyUri: String? = nil,
        jwksUri: String,
        revocationUri: String? = nil,
        recipientBaseUri: String? = nil,
        softwareId: String,
        softwareRoles: String = "data-recipient-software-product",
        scope: String
    ) {
        self.iss = iss
        self.iat = iat
        self.exp = exp
        self.jti = jti
        self.legalEntityId = legalEntityId
        self.legalEntityName = legalEntityName
        self.orgId = orgId
        self.orgName = orgName
        self.clientName = clientName
        self.clientDescription = clientDescription
        self.clientUri = clientUri
        self.redirectUris = redirectUris
        self.sectorIdentifierUri = sectorIdentifierUri
        self.logoUri = logoUri
        self.tosUri = tosUri
        self.policyUri = policyUri
        self.jwksUri = jwksUri
        self.revocationUri = revocationUri
        self.recipientBaseUri = recipientBaseUri
        self.softwareId = softwareId
        self.softwareRoles = softwareRoles
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case iss, iat, exp, jti, scope
        case legalEntityId = "legal_entity_id"
        case legalEntityName = "legal_entity_name"
        case orgId = "org_id"
        case orgName = "org_name"
        case clientName = "client_name"
        case clientDescription = "client_description"
        case clientUri = "client_uri"
        case redirectUris = "redirect_uris"
        case sectorIdentifierUri = "sector_identifier_uri"
        case logoUri = "logo_uri"
        case tosUri = "tos_uri"
        case policyUri = "policy_uri"
        case jwksUri = "jwks_uri"
        case revocationUri = "revocation_uri"
        case recipientBaseUri = "recipient_base_uri"
        case softwareId = "software_id"
        case softwareRoles = "software_roles"
    }
}
