public import Foundation

/// One response of a data holder that carried a customer's CDR data: what a recipient keeps a record of for each
/// collection (CDR Rules, rule 9.3). It names the call, never the data.
public struct DataCollection: Sendable, Hashable, CustomStringConvertible {
    /// The data holder brand that served it (as the client's configuration names it; `nil` when it does not).
    public var holderBrandID: String?
    /// The CDS operation (`listBankingTransactions`, `getAccountDetail`, …).
    public var operation: String
    /// The endpoint version the holder answered with (`x-v`).
    public var version: Int
    /// How many records the response carried (1 for a single-record response).
    public var recordCount: Int
    /// The response's `x-fapi-interaction-id` (or the request's, when the holder did not echo it).
    public var interactionID: String?
    /// When the response arrived.
    public var fetchedAt: Date

    /// Creates a collection.
    /// - Parameters:
    ///   - holderBrandID: The holder brand.
    ///   - operation: The CDS operation.
    ///   - version: The answered version.
    ///   - recordCount: The number of records.
    ///   - interactionID: The interaction id.
    ///   - fetchedAt: When it arrived.
    public init(
        holderBrandID: String?, operation: String, version: Int, recordCount: Int, interactionID: String?,
        fetchedAt: Date
    ) {
        self.holderBrandID = holderBrandID
        self.operation = operation
        self.version = version
        self.recordCount = recordCount
        self.interactionID = interactionID
        self.fetchedAt = fetchedAt
    }

    /// `listBankingTransactions v2 from mock-bank: 1000 records`.
    public var description: String {
        "\(operation) v\(version) from \(holderBrandID ?? "the holder"): \(recordCount) records"
    }
}

/// Told of every authenticated response of a ``BankingClient`` that carried customer data, after it was decoded and
/// before its records are handed on: an audit trail of collections.
///
/// Public, unauthenticated calls (status, outages, products) are not collections of a customer's data and are not
/// reported. A throwing observer fails the call, so no record reaches the caller without its collection recorded.
public protocol DataCollectionObserver: Sendable {
    /// Records a collection.
    /// - Parameter collection: What was collected.
    /// - Throws: Any error; the call that collected the data fails with it.
    func collected(_ collection: DataCollection) async throws
}

extension BankingClient {
    /// Reports a decoded authenticated response to the observer, if there is one.
    func report(_ raw: RawResponse, operation: String, recordCount: Int) async throws {
        guard raw.isAuthenticated, let observer = collectionObserver else { return }
        try await observer.collected(
            DataCollection(
                holderBrandID: configuration.holderBrandID, operation: operation, version: raw.version,
                recordCount: recordCount, interactionID: raw.interactionID, fetchedAt: raw.fetchedAt))
    }
}
