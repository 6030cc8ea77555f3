public import CDRModels
public import Foundation

/// What is known of one data holder brand's behaviour, as declared in a quirks registry: how ``BankingClient``
/// adapts its requests and decoding to it.
///
/// Every field is optional in the registry's JSON; an empty value changes nothing.
///
/// ```json
/// {"brandIds": ["…"], "name": "Example Bank", "pageSizeCap": 100,
///  "avoidVersions": {"listBankingAccounts": [3]},
///  "expectedQuirks": ["dateTimeInDateField"],
///  "ignoredFields": {"listBankingPayees": ["data.payees[*].nickname"]},
///  "note": "why, with the evidence"}
/// ```
public struct HolderQuirks: Codable, Hashable, Sendable {
    /// The `dataHolderBrandId`s this entry applies to.
    public var brandIDs: [String]
    /// A name for people reading the registry.
    public var name: String?
    /// The largest `page-size` the holder honours; larger requests are capped to it.
    public var pageSizeCap: Int?
    /// Versions not to ask for, by operation id (for example a version the holder advertises but answers wrongly).
    public var avoidVersions: [String: [Int]]
    /// Quirks the holder is known for: their diagnostics are marked expected, and strict decoding tolerates them.
    public var expectedQuirks: Set<DataQuirk>
    /// Fields whose values are not used, by operation id, as wire paths with `[*]` for any list index.
    public var ignoredFields: [String: Set<String>]
    /// Why the entry says what it says.
    public var note: String?

    /// Creates an entry; with no arguments, one that changes nothing.
    public init(
        brandIDs: [String] = [], name: String? = nil, pageSizeCap: Int? = nil, avoidVersions: [String: [Int]] = [:],
        expectedQuirks: Set<DataQuirk> = [], ignoredFields: [String: Set<String>] = [:], note: String? = nil
    ) {
        self.brandIDs = brandIDs
        self.name = name
        self.pageSizeCap = pageSizeCap
        self.avoidVersions = avoidVersions
        self.expectedQuirks = expectedQuirks
        self.ignoredFields = ignoredFields
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case brandIDs = "brandIds", name, pageSizeCap, avoidVersions, expectedQuirks, ignoredFields, note
    }

    /// Decodes an entry; absent members change nothing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        brandIDs = try container.decodeIfPresent([String].self, forKey: .brandIDs) ?? []
        name = try container.decodeIfPresent(String.self, forKey: .name)
        pageSizeCap = try container.decodeIfPresent(Int.self, forKey: .pageSizeCap)
        avoidVersions = try container.decodeIfPresent([String: [Int]].self, forKey: .avoidVersions) ?? [:]
        expectedQuirks = try container.decodeIfPresent(Set<DataQuirk>.self, forKey: .expectedQuirks) ?? []
        ignoredFields = try container.decodeIfPresent([String: Set<String>].self, forKey: .ignoredFields) ?? [:]
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }

    /// A problem with the entry, or `nil` when it can be applied.
    var problem: String? {
        if let cap = pageSizeCap, !(1...1000).contains(cap) { return "pageSizeCap must be 1 to 1000" }
        for quirk in expectedQuirks where !DataQuirk.all.contains(quirk) {
            return "expectedQuirks names an unknown quirk '\(quirk.rawValue.prefix(40))'"
        }
        for (operation, versions) in avoidVersions {
            let known = CDSOperation.versions(of: operation)
            if known.isEmpty { return "avoidVersions names an unknown operation '\(operation.prefix(60))'" }
            if versions.contains(where: { !known.contains($0) }) {
                return "avoidVersions names a version of \(operation) the SDK does not read"
            }
            if known.allSatisfy(versions.contains) {
                return "avoidVersions leaves no version of \(operation) to ask for"
            }
        }
        for operation in ignoredFields.keys where CDSOperation.versions(of: operation).isEmpty {
            return "ignoredFields names an unknown operation '\(operation.prefix(60))'"
        }
        return nil
    }
}

/// Known behaviours of data holder brands, as data: the package's own file (``bundled``) plus any a recipient adds.
///
/// ```swift
/// let registry = try HolderQuirksRegistry.bundled.merging(HolderQuirksRegistry(contentsOf: ourQuirksFile))
/// let quirks = registry.quirks(forBrand: brandID)   // then BankingClient.Configuration(…, quirks: quirks)
/// ```
///
/// The file is JSON: `{"format": 1, "holders": [`a ``HolderQuirks`` each`]}`.
public struct HolderQuirksRegistry: Sendable, Hashable {
    /// The entries; a later entry for the same brand wins.
    public var entries: [HolderQuirks]

    /// A registry of the given entries.
    public init(entries: [HolderQuirks] = []) {
        self.entries = entries
    }

    /// Reads a registry from its JSON.
    /// - Parameter json: The document.
    /// - Throws: ``HolderQuirksRegistryError`` when it is not a valid registry (naming the entry and the problem).
    public init(json: Data) throws {
        struct File: Decodable {
            var format: Int
            var holders: [HolderQuirks]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch {
            throw HolderQuirksRegistryError(reason: "not a quirks registry document: \(Self.describe(error))")
        }
        guard file.format == 1 else {
            throw HolderQuirksRegistryError(reason: "format \(file.format) is not one this SDK reads (1)")
        }
        for (index, entry) in file.holders.enumerated() {
            if entry.brandIDs.isEmpty { throw HolderQuirksRegistryError(reason: "holders[\(index)] names no brandIds") }
            if let problem = entry.problem { throw HolderQuirksRegistryError(reason: "holders[\(index)]: \(problem)") }
        }
        self.init(entries: file.holders)
    }

    /// Reads a registry from a file.
    /// - Parameter url: The file.
    /// - Throws: ``HolderQuirksRegistryError`` when it cannot be read or is not a valid registry.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw HolderQuirksRegistryError(reason: "the file \(url.lastPathComponent) cannot be read")
        }
        try self.init(json: data)
    }

    /// The registry that ships with CDRKit (`Sources/CDRBanking/Resources/holder-quirks.json`).
    ///
    /// It declares only behaviours shown by evidence; today that is the quirk brand of CDRKit's own mock holder
    /// (used by the tests and the demo). Add what you learn of real holders with ``merging(_:)``.
    public static let bundled: HolderQuirksRegistry = {
        guard let url = Bundle.module.url(forResource: "holder-quirks", withExtension: "json"),
            let registry = try? HolderQuirksRegistry(contentsOf: url)
        else { return HolderQuirksRegistry() }
        return registry
    }()

    /// This registry with another's entries added; for a brand in both, the other's entry wins.
    public func merging(_ other: HolderQuirksRegistry) -> HolderQuirksRegistry {
        HolderQuirksRegistry(entries: entries + other.entries)
    }

    /// The entry for a brand, or `nil` when the registry knows nothing of it.
    public func quirks(forBrand brandID: String?) -> HolderQuirks? {
        guard let brandID else { return nil }
        return entries.last { $0.brandIDs.contains(brandID) }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "unreadable" }
        return PayloadDecodingError(error).description
    }
}

/// A quirks registry document that cannot be used.
public struct HolderQuirksRegistryError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the entry.
    public var reason: String

    /// The error in one line.
    public var description: String { "HolderQuirksRegistryError: \(reason)" }
}

extension HolderQuirksRegistryError: CDRCategorizedError {
    /// A registry the caller supplied is the caller's mistake.
    public var category: CDRFailureCategory { .callerError }
}

extension BankingClient.Configuration {
    /// The `page-size` to send: the configured one, capped by the holder's known limit.
    var effectivePageSize: Int? {
        // A cap outside the standard's 1…1000 (an entry built in code, not read from a registry) is not applied.
        guard let cap = quirks.pageSizeCap, (1...1000).contains(cap) else { return pageSize }
        guard let pageSize else { return cap < 25 ? cap : nil }
        return min(pageSize, cap)
    }

    /// The versions to offer for an operation, newest first, without those the holder is known to answer wrongly.
    func offeredVersions(of operationID: String) -> [Int] {
        let versions = self.versions.versions(of: operationID)
        guard let avoided = quirks.avoidVersions[operationID], !avoided.isEmpty else { return versions }
        let offered = versions.filter { !avoided.contains($0) }
        // An entry that rules out every version the preferences allow is not applied: the call is still made.
        return offered.isEmpty ? versions : offered
    }

    /// The decoder for an operation's responses.
    func decoder(for operationID: String) -> CDRDecoder {
        CDRDecoder(
            mode: decodingMode, expectedQuirks: quirks.expectedQuirks,
            ignoredFields: quirks.ignoredFields[operationID] ?? [])
    }
}
