public import CDRStorePostgres
import Foundation

/// The PostgreSQL server that tests run against, named by the environment variable `CDRKIT_POSTGRES_URL`, and
/// scratch databases on it: one per test, dropped afterwards.
///
/// ```swift
/// @Suite(.enabled(if: PostgresTestServer.url != nil, Comment(rawValue: PostgresTestServer.howToRun)))
/// struct MyPostgresTests {
///     @Test func keepsArrangements() async throws {
///         try await PostgresTestServer.withScratchDatabase { url in
///             let store = try await RecipientStore.postgres(url: url, keyEncryptionKey: .random())
///             // …
///             try await store.close()
///         }
///     }
/// }
/// ```
///
/// `Scripts/postgres-cluster.sh start DIR` starts a throwaway cluster on loopback and writes the variable to
/// `DIR/env`. The URL's user must be allowed to create databases.
public enum PostgresTestServer {
    /// The environment variable with the server's URL.
    public static let environmentVariable = "CDRKIT_POSTGRES_URL"

    /// The environment variable with a PEM file of the server's TLS root (for the tests that check its certificate).
    public static let certificateAuthorityVariable = "CDRKIT_POSTGRES_CA_FILE"

    /// The server's URL, or `nil` when `CDRKIT_POSTGRES_URL` is not set (or not a usable URL).
    public static let url: PostgresURL? = ProcessInfo.processInfo.environment[environmentVariable].flatMap {
        try? PostgresURL($0)
    }

    /// The server's TLS root certificate file, or `nil`.
    public static let certificateAuthorityFile: String? = ProcessInfo.processInfo.environment[
        certificateAuthorityVariable]

    /// Why the PostgreSQL tests were skipped, and how to run them (one line).
    public static let howToRun =
        "PostgreSQL tests skipped: set CDRKIT_POSTGRES_URL=postgres://user:password@127.0.0.1:PORT/DATABASE to run "
        + "them (Scripts/postgres-cluster.sh start DIR starts a throwaway cluster and writes it to DIR/env)"

    /// Runs `body` with the URL of a new, empty database on the server, dropped (with its connections) afterwards.
    /// - Parameter body: The test.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws; `StoreError` when there is no server or the database cannot be made.
    public static func withScratchDatabase<T: Sendable>(_ body: (PostgresURL) async throws -> T) async throws -> T {
        let scratch = try await makeScratchDatabase()
        do {
            let result = try await body(scratch)
            try? await dropScratchDatabase(scratch)
            return result
        } catch {
            try? await dropScratchDatabase(scratch)
            throw error
        }
    }

    /// Makes a new, empty database on the server; drop it with ``dropScratchDatabase(_:)``.
    /// - Returns: Its URL.
    /// - Throws: ``ScratchDatabaseFailure`` when there is no server; `StoreError` when it cannot be made.
    public static func makeScratchDatabase() async throws -> PostgresURL {
        guard let url else { throw ScratchDatabaseFailure(description: "\(environmentVariable) is not set") }
        let name = "cdrkit_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresStoreBackend.administer("CREATE DATABASE \(name)", on: url)
        return url.with(database: name)
    }

    /// Drops a scratch database and ends its connections.
    /// - Parameter scratch: Its URL.
    public static func dropScratchDatabase(_ scratch: PostgresURL) async throws {
        guard let url else { throw ScratchDatabaseFailure(description: "\(environmentVariable) is not set") }
        try await PostgresStoreBackend.administer(
            "DROP DATABASE IF EXISTS \(try scratchName(scratch)) WITH (FORCE)", on: url)
    }

    /// The URL of a scratch database as text, password included, for a child process's environment (never a
    /// command line or a log).
    /// - Parameter database: The scratch database's URL.
    /// - Returns: `postgres://user:password@host:port/database?sslmode=…`.
    public static func connectionString(for database: PostgresURL) -> String {
        database.text(showingPassword: true)
    }

    /// Closes a scratch database to new connections and ends the ones it has, as a database that went down would
    /// (`allowed: false`), or opens it again.
    /// - Parameters:
    ///   - database: The scratch database's URL.
    ///   - allowed: Whether it takes connections.
    public static func setConnectionsAllowed(_ allowed: Bool, to database: PostgresURL) async throws {
        guard let url else { throw ScratchDatabaseFailure(description: "\(environmentVariable) is not set") }
        let name = try scratchName(database)
        try await PostgresStoreBackend.administer(
            "ALTER DATABASE \(name) WITH ALLOW_CONNECTIONS \(allowed ? "true" : "false")", on: url)
        if !allowed {
            try await PostgresStoreBackend.administer(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)'", on: url)
        }
    }

    /// The name of a scratch database (only those this type makes are ever dropped or closed).
    private static func scratchName(_ database: PostgresURL) throws -> String {
        let name = database.database
        guard name.hasPrefix("cdrkit_test_"),
            name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) })
        else { throw ScratchDatabaseFailure(description: "\(name) is not a scratch database") }
        return name
    }
}

/// A scratch database could not be had.
public struct ScratchDatabaseFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}
