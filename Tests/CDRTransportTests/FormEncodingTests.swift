import CDRTransport
import Foundation
import Testing

@Suite struct FormEncodingTests {
    @Test func roundTripsNonASCIIAndReservedCharacters() throws {
        let parameters = [
            ("name", "José Müller"), ("query", "a&b=c+d e"), ("scope", "openid bank:accounts.basic:read"),
            ("é&=+ ", "100% ✓"), ("empty", ""),
        ]
        let encoded = FormEncoding.encode(parameters)
        #expect(!encoded.contains(" "))
        #expect(encoded.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(encoded.split(separator: "&").count == parameters.count, "a reserved character leaked unescaped")
        let decoded = try #require(FormEncoding.decode(encoded))
        #expect(decoded == Dictionary(uniqueKeysWithValues: parameters))
        #expect(FormEncoding.body(parameters) == Data(encoded.utf8))
    }

    @Test func escapesEverythingOutsideTheUnreservedSet() {
        #expect(FormEncoding.escape("AZaz09-._~") == "AZaz09-._~")
        #expect(FormEncoding.escape("é") == "%C3%A9")
        #expect(FormEncoding.escape("a b&c=d+e/f?") == "a%20b%26c%3Dd%2Be%2Ff%3F")
        #expect(FormEncoding.encode([("a", "1"), ("b", "2")]) == "a=1&b=2")
    }

    @Test func decodesPlusAsSpaceAndPercentEscapes() {
        #expect(FormEncoding.decode("a=1&b=x+y%21") == ["a": "1", "b": "x y!"])
        #expect(FormEncoding.decode("n=%C3%A9%26%3D%2B") == ["n": "é&=+"])
        #expect(FormEncoding.decode("flag") == ["flag": ""])
        #expect(FormEncoding.decode("") == [:])
    }

    @Test(arguments: ["a=1&a=2", "a=%zz", "=1", "a=1&=2", "a=%C3"])
    func rejectsMalformedBodies(_ body: String) {
        #expect(FormEncoding.decode(body) == nil)
    }
}
