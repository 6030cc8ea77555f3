/// The body of a successful CDS response.
public protocol CDSResponse: Codable, Hashable, Sendable {}

/// The body of a CDS request (the list of account IDs some `POST` operations take).
public protocol CDSRequest: Codable, Hashable, Sendable {}

/// A CDS response that is one page of a list: its records, links to the other pages, and totals.
public protocol CDSPaginatedResponse: CDSResponse {
    /// The type of one record.
    associatedtype Record: Codable, Hashable, Sendable

    /// The records of this page.
    var records: [Record] { get set }
    /// Links to the first, previous, next and last pages, where they exist.
    var links: LinksPaginated { get }
    /// The total number of records across all pages.
    var totalRecords: Int { get }
    /// The total number of pages.
    var totalPages: Int { get }
}

/// One operation of the Consumer Data Standards at one version (`x-v`): where it lives, what it needs and what
/// it returns.
///
/// The catalogue (``all``) lists every banking and common operation in the current standard and in the previous
/// versions still live.
public struct CDSOperation: Sendable, Hashable, CustomStringConvertible {
    /// The standard's `operationId`, for example `listBankingAccounts`.
    public let id: String
    /// The HTTP method.
    public let method: String
    /// The path below the base URI, for example `/banking/accounts/{accountId}`.
    public let path: String
    /// The endpoint version, sent as `x-v`.
    public let version: Int
    /// The release of the standard this version comes from.
    public let standard: String
    /// The OAuth scopes it requires; empty for the public endpoints.
    public let scopes: [String]
    /// The type of the 200 response body.
    public let responseType: any CDSResponse.Type
    /// The type of the request body, for the operations that take one.
    public let requestType: (any CDSRequest.Type)?

    /// Creates an operation description.
    public init(
        id: String,
        method: String,
        path: String,
        version: Int,
        standard: String,
        scopes: [String],
        responseType: any CDSResponse.Type,
        requestType: (any CDSRequest.Type)?
    ) {
        self.id = id
        self.method = method
        self.path = path
        self.version = version
        self.standard = standard
        self.scopes = scopes
        self.responseType = responseType
        self.requestType = requestType
    }

    /// Whether the operation needs an access token (and so mutual TLS).
    public var isAuthenticated: Bool { !scopes.isEmpty }

    /// Finds an operation by its `operationId` and version.
    public static func named(_ id: String, version: Int) -> CDSOperation? {
        all.first { $0.id == id && $0.version == version }
    }

    /// The versions of an operation that the SDK supports, newest first.
    public static func versions(of id: String) -> [Int] {
        all.filter { $0.id == id }.map(\.version).sorted(by: >)
    }

    /// `GET /banking/accounts (listBankingAccounts) x-v 3`.
    public var description: String { "\(method) \(path) (\(id)) x-v \(version)" }

    /// Operations are equal when their `operationId` and version are equal.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id && lhs.version == rhs.version }

    /// Hashes the `operationId` and version.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(version)
    }
}
