import CDRModels
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A response the holder sends with a CDS or OAuth error: thrown by handlers, turned into a response by
/// ``MockRequestContext``'s routes through ``HolderResponse/respond(_:)``.
struct HolderHTTPError: Error, Sendable {
    var response: Response
}

extension HTTPField.Name {
    static let xV = HTTPField.Name("x-v")!
    static let xMinV = HTTPField.Name("x-min-v")!
    static let xFAPIInteractionID = HTTPField.Name("x-fapi-interaction-id")!
    static let xFAPIAuthDate = HTTPField.Name("x-fapi-auth-date")!
    static let xFAPICustomerIPAddress = HTTPField.Name("x-fapi-customer-ip-address")!
    static let xCDSClientHeaders = HTTPField.Name("x-cds-client-headers")!
}

/// Building responses in the standard's forms.
enum HolderResponse {
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// A JSON response from an `Encodable` value.
    static func json(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) throws -> Response {
        let data = try jsonEncoder.encode(value)
        return raw(data, status: status, contentType: "application/json", headers: headers)
    }

    /// A response with a body of bytes.
    static func raw(
        _ data: some Sequence<UInt8>, status: HTTPResponse.Status = .ok, contentType: String?,
        headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        if let contentType { fields[.contentType] = contentType }
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }

    /// A CDS error response (`ResponseErrorListV2`) with one error.
    static func cdsError(
        _ status: HTTPResponse.Status, _ code: CDSErrorCode, detail: String, headers: HTTPFields = [:]
    ) -> Response {
        cdsErrors(status, [(code, detail)], headers: headers)
    }

    /// A CDS error response with several errors.
    static func cdsErrors(
        _ status: HTTPResponse.Status, _ errors: [(CDSErrorCode, String)], headers: HTTPFields = [:]
    ) -> Response {
        let list = ResponseErrorListV2(
            errors: errors.map { code, detail in
                ErrorV2(code: code.rawValue, title: title(of: code), detail: detail, meta: nil)
            })
        return (try? json(list, status: status, headers: headers))
            ?? Response(status: .internalServerError)
    }

    /// An OAuth 2.0 / RFC 7591 error response: `{"error": …, "error_description": …}`.
    static func oauthError(
        _ error: String, description: String, status: HTTPResponse.Status = .badRequest,
        headers: HTTPFields = [:]
    ) -> Response {
        var body: [String: String] = ["error": error]
        body["error_description"] = description
        var fields = headers
        fields[.cacheControl] = "no-store"
        return (try? json(body, status: status, headers: fields)) ?? Response(status: .internalServerError)
    }

    /// A short human title for a standard error code ("Field/InvalidPageSize" → "Invalid Page Size").
    static func title(of code: CDSErrorCode) -> String {
        guard let name = code.code else { return "Error" }
        var words: [String] = []
        var current = ""
        for character in name {
            if character.isUppercase, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.joined(separator: " ")
    }
}

extension Request {
    /// Collects the body, up to `limit` bytes.
    mutating func bodyBytes(limit: Int = 1 << 20) async throws -> [UInt8] {
        let buffer = try await collectBody(upTo: limit)
        return Array(buffer.readableBytesView)
    }

    /// Parses an `application/x-www-form-urlencoded` body. A repeated parameter is an error (RFC 6749 §3.1).
    mutating func formParameters() async throws(HolderHTTPError) -> [String: String] {
        guard let contentType = headers[.contentType]?.lowercased(),
            contentType.hasPrefix("application/x-www-form-urlencoded")
        else {
            throw HolderHTTPError(
                response: HolderResponse.oauthError(
                    "invalid_request", description: "the body must be application/x-www-form-urlencoded"))
        }
        let bytes: [UInt8]
        do { bytes = try await bodyBytes() } catch {
            throw HolderHTTPError(
                response: HolderResponse.oauthError("invalid_request", description: "the body could not be read"))
        }
        guard let parameters = FormEncoding.decode(String(decoding: bytes, as: UTF8.self)) else {
            throw HolderHTTPError(
                response: HolderResponse.oauthError(
                    "invalid_request", description: "malformed or repeated form parameters"))
        }
        return parameters
    }

    /// The bearer token of the `Authorization` header, if any.
    var bearerToken: String? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The query parameter `name`, percent-decoded; the first value when repeated.
    func query(_ name: String) -> String? {
        uri.queryParameters[name[...]].map { String($0) }?.removingPercentEncoding
    }
}

/// `application/x-www-form-urlencoded` encoding and decoding.
enum FormEncoding {
    /// Decodes `a=1&b=2`; `nil` when a name repeats or a part cannot be percent-decoded.
    static func decode(_ text: String) -> [String: String]? {
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

    /// Encodes parameters in a stable order.
    static func encode(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func unescape(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

/// The HTTP-date of RFC 9110 §5.6.7 in its preferred form (IMF-fixdate), as FAPI requires for
/// `x-fapi-auth-date`: `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses an IMF-fixdate strictly, day name included; `nil` for anything else.
    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","),
            days.contains(String(parts[0].dropLast())), parts[1].count == 2, let day = Int(parts[1]),
            let monthIndex = months.firstIndex(of: String(parts[2])), parts[3].count == 4, let year = Int(parts[3]),
            parts[5] == "GMT"
        else { return nil }
        let time = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 3, time.allSatisfy({ $0.count == 2 }), let hour = Int(time[0]), let minute = Int(time[1]),
            let second = Int(time[2]), hour < 24, minute < 60, second < 61
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day,
            days[(calendar.component(.weekday, from: date) + 5) % 7] == String(parts[0].dropLast())
        else { return nil }
        return date
    }

    /// Formats a date as an IMF-fixdate.
    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let day = days[((c.weekday ?? 1) + 5) % 7]
        return "\(day), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) GMT"
    }
}
