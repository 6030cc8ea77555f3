import CDRAccountData
import CDRAuth
import CDRClient
import CDRMockData
import CDRMockHolder
import CDRStore
import CDRTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 15: a recipient process killed with `SIGKILL` while it refreshes loses no usable token set, because the new
/// set is saved to the store before anything uses it.
///
/// The mock holder runs in this process; the recipient is `CDRStoreCrashProbe`, a child process with the same SQLite
/// file, key-encryption key file, client identity and product key, which refreshes one arrangement in a loop (and
/// uses each new access token for an accounts call). Each round kills it after a different number of refreshes and a
/// different delay, then opens the file again and uses what it finds at the holder.
@Suite("Durable store: a recipient killed with SIGKILL mid-refresh", .serialized, .timeLimit(.minutes(5)))
struct StoreCrashTests {
    /// When each round kills the child: after its `n`-th completed refresh, plus a delay.
    static let kills: [(afterRefreshes: Int, delay: Duration)] = [
        (1, .zero), (2, .milliseconds(3)), (1, .milliseconds(11)), (3, .milliseconds(23)), (2, .milliseconds(47)),
    ]

    @Test(
        "rotation on first use: after each of 5 kills, the stored tokens read accounts and refresh at the holder")
    func killedWhileRefreshingWithRotationOnFirstUse() async throws {
        try await CrashRig.run(rotation: .onFirstUse) { rig in try await Self.killRounds(rig) }
    }

    /// Kills the child once per ``kills`` entry; after each, the stored tokens must be usable.
    static func killRounds(_ rig: CrashRig) async throws {
        var arrangementID = try rig.world.arrangement.id
        for (round, kill) in kills.enumerated() {
            let refreshes = try await rig.runChild(
                arrangementID: arrangementID, killAfter: kill.afterRefreshes, delay: kill.delay)
            #expect(refreshes >= kill.afterRefreshes, "round \(round)")
            let outcome = try await rig.checkStoredTokens(arrangementID: arrangementID)
            #expect(outcome == .usable, "round \(round): \(outcome)")
            if outcome != .usable { arrangementID = try await rig.world.consent().id }
        }
    }

    @Test(
        "rotation on issue: after each kill the stored tokens work, or only the answer in flight was lost")
    func killedWhileRefreshingWithRotationOnIssue() async throws {
        try await CrashRig.run(rotation: .onIssue) { rig in
            var arrangementID = try rig.world.arrangement.id
            var lost = 0
            for (round, kill) in Self.kills.enumerated() {
                _ = try await rig.runChild(
                    arrangementID: arrangementID, killAfter: kill.afterRefreshes, delay: kill.delay)
                let outcome = try await rig.checkStoredTokens(arrangementID: arrangementID)
                // The only loss allowed: the holder rotated on a refresh whose new set was never used, i.e. its
                // answer never reached the store (the process died with the response in flight).
                #expect(outcome == .usable || outcome == .lostInFlight, "round \(round): \(outcome)")
                if outcome != .usable {
                    lost += 1
                    arrangementID = try await rig.world.consent().id
                }
            }
            print("rotation on issue: \(Self.kills.count - lost) of \(Self.kills.count) kills left a usable set")
        }
    }
}

/// Issue 16: the same kills with the recipient's state in PostgreSQL (the child reaches the database over its own
/// connections; its advisory-lock transaction dies with it).
extension PostgresInstancesTests {
    /// Nested in the PostgreSQL suite, so it is skipped (with the suite's one line) without a server.
    @Suite("PostgreSQL: a recipient killed with SIGKILL mid-refresh or mid-sync", .serialized, .timeLimit(.minutes(5)))
    struct Crashes {
        @Test(
            "killed mid-sync: another instance resumes from the checkpoints; every transaction is kept once, none is lost"
        )
        func killedMidSyncResumedByAnotherInstance() async throws {
            let dataset = MockDataset.Configuration(
                customerCount: 1, accountsPerCustomer: 3, transactionsPerAccount: 2500)
            try await PostgresTestServer.withScratchDatabase { url in
                try await CrashRig.run(rotation: .onFirstUse, storage: .postgres(url), dataset: dataset) { rig in
                    let arrangement = try rig.world.arrangement
                    let period = try rig.world.wholeHistory
                    let output = try await rig.runChild(
                        arrangementID: arrangement.id,
                        arguments: [
                            "--mode", "sync", "--from", "\(period.start.timeIntervalSince1970)",
                            "--to", "\(period.end.timeIntervalSince1970)",
                        ],
                        delay: .milliseconds(30)
                    ) { CrashRig.lines($0, "synced ") >= 1 }
                    #expect(!output.contains("done"), "the child finished before it was killed")
                    let syncedByChild = CrashRig.lines(output, "synced ")

                    // Another instance, with a store of its own on the same database.
                    let store = try await CrashRig.openStore(rig.storage, folder: rig.folder, kekFile: rig.kekFile)
                    var configuration = rig.world.client.configuration
                    configuration.store = store
                    configuration.recordStore = store
                    let bank = try await CDRClient(configuration: configuration, transport: rig.world.base)
                        .connect(brand: rig.world.brand)
                    let scope = bank.scope(of: arrangement.id)
                    let keptBefore = try await store.count(in: scope)
                    #expect(keptBefore >= dataset.transactionsPerAccount * syncedByChild)
                    let results = try await bank.syncTransactions(of: arrangement, in: period)
                    #expect(results.count == dataset.accountsPerCustomer)
                    let resumed = results.prefix(syncedByChild)
                    #expect(resumed.allSatisfy { $0.resumed })
                    #expect(resumed.allSatisfy { $0.records < dataset.transactionsPerAccount })
                    let kept = try await store.count(in: scope)
                    #expect(kept == dataset.accountsPerCustomer * dataset.transactionsPerAccount)
                    try await store.close()
                }
            }
        }

        @Test(
            "rotation on first use, PostgreSQL: after each of 5 kills, the stored tokens work and refresh at the holder"
        )
        func killedWhileRefreshingOnPostgres() async throws {
            try await PostgresTestServer.withScratchDatabase { url in
                try await CrashRig.run(rotation: .onFirstUse, storage: .postgres(url)) { rig in
                    try await StoreCrashTests.killRounds(rig)
                }
            }
        }
    }
}

extension StoreCrashTests {
    @Test(
        "the mock holder's rotation: the presented refresh token dies on issue, or once the new set is used",
        arguments: [MockDataHolder.RefreshTokenRotation.onIssue, .onFirstUse])
    func mockHolderRotation(_ rotation: MockDataHolder.RefreshTokenRotation) async throws {
        var configuration = MockDataHolder.Configuration(
            dataset: .init(customerCount: 1, accountsPerCustomer: 2, transactionsPerAccount: 5))
        configuration.refreshTokenRotation = rotation
        try await withMockDataHolder(MockWorld.Options(holderConfiguration: configuration)) { world in
            let holder = try world.holder
            let arrangement = try world.arrangement
            let tokens = world.client.configuration.tokenStore(for: world.brand.id)
            let first = try #require(try await tokens.load(arrangementID: arrangement.id)?.tokens?.refreshToken)
            let manager = await world.holderClient.connection.tokenManager(for: arrangement.id)
            let second = try #require(try await manager.refresh().refreshToken)
            #expect(second != first)
            #expect(holder.refreshTokenState(first)?.wasRotated == true)
            #expect(holder.refreshTokenState(first)?.isLive == (rotation == .onFirstUse))
            #expect(holder.refreshTokenState(first)?.successorUsed == false)
            // The new access token, accepted at a resource, is the new set's first use.
            _ = try await world.holderClient.accountData(for: arrangement).accounts()
            #expect(holder.refreshTokenState(first)?.isLive == false)
            #expect(holder.refreshTokenState(first)?.successorUsed == true)
            #expect(holder.refreshTokenState(second)?.isLive == true)
        }
    }
}

/// A mock holder in this process, a consent kept in an SQLite file, and the files the child process needs.
struct CrashRig: Sendable {
    /// What a round found in the store after the kill.
    enum Outcome: Sendable, Hashable, CustomStringConvertible {
        /// The stored refresh token is live, the stored access token read accounts, a refresh succeeded (and was
        /// saved) and its access token read accounts again.
        case usable
        /// The stored refresh token was rotated at the holder by a refresh whose new set was never used; the SDK's
        /// next refresh was refused and it ended the arrangement (no tokens left in the store).
        case lostInFlight
        /// Anything else (a lost set the holder never rotated, a missing record, a failed call).
        case failed(String)

        var description: String {
            switch self {
            case .usable: "usable"
            case .lostInFlight: "lost in flight"
            case .failed(let why): "failed: \(why)"
            }
        }
    }

    /// Where the parent and the child keep the recipient's state.
    enum Storage: Sendable {
        /// An SQLite file in the rig's folder.
        case sqlite
        /// A PostgreSQL database.
        case postgres(PostgresURL)
    }

    let world: MockWorld
    let folder: URL
    let storage: Storage
    let kekFile: URL

    var storePath: String { folder.appendingPathComponent("recipient.sqlite").path }

    /// Opens the rig's store (as the parent, or as a restarted recipient would).
    static func openStore(_ storage: Storage, folder: URL, kekFile: URL) async throws -> RecipientStore {
        let key = try LocalKeyEncryptionKey.file(at: kekFile)
        switch storage {
        case .sqlite:
            return try await RecipientStore.sqlite(
                path: folder.appendingPathComponent("recipient.sqlite").path, keyEncryptionKey: key)
        case .postgres(let url):
            return try await RecipientStore.postgres(url: url, keyEncryptionKey: key)
        }
    }

    static func run(
        rotation: MockDataHolder.RefreshTokenRotation, storage: Storage = .sqlite,
        dataset: MockDataset.Configuration = .init(customerCount: 1, accountsPerCustomer: 2, transactionsPerAccount: 5),
        _ body: @Sendable (CrashRig) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-crash-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let kekFile = folder.appendingPathComponent("kek")
        let store = try await openStore(storage, folder: folder, kekFile: kekFile)
        var configuration = MockDataHolder.Configuration(dataset: dataset)
        configuration.refreshTokenRotation = rotation
        let options = MockWorld.Options(
            holderConfiguration: configuration, productID: "sp-crash", store: store, recordStore: store)
        do {
            try await withMockDataHolder(options) { world in
                let rig = CrashRig(world: world, folder: folder, storage: storage, kekFile: kekFile)
                try rig.writeChildFiles()
                try await body(rig)
            }
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    private func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// The holder's CA and client identity, the product's signing key (owner-only) and the brand.
    private func writeChildFiles() throws {
        try world.holder.writeConnectionFiles(to: file("holder"))
        let key = file("signing-key.pem")
        guard
            FileManager.default.createFile(
                atPath: key.path, contents: Data(world.product.signingKey.pemRepresentation.utf8),
                attributes: [.posixPermissions: 0o600])
        else { throw CrashProbeFailure("cannot write \(key.path)") }
        try JSONEncoder().encode(world.brand).write(to: file("brand.json"))
    }

    /// Starts the child on `arrangementID`, waits for its `afterRefreshes`-th refresh line, waits `delay`, kills it
    /// with `SIGKILL`, and returns how many refreshes it had reported.
    func runChild(arrangementID: String, killAfter afterRefreshes: Int, delay: Duration) async throws -> Int {
        try await runChild(arrangementID: arrangementID, arguments: [], delay: delay) { output in
            Self.lines(output, "refreshed ") >= afterRefreshes
        }
        return Self.refreshes(in: file("child.out"))
    }

    /// Starts the child on `arrangementID` with `arguments` added, waits until its output satisfies `until`, waits
    /// `delay`, kills it with `SIGKILL`, and returns its output.
    @discardableResult
    func runChild(
        arrangementID: String, arguments: [String], delay: Duration, until: (String) -> Bool
    ) async throws -> String {
        let output = file("child.out")
        let errors = file("child.err")
        for url in [output, errors] {
            try? FileManager.default.removeItem(at: url)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let process = Process()
        process.executableURL = try Self.probeExecutable()
        process.arguments =
            [
                "--store", storeArgument, "--kek", kekFile.path, "--ca", file("holder/ca.pem").path,
                "--identity", file("holder/identity.pem").path, "--signing-key", file("signing-key.pem").path,
                "--signing-key-id", world.product.signingKey.keyID, "--product-id", world.product.softwareProductID,
                "--product-brand-id", world.product.brandID, "--redirect-uri", world.product.redirectURIs[0],
                "--brand", file("brand.json").path, "--arrangement", arrangementID,
            ] + arguments
        if case .postgres(let url) = storage {
            var environment = ProcessInfo.processInfo.environment
            environment["CDRKIT_PROBE_POSTGRES_URL"] = PostgresTestServer.connectionString(for: url)
            process.environment = environment
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        do {
            let deadline = ContinuousClock.now + .seconds(120)
            while !until(Self.contents(of: output)) {
                guard process.isRunning else {
                    throw CrashProbeFailure(
                        "the child exited (\(process.terminationStatus)) before the moment to kill it: "
                            + Self.contents(of: errors))
                }
                guard ContinuousClock.now < deadline else {
                    throw CrashProbeFailure("the child did not reach the moment to kill it within 120 s")
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            if delay > .zero { try await Task.sleep(for: delay) }
        } catch {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw error
        }
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        // Killed while it ran, not exited on its own (an error would have ended it with status 1).
        #expect(process.terminationReason == .uncaughtSignal, "\(Self.contents(of: errors))")
        #expect(process.terminationStatus == SIGKILL)
        return Self.contents(of: output)
    }

    /// The child's `--store`: the SQLite file, or `postgres` (the URL goes in its environment).
    private var storeArgument: String {
        if case .postgres = storage { return "postgres" }
        return storePath
    }

    /// Opens the store again (as a restarted recipient would) and uses what it holds for `arrangementID`.
    func checkStoredTokens(arrangementID: String) async throws -> Outcome {
        let store = try await Self.openStore(storage, folder: folder, kekFile: kekFile)
        do {
            let outcome = try await check(arrangementID, in: store)
            try await store.close()
            return outcome
        } catch {
            try? await store.close()
            throw error
        }
    }

    private func check(_ arrangementID: String, in store: RecipientStore) async throws -> Outcome {
        let tokens = store.tokenStore(holderBrandID: world.brand.id)
        guard let stored = try await tokens.load(arrangementID: arrangementID)?.tokens,
            let refreshToken = stored.refreshToken
        else { return .failed("no token set with a refresh token is stored") }
        guard let state = try world.holder.refreshTokenState(refreshToken) else {
            return .failed("the holder never issued the stored refresh token")
        }
        var configuration = world.client.configuration
        configuration.store = store
        let client = CDRClient(configuration: configuration, transport: world.base)
        // The registration is read back from the file too.
        let holder = try await client.connect(brand: world.brand)
        guard let arrangement = try await holder.arrangement(id: arrangementID) else {
            return .failed("the store has no arrangement \(arrangementID)")
        }
        let manager = await holder.connection.tokenManager(for: arrangementID)
        guard state.isLive else {
            guard state.wasRotated, !state.successorUsed else {
                return .failed("the stored refresh token is dead (rotated: \(state.wasRotated))")
            }
            do {
                try await manager.refresh()
                return .failed("the holder accepted a refresh token it had rotated")
            } catch let error as AuthorizationError where error.code == .arrangementRevoked {
                let after = try await tokens.load(arrangementID: arrangementID)
                guard after?.tokens == nil else { return .failed("the refused tokens are still stored") }
                return .lostInFlight
            }
        }
        let data = await holder.accountData(for: arrangement)
        guard try await !data.accounts().isEmpty else { return .failed("no accounts with the stored access token") }
        let refreshed = try await manager.refresh()
        guard refreshed.refreshToken != refreshToken,
            try await tokens.load(arrangementID: arrangementID)?.tokens?.refreshToken == refreshed.refreshToken
        else { return .failed("the refresh did not rotate, or its set was not saved") }
        guard try await !data.accounts().isEmpty else { return .failed("no accounts after the refresh") }
        return .usable
    }

    /// The number of `refreshed <n>` lines the child has written so far.
    private static func refreshes(in output: URL) -> Int { lines(contents(of: output), "refreshed ") }

    /// The number of lines of `output` that start with `prefix`.
    static func lines(_ output: String, _ prefix: String) -> Int {
        output.split(separator: "\n").filter { $0.hasPrefix(prefix) }.count
    }

    private static func contents(of url: URL) -> String {
        FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// `CDRStoreCrashProbe`, built next to the test bundle (the test target depends on it).
    static func probeExecutable() throws -> URL {
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        folders.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent())
        for folder in folders {
            // Linux: the bundle is an executable in the products folder; macOS: a bundle, two levels deeper.
            for candidate in [folder, folder.deletingLastPathComponent().deletingLastPathComponent()] {
                let probe = candidate.appendingPathComponent("CDRStoreCrashProbe")
                if FileManager.default.isExecutableFile(atPath: probe.path) { return probe }
            }
        }
        throw CrashProbeFailure("CDRStoreCrashProbe is not next to the test bundle; build with --build-tests")
    }
}

/// A failure of the test rig itself (not of the code under test).
struct CrashProbeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
