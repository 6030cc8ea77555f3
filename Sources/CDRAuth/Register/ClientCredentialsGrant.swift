import CDRJOSE
import CDRTransport
import Foundation
import HTTPTypes

/// A `client_credentials` access token (RFC 6749 §4.4) requested with `private_key_jwt`: the Register's
/// `cdr-register:read` token and a holder's `cdr:registration` token.
struct ClientCredentialsGrant: Sendable {
    /// The token endpoint (mutual TLS).
    var tokenURL: URL
    /// The one scope asked for.
    var scope: String
    /// The client authentication.
    var authentication: PrivateKeyJWT
    /// The operation name for logs.
    var operation: String

    /// An issued token. Secret: never log ``accessToken``.
    struct Issued: Sendable {
        var accessToken: String
        var expiresIn: Int?
    }

    /// The members of the token response read here.
    private struct Body: Decodable {
        var accessToken: String
        var tokenType: String
        var expiresIn: Int?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case tokenType = "token_type"
            case expiresIn = "expires_in"
        }
    }

    /// Requests the token.
    /// - Parameters:
    ///   - transport: The transport (its mutual-TLS identity binds the token).
    ///   - code: The error code for a refused or unreadable answer.
    /// - Returns: The token.
    /// - Throws: ``AuthorizationError`` with `code` (refusal, with the OAuth error) or `.unexpectedResponse` (a body
    ///   that is not a bearer token response); the transport's error when no answer arrived.
    func request(using transport: any HTTPTransport, failure code: AuthorizationError.Code) async throws -> Issued {
        let client = OAuthClient(transport: transport)
        let response = try await client.postForm(
            tokenURL, [("grant_type", "client_credentials"), ("scope", scope)], authentication: authentication,
            operation: operation)
        let body = try client.decode(Body.self, from: response, failure: code)
        guard !body.accessToken.isEmpty, body.tokenType.lowercased() == "bearer" else {
            throw AuthorizationError(
                .unexpectedResponse, reason: "the \(operation) answer is not a bearer token",
                status: response.status.code, interactionID: response.interactionID)
        }
        return Issued(accessToken: body.accessToken, expiresIn: body.expiresIn)
    }
}
