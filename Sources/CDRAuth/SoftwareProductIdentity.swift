public import CDRJOSE

/// The recipient's software product as the Register knows it: ids, keys and redirect URIs.
///
/// The signing key's public half must be in the JWKS published at the SSA's `jwks_uri`. ``description`` and `dump`
/// show ids only, never key material.
public struct SoftwareProductIdentity: Sendable, CustomStringConvertible, CustomReflectable {
    /// The software product id issued by the Register (the `iss` of registration requests and Register assertions).
    public var softwareProductID: String
    /// The recipient brand id the product belongs to.
    public var brandID: String
    /// Signs client assertions, request objects and registration requests (PS256 or ES256).
    public var signingKey: SigningKey
    /// Decrypts encrypted JARM responses, when the product registers encryption; `nil` to register without.
    public var decryptionKey: DecryptionKey?
    /// The redirect URIs registered with each holder (a subset of the SSA's).
    public var redirectURIs: [String]

    /// Creates an identity.
    /// - Parameters:
    ///   - softwareProductID: The Register's software product id.
    ///   - brandID: The recipient brand id.
    ///   - signingKey: The product's signing key.
    ///   - decryptionKey: The JARM decryption key, if any.
    ///   - redirectURIs: The redirect URIs to register; the first is the default for consent.
    public init(
        softwareProductID: String, brandID: String, signingKey: SigningKey, decryptionKey: DecryptionKey? = nil,
        redirectURIs: [String]
    ) {
        self.softwareProductID = softwareProductID
        self.brandID = brandID
        self.signingKey = signingKey
        self.decryptionKey = decryptionKey
        self.redirectURIs = redirectURIs
    }

    /// `SoftwareProductIdentity(<product id>, brand <brand id>)`.
    public var description: String { "SoftwareProductIdentity(\(softwareProductID), brand \(brandID))" }

    /// Shows ids only.
    public var customMirror: Mirror { Mirror(self, children: ["identity": description], displayStyle: .struct) }
}
