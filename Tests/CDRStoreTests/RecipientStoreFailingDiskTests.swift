import CDRAccountData
import CDRAuth
import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 15: a write that fails midway (a full file, a read-only file or folder) leaves the previous state intact and
/// throws a typed ``StoreError``, through the public ``RecipientStore`` API on a real SQLite file.
@Suite("RecipientStore on a failing disk: a full file, a read-only file or folder")
struct RecipientStoreFailingDiskTests {
    static let brand = "bank"

    /// What the test wrote and saw succeed, to compare with what the file holds afterwards.
    struct Written {
        var arrangements: [ArrangementRecord] = []
        var records: [DataScope: [StoredRecord]] = [:]
        /// The audit events (name and scope) of every call that returned.
        var audit: [String] = []

        /// Checks that `store` holds exactly what was written, nothing of a failed call and nothing less.
        func expectHeld(by store: RecipientStore, _ comment: Comment) async throws {
            let tokens = store.tokenStore(holderBrandID: RecipientStoreFailingDiskTests.brand)
            for record in arrangements {
                #expect(try await tokens.load(arrangementID: record.arrangement.id) == record, comment)
            }
            #expect(
                try await store.arrangements(holderBrandID: RecipientStoreFailingDiskTests.brand).count
                    == arrangements.count, comment)
            for (scope, kept) in records {
                #expect(try await store.records(in: scope) == kept, comment)
            }
            #expect(try await store.auditTrail().map { "\($0.event.name)@\($0.scope ?? "-")" } == audit, comment)
        }
    }

    static func withFolder(_ body: (URL) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("failing-disk-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await body(folder)
    }

    static func arrangement(_ id: String) -> ArrangementRecord {
        let at = Date(timeIntervalSince1970: 1_750_000_000)
        return ArrangementRecord(
            arrangement: Arrangement(
                id: id, holderIssuer: "https://bank.example", clientID: "client-1", subject: "ppid-\(id)",
                scopes: ["bank:accounts.basic:read"], sharingExpiresAt: at.addingTimeInterval(86_400 * 90),
                authorisedAt: at),
            tokens: TokenSet(
                accessToken: "secret-access-\(id)", accessTokenExpiresAt: at.addingTimeInterval(300),
                refreshToken: "secret-refresh-\(id)", sharingExpiresAt: at.addingTimeInterval(86_400 * 90),
                scopes: ["bank:accounts.basic:read"], idToken: nil))
    }

    static func accounts(_ count: Int, of id: String) -> [StoredRecord] {
        (0..<count).map { index in
            .account(
                Account(
                    id: AccountKey(rawValue: "\(id)-\(index)"), sourceAccountID: "src-\(id)-\(index)",
                    displayName: "Everyday \(index) " + String(repeating: "x", count: 200), maskedNumber: "xxxx 1234",
                    category: .transactionAndSavings, productName: "Everyday",
                    provenance: .cdr(
                        .init(holderBrandID: brand, arrangementID: id, version: 2),
                        fetchedAt: Date(timeIntervalSince1970: 0))))
        }
    }

    /// Writes one arrangement: its record and tokens, a consent audit entry, and a batch of accounts; `written` gets
    /// each part once its call returned.
    static func writeArrangement(
        _ id: String, accounts count: Int, to store: RecipientStore, _ written: inout Written
    ) async throws {
        let scope = DataScope.arrangement(holderBrandID: brand, arrangementID: id)
        let record = arrangement(id)
        try await store.tokenStore(holderBrandID: brand).save(record)
        written.arrangements.append(record)
        try await store.record(
            .consentGiven(
                holderBrandID: brand, arrangementID: id, scopes: record.arrangement.scopes,
                sharingExpiresAt: record.arrangement.sharingExpiresAt),
            scope: scope)
        written.audit.append("consent.given@\(scope)")
        let batch = accounts(count, of: id)
        try await store.save(batch, in: scope)
        written.records[scope] = batch
    }

    @Test("a full file: the failing save throws .storageFull, every earlier row reads back, and the file reopens")
    func fullFile() async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let kek = try LocalKeyEncryptionKey.file(at: folder.appendingPathComponent("kek"))
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path, configuration: .init(maximumPageCount: 80)),
                keyEncryptionKey: kek)
            var written = Written()
            var failure: StoreError?
            var failedID: String?
            for index in 0..<200 {
                do {
                    try await Self.writeArrangement("arr-\(index)", accounts: 40, to: store, &written)
                } catch let error as StoreError {
                    failure = error
                    failedID = "arr-\(index)"
                    break
                }
            }
            let error = try #require(failure, "the file never filled up")
            #expect(error.code == .storageFull)
            #expect(error.reason.contains(path))
            #expect(!error.description.contains("secret"))
            #expect(written.arrangements.count >= 2, "the file filled up before two arrangements were kept")
            // Nothing of the failing call was kept: if the batch failed, its scope has no records.
            let failedScope = DataScope.arrangement(holderBrandID: Self.brand, arrangementID: try #require(failedID))
            if written.records[failedScope] == nil {
                #expect(try await store.count(in: failedScope) == 0)
            }
            try await written.expectHeld(by: store, "after the failure")
            try await store.close()

            // Reopened without the cap, as after freeing the disk: everything reads back and writing works again.
            let reopened = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
            try await written.expectHeld(by: reopened, "after reopening")
            try await Self.writeArrangement("arr-after", accounts: 40, to: reopened, &written)
            try await written.expectHeld(by: reopened, "after writing again")
            try await reopened.close()
        }
    }

    /// Where the read-only test takes away write access.
    enum ReadOnlyPart: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case file, folder
        var testDescription: String { "read-only \(rawValue)" }
    }

    @Test(
        "a read-only file or folder: the write (or the open) throws .ioFailure, and nothing is lost",
        arguments: ReadOnlyPart.allCases)
    func readOnly(_ part: ReadOnlyPart) async throws {
        try await Self.withFolder { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let kek = try LocalKeyEncryptionKey.file(at: folder.appendingPathComponent("kek"))
            var written = Written()
            let store = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
            try await Self.writeArrangement("arr-0", accounts: 5, to: store, &written)
            try await Self.writeArrangement("arr-1", accounts: 5, to: store, &written)
            try await store.close()

            let target = part == .file ? path : folder.path
            let lock = try WriteLock(target, isFolder: part == .folder)
            // Given back however the test ends, so the folder can be removed.
            defer { try? lock.release() }
            var failure: StoreError?
            do {
                let readOnly = try await RecipientStore.open(
                    backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
                do {
                    var ignored = Written()
                    try await Self.writeArrangement("arr-2", accounts: 5, to: readOnly, &ignored)
                } catch let error as StoreError {
                    failure = error
                    // What was there still reads while the file cannot be written.
                    try await written.expectHeld(by: readOnly, "while read-only")
                }
                try? await readOnly.close()
            } catch let error as StoreError {
                failure = error
            }
            try lock.release()
            let error = try #require(failure, "a write to a read-only \(part.rawValue) succeeded")
            #expect(error.code == .ioFailure, "\(error)")
            #expect(!error.description.contains("secret"))

            let reopened = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: kek)
            #expect(try await reopened.tokenStore(holderBrandID: Self.brand).load(arrangementID: "arr-2") == nil)
            try await written.expectHeld(by: reopened, "after write access came back")
            try await reopened.close()
        }
    }
}

/// Takes write access to a file or folder away: `chmod` (0400 or 0500), and where the process's privileges ignore
/// modes (root), the immutable attribute as well (`chattr +i`, Linux). ``release()`` gives it back.
struct WriteLock {
    let path: String
    let mode: Int
    let usesImmutableAttribute: Bool

    init(_ path: String, isFolder: Bool) throws {
        self.path = path
        self.mode = try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0o700
        try FileManager.default.setAttributes([.posixPermissions: isFolder ? 0o500 : 0o400], ofItemAtPath: path)
        if access(path, W_OK) == 0 {
            try Self.chattr("+i", path)
            usesImmutableAttribute = true
            guard access(path, W_OK) != 0 else {
                try? Self.chattr("-i", path)
                throw WriteLockFailure(description: "\(path) stays writable even when immutable")
            }
        } else {
            usesImmutableAttribute = false
        }
    }

    func release() throws {
        if usesImmutableAttribute { try Self.chattr("-i", path) }
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    private static func chattr(_ flag: String, _ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag, path]
        do {
            try process.run()
        } catch {
            throw WriteLockFailure(description: "file modes are not enforced and chattr cannot run: \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WriteLockFailure(description: "chattr \(flag) \(path) failed (\(process.terminationStatus))")
        }
    }
}

/// The test could not take write access away (not a failure of the store).
struct WriteLockFailure: Error, CustomStringConvertible {
    var description: String
}
