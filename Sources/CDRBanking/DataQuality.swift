public import CDRModels
public import Foundation
import Synchronization

/// Where a set of diagnostics came from: which holder brand, operation and response.
public struct DataQualityContext: Sendable, Hashable {
    /// The holder brand, when the client knows it.
    public var holderBrandID: String?
    /// The operation id, for example `listBankingAccounts`.
    public var operation: String
    /// The version the holder answered with.
    public var version: Int
    /// The response's `x-fapi-interaction-id`: the reference a holder can look up.
    public var interactionID: String?
    /// When the response arrived.
    public var receivedAt: Date

    /// Creates a context.
    public init(holderBrandID: String?, operation: String, version: Int, interactionID: String?, receivedAt: Date) {
        self.holderBrandID = holderBrandID
        self.operation = operation
        self.version = version
        self.interactionID = interactionID
        self.receivedAt = receivedAt
    }
}

/// Told of the diagnostics of every response whose decoding tolerated a departure from the standard.
///
/// Called synchronously on the decoding path, so an implementation must be quick and must not block.
public protocol DataQualityObserver: Sendable {
    /// Takes the diagnostics of one response.
    /// - Parameters:
    ///   - diagnostics: The response's diagnostics (never empty); they carry paths and quirks, never values.
    ///   - context: Where they came from.
    func observe(_ diagnostics: [DecodingDiagnostic], in context: DataQualityContext)
}

/// What a recipient's decoding tolerated, aggregated per holder brand and operation: evidence to take to a holder.
///
/// Each entry counts one quirk at one field (list indices written `[*]`), with when it was first and last seen and
/// the interaction ids of a few responses that showed it. It never holds a value from a payload.
public struct DataQualityReport: Sendable, Hashable, CustomStringConvertible {
    /// One quirk at one field of one operation of one holder brand.
    public struct Entry: Sendable, Hashable {
        /// The holder brand (empty when the client did not know it).
        public var holderBrandID: String
        /// The operation id.
        public var operation: String
        /// The version the holder answered with.
        public var version: Int
        /// The quirk.
        public var quirk: DataQuirk
        /// The field, with list indices written `[*]` (for example `data.accounts[*].creationDate`).
        public var path: String
        /// What decoding did about it.
        public var outcome: DecodingDiagnostic.Outcome
        /// Whether the holder's quirks registry entry declares it.
        public var isExpected: Bool
        /// How many times it occurred.
        public var count: Int
        /// When it was first seen.
        public var firstSeen: Date
        /// When it was last seen.
        public var lastSeen: Date
        /// The interaction ids of the first few responses that showed it.
        public var exampleInteractionIDs: [String]
    }

    /// The entries: by holder brand, operation, version, then path and quirk.
    public var entries: [Entry]

    /// Creates a report.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The number of diagnostics the report counts.
    public var totalCount: Int { entries.reduce(0) { $0 + $1.count } }

    /// The entries of one holder brand.
    public func entries(forBrand brandID: String) -> [Entry] { entries.filter { $0.holderBrandID == brandID } }

    /// The report as lines of text, one per entry (no values, only paths, counts, dates and interaction ids).
    public var description: String {
        if entries.isEmpty { return "data quality: nothing tolerated" }
        let dates = ISO8601DateFormatter()
        return entries.map { entry in
            let brand = entry.holderBrandID.isEmpty ? "unknown brand" : entry.holderBrandID
            let examples =
                entry.exampleInteractionIDs.isEmpty
                ? "" : "; e.g. " + entry.exampleInteractionIDs.joined(separator: ", ")
            return "\(brand) \(entry.operation) v\(entry.version): \(entry.quirk) at \(entry.path), \(entry.outcome)"
                + (entry.isExpected ? " (expected)" : "")
                + " ×\(entry.count) (first \(dates.string(from: entry.firstSeen))"
                + ", last \(dates.string(from: entry.lastSeen))\(examples))"
        }.joined(separator: "\n")
    }
}

/// Collects diagnostics into a ``DataQualityReport``; thread-safe, in memory.
public final class DataQualityRecorder: DataQualityObserver {
    private struct Key: Hashable {
        var brand: String
        var operation: String
        var version: Int
        var quirk: DataQuirk
        var path: String
        var outcome: DecodingDiagnostic.Outcome
        var isExpected: Bool
    }

    private let examplesPerEntry: Int
    private let entries = Mutex<[Key: DataQualityReport.Entry]>([:])

    /// Creates an empty recorder.
    /// - Parameter examplesPerEntry: How many interaction ids to keep per entry; 3 by default.
    public init(examplesPerEntry: Int = 3) {
        self.examplesPerEntry = max(0, examplesPerEntry)
    }

    /// Counts one response's diagnostics.
    public func observe(_ diagnostics: [DecodingDiagnostic], in context: DataQualityContext) {
        entries.withLock { entries in
            var seenInThisResponse: Set<Key> = []
            for diagnostic in diagnostics {
                let key = Key(
                    brand: context.holderBrandID ?? "", operation: context.operation, version: context.version,
                    quirk: diagnostic.quirk, path: diagnostic.fieldPattern, outcome: diagnostic.outcome,
                    isExpected: diagnostic.isExpected)
                var entry =
                    entries[key]
                    ?? DataQualityReport.Entry(
                        holderBrandID: key.brand, operation: key.operation, version: key.version, quirk: key.quirk,
                        path: key.path, outcome: key.outcome, isExpected: key.isExpected, count: 0,
                        firstSeen: context.receivedAt, lastSeen: context.receivedAt, exampleInteractionIDs: [])
                entry.count += 1
                entry.firstSeen = min(entry.firstSeen, context.receivedAt)
                entry.lastSeen = max(entry.lastSeen, context.receivedAt)
                if let interactionID = context.interactionID, seenInThisResponse.insert(key).inserted,
                    entry.exampleInteractionIDs.count < examplesPerEntry,
                    !entry.exampleInteractionIDs.contains(interactionID)
                {
                    entry.exampleInteractionIDs.append(interactionID)
                }
                entries[key] = entry
            }
        }
    }

    /// The report so far.
    public var report: DataQualityReport {
        let values = entries.withLock { Array($0.values) }
        return DataQualityReport(
            entries: values.sorted {
                ($0.holderBrandID, $0.operation, $0.version, $0.path, $0.quirk.rawValue, $0.outcome.description)
                    < ($1.holderBrandID, $1.operation, $1.version, $1.path, $1.quirk.rawValue, $1.outcome.description)
            })
    }

    /// Forgets everything counted.
    public func reset() { entries.withLock { $0 = [:] } }
}
