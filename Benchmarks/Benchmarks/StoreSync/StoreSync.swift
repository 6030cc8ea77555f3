import Benchmark
import CDRAccountData
import CDRBanking
import CDRClient
import CDRMockHolder
import CDRStore
import CDRStoreSQLite
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation

/// What it costs to keep every synced record in the recipient's SQLite store.
///
/// Each benchmark runs the same sync as `TransactionSync` (one arrangement's whole history from the in-process mock
/// holder over mutual TLS on loopback, pages of 1,000, through `CDRAccountDataSource`), and hands each page, as it
/// arrives, to one of five sinks:
///
/// - `keeping nothing`: the page is dropped (the baseline).
/// - `keeping every record in SQLite`: the SDK's way, `RecipientStore.withRecordWriter(in:)` on an SQLite file in
///   a temporary folder (the default `SQLiteStoreBackend.Configuration`, a random local key-encryption key): pages
///   are gathered into batches of 10,000 that are sealed (JSON, a keyed row name and AES-GCM per record) and written
///   in one transaction each, in the background while the next pages are fetched.
/// - `keeping every record in SQLite, page by page`: `RecipientStore.save(_:in:)` of each page of 1,000 before the
///   next page is fetched (what a caller without the writer does).
/// - `sealing only`: the same `RecipientStore.save(_:in:)` on a backend that drops the sealed rows, so only the
///   encoding and sealing are left.
/// - `keeping every record in PostgreSQL`: the SDK's way on `RecipientStore.postgres(url:keyEncryptionKey:)`, a
///   new database on the server `CDRKIT_POSTGRES_URL` names (only when it is set).
/// - `SQLite rows only`: rows sealed once from the first page, written page by page straight into
///   `SQLiteStoreBackend` under new row keys that scatter through the index as real ones do, so only SQLite's part is left.
///
/// The target (issue 15): keeping every record costs at most 1.3x the sync keeping nothing, and peak resident memory
/// stays flat (1,000,000 records within 1.5x of the 10,000 peak). `records/s` is the custom metric.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .custom("records/s", polarity: .prefersLarger)],
        warmupIterations: 0,
        maxDuration: .seconds(900),
        maxIterations: 1
    )

    for count in counts {
        for sink in Sink.allCases where sink != .postgres || PostgresTestServer.url != nil {
            Benchmark("\(count.formatted()) transactions, \(sink.rawValue)") { benchmark in
                let kept = try await sync(transactions: count, into: sink, benchmark: benchmark)
                precondition(kept == count, "kept \(kept) of \(count)")
            }
        }
    }
}

/// The sizes to sync: 10,000 and 1,000,000, or those listed in `STORESYNC_COUNTS` (for example `100000,200000`, to
/// profile at a size between).
let counts: [Int] = {
    let listed = ProcessInfo.processInfo.environment["STORESYNC_COUNTS"].map {
        $0.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
    return listed.flatMap { $0.isEmpty ? nil : $0 } ?? [10_000, 1_000_000]
}()

/// Where each synced page goes.
enum Sink: String, CaseIterable {
    case nothing = "keeping nothing"
    case recipientStore = "keeping every record in SQLite"
    case postgres = "keeping every record in PostgreSQL"
    case pageByPage = "keeping every record in SQLite, page by page"
    case sealingOnly = "sealing only"
    case rowsOnly = "SQLite rows only"
}

/// A token provider that hands out the mock grant's access token.
struct GrantToken: AccessTokenProvider {
    let token: String
    func accessToken() async throws -> String { token }
    func accessToken(afterRejecting rejected: String) async throws -> String { token }
}

/// Syncs `count` transactions, hands every page of 1,000 to `sink`, and returns how many records the sink kept (or
/// saw, for the sinks that keep nothing).
func sync(transactions count: Int, into sink: Sink, benchmark: Benchmark) async throws -> Int {
    let history = Duration.seconds(365 * 86_400)
    let configuration = MockDataHolder.Configuration(
        dataset: .init(customerCount: 1, accountsPerCustomer: 1, transactionsPerAccount: count, history: history),
        accessTokenLifetime: .seconds(3_600), maximumPageSize: 1_000)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("storesync-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await MockDataHolder(configuration: configuration).withRunning { holder in
        guard let endpoints = holder.endpoints else { throw SetupError() }
        let grant = try holder.makeGrant(boundTo: try holder.pki.client.thumbprint(), lifetime: .seconds(3_600))
        let scope = DataScope.arrangement(holderBrandID: "mock", arrangementID: grant.arrangementID)
        let keeper = try await Keeper.open(sink, scope: scope, folder: folder)
        let transportConfiguration = AsyncHTTPClientTransport.Configuration(
            mutualTLS: .init(identity: try holder.pki.clientIdentity(), trustRoots: try holder.pki.trustRoots),
            publicTrustRoots: try holder.pki.trustRoots, requestTimeout: .seconds(60))
        let seen = try await AsyncHTTPClientTransport.withTransport(configuration: transportConfiguration) { base in
            let transport = MiddlewareTransport.standard(base, accessTokens: GrantToken(token: grant.accessToken))
            guard let resources = URL(string: endpoints.resourceBaseURL),
                let publicResources = URL(string: endpoints.publicResourceBaseURL)
            else { throw SetupError() }
            let banking = BankingClient(
                configuration: .init(
                    resourceBaseURL: resources, publicBaseURL: publicResources, holderBrandID: "mock", pageSize: 1_000),
                context: .unattended(authenticatedAt: Date()), transport: transport)
            let source = CDRAccountDataSource(
                holderBrandID: "mock", arrangementID: grant.arrangementID, banking: banking)
            guard let account = try await source.accounts().first else { throw SetupError() }
            let end = holder.dataset.configuration.referenceDate.addingTimeInterval(1)
            let period = DateInterval(
                start: end.addingTimeInterval(-Double(history.components.seconds) - 86_400), end: end)
            let clock = ContinuousClock()
            let started = clock.now
            let cpuStarted = cpuSeconds()
            benchmark.startMeasurement()
            var seen = 0
            var waited = Duration.zero
            try await keeper.run { keep in
                var page: [StoredRecord] = []
                page.reserveCapacity(1_000)
                for try await transaction in source.transactions(of: account.id, in: period) {
                    page.append(.transaction(transaction))
                    if page.count == 1_000 {
                        let handedOn = clock.now
                        try await keep(page)
                        waited += clock.now - handedOn
                        seen += page.count
                        page.removeAll(keepingCapacity: true)
                    }
                }
                if !page.isEmpty {
                    try await keep(page)
                    seen += page.count
                }
            }
            benchmark.stopMeasurement()
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(.custom("records/s", polarity: .prefersLarger), Int(Double(seen) / seconds))
            log(sink: sink, count: count, wall: seconds, cpu: cpuSeconds() - cpuStarted, waited: waited)
            return seen
        }
        let kept = try await keeper.kept() ?? seen
        try await keeper.close()
        return kept
    }
}

/// One sink, opened on a new SQLite file in `folder` where it needs one.
struct Keeper {
    let sink: Sink
    let scope: DataScope
    let store: RecipientStore?
    let backend: SQLiteStoreBackend?
    let rows: RowWriter?
    var scratch: PostgresURL?

    static func open(_ sink: Sink, scope: DataScope, folder: URL) async throws -> Keeper {
        let path = folder.appendingPathComponent("store.sqlite").path
        switch sink {
        case .nothing:
            return Keeper(sink: sink, scope: scope, store: nil, backend: nil, rows: nil)
        case .recipientStore, .pageByPage:
            let backend = try await SQLiteStoreBackend.open(path: path)
            let store = try await RecipientStore.open(
                backend: backend, keyEncryptionKey: LocalKeyEncryptionKey.random())
            return Keeper(sink: sink, scope: scope, store: store, backend: backend, rows: nil)
        case .postgres:
            let scratch = try await PostgresTestServer.makeScratchDatabase()
            let store = try await RecipientStore.postgres(
                url: scratch, keyEncryptionKey: LocalKeyEncryptionKey.random())
            return Keeper(sink: sink, scope: scope, store: store, backend: nil, rows: nil, scratch: scratch)
        case .sealingOnly:
            let store = try await RecipientStore.open(
                backend: RecordDroppingBackend(), keyEncryptionKey: LocalKeyEncryptionKey.random())
            return Keeper(sink: sink, scope: scope, store: store, backend: nil, rows: nil)
        case .rowsOnly:
            let backend = try await SQLiteStoreBackend.open(path: path)
            return Keeper(sink: sink, scope: scope, store: nil, backend: backend, rows: RowWriter(backend: backend))
        }
    }

    /// Runs the sync `body`, handing it what keeps each page: the record writer for `keeping every record in
    /// SQLite` (waiting for its last batch before returning), the sink's own step otherwise.
    func run(_ body: (_ keep: ([StoredRecord]) async throws -> Void) async throws -> Void) async throws {
        if sink == .recipientStore || sink == .postgres, let store {
            try await store.withRecordWriter(in: scope) { writer in try await body { try await writer.write($0) } }
        } else {
            try await body { try await keep($0) }
        }
    }

    func keep(_ page: [StoredRecord]) async throws {
        switch sink {
        case .nothing: blackHole(page)
        case .recipientStore, .pageByPage, .sealingOnly, .postgres: try await store?.save(page, in: scope)
        case .rowsOnly: try await rows?.write(page, scope: scope.description)
        }
    }

    /// How many records the SQLite file holds, read back after the measurement (`nil` for the sinks without one).
    func kept() async throws -> Int? {
        switch sink {
        case .nothing, .sealingOnly: nil
        case .recipientStore, .pageByPage, .postgres: try await store?.count(in: scope)
        case .rowsOnly: try await backend?.recordCount(scope: scope.description)
        }
    }

    func close() async throws {
        if let store { try await store.close() } else { try await backend?.close() }
        if let scratch { try await PostgresTestServer.dropScratchDatabase(scratch) }
    }
}

/// Writes pages of rows straight into the backend: the first page is sealed (by a `RecipientStore` on a backend that
/// drops rows) to get real sealed values, and every page reuses them under new row keys.
actor RowWriter {
    let backend: SQLiteStoreBackend
    private var templates: [[UInt8]] = []
    private var written = 0

    init(backend: SQLiteStoreBackend) { self.backend = backend }

    func write(_ page: [StoredRecord], scope: String) async throws {
        if templates.isEmpty {
            let dropping = RecordDroppingBackend()
            let sealer = try await RecipientStore.open(
                backend: dropping, keyEncryptionKey: LocalKeyEncryptionKey.random())
            try await sealer.save(page, in: .arrangement(holderBrandID: "mock", arrangementID: "templates"))
            templates = await dropping.lastSealed
        }
        var rows: [SealedRecord] = []
        rows.reserveCapacity(page.count)
        for _ in page {
            rows.append(
                SealedRecord(
                    recordKey: Self.scatteredKey(written),
                    sealed: templates[written % templates.count]))
            written += 1
        }
        try await backend.apply([.putRecords(scope: scope, records: rows)])
    }

    /// 32 hexadecimal digits that look random but are distinct for every `index`, as the store's keyed row names are
    /// (so the rows land at random places in the `(scope, record_key)` index, as real ones do).
    static func scatteredKey(_ index: Int) -> String {
        func mix(_ value: UInt64) -> UInt64 {  // splitmix64's finaliser: a bijection on 64 bits
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let high = mix(UInt64(index))
        let low = mix(high)
        return String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16)
    }
}

/// A backend that keeps everything but records in memory; it drops every record row (remembering the last batch's
/// sealed values).
actor RecordDroppingBackend: StoreBackend {
    static let schemaVersion = InMemoryStoreBackend.schemaVersion
    private let inner = InMemoryStoreBackend()
    private(set) var lastSealed: [[UInt8]] = []

    func apply(_ changes: [StoreChange]) async throws {
        var kept: [StoreChange] = []
        for change in changes {
            if case .putRecords(_, let records) = change {
                lastSealed = records.map(\.sealed)
            } else {
                kept.append(change)
            }
        }
        if !kept.isEmpty { try await inner.apply(kept) }
    }

    func metadata(_ name: String) async throws -> [UInt8]? { try await inner.metadata(name) }
    func dataKey(scope: String) async throws -> WrappedDataKey? { try await inner.dataKey(scope: scope) }
    func dataKeys() async throws -> [WrappedDataKey] { try await inner.dataKeys() }
    func item(kind: String, key: String) async throws -> StoreItem? { try await inner.item(kind: kind, key: key) }
    func items(kind: String) async throws -> [StoreItem] { try await inner.items(kind: kind) }
    func takeItem(kind: String, key: String) async throws -> StoreItem? {
        try await inner.takeItem(kind: kind, key: key)
    }
    func records(scope: String, after sequence: Int64, limit: Int) async throws -> [SealedRecord] { [] }
    func recordCount(scope: String) async throws -> Int { 0 }
    func auditEntries(scope: String?, after sequence: Int64, limit: Int) async throws -> [AuditRow] {
        try await inner.auditEntries(scope: scope, after: sequence, limit: limit)
    }
    func scopesWithoutKey() async throws -> [String] { [] }
    func close() async throws { try await inner.close() }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

struct SetupError: Error {}

/// The process's CPU time (user and system), in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Appends one line (`count`, sink, wall and CPU seconds to the millisecond) to the file `STORESYNC_LOG` names, when
/// it names one: the benchmark's own table rounds to whole seconds.
func log(sink: Sink, count: Int, wall: Double, cpu: Double, waited: Duration) {
    guard let path = ProcessInfo.processInfo.environment["STORESYNC_LOG"] else { return }
    let line =
        "\(count)\t\(sink.rawValue)\twall \((wall * 1000).rounded() / 1000)\tcpu \((cpu * 1000).rounded() / 1000)"
        + "\twaited \(waited.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 3))))\n"
    guard
        let handle = FileHandle(forWritingAtPath: path)
            ?? {
                FileManager.default.createFile(atPath: path, contents: nil)
                return FileHandle(forWritingAtPath: path)
            }()
    else { return }
    handle.seekToEndOfFile()
    handle.write(Data(line.utf8))
    try? handle.close()
}
