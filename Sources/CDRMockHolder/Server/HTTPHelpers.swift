import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A response the holder sends with a CDS or OAuth error: thrown by handlers, turned into a response by
/// ``MockRequestContext``'s routes through ``HolderResponse/respond(_:)``.
struct HolderHTTPError: Error, Sendable {
    var response: Response
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
