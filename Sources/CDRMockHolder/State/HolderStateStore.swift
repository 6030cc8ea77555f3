import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and writes `state.json` in a holder's state directory.
///
/// Writes are atomic (a temporary file created with mode 0600 in the same directory, flushed, then renamed over the
/// state file) and serialised: the snapshot is taken under the same lock as the write, so an older snapshot never
/// replaces a newer one. A write is skipped when the snapshot is unchanged. The directory is kept at mode 0700.
final class HolderStateStore: Sendable {
    /// The file's name inside the directory.
    static let fileName = "state.json"

    /// The state directory.
    let directory: URL
    /// Where the state is kept.
    var fileURL: URL { directory.appendingPathComponent(Self.fileName) }
    /// The ports last bound (or loaded), written with every snapshot.
    let ports: Mutex<PersistedHolderState.Ports>
    /// The bytes of the last write, to skip unchanged snapshots.
    private let lastWritten = Mutex<Data?>(nil)

    init(directory: URL) {
        self.directory = directory.standardizedFileURL
        self.ports = Mutex(PersistedHolderState.Ports())
    }

    // MARK: Reading

    /// Reads the state file.
    /// - Returns: The state, or `nil` when there is no state file yet.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/unreadableState`` when the file cannot be read, is
    ///   readable by other users or is not a state file; ``MockHolderError/Code/incompatibleState`` when a newer
    ///   build wrote it. The file is never changed.
    func load() throws(MockHolderError) -> PersistedHolderState? {
        let path = fileURL.path
        let files = FileManager.default
        guard files.fileExists(atPath: path) else { return nil }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try files.attributesOfItem(atPath: path)
        } catch {
            throw unreadable("it cannot be examined (\(Self.describe(error)))")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw unreadable("it is not a regular file")
        }
        let mode = (attributes[.posixPermissions] as? Int ?? 0o777) & 0o777
        guard mode & 0o077 == 0 else {
            throw unreadable(
                "its mode is \(String(mode, radix: 8)), so other users may read the holder's private keys; "
                    + "make it owner-only (chmod 600 \(path)) or delete it to start afresh")
        }
        let data: Data
        do {
            data = try Data(contentsOf: fileURL)
        } catch {
            throw unreadable("it cannot be read (\(Self.describe(error)))")
        }
        struct VersionProbe: Decodable { var version: Int }
        guard let probe = try? JSONDecoder().decode(VersionProbe.self, from: data) else {
            throw unreadable("it is not a mock holder state file")
        }
        guard probe.version <= PersistedHolderState.currentVersion else {
            throw MockHolderError(
                .incompatibleState,
                reason: "the state file \(path) has version \(probe.version), newer than this build's "
                    + "\(PersistedHolderState.currentVersion); run the newer cdr-mock-holder, or use another state "
                    + "directory. The file was left unchanged")
        }
        guard probe.version >= 1, let state = try? JSONDecoder().decode(PersistedHolderState.self, from: data) else {
            throw unreadable("it is damaged or incomplete")
        }
        lastWritten.withLock { $0 = data }
        ports.withLock { $0 = state.ports }
        return state
    }

    private func unreadable(_ why: String) -> MockHolderError {
        MockHolderError(
            .unreadableState,
            reason: "the state file \(fileURL.path) cannot be used: \(why). It was left unchanged; fix or delete it "
                + "(deleting it starts a fresh holder with a new CA, new clients and new ports)")
    }

    // MARK: Writing

    /// Writes the snapshot `makeState` returns, unless it equals the last one written.
    /// - Parameter makeState: Builds the snapshot; called under the store's lock.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/stateNotSaved``.
    func save(_ makeState: () throws -> PersistedHolderState) throws(MockHolderError) {
        try lastWritten.withLock { (last: inout Data?) throws(MockHolderError) in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data: Data
            do {
                data = try encoder.encode(makeState())
            } catch {
                throw notSaved("the state could not be encoded (\(Self.describe(error)))")
            }
            if data == last { return }
            try writeAtomically(data)
            last = data
        }
    }

    private func writeAtomically(_ data: Data) throws(MockHolderError) {
        try prepareDirectory()
        let temporary = directory.appendingPathComponent(".\(Self.fileName).\(UUID().uuidString).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw notSaved("a temporary file cannot be created (\(Self.describe(errno: errno)))")
        }
        var failure: Int32?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == nil { failure = errno }
        if failure == nil, rename(temporary, fileURL.path) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw notSaved("it cannot be written (\(Self.describe(errno: failure)))")
        }
        // The rename itself survives a crash only once the directory is flushed too.
        let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }

    /// Creates the directory with mode 0700, or tightens an existing one that holds nothing but the state file.
    private func prepareDirectory() throws(MockHolderError) {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            do {
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw notSaved("the directory cannot be created (\(Self.describe(error)))")
            }
            return
        }
        guard isDirectory.boolValue else { throw notSaved("\(directory.path) is not a directory") }
        let mode = (try? files.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int) ?? 0o777
        guard mode & 0o077 != 0 else { return }
        let entries = (try? files.contentsOfDirectory(atPath: directory.path)) ?? []
        guard entries.allSatisfy({ $0 == Self.fileName || $0.hasPrefix(".\(Self.fileName).") }) else {
            throw notSaved(
                "the directory \(directory.path) is open to other users and holds other files; use a directory "
                    + "only you can read (chmod 700 \(directory.path)) or an empty one")
        }
        guard chmod(directory.path, 0o700) == 0 else {
            throw notSaved("the directory cannot be made owner-only (\(Self.describe(errno: errno)))")
        }
    }

    private func notSaved(_ why: String) -> MockHolderError {
        MockHolderError(
            .stateNotSaved,
            reason: "the state file \(fileURL.path) was not saved: \(why). Check the disk and the state directory; "
                + "until it is saved, a restarted holder will not know the latest changes")
    }

    private static func describe(errno code: Int32) -> String { String(cString: strerror(code)) }

    /// A file system error without its user info (which could carry more than the path).
    private static func describe(_ error: any Error) -> String {
        let error = error as NSError
        if let posix = error.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return describe(errno: Int32(posix.code))
        }
        return "\(error.domain) \(error.code)"
    }
}
