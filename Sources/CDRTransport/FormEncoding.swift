public import Foundation

/// `application/x-www-form-urlencoded` bodies, as the OAuth endpoints (PAR, token, introspection, revocation) and the
/// recipient's `/arrangements/revoke` use them.
public enum FormEncoding {
    /// The `content-type` value.
    public static let mediaType = "application/x-www-form-urlencoded"

    /// Decodes `a=1&b=2` (`+` as space, percent escapes as UTF-8).
    /// - Parameter text: The body.
    /// - Returns: The parameters, or `nil` when a name repeats, a name is empty, or a part cannot be percent-decoded.
    public static func decode(_ text: String) -> [String: String]? {
        var result: [String: String] = [:]
        guard !text.isEmpty else { return result }
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]), !name.isEmpty else { return nil }
            let value = parts.count > 1 ? unescape(parts[1]) : ""
            guard let value, result[name] == nil else { return nil }
            result[name] = value
        }
        return result
    }

    /// Encodes parameters in the order given.
    /// - Parameter parameters: Names and values.
    /// - Returns: `a=1&b=2`, every byte outside the unreserved set (RFC 3986 §2.3) percent-encoded.
    public static func encode(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Encodes parameters as a body.
    /// - Parameter parameters: Names and values.
    /// - Returns: The UTF-8 bytes of ``encode(_:)``.
    public static func body(_ parameters: [(String, String)]) -> Data { Data(encode(parameters).utf8) }

    /// ASCII letters, digits and `-._~`: `CharacterSet.alphanumerics` would let non-ASCII letters through unescaped.
    private static let allowed: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return set
    }()

    /// Percent-encodes everything outside the unreserved set.
    /// - Parameter text: The value.
    /// - Returns: The escaped value.
    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func unescape(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
