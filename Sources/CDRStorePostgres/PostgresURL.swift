import CDRStore
import Foundation

/// Where a PostgreSQL database is and how to reach it, from a connection URL:
/// `postgres://user:password@host:port/database?sslmode=verify-full&sslrootcert=/path/ca.pem`.
///
/// The scheme is `postgres` or `postgresql`. The user and the database are required; the port defaults to 5432; a
/// user or password with reserved characters is percent-encoded, and an IPv6 host is in brackets. The query takes
/// libpq's names:
/// - `sslmode`: `disable`, `prefer`, `require`, `verify-ca` or `verify-full`. Without it, a loopback host
///   (`127.0.0.1`, `::1`, `localhost`) is `prefer`, every other host `verify-full`: a database across a network is
///   reached over TLS with its certificate checked unless the URL says otherwise.
/// - `sslrootcert`: a PEM file of the certificates to trust, instead of the system's.
/// - `application_name`: the name the server shows for the connections.
/// - `connect_timeout`: seconds to wait for a connection (10 by default).
///
/// Any other parameter is refused, so a typo never silently weakens the connection. ``description`` never shows the
/// password.
public struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS (libpq's `sslmode`).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, without checking its certificate.
        case prefer
        /// TLS always; the certificate is checked against `sslrootcert` when given (as libpq does), otherwise not.
        case require
        /// TLS always, with a certificate that chains to a trusted root (any host name).
        case verifyCA = "verify-ca"
        /// TLS always, with a trusted certificate for the host.
        case verifyFull = "verify-full"
    }

    /// The host name or address.
    public var host: String
    /// The port.
    public var port: Int
    /// The user.
    public var user: String
    /// The password, or `nil`.
    public var password: String?
    /// The database.
    public var database: String
    /// How TLS is used.
    public var tlsMode: TLSMode
    /// A PEM file of trusted root certificates, or `nil` for the system's.
    public var rootCertificatePath: String?
    /// The `application_name` the server shows, or `nil`.
    public var applicationName: String?
    /// How long to wait for a connection.
    public var connectTimeout: Duration

    /// Parses a connection URL.
    /// - Parameter string: `postgres://user:password@host:port/database?…`.
    /// - Throws: ``/CDRStore/StoreError`` `.connectionRejected` naming what is wrong (never the password).
    public init(_ string: String) throws {
        guard let components = URLComponents(string: string), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw Self.invalid("it is not a postgres:// or postgresql:// URL")
        }
        guard let host = components.host, !host.isEmpty else { throw Self.invalid("it names no host") }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw Self.invalid("it names no user")
        }
        let database = String(components.percentEncodedPath.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else { throw Self.invalid("it names no database") }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw Self.invalid("its port is out of range") }
        self.user = user
        self.password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        self.database = database
        self.rootCertificatePath = nil
        self.applicationName = nil
        self.connectTimeout = .seconds(10)
        var mode: TLSMode?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let parsed = TLSMode(rawValue: value) else {
                    throw Self.invalid(
                        "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                mode = parsed
            case "sslrootcert":
                guard !value.isEmpty else { throw Self.invalid("sslrootcert is empty") }
                rootCertificatePath = value
            case "application_name":
                applicationName = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw Self.invalid("connect_timeout must be a whole number of seconds above 0")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw Self.invalid("the parameter \(item.name) is not supported")
            }
        }
        self.tlsMode = mode ?? (Self.isLoopback(self.host) ? .prefer : .verifyFull)
    }

    /// The same server and options with another database.
    /// - Parameter database: The database.
    /// - Returns: The URL.
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL without its password: `postgres://user@host:port/database?sslmode=…`.
    public var description: String { text(showingPassword: false) }

    /// The URL as text, percent-encoded; with the password only when asked (for a child process's environment,
    /// never for a log, an error or a command line).
    package func text(showingPassword: Bool) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        func encode(_ part: String) -> String { part.addingPercentEncoding(withAllowedCharacters: allowed) ?? part }
        let credentials = encode(user) + (showingPassword ? password.map { ":" + encode($0) } ?? "" : "")
        let shownHost = host.contains(":") ? "[\(host)]" : host
        var text = "postgres://\(credentials)@\(shownHost):\(port)/\(encode(database))?sslmode=\(tlsMode.rawValue)"
        if let rootCertificatePath { text += "&sslrootcert=\(rootCertificatePath)" }
        return text
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private static func invalid(_ why: String) -> StoreError {
        StoreError(.connectionRejected, reason: "the PostgreSQL URL is not usable: \(why)")
    }
}
