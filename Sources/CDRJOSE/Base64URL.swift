package import Foundation

/// Unpadded base64url (RFC 7515 §2) helpers.
package enum Base64URL {
    package static func encode(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package static func encode(_ string: String) -> String { encode(Data(string.utf8)) }

    /// Decodes unpadded base64url; rejects padding and characters outside the alphabet.
    package static func decode(_ string: some StringProtocol) -> Data? {
        var text = String(string)
        guard
            text.utf8.allSatisfy({ byte in
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x5F
            })
        else { return nil }
        guard text.utf8.count % 4 != 1 else { return nil }
        text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text.append("=") }
        return Data(base64Encoded: text)
    }
}

/// Whole-second helpers: JWT dates are NumericDate seconds.
extension Date {
    var jwtSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }
    var truncatedToSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
