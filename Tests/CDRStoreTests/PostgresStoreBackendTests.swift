import CDRStore
import CDRStorePostgres
import CDRTesting
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing

/// Connection URLs: what is taken, what is refused, and that a description never shows the password.
@Suite("PostgreSQL connection URLs")
struct PostgresURLTests {
    @Test("a URL's parts, percent-decoded, with libpq's defaults: prefer on loopback, verify-full elsewhere")
    func partsAndDefaults() throws {
        let local = try PostgresURL("postgres://rec%40ipient:p%40ss%2Fword%2541@127.0.0.1:6543/cdr_store")
        #expect(local.user == "rec@ipient")
        #expect(local.password == "p@ss/word%41")
        #expect(local.host == "127.0.0.1")
        #expect(local.port == 6543)
        #expect(local.database == "cdr_store")
        #expect(local.tlsMode == .prefer)
        let remote = try PostgresURL("postgresql://recipient@db.internal/cdr")
        #expect(remote.port == 5432)
        #expect(remote.password == nil)
        #expect(remote.tlsMode == .verifyFull)
        let ipv6 = try PostgresURL(
            "postgres://u@[::1]:5433/d?sslmode=verify-ca&sslrootcert=/etc/ca.pem&application_name=app&connect_timeout=3"
        )
        #expect(ipv6.host == "::1")
        #expect(ipv6.tlsMode == .verifyCA)
        #expect(ipv6.rootCertificatePath == "/etc/ca.pem")
        #expect(ipv6.applicationName == "app")
        #expect(ipv6.connectTimeout == .seconds(3))
        #expect(ipv6.description == "postgres://u@[::1]:5433/d?sslmode=verify-ca&sslrootcert=/etc/ca.pem")
    }

    @Test("the description and every refusal leave the password out")
    func noPasswordShown() throws {
        let url = try PostgresURL("postgres://recipient:CANARY-PASSWORD@127.0.0.1:5432/cdr")
        #expect(!url.description.contains("CANARY"))
        #expect(!String(describing: url).contains("CANARY"))
        do {
            _ = try PostgresURL("postgres://recipient:CANARY-PASSWORD@127.0.0.1:5432/cdr?sslmod=disable")
            Issue.record("an unknown parameter was taken")
        } catch let error as StoreError {
            #expect(error.code == .connectionRejected)
            #expect(error.reason.contains("sslmod"))
            #expect(!error.description.contains("CANARY"))
        }
    }

    @Test(
        "refused: another scheme, no host, no user, no database, an unknown sslmode, a bad timeout",
        arguments: [
            "mysql://u@h/d", "postgres:///d", "postgres://h/d", "postgres://u@h", "postgres://u@h/",
            "postgres://u@h/d?sslmode=allow", "postgres://u@h/d?connect_timeout=0", "not a url",
        ])
    func refused(_ text: String) {
        #expect(throws: StoreError.self) { try PostgresURL(text) }
    }
}

/// The PostgreSQL backend against a real server (`CDRKIT_POSTGRES_URL`): TLS, credentials, an unreachable server, a
/// newer schema, migrations by instances that start together, retried deadlocks, and locks across backends.
@Suite(
    "PostgreSQL backend", .enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.howToRun)),
    .timeLimit(.minutes(3)))
struct PostgresStoreBackendTests {
    /// Whether the server's connection named `application` uses TLS, from the server's own view.
    static func usesTLS(application: String, on url: PostgresURL) async throws -> Bool? {
        let rows = try await PostgresStoreBackend.administrativeRows(
            """
            SELECT ssl::text FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)
            WHERE application_name = '\(application)'
            """, on: url)
        return rows.first?.first.flatMap { $0 }.map { $0 == "true" }
    }

    /// Waits (up to 30 s) until a session of the URL's database holds an advisory lock (`waiting: false`), or
    /// waits for a lock of any kind (`waiting: true`).
    static func waitForLock(waiting: Bool, on url: PostgresURL) async throws {
        let sql =
            waiting
            ? "SELECT 'x'::text FROM pg_stat_activity WHERE datname = '\(url.database)' AND wait_event_type = 'Lock'"
            : """
            SELECT 'x'::text FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database
            WHERE datname = '\(url.database)' AND locktype = 'advisory' AND granted
            """
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await !PostgresStoreBackend.administrativeRows(sql, on: url).isEmpty { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no session \(waiting ? "waited for a lock" : "held an advisory lock") within 30 s")
    }

    @Test("sslmode=verify-full with the server's root: the connections use TLS; sslmode=disable: they do not")
    func tlsAsConfigured() async throws {
        let ca = try #require(PostgresTestServer.certificateAuthorityFile, "CDRKIT_POSTGRES_CA_FILE is not set")
        try await PostgresTestServer.withScratchDatabase { url in
            var verified = url
            verified.tlsMode = .verifyFull
            verified.rootCertificatePath = ca
            verified.applicationName = "cdrkit-tls-verified"
            let secure = try await PostgresStoreBackend.open(url: verified)
            try await secure.apply([.setMetadata(name: "n", value: [1])])
            #expect(try await Self.usesTLS(application: "cdrkit-tls-verified", on: url) == true)
            try await secure.close()

            var plain = url
            plain.tlsMode = .disable
            plain.applicationName = "cdrkit-tls-disabled"
            let clear = try await PostgresStoreBackend.open(url: plain)
            #expect(try await clear.metadata("n") == [1])
            #expect(try await Self.usesTLS(application: "cdrkit-tls-disabled", on: url) == false)
            try await clear.close()
        }
    }

    @Test("a certificate the client does not trust, and a wrong password, are .connectionRejected")
    func rejectedConnections() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            var untrusted = url
            untrusted.tlsMode = .verifyFull
            untrusted.rootCertificatePath = nil  // the system's roots: the test server's certificate is self-signed
            await #expect {
                _ = try await PostgresStoreBackend.open(url: untrusted)
            } throws: { error in
                (error as? StoreError)?.code == .connectionRejected
            }
            var wrong = url
            wrong.password = "not-the-password"
            await #expect {
                _ = try await PostgresStoreBackend.open(url: wrong)
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.code == .connectionRejected && !error.description.contains("not-the-password")
            }
        }
    }

    @Test("no server at the address: .unavailable at once, not after the pool's retries")
    func unreachableAtStartUp() async throws {
        let url = try #require(PostgresTestServer.url)
        try await withClosedLoopbackPort { port in
            var closed = url
            closed.port = port
            // The first connection is made directly (the pool would retry for a minute before failing).
            await #expect {
                _ = try await PostgresStoreBackend.open(url: closed)
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.code == .unavailable && error.reason.contains("(connecting)")
            }
        }
    }

    @Test("a database of a newer schema is refused and left as it is")
    func newerSchemaRefused() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            try await PostgresStoreBackend.administer(
                "CREATE TABLE cdrkit_schema (version integer PRIMARY KEY, applied_at bigint NOT NULL)", on: url)
            try await PostgresStoreBackend.administer("INSERT INTO cdrkit_schema VALUES (99, 0)", on: url)
            await #expect {
                _ = try await PostgresStoreBackend.open(url: url)
            } throws: { error in
                (error as? StoreError)?.code == .newerSchema
            }
            let tables = try await PostgresStoreBackend.administrativeRows(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
                on: url)
            #expect(tables == [["cdrkit_schema"]])
            let versions = try await PostgresStoreBackend.administrativeRows(
                "SELECT version::text FROM cdrkit_schema", on: url)
            #expect(versions == [["99"]])
        }
    }

    @Test("four instances opening a new database at once migrate it once and all work")
    func concurrentMigration() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let backends = try await withThrowingTaskGroup(of: PostgresStoreBackend.self) { group in
                for _ in 0..<4 { group.addTask { try await PostgresStoreBackend.open(url: url) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (index, backend) in backends.enumerated() {
                try await backend.apply([.setMetadata(name: "from \(index)", value: [UInt8(index)])])
            }
            for backend in backends {
                #expect(try await backend.metadata("from 3") == [3])
                try await backend.close()
            }
            let versions = try await PostgresStoreBackend.administrativeRows(
                "SELECT version::text FROM cdrkit_schema", on: url)
            #expect(versions == [["\(PostgresStoreBackend.schemaVersion)"]])
        }
    }

    @Test("a transaction chosen as a deadlock's victim is tried again and its changes are all kept")
    func deadlockRetried() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            // The backend's sessions look for deadlocks after 5 s of waiting, the other session only after 60 s: of
            // the two, PostgreSQL ends the backend's transaction (40P01), however slowly the other one comes.
            try await PostgresStoreBackend.administer(
                "ALTER DATABASE \(url.database) SET deadlock_timeout = '5s'", on: url)
            var handler = InMemoryLogHandler()
            handler.logLevel = .debug
            let captured = handler
            let backend = try await PostgresStoreBackend.open(
                url: url, logger: Logger(label: "cdr-test") { _ in captured })
            func item(_ key: String, _ value: UInt8) -> StoreItem {
                StoreItem(kind: "k", key: key, scope: "s", sealed: [value], updatedAt: Date())
            }
            try await backend.apply([.putItem(item("a", 0)), .putItem(item("b", 0))])

            // The other session locks b; the backend's transaction locks a and waits for b; the other session then
            // waits for a.
            let other = try await PostgresAdministrativeSession.open(url: url)
            do {
                try await other.execute("SET deadlock_timeout = '60s'")
                try await other.execute("BEGIN")
                try await other.execute("UPDATE items SET updated_at = 1 WHERE kind = 'k' AND key = 'b'")
                let writing = Task { try await backend.apply([.putItem(item("a", 1)), .putItem(item("b", 1))]) }
                try await Self.waitForLock(waiting: true, on: url)
                try await other.execute("UPDATE items SET updated_at = 2 WHERE kind = 'k' AND key = 'a'")
                try await other.execute("ROLLBACK")
                try await other.close()
                try await writing.value
            } catch {
                try? await other.close()
                throw error
            }
            #expect(try await backend.item(kind: "k", key: "a")?.sealed == [1])
            #expect(try await backend.item(kind: "k", key: "b")?.sealed == [1])
            #expect(captured.entries.contains { $0.message.description.contains("tried again") })
            try await backend.close()
        }
    }

    @Test("an exclusive lock is held by one backend at a time; one whose holder's session dies passes on at once")
    func exclusiveLockAcrossBackends() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let first = try await PostgresStoreBackend.open(url: url)
            let second = try await PostgresStoreBackend.open(url: url)
            let inside = Overlap()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    let backend = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await backend.withExclusiveLock("refresh bank/a") {
                            inside.enter()
                            try await Task.sleep(for: .milliseconds(20))
                            inside.leave()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(inside.most == 1)

            // A holder whose session the server ends (its process died): the waiter gets the lock while the
            // holder's work is still running (it would otherwise wait for the whole 30 s).
            let heldEnded = Flag()
            let held = Task {
                try await first.withExclusiveLock("refresh bank/b") {
                    try? await Task.sleep(for: .seconds(30))
                    heldEnded.set()
                }
            }
            try await Self.waitForLock(waiting: false, on: url)
            let waiting = Task { try await second.withExclusiveLock("refresh bank/b") { heldEnded.isSet } }
            try await Self.waitForLock(waiting: true, on: url)
            try await PostgresStoreBackend.administer(
                """
                SELECT pg_terminate_backend(pid) FROM pg_locks JOIN pg_database ON pg_database.oid = pg_locks.database
                WHERE datname = '\(url.database)' AND locktype = 'advisory' AND granted
                """, on: url)
            let heldHadEnded = try await waiting.value
            #expect(!heldHadEnded)
            held.cancel()
            _ = try? await held.value
            try await first.close()
            try await second.close()
        }
    }

    @Test("a lock not granted within the lock timeout fails with .conflict")
    func lockTimeout() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let holder = try await PostgresStoreBackend.open(url: url)
            let impatient = try await PostgresStoreBackend.open(
                url: url, configuration: .init(lockTimeout: .milliseconds(300)))
            let release = Flag()
            let held = Task {
                try await holder.withExclusiveLock("l") {
                    while !release.isSet { try await Task.sleep(for: .milliseconds(10)) }
                }
            }
            try await Self.waitForLock(waiting: false, on: url)
            await #expect {
                try await impatient.withExclusiveLock("l") {}
            } throws: { error in
                (error as? StoreError)?.code == .conflict
            }
            release.set()
            try await held.value
            try await impatient.withExclusiveLock("l") {}
            try await holder.close()
            try await impatient.close()
        }
    }

    @Test("the database going away mid-use: .unavailable within the timeout, nothing lost, and it works once back")
    func unavailableMidUse() async throws {
        try await PostgresTestServer.withScratchDatabase { url in
            let backend = try await PostgresStoreBackend.open(
                url: url, configuration: .init(unavailableTimeout: .seconds(2)))
            try await backend.apply([
                .putDataKey(WrappedDataKey(scope: "s", keyEncryptionKeyID: "k", wrapped: [1], createdAt: Date()))
            ])
            try await PostgresTestServer.setConnectionsAllowed(false, to: url)
            // The backend's own timeout answers, not the pool's circuit breaker a minute later.
            await #expect {
                try await backend.apply([.putRecords(scope: "s", records: [SealedRecord(recordKey: "r", sealed: [2])])])
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.code == .unavailable && error.reason.contains("could not be reached within")
            }
            try await PostgresTestServer.setConnectionsAllowed(true, to: url)
            #expect(try await backend.dataKey(scope: "s")?.wrapped == [1])
            #expect(try await backend.recordCount(scope: "s") == 0)
            try await backend.apply([.putRecords(scope: "s", records: [SealedRecord(recordKey: "r", sealed: [2])])])
            #expect(try await backend.recordCount(scope: "s") == 1)
            try await backend.close()
        }
    }
}

/// How many bodies run at once under a lock, and the most that ever did.
final class Overlap: Sendable {
    private let state = Mutex((now: 0, most: 0))

    func enter() {
        state.withLock { state in
            state.now += 1
            state.most = max(state.most, state.now)
        }
    }

    func leave() { state.withLock { $0.now -= 1 } }

    var most: Int { state.withLock { $0.most } }
}

/// A flag one task sets and another polls.
final class Flag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }

    var isSet: Bool { value.withLock { $0 } }
}
