import CDRStore
import CDRStorePostgres
import CDRStoreSQLite
import CDRTesting
import Foundation
import Testing

/// One kind of ``StoreBackend`` the conformance suite runs against, and how to make a fresh, empty one.
///
/// To add a backend (PostgreSQL), add a kind to ``all`` whose factory makes an empty database and whose cleanup
/// drops it.
struct BackendKind: Sendable, CustomTestStringConvertible {
    /// The kind's name in test output.
    let name: String
    /// Makes an empty backend and the step that disposes of it (closing it again must be harmless).
    let make: @Sendable () async throws -> (backend: any StoreBackend, cleanup: @Sendable () async -> Void)

    var testDescription: String { name }

    static let memory = BackendKind(name: "memory") {
        (InMemoryStoreBackend(), {})
    }

    static let sqlite = BackendKind(name: "sqlite") {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdr-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            let backend = try await SQLiteStoreBackend.open(path: folder.appendingPathComponent("store.sqlite").path)
            return (
                backend,
                {
                    try? await backend.close()
                    try? FileManager.default.removeItem(at: folder)
                }
            )
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// A new database on the server of `CDRKIT_POSTGRES_URL`, dropped afterwards.
    static let postgres = BackendKind(name: "postgres") {
        let scratch = try await PostgresTestServer.makeScratchDatabase()
        do {
            let backend = try await PostgresStoreBackend.open(url: scratch)
            return (
                backend,
                {
                    try? await backend.close()
                    try? await PostgresTestServer.dropScratchDatabase(scratch)
                }
            )
        } catch {
            try? await PostgresTestServer.dropScratchDatabase(scratch)
            throw error
        }
    }

    /// Every kind the suite runs against: PostgreSQL too when `CDRKIT_POSTGRES_URL` names a server (the
    /// `PostgreSQL` suite says so when it does not).
    static let all: [BackendKind] = [.memory, .sqlite] + (PostgresTestServer.url == nil ? [] : [.postgres])

    /// Runs `body` with a fresh backend of this kind, disposing of it afterwards.
    func with(_ body: (any StoreBackend) async throws -> Void) async throws {
        let (backend, cleanup) = try await make()
        do {
            try await body(backend)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }
}

/// A fixed instant, in whole seconds (every backend keeps at least millisecond precision).
let epoch = Date(timeIntervalSince1970: 1_800_000_000)

func at(_ seconds: TimeInterval) -> Date { epoch.addingTimeInterval(seconds) }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func item(
    _ kind: String,
    _ key: String,
    scope: String = "arrangement bank/a",
    sealed: String = "sealed",
    expiresAt: Date? = nil
) -> StoreItem {
    StoreItem(kind: kind, key: key, scope: scope, sealed: bytes(sealed), expiresAt: expiresAt, updatedAt: at(0))
}

func records(_ keys: [String], value: String = "v") -> [SealedRecord] {
    keys.map { SealedRecord(recordKey: $0, sealed: bytes("\(value)-\($0)")) }
}

func wrappedKey(_ scope: String, _ kek: String = "kek-1", wrapped: String = "wrapped") -> WrappedDataKey {
    WrappedDataKey(scope: scope, keyEncryptionKeyID: kek, wrapped: bytes(wrapped), createdAt: at(0))
}

/// Expects `body` to throw a ``StoreError`` with `code`.
func expectStoreError(
    _ code: StoreError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    let error = await #expect(throws: StoreError.self, sourceLocation: sourceLocation) { try await body() }
    #expect(error?.code == code, sourceLocation: sourceLocation)
}

/// The behaviour every ``StoreBackend`` shares (the reference is ``InMemoryStoreBackend``).
@Suite(.timeLimit(.minutes(5)))
struct StoreBackendConformanceTests {
    @Test(arguments: BackendKind.all)
    func aBatchWhoseLastChangeFailsKeepsNothing(kind: BackendKind) async throws {
        try await kind.with { backend in
            let scope = "arrangement bank/a"
            try await backend.apply([
                .setMetadata(name: "check", value: bytes("one")),
                .putDataKey(wrappedKey(scope)),
                .putItem(item("arrangement", "a", scope: scope)),
                .putRecords(scope: scope, records: records(["r1"])),
                .appendAudit(AuditRow(at: at(0), scope: scope, event: "consent.given", details: bytes("{}"))),
                .recordJTI(issuer: "holder", jti: "j1", expiresAt: at(60), now: at(0), capacity: 10),
            ])

            await expectStoreError(.conflict) {
                try await backend.apply([
                    .setMetadata(name: "check", value: bytes("two")),
                    .deleteDataKey(scope: scope),
                    .putItem(item("arrangement", "b", scope: scope)),
                    .deleteItem(kind: "arrangement", key: "a"),
                    .putRecords(scope: scope, records: records(["r1", "r2"], value: "new")),
                    .appendAudit(AuditRow(at: at(1), scope: scope, event: "collection", details: bytes("{}"))),
                    .recordJTI(issuer: "holder", jti: "j2", expiresAt: at(60), now: at(1), capacity: 10),
                    .recordJTI(issuer: "holder", jti: "j1", expiresAt: at(60), now: at(1), capacity: 10),
                ])
            }

            #expect(try await backend.metadata("check") == bytes("one"))
            #expect(try await backend.dataKey(scope: scope) == wrappedKey(scope))
            #expect(try await backend.item(kind: "arrangement", key: "a") != nil)
            #expect(try await backend.item(kind: "arrangement", key: "b") == nil)
            let kept = try await backend.records(scope: scope, after: 0, limit: 10)
            #expect(kept.map(\.recordKey) == ["r1"])
            #expect(kept.map(\.sealed) == [bytes("v-r1")])
            #expect(try await backend.auditEntries(scope: nil, after: 0, limit: 10).map(\.event) == ["consent.given"])
            // j2 was part of the failed batch, so it was never recorded.
            try await backend.apply([
                .recordJTI(issuer: "holder", jti: "j2", expiresAt: at(60), now: at(2), capacity: 10)
            ])
        }
    }

    @Test(arguments: BackendKind.all)
    func metadataIsSetReplacedAndReadBack(kind: BackendKind) async throws {
        try await kind.with { backend in
            #expect(try await backend.metadata("check") == nil)
            try await backend.apply([.setMetadata(name: "check", value: bytes("one"))])
            try await backend.apply([.setMetadata(name: "check", value: bytes("two"))])
            try await backend.apply([.setMetadata(name: "other", value: [])])
            #expect(try await backend.metadata("check") == bytes("two"))
            #expect(try await backend.metadata("other") == [])
            #expect(try await backend.metadata("missing") == nil)
        }
    }

    @Test(arguments: BackendKind.all)
    func aDataKeyIsKeptFirstRewrappedAndDeleted(kind: BackendKind) async throws {
        try await kind.with { backend in
            let first = wrappedKey("scope b", "kek-1", wrapped: "first")
            try await backend.apply([.putDataKey(first), .putDataKey(wrappedKey("scope a"))])
            // A second put for the same scope changes nothing: the first key made wins.
            try await backend.apply([.putDataKey(wrappedKey("scope b", "kek-1", wrapped: "second"))])
            #expect(try await backend.dataKey(scope: "scope b") == first)

            let rewrapped = WrappedDataKey(
                scope: "scope b",
                keyEncryptionKeyID: "kek-2",
                wrapped: bytes("rewrapped"),
                createdAt: at(5)
            )
            try await backend.apply([.rewrapDataKey(rewrapped), .rewrapDataKey(wrappedKey("scope none", "kek-2"))])
            #expect(try await backend.dataKey(scope: "scope b") == rewrapped)
            #expect(try await backend.dataKey(scope: "scope none") == nil)
            #expect(try await backend.dataKeys() == [wrappedKey("scope a"), rewrapped])

            try await backend.apply([.deleteDataKey(scope: "scope a"), .deleteDataKey(scope: "scope none")])
            #expect(try await backend.dataKey(scope: "scope a") == nil)
            #expect(try await backend.dataKeys() == [rewrapped])
        }
    }

    @Test(arguments: BackendKind.all)
    func anItemIsReplacedWholeAndDeleted(kind: BackendKind) async throws {
        try await kind.with { backend in
            try await backend.apply([.putItem(item("pending", "state-1", sealed: "one", expiresAt: at(30)))])
            let replacement = StoreItem(
                kind: "pending",
                key: "state-1",
                scope: "arrangement bank/b",
                sealed: bytes("two"),
                expiresAt: nil,
                updatedAt: at(10)
            )
            try await backend.apply([.putItem(replacement)])
            #expect(try await backend.item(kind: "pending", key: "state-1") == replacement)
            #expect(try await backend.item(kind: "other", key: "state-1") == nil)

            try await backend.apply([
                .deleteItem(kind: "pending", key: "state-1"), .deleteItem(kind: "pending", key: "never"),
            ])
            #expect(try await backend.item(kind: "pending", key: "state-1") == nil)
        }
    }

    @Test(arguments: BackendKind.all)
    func itemsOfAKindComeOrderedByKey(kind: BackendKind) async throws {
        try await kind.with { backend in
            try await backend.apply([
                .putItem(item("pending", "c")), .putItem(item("pending", "a")), .putItem(item("other", "b")),
                .putItem(item("pending", "b")),
            ])
            #expect(try await backend.items(kind: "pending").map(\.key) == ["a", "b", "c"])
            #expect(try await backend.items(kind: "other").map(\.key) == ["b"])
            #expect(try await backend.items(kind: "none").isEmpty)
        }
    }

    @Test(arguments: BackendKind.all)
    func ofFiftyConcurrentTakersExactlyOneGetsTheItem(kind: BackendKind) async throws {
        try await kind.with { backend in
            let stored = item("pending", "state-1", sealed: "pending", expiresAt: at(300))
            try await backend.apply([.putItem(stored)])
            let taken = try await withThrowingTaskGroup(of: StoreItem?.self) { group in
                for _ in 0..<50 { group.addTask { try await backend.takeItem(kind: "pending", key: "state-1") } }
                var taken: [StoreItem] = []
                for try await result in group { if let result { taken.append(result) } }
                return taken
            }
            #expect(taken == [stored])
            #expect(try await backend.item(kind: "pending", key: "state-1") == nil)
            #expect(try await backend.takeItem(kind: "pending", key: "state-1") == nil)
            #expect(try await backend.takeItem(kind: "pending", key: "never") == nil)
        }
    }

    @Test(arguments: BackendKind.all)
    func recordsPageInTheOrderOfTheirFirstSave(kind: BackendKind) async throws {
        try await kind.with { backend in
            let scope = "arrangement bank/a"
            try await backend.apply([.putRecords(scope: scope, records: records(["e", "a", "d"]))])
            try await backend.apply([
                .putRecords(scope: "arrangement bank/other", records: records(["x"])),
                .putRecords(scope: scope, records: records(["c", "b"])),
            ])

            let first = try await backend.records(scope: scope, after: 0, limit: 2)
            #expect(first.map(\.recordKey) == ["e", "a"])
            let second = try await backend.records(scope: scope, after: try #require(first.last).sequence, limit: 2)
            #expect(second.map(\.recordKey) == ["d", "c"])
            let third = try await backend.records(scope: scope, after: try #require(second.last).sequence, limit: 2)
            #expect(third.map(\.recordKey) == ["b"])
            #expect(try await backend.records(scope: scope, after: try #require(third.last).sequence, limit: 2).isEmpty)
            #expect(try await backend.records(scope: scope, after: 0, limit: 0).isEmpty)

            let all = first + second + third
            #expect(all.map(\.sequence) == all.map(\.sequence).sorted())
            #expect(Set(all.map(\.sequence)).count == 5)
            #expect(all.allSatisfy { $0.sequence > 0 })
            #expect(all.map(\.sealed) == ["e", "a", "d", "c", "b"].map { bytes("v-\($0)") })
            #expect(try await backend.recordCount(scope: scope) == 5)
            #expect(try await backend.recordCount(scope: "arrangement bank/other") == 1)
            #expect(try await backend.recordCount(scope: "arrangement bank/none") == 0)
        }
    }

    @Test(arguments: BackendKind.all)
    func requiringAMissingDataKeyFailsTheWholeCall(kind: BackendKind) async throws {
        try await kind.with { backend in
            let scope = "arrangement bank/a"
            try await backend.apply([.putDataKey(wrappedKey(scope)), .requireDataKey(scope: scope)])
            try await backend.apply([
                .requireDataKey(scope: scope), .putRecords(scope: scope, records: records(["r1"])),
                .putItem(item("checkpoint", "a", scope: scope)),
            ])
            #expect(try await backend.recordCount(scope: scope) == 1)

            try await backend.apply([.deleteDataKey(scope: scope)])
            await expectStoreError(.keyDestroyed) {
                try await backend.apply([
                    .putRecords(scope: scope, records: records(["r2"])),
                    .requireDataKey(scope: scope),
                    .putItem(item("checkpoint", "b", scope: scope)),
                ])
            }
            #expect(try await backend.records(scope: scope, after: 0, limit: 10).map(\.recordKey) == ["r1"])
            #expect(try await backend.item(kind: "checkpoint", key: "b") == nil)
            await expectStoreError(.keyDestroyed) {
                try await backend.apply([.requireDataKey(scope: "arrangement bank/never")])
            }
        }
    }

    @Test(arguments: BackendKind.all)
    func recordKeysComeBackExactlyAsGiven(kind: BackendKind) async throws {
        try await kind.with { backend in
            let scope = "arrangement bank/a"
            // Keyed row names (32 lower-case hexadecimal digits), and keys that only look like them.
            let keys = [
                "0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF",
                "0123456789abcdef0123456789abcdeg", "00000000000000000000000000000000", "0123456789abcdef",
                "fedcba9876543210fedcba9876543210f", "r1", "fifteen-bytes-k", "sixteen-bytes-ke",
            ]
            try await backend.apply([.putRecords(scope: scope, records: records(keys))])
            let kept = try await backend.records(scope: scope, after: 0, limit: 20)
            #expect(kept.map(\.recordKey) == keys)
            #expect(kept.map(\.sealed) == keys.map { bytes("v-\($0)") })
            // The lower- and upper-case spellings are different keys; saving one again replaces only it.
            try await backend.apply([
                .putRecords(scope: scope, records: records(["0123456789abcdef0123456789abcdef"], value: "w"))
            ])
            let again = try await backend.records(scope: scope, after: 0, limit: 20)
            #expect(again.map(\.recordKey) == keys)
            #expect(again[0].sealed == bytes("w-0123456789abcdef0123456789abcdef"))
            #expect(again[1].sealed == bytes("v-0123456789ABCDEF0123456789ABCDEF"))
        }
    }

    @Test(arguments: BackendKind.all)
    func aKeyGivenTwiceInOneCallIsKeptOnceWithItsLastValue(kind: BackendKind) async throws {
        try await kind.with { backend in
            let scope = "arrangement bank/a"
            let twice = [
                SealedRecord(recordKey: "r1", sealed: bytes("first")),
                SealedRecord(recordKey: "r2", sealed: bytes("x")),
                SealedRecord(recordKey: "r1", sealed: bytes("last")),
            ]
            try await backend.apply([.putRecords(scope: scope, records: twice)])
            let kept = try await backend.records(scope: scope, after: 0, limit: 10)
            #expect(kept.map(\.recordKey) == ["r1", "r2"])
            #expect(kept.map(\.sealed) == [bytes("last"), bytes("x")])
        }
    }

    @Test(arguments: BackendKind.all)
    func savingARecordAgainReplacesItsValueAndKeepsItsPlace(kind: BackendKind) async throws {
        try await kind.with { backend in
            let scope = "arrangement bank/a"
            try await backend.apply([.putRecords(scope: scope, records: records(["a", "b", "c"]))])
            let before = try await backend.records(scope: scope, after: 0, limit: 10)
            try await backend.apply([
                .putRecords(
                    scope: scope,
                    records: [
                        SealedRecord(recordKey: "b", sealed: bytes("b-2")),
                        SealedRecord(recordKey: "d", sealed: bytes("d-1")),
                        SealedRecord(recordKey: "b", sealed: bytes("b-3")),
                    ]
                )
            ])
            let after = try await backend.records(scope: scope, after: 0, limit: 10)
            #expect(after.map(\.recordKey) == ["a", "b", "c", "d"])
            #expect(Array(after.prefix(3).map(\.sequence)) == before.map(\.sequence))
            #expect(after.map(\.sealed) == [bytes("v-a"), bytes("b-3"), bytes("v-c"), bytes("d-1")])
            #expect(try await backend.recordCount(scope: scope) == 4)
        }
    }

    @Test(arguments: BackendKind.all)
    func deletingAScopeRemovesOnlyItsItemsAndRecords(kind: BackendKind) async throws {
        try await kind.with { backend in
            let gone = "arrangement bank/gone"
            let kept = "arrangement bank/kept"
            try await backend.apply([
                .putDataKey(wrappedKey(gone)), .putDataKey(wrappedKey(kept)),
                .putItem(item("arrangement", "gone", scope: gone)), .putItem(item("checkpoint", "gone", scope: gone)),
                .putItem(item("arrangement", "kept", scope: kept)),
                .putRecords(scope: gone, records: records(["r1", "r2"])),
                .putRecords(scope: kept, records: records(["r1"])),
                .appendAudit(AuditRow(at: at(0), scope: gone, event: "consent.given", details: bytes("{}"))),
            ])
            try await backend.apply([
                .deleteScope(scope: gone),
                .appendAudit(AuditRow(at: at(1), scope: gone, event: "deletion", details: bytes("{}"))),
            ])

            #expect(try await backend.item(kind: "arrangement", key: "gone") == nil)
            #expect(try await backend.item(kind: "checkpoint", key: "gone") == nil)
            #expect(try await backend.recordCount(scope: gone) == 0)
            #expect(try await backend.records(scope: gone, after: 0, limit: 10).isEmpty)
            #expect(try await backend.dataKey(scope: gone) == wrappedKey(gone))
            #expect(
                try await backend.auditEntries(scope: gone, after: 0, limit: 10).map(\.event) == [
                    "consent.given", "deletion",
                ])
            #expect(
                try await backend.item(kind: "arrangement", key: "kept") == item("arrangement", "kept", scope: kept))
            #expect(try await backend.records(scope: kept, after: 0, limit: 10).map(\.recordKey) == ["r1"])
            #expect(try await backend.dataKey(scope: kept) == wrappedKey(kept))
        }
    }

    @Test(arguments: BackendKind.all)
    func aReplayedJTIConflictsUntilItExpires(kind: BackendKind) async throws {
        try await kind.with { backend in
            func record(_ jti: String, issuer: String = "holder", expiresAt: Date = at(60), now: Date) async throws {
                try await backend.apply([
                    .recordJTI(issuer: issuer, jti: jti, expiresAt: expiresAt, now: now, capacity: 10)
                ])
            }
            try await record("j1", now: at(0))
            await expectStoreError(.conflict) { try await record("j1", now: at(59)) }
            // Another issuer's jti of the same value is another entry.
            try await record("j1", issuer: "other holder", now: at(1))
            // Once expired, the jti can be recorded again.
            try await record("j1", expiresAt: at(120), now: at(60))
            await expectStoreError(.conflict) { try await record("j1", now: at(61)) }
            // A jti that is already expired when recorded is not kept (a later call with an earlier clock would
            // otherwise find it unexpired).
            try await record("j2", expiresAt: at(70), now: at(70))
            try await record("j2", expiresAt: at(80), now: at(69))
        }
    }

    @Test(arguments: BackendKind.all)
    func anIssuerHoldsAtMostCapacityUnexpiredJTIs(kind: BackendKind) async throws {
        try await kind.with { backend in
            func record(_ jti: String, issuer: String = "holder", expiresAt: Date = at(60), now: Date) async throws {
                try await backend.apply([
                    .recordJTI(issuer: issuer, jti: jti, expiresAt: expiresAt, now: now, capacity: 2)
                ])
            }
            try await record("j1", expiresAt: at(30), now: at(0))
            try await record("j2", now: at(0))
            await expectStoreError(.capacityReached) { try await record("j3", now: at(10)) }
            // The capacity is per issuer.
            try await record("j3", issuer: "other holder", now: at(10))
            // Recording drops the issuer's expired entries first, which makes room.
            try await record("j3", now: at(30))
            await expectStoreError(.capacityReached) { try await record("j4", now: at(31)) }
        }
    }

    @Test(arguments: BackendKind.all)
    func purgingDropsExpiredItemsAndJTIs(kind: BackendKind) async throws {
        try await kind.with { backend in
            try await backend.apply([
                .putItem(item("pending", "early", expiresAt: at(10))),
                .putItem(item("pending", "late", expiresAt: at(20))),
                .putItem(item("arrangement", "forever")),
                .recordJTI(issuer: "holder", jti: "j1", expiresAt: at(10), now: at(0), capacity: 1),
            ])
            try await backend.apply([.purgeExpired(now: at(10))])
            #expect(try await backend.items(kind: "pending").map(\.key) == ["late"])
            #expect(try await backend.item(kind: "arrangement", key: "forever") != nil)
            // At `now` 0 j1 would still count against the capacity of 1 had the purge not dropped it.
            try await backend.apply([
                .recordJTI(issuer: "holder", jti: "j2", expiresAt: at(60), now: at(0), capacity: 1)
            ])
        }
    }

    @Test(arguments: BackendKind.all)
    func scopesWithRowsButNoKeyAreFound(kind: BackendKind) async throws {
        try await kind.with { backend in
            try await backend.apply([
                .putDataKey(wrappedKey("scope a")), .putItem(item("arrangement", "a", scope: "scope a")),
                .putItem(item("arrangement", "b", scope: "scope b")),
                .putRecords(scope: "scope c", records: records(["r1"])),
                .putDataKey(wrappedKey("scope d")),
            ])
            #expect(try await backend.scopesWithoutKey() == ["scope b", "scope c"])
            try await backend.apply([.deleteDataKey(scope: "scope a"), .deleteScope(scope: "scope b")])
            #expect(try await backend.scopesWithoutKey() == ["scope a", "scope c"])
        }
    }

    @Test(arguments: BackendKind.all)
    func theAuditTrailKeepsItsOrderAndFiltersByScope(kind: BackendKind) async throws {
        try await kind.with { backend in
            let rows = [
                AuditRow(at: at(0), scope: "scope a", event: "consent.given", details: bytes(#"{"n":1}"#)),
                AuditRow(at: at(1), scope: nil, event: "registration", details: bytes(#"{"n":2}"#)),
                AuditRow(at: at(2), scope: "scope b", event: "collection", details: []),
                AuditRow(at: at(3.5), scope: "scope a", event: "deletion", details: bytes(#"{"n":4}"#)),
            ]
            try await backend.apply(rows.prefix(3).map { .appendAudit($0) })
            try await backend.apply([.appendAudit(rows[3])])

            let all = try await backend.auditEntries(scope: nil, after: 0, limit: 10)
            #expect(all.map(\.event) == rows.map(\.event))
            #expect(all.map(\.scope) == rows.map(\.scope))
            #expect(all.map(\.at) == rows.map(\.at))
            #expect(all.map(\.details) == rows.map(\.details))
            #expect(all.map(\.sequence) == all.map(\.sequence).sorted())
            #expect(Set(all.map(\.sequence)).count == 4)

            let scopeA = try await backend.auditEntries(scope: "scope a", after: 0, limit: 10)
            #expect(scopeA.map(\.event) == ["consent.given", "deletion"])
            let page = try await backend.auditEntries(scope: nil, after: all[0].sequence, limit: 2)
            #expect(page.map(\.event) == ["registration", "collection"])
            let afterFirstA = try await backend.auditEntries(scope: "scope a", after: scopeA[0].sequence, limit: 10)
            #expect(afterFirstA.map(\.event) == ["deletion"])
            #expect(try await backend.auditEntries(scope: nil, after: 0, limit: 0).isEmpty)
        }
    }

    @Test(arguments: BackendKind.all)
    func everyCallAfterCloseThrowsClosed(kind: BackendKind) async throws {
        try await kind.with { backend in
            try await backend.apply([.putItem(item("pending", "a"))])
            try await backend.close()
            await expectStoreError(.closed) { try await backend.apply([.setMetadata(name: "m", value: [1])]) }
            await expectStoreError(.closed) { _ = try await backend.metadata("m") }
            await expectStoreError(.closed) { _ = try await backend.dataKey(scope: "s") }
            await expectStoreError(.closed) { _ = try await backend.dataKeys() }
            await expectStoreError(.closed) { _ = try await backend.item(kind: "pending", key: "a") }
            await expectStoreError(.closed) { _ = try await backend.items(kind: "pending") }
            await expectStoreError(.closed) { _ = try await backend.takeItem(kind: "pending", key: "a") }
            await expectStoreError(.closed) { _ = try await backend.records(scope: "s", after: 0, limit: 1) }
            await expectStoreError(.closed) { _ = try await backend.recordCount(scope: "s") }
            await expectStoreError(.closed) { _ = try await backend.auditEntries(scope: nil, after: 0, limit: 1) }
            await expectStoreError(.closed) { _ = try await backend.scopesWithoutKey() }
        }
    }
}
