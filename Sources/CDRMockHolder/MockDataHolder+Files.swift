import CDRTesting
public import Foundation

extension MockDataHolder {
    /// Writes what another process needs to connect: `ca.pem` (the mock CDR CA to trust), `client.pem` and
    /// `client-key.pem` (a client identity the secure listener accepts) and `endpoints.json` (the base URLs).
    ///
    /// The key file is written with owner-only permissions. It is a throwaway test key, minted at start-up.
    /// - Parameter folder: The folder; created when missing.
    /// - Throws: File system errors, or ``MockHolderError`` when the holder is not running yet.
    public func writeConnectionFiles(to folder: URL) throws {
        guard let endpoints else { throw MockHolderError(.stopped, reason: "the holder is not running") }
        let files = FileManager.default
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(try pki.certificateAuthority.certificatePEM().utf8).write(to: folder.appendingPathComponent("ca.pem"))
        try Data(try pki.client.certificatePEM().utf8).write(to: folder.appendingPathComponent("client.pem"))
        let keyURL = folder.appendingPathComponent("client-key.pem")
        try Data(try pki.client.privateKeyPEM().utf8).write(to: keyURL)
        try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyURL.path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(endpoints).write(to: folder.appendingPathComponent("endpoints.json"))
    }
}
