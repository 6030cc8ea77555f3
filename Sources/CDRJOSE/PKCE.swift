import Crypto
import Foundation

/// A PKCE code verifier and its S256 challenge (RFC 7636).
///
/// The ``description`` and `dump()` (``customMirror``) show the challenge only; the verifier is a secret sent
/// once to the token endpoint.
public struct PKCE: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The only method CDR allows.
    public static let method = "S256"

    /// The code verifier: 43–128 characters from `[A-Za-z0-9-._~]`. Secret.
    public let verifier: String
    /// `BASE64URL(SHA256(ASCII(verifier)))`.
    public let challenge: String

    /// Wraps an existing verifier.
    /// - Parameter verifier: 43–128 unreserved characters.
    /// - Throws: ``JOSEError`` `.invalidVerifier`.
    public init(verifier: String) throws {
        let unreserved = verifier.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        }
        guard (43...128).contains(verifier.utf8.count), unreserved else {
            throw JOSEError(.invalidVerifier, reason: "verifier must be 43 to 128 unreserved characters")
        }
        self.verifier = verifier
        self.challenge = Self.challenge(for: verifier)
    }

    /// Generates a verifier from 32 random bytes (43 characters, 256 bits of entropy) or more.
    /// - Parameter byteCount: Random bytes, 32 to 96.
    /// - Returns: A new pair.
    public static func generate(byteCount: Int = 32) -> PKCE {
        let count = min(max(byteCount, 32), 96)
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let verifier = Base64URL.encode(bytes)
        return PKCE(unchecked: verifier)
    }

    private init(unchecked verifier: String) {
        self.verifier = verifier
        self.challenge = Self.challenge(for: verifier)
    }

    /// Computes the S256 challenge.
    /// - Parameter verifier: The verifier.
    /// - Returns: The challenge.
    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// The challenge only.
    public var description: String { "PKCE(S256, challenge: \(challenge))" }

    /// The challenge, with the verifier redacted.
    public var customMirror: Mirror {
        Mirror(self, children: ["verifier": "<redacted>", "challenge": challenge], displayStyle: .struct)
    }
}
