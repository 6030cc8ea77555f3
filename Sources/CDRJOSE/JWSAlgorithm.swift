/// A JWS `alg` value.
///
/// Any string can be represented (so that a token's header can be read and rejected), but only
/// ``ps256`` and ``es256`` can sign or verify: CDR (FAPI 1.0 Advanced §8.6) allows nothing else.
public struct JWSAlgorithm: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The `alg` string.
    public let rawValue: String

    /// Wraps an `alg` string.
    /// - Parameter rawValue: The `alg` string, case-sensitive.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256 (RSA keys of 2048 bits or more).
    public static let ps256 = JWSAlgorithm(rawValue: "PS256")
    /// ECDSA with P-256 and SHA-256.
    public static let es256 = JWSAlgorithm(rawValue: "ES256")

    /// The algorithms CDR allows: PS256 and ES256.
    public static let cdrAllowed: Set<JWSAlgorithm> = [.ps256, .es256]

    /// Whether this library can sign and verify with the algorithm (PS256 or ES256 only).
    public var isSupported: Bool { self == .ps256 || self == .es256 }

    /// The `alg` string.
    public var description: String { rawValue }
}

/// A JWE key-management `alg` value.
public struct JWEKeyAlgorithm: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The `alg` string.
    public let rawValue: String
    /// Wraps an `alg` string.
    /// - Parameter rawValue: The `alg` string.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
    public static let rsaOAEP = JWEKeyAlgorithm(rawValue: "RSA-OAEP")
    /// RSAES-OAEP with SHA-256 and MGF1-SHA-256.
    public static let rsaOAEP256 = JWEKeyAlgorithm(rawValue: "RSA-OAEP-256")
    /// The key-management algorithms CDR allows for JARM encryption.
    public static let cdrAllowed: Set<JWEKeyAlgorithm> = [.rsaOAEP, .rsaOAEP256]
    /// The `alg` string.
    public var description: String { rawValue }
}

/// A JWE content-encryption `enc` value.
public struct JWEContentEncryption: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The `enc` string.
    public let rawValue: String
    /// Wraps an `enc` string.
    /// - Parameter rawValue: The `enc` string.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// AES-256 in GCM mode.
    public static let a256GCM = JWEContentEncryption(rawValue: "A256GCM")
    /// AES-128-CBC with HMAC-SHA-256 (RFC 7518 §5.2.3); the CDR default when only `alg` is registered.
    public static let a128CBCHS256 = JWEContentEncryption(rawValue: "A128CBC-HS256")
    /// The content-encryption algorithms CDR allows for JARM encryption.
    public static let cdrAllowed: Set<JWEContentEncryption> = [.a256GCM, .a128CBCHS256]
    /// The `enc` string.
    public var description: String { rawValue }
}
