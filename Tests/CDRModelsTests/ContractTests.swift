import CDRModels
import Foundation
import Testing

/// One entry of `Specs/manifest.json`.
struct Fixture: Decodable, Sendable, CustomTestStringConvertible {
    var file: String
    var group: String
    var operation: String
    var version: Int
    var standard: String
    var schema: String
    var kind: String
    var expect: String
    var diagnostics: [ExpectedDiagnostic]?
    /// Paths absent from the re-encoded value: records left out and values not used.
    var removed: [String]?
    /// Values the re-encoded value holds at a path in place of what was sent (repairs).
    var replaced: [String: JSONValue]?
    var unknownEnumPath: String?
    var fault: String?

    var testDescription: String { "\(file) (\(expect))" }

    /// One diagnostic a lenient decode must report.
    struct ExpectedDiagnostic: Decodable, Hashable, Sendable, CustomStringConvertible {
        /// The element left out (for `recordLeftOut`) or the field at fault.
        var path: String
        /// The enclosing list element, empty when none.
        var element: String
        var quirk: String
        var outcome: String

        init(path: String, element: String, quirk: String, outcome: String) {
            (self.path, self.element, self.quirk, self.outcome) = (path, element, quirk, outcome)
        }

        init(_ diagnostic: DecodingDiagnostic) {
            let leftOut = diagnostic.outcome == .recordLeftOut
            self.init(
                path: leftOut ? diagnostic.elementPath : diagnostic.fieldPath, element: diagnostic.elementPath,
                quirk: diagnostic.quirk.rawValue, outcome: diagnostic.outcome.description)
        }

        var description: String { "\(outcome) \(quirk) at \(path)" }
    }

    static let specsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Specs")

    static func loadManifest() throws -> [Fixture] {
        struct Manifest: Decodable { var fixtures: [Fixture] }
        let data = try Data(contentsOf: specsDirectory.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data).fixtures
    }

    /// Every fixture, or none when the manifest cannot be read (``ContractTests/manifestIsComplete()`` fails then).
    static let all: [Fixture] = (try? loadManifest()) ?? []

    func body() throws -> Data {
        try Data(contentsOf: Self.specsDirectory.appendingPathComponent("fixtures").appendingPathComponent(file))
    }

    /// The model type the fixture is decoded with.
    var modelType: (any Codable.Type)? {
        if let operation = CDSOperation.named(operation, version: version) { return operation.responseType }
        return Self.otherType(schema)
    }

    /// Payloads that are not the 200 body of a banking or common operation.
    static func otherType(_ schema: String) -> (any Codable.Type)? {
        switch schema {
        case "ResponseErrorListV2": ResponseErrorListV2.self
        case "RequestAccountIdListV1": RequestAccountIdListV1.self
        case "ResponseRegisterDataHolderBrandListV2": ResponseRegisterDataHolderBrandListV2.self
        case "RegistrationProperties": RegistrationProperties.self
        default: nil
        }
    }
}

@Suite("Contract fixtures (Specs/)")
struct ContractTests {
    @Test func manifestIsComplete() throws {
        let fixtures = try Fixture.loadManifest()
        for operation in CDSOperation.all {
            let kinds = Set(
                fixtures.filter { $0.operation == operation.id && $0.version == operation.version }.map(\.kind))
            #expect(kinds.isSuperset(of: ["full", "minimal", "invalid"]), "fixtures missing for \(operation)")
        }
        for fixture in fixtures {
            #expect(fixture.modelType != nil, "no model type for \(fixture.file)")
            if let operation = CDSOperation.named(fixture.operation, version: fixture.version) {
                // The manifest names the standard's schema; the model type carries the same name.
                #expect(String(describing: operation.responseType) == fixture.schema, "\(fixture.file)")
            }
        }
    }

    @Test(arguments: Fixture.all)
    func fixtureBehavesAsTheManifestSays(_ fixture: Fixture) throws {
        let type = try #require(fixture.modelType, "no model type for \(fixture.schema)")
        try check(type, fixture)
    }

    private func check<T: Codable>(_ type: T.Type, _ fixture: Fixture) throws {
        let body = try fixture.body()
        let original = try JSONDecoder().decode(JSONValue.self, from: body)
        switch fixture.expect {
        case "valid", "unknown-enum":
            let lenient = try CDRDecoder().decode(T.self, from: body)
            #expect(lenient.diagnostics.isEmpty, "\(lenient.diagnostics)")
            let strict = try CDRDecoder(mode: .strict).decode(T.self, from: body)
            #expect(try reencoded(strict.value) == original, "round trip changed \(fixture.file)")
            // An unknown-enum fixture must name the element to check; a valid one may.
            if fixture.expect == "unknown-enum" {
                #expect(fixture.unknownEnumPath != nil, "\(fixture.file) names no unknownEnumPath")
            }
            if let path = fixture.unknownEnumPath {
                #expect(try reencoded(lenient.value).value(at: path) == original.value(at: path))
                #expect(original.value(at: path) != nil, "unknownEnumPath \(path) not in \(fixture.file)")
            }
        case "error":
            // The decoded value is not printed: the check says only whether decoding failed.
            #expect(
                (try? CDRDecoder().decode(T.self, from: body)) == nil, "lenient decode of \(fixture.file) succeeded")
            #expect((try? CDRDecoder(mode: .strict).decode(T.self, from: body)) == nil)
        case "diagnostics":
            let expected = try #require(fixture.diagnostics)
            let lenient = try CDRDecoder().decode(T.self, from: body)
            #expect(lenient.diagnostics.map(Fixture.ExpectedDiagnostic.init) == expected)
            // What remains is exactly the original without what was left out, with the repairs in place.
            let wanted = original.removing(paths: fixture.removed ?? []).replacing(fixture.replaced ?? [:])
            #expect(try reencoded(lenient.value) == wanted, "re-encoded \(fixture.file) differs")
            #expect((try? CDRDecoder(mode: .strict).decode(T.self, from: body)) == nil, "strict accepted it")
        default:
            Issue.record("unknown expectation \(fixture.expect) in \(fixture.file)")
        }
    }

    private func reencoded<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}

extension JSONValue {
    /// Path components of `data.accounts[1].name`: keys as strings, indices as ints.
    static func components(_ path: String) -> [Either] {
        var result: [Either] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { result.append(.key(String(rest[..<bracket]))) }
                rest = rest[bracket...]
                while let open = rest.firstIndex(of: "["), let close = rest.firstIndex(of: "]") {
                    result.append(.index(Int(rest[rest.index(after: open)..<close])!))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                result.append(.key(String(rest)))
            }
        }
        return result
    }

    enum Either { case key(String), index(Int) }

    func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
        for component in Self.components(path) {
            switch (component, current) {
            case (.key(let key), .object(let object)?): current = object[key]
            case (.index(let index), .array(let array)?): current = array.indices.contains(index) ? array[index] : nil
            default: return nil
            }
        }
        return current
    }

    /// Removes array elements by path. Paths are removed in descending order (indices compared as numbers, a
    /// deeper path after its prefix), so a removal never shifts an element another path still names.
    func removing(paths: [String]) -> JSONValue {
        func descending(_ lhs: [Either], _ rhs: [Either]) -> Bool {
            for (l, r) in zip(lhs, rhs) {
                switch (l, r) {
                case (.index(let a), .index(let b)) where a != b: return a > b
                case (.key(let a), .key(let b)) where a != b: return a > b
                case (.key, .index): return true
                case (.index, .key): return false
                default: continue
                }
            }
            return lhs.count > rhs.count
        }
        return paths.map(Self.components).sorted(by: descending).reduce(self) { $0.removing($1[...]) }
    }

    /// Sets the value at each path (an existing object member or array element).
    func replacing(_ values: [String: JSONValue]) -> JSONValue {
        values.reduce(self) { $0.setting($1.value, at: Self.components($1.key)[...]) }
    }

    private func setting(_ value: JSONValue, at path: ArraySlice<Either>) -> JSONValue {
        guard let first = path.first else { return value }
        switch (first, self) {
        case (.key(let key), .object(var object)):
            object[key] = (object[key] ?? .null).setting(value, at: path.dropFirst())
            return .object(object)
        case (.index(let index), .array(var array)) where array.indices.contains(index):
            array[index] = array[index].setting(value, at: path.dropFirst())
            return .array(array)
        default:
            return self
        }
    }

    private func removing(_ path: ArraySlice<Either>) -> JSONValue {
        guard let first = path.first else { return self }
        let rest = path.dropFirst()
        switch (first, self) {
        case (.key(let key), .object(var object)):
            object[key] = rest.isEmpty ? nil : object[key]?.removing(rest)
            return .object(object)
        case (.index(let index), .array(var array)) where array.indices.contains(index):
            if rest.isEmpty { array.remove(at: index) } else { array[index] = array[index].removing(rest) }
            return .array(array)
        default:
            return self
        }
    }
}
