import CDRTestPKI
public import Foundation

extension MockDataHolder {
    /// Writes what another process needs to connect:
    /// - `ca.pem`: the mock CDR CA, to trust on both listeners;
    /// - `client.pem` and `client-key.pem`: a client identity the secure listener accepts (certificate, private key);
    /// - `identity.pem`: the same identity in one file, the certificate PEM followed by its private key PEM (for
    ///   `curl --cert`, or a client given one identity file);
    /// - `endpoints.json`: the base URLs (``MockDataHolder/Endpoints``).
    ///
    /// The files holding the private key are created with owner-only permissions (0600) before the key is written.
    /// The key is a throwaway test key, minted at start-up.
    /// - Parameter folder: The folder; created when missing.
    /// - Throws: File system errors, or ``MockHolderError`` when the holder is not running yet.
    public func writeConnectionFiles(to folder: URL) throws {
        guard let endpoints else { throw MockHolderError(.stopped, reason: "the holder is not running") }
        let files = FileManager.default
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificatePEM = try pki.client.certificatePEM()
        let keyPEM = try pki.client.privateKeyPEM()
        try Data(try pki.certificateAuthority.certificatePEM().utf8).write(to: folder.appendingPathComponent("ca.pem"))
        try Data(certificatePEM.utf8).write(to: folder.appendingPathComponent("client.pem"))
        try Self.writeOwnerOnly(Data(keyPEM.utf8), to: folder.appendingPathComponent("client-key.pem"))
        let identity = Self.endingInNewline(certificatePEM) + Self.endingInNewline(keyPEM)
        try Self.writeOwnerOnly(Data(identity.utf8), to: folder.appendingPathComponent("identity.pem"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(endpoints).write(to: folder.appendingPathComponent("endpoints.json"))
    }

    /// Writes `data` to a file that is created (or re-created) with permissions 0600 before anything is written.
    private static func writeOwnerOnly(_ data: Data, to url: URL) throws {
        let files = FileManager.default
        if files.fileExists(atPath: url.path) { try files.removeItem(at: url) }
        guard files.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }

    private static func endingInNewline(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }
}
