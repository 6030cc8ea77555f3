import CDRModels

/// A payload in one of the two versions the SDK reads for an operation: the current one or the previous one still
/// live. The holder's `x-v` decides which.
///
/// ```swift
/// switch account.body {
/// case .current(let detail): print(detail.displayName)   // BankingAccountDetailV5
/// case .previous(let detail): print(detail.displayName)  // BankingAccountDetailV4
/// }
/// ```
public enum Versioned<Current: Hashable & Sendable, Previous: Hashable & Sendable>: Hashable, Sendable {
    /// The current version's payload.
    case current(Current)
    /// The previous version's payload.
    case previous(Previous)

    /// The current version's payload, or `nil`.
    public var currentValue: Current? {
        if case .current(let value) = self { return value }
        return nil
    }

    /// The previous version's payload, or `nil`.
    public var previousValue: Previous? {
        if case .previous(let value) = self { return value }
        return nil
    }
}

/// Which versions of each operation the client asks for.
///
/// By default the client sends the newest version it reads as `x-v` and the oldest as `x-min-v`, so a holder that
/// has not moved to the newest version answers with the previous one. A holder with a known fault can be pinned:
///
/// ```swift
/// var versions = VersionPreferences()
/// versions.restrict("listBankingAccounts", to: 2...2)   // this holder's v3 is broken
/// ```
public struct VersionPreferences: Sendable, Hashable {
    private var ranges: [String: ClosedRange<Int>] = [:]

    /// Creates preferences with no overrides.
    public init() {}

    /// Limits an operation to the versions in `range` (intersected with the versions the SDK reads).
    /// - Parameters:
    ///   - operationID: The standard's `operationId`, for example `listBankingAccounts`.
    ///   - range: The versions to allow.
    public mutating func restrict(_ operationID: String, to range: ClosedRange<Int>) {
        ranges[operationID] = range
    }

    /// The versions to offer for an operation, newest first; empty when an override leaves none.
    public func versions(of operationID: String) -> [Int] {
        let supported = CDSOperation.versions(of: operationID)
        guard let range = ranges[operationID] else { return supported }
        return supported.filter(range.contains)
    }
}
