import CDRAccountData
import CDRAuth
import CDRBanking
import CDRClient
import CDRJOSE
import CDRStore
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A recipient process for the durability tests (CDRClientTests' `StoreCrashTests`), killed with `SIGKILL` at a
/// moment of the test's choosing.
///
/// It opens a `RecipientStore` on an SQLite file, or on a PostgreSQL database (`--store postgres`, the URL in
/// `CDRKIT_PROBE_POSTGRES_URL`), the key-encryption key read from a file; connects to a running (mock) holder
/// with the registration kept in that store; and refreshes one arrangement in a loop through its
/// `TokenManager`, using each new access token for one accounts call. It writes `ready` once connected and
/// `refreshed <n>` after each refresh returns (the new set saved by then), and never a token. Errors go to standard
/// error as their description (the SDK's errors carry no secret) and end the process with status 1.
///
/// Arguments, each `--name value`:
/// - `--store`: the SQLite file, or `postgres`; `--kek`: the key-encryption key file (mode 0600);
/// - `--ca`: the holder's CA (PEM); `--identity`: the client certificate and key (one PEM file, mode 0600);
/// - `--signing-key`: the software product's private key (PEM, mode 0600) and `--signing-key-id` its `kid`;
/// - `--product-id`, `--product-brand-id`, `--redirect-uri`: the software product as the Register knows it;
/// - `--brand`: a JSON file with the holder brand (`HolderBrand`);
/// - `--arrangement`: the `cdr_arrangement_id`; `--limit`: stop after this many refreshes (none by default);
/// - `--mode sync` with `--from` and `--to` (seconds since 1970): instead of refreshing, sync every account's
///   transactions of that period into the store from its checkpoint (`HolderClient.syncTransactions`), writing
///   `synced <account> <count>` after each account and `done` at the end.
@main
struct CrashProbe {
    static func main() async {
        do {
            try await run(try Arguments(CommandLine.arguments.dropFirst()))
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("crash probe failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: Arguments) async throws {
        let key = try LocalKeyEncryptionKey.file(
            at: URL(fileURLWithPath: try arguments.value("kek")), createIfMissing: false)
        let location = try arguments.value("store")
        let store: RecipientStore
        if location == "postgres" {
            // The URL (with its password) comes in the environment, never on the command line.
            guard let url = ProcessInfo.processInfo.environment["CDRKIT_PROBE_POSTGRES_URL"] else {
                throw Arguments.Failure("--store postgres needs CDRKIT_PROBE_POSTGRES_URL")
            }
            store = try await RecipientStore.postgres(url: try PostgresURL(url), keyEncryptionKey: key)
        } else {
            store = try await RecipientStore.sqlite(path: location, keyEncryptionKey: key)
        }
        let trust = TrustRoots.certificates(pem: try arguments.text(of: "ca"))
        let product = SoftwareProductIdentity(
            softwareProductID: try arguments.value("product-id"), brandID: try arguments.value("product-brand-id"),
            signingKey: try SigningKey(
                pem: try arguments.text(of: "signing-key"), keyID: try arguments.value("signing-key-id")),
            redirectURIs: [try arguments.value("redirect-uri")])
        let configuration = CDRClient.Configuration(
            product: product, identity: try ClientIdentity(combinedPEM: try arguments.text(of: "identity")),
            cdrCertificateAuthority: trust, publicTrustRoots: trust, store: store, recordStore: store,
            requestTimeout: .seconds(30))
        let brand = try JSONDecoder().decode(HolderBrand.self, from: Data(try arguments.text(of: "brand").utf8))
        let arrangementID = try arguments.value("arrangement")
        let limit = try arguments.optional("limit").map { value -> Int in
            guard let limit = Int(value), limit > 0 else {
                throw Arguments.Failure("--limit must be a positive number")
            }
            return limit
        }
        try await AsyncHTTPClientTransport.withTransport(configuration: configuration.transportConfiguration) { base in
            let cdr = CDRClient(configuration: configuration, transport: base)
            // The registration comes from the store: no Register, no DCR.
            let holder = try await cdr.connect(brand: brand)
            guard let arrangement = try await holder.arrangement(id: arrangementID) else {
                throw Arguments.Failure("the store has no arrangement \(arrangementID)")
            }
            if try arguments.optional("mode") == "sync" {
                // Syncs every account's transactions of the period from its checkpoint, saying each one done.
                guard let from = Double(try arguments.value("from")), let to = Double(try arguments.value("to")) else {
                    throw Arguments.Failure("--from and --to must be seconds since 1970")
                }
                say("ready")
                let period = DateInterval(
                    start: Date(timeIntervalSince1970: from), end: Date(timeIntervalSince1970: to))
                try await holder.syncTransactions(of: arrangement, in: period) { result in
                    say("synced \(result.account.rawValue) \(result.records)")
                }
                say("done")
                return
            }
            let manager = await holder.connection.tokenManager(for: arrangementID)
            // Resource calls use the access token the refresh returned, as `TokenManager.accessToken()` hands it out
            // after a refresh: so a set the manager returned before saving it would be used before it was saved.
            let latest = LatestAccessToken()
            let banking = BankingClient(
                configuration: .init(
                    resourceBaseURL: brand.resourceBaseURL, publicBaseURL: brand.publicBaseURL, holderBrandID: brand.id),
                context: .unattended(authenticatedAt: arrangement.authorisedAt),
                transport: MiddlewareTransport.standard(base, accessTokens: latest))
            let data = CDRAccountDataSource(holderBrandID: brand.id, arrangementID: arrangementID, banking: banking)
            say("ready")
            var count = 0
            while limit.map({ count < $0 }) ?? true {
                latest.token.withLock { $0 = nil }
                let tokens = try await manager.refresh()
                latest.token.withLock { $0 = tokens.accessToken }
                count += 1
                say("refreshed \(count)")
                _ = try await data.accounts()
            }
        }
        try await store.close()
    }

    /// Writes one line to standard output at once (the parent reads it while this process runs).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The access token of the last refresh, for the bearer-token middleware; it never refreshes by itself.
final class LatestAccessToken: AccessTokenProvider {
    let token = Mutex<String?>(nil)

    func accessToken() async throws -> String {
        guard let token = token.withLock({ $0 }) else { throw Arguments.Failure("no refresh has returned yet") }
        return token
    }

    func accessToken(afterRejecting rejected: String) async throws -> String {
        throw Arguments.Failure("the holder refused the access token the refresh returned")
    }
}

/// `--name value` pairs.
struct Arguments {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) throws {
        var rest = arguments
        while let name = rest.popFirst() {
            guard name.hasPrefix("--"), let value = rest.popFirst() else {
                throw Failure("expected --name value pairs, got \(name)")
            }
            values[String(name.dropFirst(2))] = value
        }
    }

    func optional(_ name: String) throws -> String? { values[name] }

    func value(_ name: String) throws -> String {
        guard let value = values[name] else { throw Failure("--\(name) is missing") }
        return value
    }

    /// The contents of the file named by `--name`.
    func text(of name: String) throws -> String {
        let path = try value(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure("--\(name): \(path) cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
