public import Foundation

/// A source of a customer's account data: CDR (``CDRAccountDataSource``), DDC (``DDCAccountDataSource``) or a
/// policy over both (``FallbackAccountDataSource``). Callers write against this protocol and switch access method
/// without changing code; every record says which source served it (``Provenance``).
///
/// ```swift
/// let source: any AccountDataSource = FallbackAccountDataSource(cdr: cdr, ddc: ddc, policy: .preferCDR)
/// for account in try await source.accounts() {
///     for try await transaction in source.transactions(of: account.id, in: lastQuarter) {
///         print(transaction.amount, transaction.provenance.method)
///     }
/// }
/// ```
public protocol AccountDataSource: Sendable {
    /// Which access method the source uses, and its name.
    var descriptor: DataSourceDescriptor { get }

    /// The customer's accounts.
    func accounts() async throws -> [Account]

    /// The balances of the customer's accounts.
    func balances() async throws -> [Balance]

    /// An account's transactions in a period (newest first), fetched a page at a time as they are consumed.
    /// - Parameters:
    ///   - account: The account, as ``accounts()`` identified it.
    ///   - period: The period; `nil` leaves the source's default (CDR holders: the last 90 days).
    func transactions(of account: AccountKey, in period: DateInterval?) -> AccountDataStream<Transaction>

    /// The customer's saved payees.
    func payees() async throws -> [Payee]

    /// Direct debits and scheduled payments of the customer's accounts.
    func regularPayments() async throws -> [RegularPayment]
}

/// Names a source: its access method and who serves it (a holder brand, a capture provider).
public struct DataSourceDescriptor: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The access method; ``AccessMethod/cdr`` or ``AccessMethod/ddc`` (a fallback source reports the method it
    /// prefers).
    public var method: AccessMethod
    /// The holder brand or provider identifier.
    public var name: String

    /// Creates a descriptor.
    public init(method: AccessMethod, name: String) {
        self.method = method
        self.name = name
    }

    /// `cdr:brand-id`.
    public var description: String { "\(method):\(name)" }
}

/// Records fetched a page at a time: the next page is requested only when the previous one has been consumed, so
/// memory stays flat however long the history is.
public struct AccountDataStream<Element: Sendable>: AsyncSequence, Sendable {
    /// A record.
    public typealias Element = Element
    /// Any error: ``AccountDataError``, or the source's own.
    public typealias Failure = any Error
    /// Returns the next page, or `nil` at the end.
    public typealias NextPage = () async throws -> [Element]?

    private let start: @Sendable () -> NextPage

    /// Creates a stream from a function that starts a walk and returns its page reader.
    /// - Parameter start: Called once per iteration; returns a closure that gives the next page or `nil`.
    public init(_ start: @escaping @Sendable () -> NextPage) {
        self.start = start
    }

    /// A stream that fails at once.
    public static func failing(_ error: any Error) -> AccountDataStream {
        AccountDataStream { { throw error } }
    }

    /// Starts a walk and returns its page reader; for composing streams.
    public func makePageReader() -> NextPage { start() }

    /// Reads every record into an array.
    public func collect() async throws -> [Element] {
        var records: [Element] = []
        let next = start()
        while let page = try await next() { records.append(contentsOf: page) }
        return records
    }

    /// Iterates over the records.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(next: start()) }

    /// The iterator over records.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let next: NextPage
        var buffer: [Element] = []
        var index = 0
        var isFinished = false

        /// The next record, fetching a page when this one is used up.
        public mutating func next() async throws -> Element? {
            while index == buffer.count {
                guard !isFinished else { return nil }
                guard let page = try await next() else {
                    isFinished = true
                    buffer = []
                    index = 0
                    return nil
                }
                buffer = page
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}
