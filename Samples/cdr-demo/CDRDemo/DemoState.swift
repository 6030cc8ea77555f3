import CDRClient
import CDRJOSE
import CDRStore
import Foundation
import Logging

/// What the demo keeps between runs: the recipient's store and, beside it, the software product's signing key.
///
/// A real recipient keeps the product's signing key in its key management (an HSM, a KMS); the demo keeps it in a
/// 0600 file next to the store so a second run signs with the key the Register knows.
struct DemoState: Sendable {
    let store: RecipientStore
    /// `memory`, the SQLite file's path, or the PostgreSQL URL without its password.
    let location: String
    /// The folder of the store's files, `nil` in memory.
    let folder: URL?

    /// Opens the store the options name.
    static func open(_ storage: DemoOptions.Storage, logger: Logger) async throws -> DemoState {
        switch storage {
        case .memory:
            return DemoState(store: .ephemeral(logger: logger), location: "memory", folder: nil)
        case .sqlite(let path):
            let folder = path.deletingLastPathComponent()
            let key = try localKey(folder: folder)
            let store = try await RecipientStore.sqlite(path: path.path, keyEncryptionKey: key, logger: logger)
            return DemoState(store: store, location: path.path, folder: folder)
        case .postgres(let url, let folder):
            let key = try localKey(folder: folder)
            let store = try await RecipientStore.postgres(url: url, keyEncryptionKey: key, logger: logger)
            return DemoState(store: store, location: url.description, folder: folder)
        }
    }

    /// The key-encryption key: `CDRKIT_KEK`, or the `kek` file (0600) in the folder, made when missing.
    private static func localKey(folder: URL) throws -> LocalKeyEncryptionKey {
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return ProcessInfo.processInfo.environment["CDRKIT_KEK"] != nil
            ? try .environment() : try .file(at: folder.appendingPathComponent("kek"))
    }

    /// The software product's signing key: the one kept beside the store, or a new one (kept there for the next run).
    func productSigningKey(keyID: String) throws -> SigningKey {
        guard let folder else { return try SigningKey.generate(.ps256, keyID: keyID) }
        let file = folder.appendingPathComponent("product-signing-key.pem")
        if FileManager.default.fileExists(atPath: file.path) {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw DemoError(
                    step: "Loading the software product's key",
                    reason: "\(file.path) is readable by others (mode \(String(mode, radix: 8)))",
                    hint: "Run `chmod 600 \(file.path)`.")
            }
            return try SigningKey(pem: try String(contentsOf: file, encoding: .utf8), keyID: keyID)
        }
        let key = try SigningKey.generate(.ps256, keyID: keyID)
        guard
            FileManager.default.createFile(
                atPath: file.path, contents: Data(key.pemRepresentation.utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            throw DemoError(
                step: "Keeping the software product's key", reason: "\(file.path) cannot be written",
                hint: "Check that the store's folder is writable.")
        }
        return key
    }

}

extension DemoOptions.Storage {
    /// Where an embedded mock holder keeps its state beside the store, `nil` in memory.
    var holderStateDirectory: URL? {
        switch self {
        case .memory: return nil
        case .sqlite(let path):
            return path.deletingLastPathComponent().appendingPathComponent("holder", isDirectory: true)
        case .postgres(_, let folder): return folder.appendingPathComponent("holder", isDirectory: true)
        }
    }
}
