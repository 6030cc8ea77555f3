import CDRMockData
import CDRModels
import Foundation
import Testing

@Suite struct EnvelopeTests {
    static let envelopes = EnvelopeFactory(data: EnvelopeFactory.standard).all()

    @Test func everyOperationAndVersionHasEnvelopes() {
        for operation in CDSOperation.all {
            let bodies = Self.envelopes.filter { $0.operation == operation }
            #expect(!bodies.isEmpty, "\(operation)")
            for envelope in bodies {
                #expect(
                    ObjectIdentifier(type(of: envelope.body)) == ObjectIdentifier(operation.responseType),
                    "\(operation)")
            }
        }
    }

    @Test func everyEnvelopeSurvivesAStrictRoundTrip() throws {
        for envelope in Self.envelopes {
            let (_, isEqual) = try roundTrip(envelope.body)
            #expect(isEqual, "\(envelope.operation)")
        }
    }

    /// Writes every envelope as `<operationId>.v<x-v>.<n>.json` when `CDR_MOCK_DUMP_DIR` names a folder, for
    /// `Scripts/validate-responses.py`.
    @Test func dumpEnvelopesWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["CDR_MOCK_DUMP_DIR"], !path.isEmpty else { return }
        let folder = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var counters: [String: Int] = [:]
        for envelope in Self.envelopes {
            let stem = "\(envelope.operation.id).v\(envelope.operation.version)"
            let number = counters[stem, default: 0] + 1
            counters[stem] = number
            try encoder.encode(envelope.body).write(to: folder.appendingPathComponent("\(stem).\(number).json"))
        }
        #expect(counters.count == CDSOperation.all.count)
    }

    private func roundTrip<Body: CDSResponse>(_ body: Body) throws -> (Data, Bool) {
        let data = try JSONEncoder().encode(body)
        let decoded = try CDRDecoder(mode: .strict).decode(Body.self, from: data)
        #expect(decoded.diagnostics.isEmpty)
        return (data, decoded.value == body)
    }
}
