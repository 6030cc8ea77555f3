import CDRJOSE
import CDRTransport
import Foundation
import HTTPTypes

/// `private_key_jwt` client authentication: a fresh, single-use assertion per request.
struct PrivateKeyJWT: Sendable {
    var clientID: String
    var audience: String
    var signingKey: SigningKey
    var timeSource: any TimeSource

    /// `client_id`, `client_assertion_type` and a new `client_assertion`.
    func parameters() async throws -> [(String, String)] {
        let assertion = try await ClientAssertionBuilder(
            clientID: clientID, audience: audience, signingKey: signingKey, timeSource: timeSource
        ).makeAssertion()
        return [
            ("client_id", clientID), ("client_assertion_type", ClientAssertionBuilder.assertionType),
            ("client_assertion", assertion),
        ]
    }
}

/// Sends OAuth requests (forms, bearer GETs) and reads their JSON or RFC 6749 error answers.
struct OAuthClient: Sendable {
    let transport: any HTTPTransport

    /// POSTs a form over mutual TLS, authenticated with `authentication` when given.
    func postForm(
        _ url: URL, _ parameters: [(String, String)], authentication: PrivateKeyJWT?, operation: String,
        bearer: String? = nil
    ) async throws -> TransportResponse {
        var all = parameters
        if let authentication { all += try await authentication.parameters() }
        var fields = HTTPFields()
        fields[.contentType] = FormEncoding.mediaType
        fields[.accept] = "application/json"
        if let bearer { fields[.authorization] = "Bearer " + bearer }
        return try await transport.send(
            TransportRequest(
                method: .post, url: url, headerFields: fields, body: FormEncoding.body(all), security: .mutualTLS,
                operation: operation))
    }

    /// Decodes a 2xx JSON body, or throws `code` with the OAuth error, status and interaction id.
    func decode<T: Decodable>(
        _ type: T.Type, from response: TransportResponse, failure code: AuthorizationError.Code,
        expecting statuses: Set<Int> = [200]
    ) throws -> T {
        guard statuses.contains(response.status.code) else { throw Self.error(code, response: response) }
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw AuthorizationError(
                .unexpectedResponse, reason: "the \(T.self) body could not be read", status: response.status.code,
                interactionID: response.interactionID, underlying: error)
        }
    }

    /// The error for a refused OAuth request: the RFC 6749 `error` object when the body has one.
    static func error(_ code: AuthorizationError.Code, response: TransportResponse) -> AuthorizationError {
        let oauth = try? JSONDecoder().decode(OAuthErrorBody.self, from: response.body)
        return AuthorizationError(
            code, reason: "HTTP \(response.status.code)", status: response.status.code,
            oauthError: oauth.map {
                AuthorizationErrorResponse(
                    error: $0.error, errorDescription: $0.errorDescription, errorURI: $0.errorURI)
            }, interactionID: response.interactionID)
    }
}

/// An RFC 6749 §5.2 / RFC 7591 §3.2.2 error body.
struct OAuthErrorBody: Decodable {
    var error: String
    var errorDescription: String?
    var errorURI: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
        case errorURI = "error_uri"
    }
}
