public import CDRJOSE
import Foundation
import Synchronization

/// The mock CDR Register: it knows the recipients' software products, issues their software statements (SSAs)
/// signed PS256, publishes its JWKS, and lists the mock holder's brand.
///
/// A test or sample adds its software product (with its public keys) before registering with the holder:
///
/// ```swift
/// holder.register.add(.init(id: "sp-1", brandID: "brand-1", name: "My Budget App",
///                           redirectURIs: ["https://app.example/callback"], jwks: JWKS(keys: [key.publicJWK])))
/// ```
///
/// The mock also hosts each product's JWKS (the SSA's `jwks_uri` points there), so a recipient needs no server of
/// its own to be verified.
public final class MockRegister: Sendable {
    /// A data recipient's software product as the Register records it.
    public struct SoftwareProduct: Sendable, Hashable, Codable {
        /// The software product's identifier (`software_id`, and the `iss` of its Register client assertions).
        public var id: String
        /// The recipient brand's identifier (`org_id`).
        public var brandID: String
        /// The recipient brand's name.
        public var brandName: String
        /// The recipient's legal entity identifier.
        public var legalEntityID: String
        /// The recipient's legal entity name.
        public var legalEntityName: String
        /// The software product's name (`client_name`).
        public var name: String
        /// Every redirect URI the product may register.
        public var redirectURIs: [String]
        /// The product's public keys.
        public var jwks: JWKS
        /// The recipient's base URI (for `/arrangements/revoke`), if it hosts one.
        public var recipientBaseURI: String?
        /// The scopes the product is accredited for.
        public var scopes: [String]
        /// Whether the product is active on the Register; inactive products get no SSA.
        public var isActive: Bool

        /// Creates a software product; the scopes default to every read scope of banking and common.
        public init(
            id: String, brandID: String, brandName: String = "Mock Recipient",
            legalEntityID: String = "le-mock-recipient",
            legalEntityName: String = "Mock Recipient Pty Ltd", name: String, redirectURIs: [String], jwks: JWKS,
            recipientBaseURI: String? = nil, scopes: [String] = MockRegister.allReadScopes, isActive: Bool = true
        ) {
            self.id = id
            self.brandID = brandID
            self.brandName = brandName
            self.legalEntityID = legalEntityID
            self.legalEntityName = legalEntityName
            self.name = name
            self.redirectURIs = redirectURIs
            self.jwks = jwks
            self.recipientBaseURI = recipientBaseURI
            self.scopes = scopes
            self.isActive = isActive
        }
    }

    /// Every read scope of banking and common, plus `openid`, `profile` and `cdr:registration`.
    public static let allReadScopes = [
        "openid", "profile", "bank:accounts.basic:read", "bank:accounts.detail:read", "bank:transactions:read",
        "bank:payees:read", "bank:regular_payments:read", "common:customer.basic:read",
        "common:customer.detail:read", "cdr:registration",
    ]

    /// The key that signs SSAs.
    let signingKey: SigningKey
    private let products = Mutex<[String: SoftwareProduct]>([:])
    /// Called after every change to the products (the holder saves its state directory then).
    let onChange = Mutex<(@Sendable () -> Void)?>(nil)

    /// Creates the Register with a saved signing key, or a new one when `nil`.
    init(signingKey: SigningKey? = nil, products: [SoftwareProduct] = []) throws {
        self.signingKey = try signingKey ?? SigningKey.generate(.ps256, keyID: "mock-register-ps256")
        self.products.withLock { stored in
            for product in products { stored[product.id] = product }
        }
    }

    /// Every software product, by id.
    var allProducts: [SoftwareProduct] { products.withLock { $0.values.sorted { $0.id < $1.id } } }

    private func changed() { onChange.withLock { $0 }?() }

    /// The Register's public keys (for verifying SSAs).
    public var jwks: JWKS { JWKS(keys: [signingKey.publicJWK]) }

    /// Adds or replaces a software product.
    ///
    /// With a state directory (``MockDataHolder/Configuration/stateDirectory``) the holder saves the change at once;
    /// a failure to save is logged and the next change tries again.
    /// - Parameter product: The product.
    public func add(_ product: SoftwareProduct) {
        products.withLock { $0[product.id] = product }
        changed()
    }

    /// Removes a software product.
    /// - Parameter id: Its identifier.
    public func remove(softwareProductID id: String) {
        products.withLock { _ = $0.removeValue(forKey: id) }
        changed()
    }

    /// The software product with this identifier, if the Register knows it.
    /// - Parameter id: Its identifier.
    public func softwareProduct(id: String) -> SoftwareProduct? {
        products.withLock { $0[id] }
    }

    /// Signs a software statement for a product.
    /// - Parameters:
    ///   - product: The product.
    ///   - jwksURI: Where the product's keys are published.
    ///   - now: The time of issue.
    ///   - lifetime: How long the SSA lives.
    /// - Returns: The compact JWT.
    func issueSoftwareStatement(
        for product: SoftwareProduct, jwksURI: String, now: Date, lifetime: Duration
    ) async throws -> String {
        let issuedAt = Int(now.timeIntervalSince1970)
        var claims: [String: ClaimValue] = [
            "iss": "cdr-register",
            "iat": .integer(issuedAt),
            "exp": .integer(issuedAt + Int(lifetime.components.seconds)),
            "jti": .string(HolderState.randomToken(bytes: 16)),
            "legal_entity_id": .string(product.legalEntityID),
            "legal_entity_name": .string(product.legalEntityName),
            "org_id": .string(product.brandID),
            "org_name": .string(product.brandName),
            "client_name": .string(product.name),
            "client_description": .string("\(product.name), a CDR software product registered with the mock Register"),
            "client_uri": "https://recipient.example/",
            "redirect_uris": .array(product.redirectURIs.map { .string($0) }),
            "logo_uri": "https://recipient.example/logo.png",
            "tos_uri": "https://recipient.example/terms",
            "policy_uri": "https://recipient.example/policy",
            "jwks_uri": .string(jwksURI),
            "software_id": .string(product.id),
            "software_roles": "data-recipient-software-product",
            "scope": .string(product.scopes.joined(separator: " ")),
        ]
        if let base = product.recipientBaseURI {
            claims["recipient_base_uri"] = .string(base)
            claims["revocation_uri"] = .string(base + "/arrangements/revoke")
        }
        return try await JWSSigner(key: signingKey).sign(JWTClaims(claims))
    }
}
