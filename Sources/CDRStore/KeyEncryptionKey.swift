public import Crypto
public import Foundation

/// Wraps and unwraps data keys with a key-encryption key (KEK) that lives apart from the data: in a file, in the
/// environment, or in a key management service.
///
/// A ``RecipientStore`` gives every arrangement and DDC connection its own AES-256 data key and keeps that key only
/// as the provider wrapped it. To use a cloud KMS, implement this protocol over the KMS's encrypt and decrypt calls
/// (the `context` is the KMS's encryption context or additional authenticated data): `wrap` calls the KMS's
/// encrypt with the context, `unwrap` its decrypt, and ``keyID`` returns the KMS key's name.
public protocol KeyEncryptionKeyProvider: Sendable {
    /// A stable, non-secret name for the key, stored beside every data key it wraps (for example a KMS key ARN, or a
    /// fingerprint of a local key). When a store meets a data key wrapped under another id, it says so.
    var keyID: String { get }

    /// Wraps a data key.
    /// - Parameters:
    ///   - dataKey: The 32 bytes of an AES-256 data key.
    ///   - context: Bytes the wrapping is bound to (the key's scope): unwrapping with another context fails.
    /// - Returns: The wrapped key, opaque to the store.
    /// - Throws: ``StoreError`` `.keyUnavailable` when the key cannot be used.
    func wrap(_ dataKey: [UInt8], context: [UInt8]) async throws -> [UInt8]

    /// Unwraps a data key.
    /// - Parameters:
    ///   - wrapped: What ``wrap(_:context:)`` returned.
    ///   - context: The same context.
    /// - Returns: The data key's 32 bytes.
    /// - Throws: ``StoreError`` `.wrongKey` when this key did not wrap it (or the context differs), `.keyUnavailable`
    ///   when the key cannot be used.
    func unwrap(_ wrapped: [UInt8], context: [UInt8]) async throws -> [UInt8]
}

/// A key-encryption key held in this process: 32 bytes from a key file or an environment variable. Data keys are
/// wrapped with AES-256-GCM under it, bound to their scope.
///
/// ```
/// let kek = try LocalKeyEncryptionKey.file(at: URL(fileURLWithPath: "/etc/cdrkit/kek"))  // made 0600 when missing
/// let kek = try LocalKeyEncryptionKey.environment("CDRKIT_KEK")                           // base64 of 32 bytes
/// ```
public struct LocalKeyEncryptionKey: KeyEncryptionKeyProvider, CustomStringConvertible, CustomReflectable {
    private let key: SymmetricKey
    /// `local:` and the first 16 hex digits of a keyed hash of the key: it names the key without revealing it.
    public let keyID: String

    /// Uses a key you hold.
    /// - Parameter key: A 256-bit key.
    /// - Throws: ``StoreError`` `.keyUnavailable` when the key is not 256 bits long.
    public init(key: SymmetricKey) throws {
        guard key.bitCount == 256 else {
            throw StoreError(.keyUnavailable, reason: "a key-encryption key must be 256 bits, not \(key.bitCount)")
        }
        self.key = key
        let fingerprint = HMAC<SHA256>.authenticationCode(for: Data("cdrkit key-encryption key id".utf8), using: key)
        self.keyID = "local:" + hex(fingerprint.prefix(8))
    }

    /// A new random key (for tests and for stores that live only in memory).
    public static func random() -> LocalKeyEncryptionKey {
        // A freshly made 256-bit key always passes the length check.
        try! LocalKeyEncryptionKey(key: SymmetricKey(size: .bits256))
    }

    /// Reads the key from a file, or creates the file with a new random key when it is missing.
    ///
    /// The file holds the key in base64 (44 characters; surrounding white space is ignored). A new file is created
    /// with mode 0600 before the key is written. An existing file that its group or others can read or write is
    /// refused.
    /// - Parameters:
    ///   - url: The file.
    ///   - createIfMissing: Whether to create a missing file (`true` by default).
    /// - Returns: The key.
    /// - Throws: ``StoreError`` `.insecureKeyFile` (mode not 0600 or stricter), `.keyUnavailable` (missing, unreadable
    ///   or not a base64 256-bit key).
    public static func file(at url: URL, createIfMissing: Bool = true) throws -> LocalKeyEncryptionKey {
        let path = url.path
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            guard createIfMissing else {
                throw StoreError(.keyUnavailable, reason: "the key file \(path) does not exist")
            }
            let key = SymmetricKey(size: .bits256)
            let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
            try createOwnerOnly(path: path, contents: Data(text.utf8))
            return try LocalKeyEncryptionKey(key: key)
        }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try files.attributesOfItem(atPath: path)
        } catch {
            throw StoreError(.keyUnavailable, reason: "the key file \(path) cannot be examined")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw StoreError(
                .insecureKeyFile,
                reason: "the key file \(path) has mode \(String(mode, radix: 8)); allow only its owner (chmod 600)")
        }
        guard let data = files.contents(atPath: path) else {
            throw StoreError(.keyUnavailable, reason: "the key file \(path) cannot be read")
        }
        return try decode(String(decoding: data, as: UTF8.self), source: "the key file \(path)")
    }

    /// Reads the key from an environment variable holding it in base64.
    /// - Parameters:
    ///   - variable: The variable's name; `CDRKIT_KEK` by default.
    ///   - environment: The environment; the process's by default.
    /// - Returns: The key.
    /// - Throws: ``StoreError`` `.keyUnavailable` when the variable is unset or not a base64 256-bit key.
    public static func environment(
        _ variable: String = "CDRKIT_KEK", in environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> LocalKeyEncryptionKey {
        guard let value = environment[variable], !value.isEmpty else {
            throw StoreError(.keyUnavailable, reason: "the environment variable \(variable) is not set")
        }
        return try decode(value, source: "the environment variable \(variable)")
    }

    /// Wraps with AES-256-GCM, the context as additional authenticated data.
    public func wrap(_ dataKey: [UInt8], context: [UInt8]) throws -> [UInt8] {
        do {
            let sealed = try AES.GCM.seal(dataKey, using: key, authenticating: context)
            guard let combined = sealed.combined else {
                throw StoreError(.keyUnavailable, reason: "wrapping a data key failed")
            }
            return Array(combined)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.keyUnavailable, reason: "wrapping a data key failed")
        }
    }

    /// Unwraps; a key wrapped by another key, or for another context, fails with `.wrongKey`.
    public func unwrap(_ wrapped: [UInt8], context: [UInt8]) throws -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            return Array(try AES.GCM.open(box, using: key, authenticating: context))
        } catch {
            throw StoreError(.wrongKey, reason: "the key-encryption key \(keyID) does not open this data key")
        }
    }

    /// `LocalKeyEncryptionKey(local:…)`: the id only.
    public var description: String { "LocalKeyEncryptionKey(\(keyID))" }
    /// Mirrors ``description``.
    public var customMirror: Mirror { Mirror(self, children: ["keyID": keyID], displayStyle: .struct) }

    private static func decode(_ text: String, source: String) throws -> LocalKeyEncryptionKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: trimmed), bytes.count == 32 else {
            throw StoreError(.keyUnavailable, reason: "\(source) does not hold a base64 256-bit key")
        }
        return try LocalKeyEncryptionKey(key: SymmetricKey(data: bytes))
    }

    private static func createOwnerOnly(path: String, contents: Data) throws {
        let files = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !files.fileExists(atPath: folder) {
            try? files.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        guard files.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.keyUnavailable, reason: "the key file \(path) cannot be created")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.write(contentsOf: contents)
            try handle.synchronize()
        } catch {
            try? files.removeItem(atPath: path)
            throw StoreError(.keyUnavailable, reason: "the key file \(path) cannot be written")
        }
    }
}
