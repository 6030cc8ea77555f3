import HTTPTypes

/// Hands out access tokens for one arrangement. `CDRAuth`'s `TokenManager` is one; tests can use a fixed token.
public protocol AccessTokenProvider: Sendable {
    /// A valid access token.
    /// - Returns: The token.
    /// - Throws: When none can be had (the arrangement ended, the holder refused to refresh).
    func accessToken() async throws -> String
    /// A new access token after a resource server refused `rejected` with 401.
    /// - Parameter rejected: The refused token.
    /// - Returns: A different token.
    /// - Throws: When none can be had.
    func accessToken(afterRejecting rejected: String) async throws -> String
}

/// Attaches `Authorization: Bearer <token>` to mutual-TLS requests, and after a 401 gets a new token once and
/// retries once.
///
/// Public-TLS requests (products, status, outages, JWKS) go out without a token. Put it after
/// ``InteractionIDMiddleware`` and before ``RetryMiddleware``, so the retried call keeps its interaction id.
public struct BearerTokenMiddleware: TransportMiddleware {
    /// Where tokens come from.
    public let provider: any AccessTokenProvider

    /// Creates the middleware.
    /// - Parameter provider: The arrangement's token source.
    public init(provider: any AccessTokenProvider) { self.provider = provider }

    /// Adds the token; on 401 retries once with a new one.
    /// - Parameters:
    ///   - request: The request.
    ///   - next: The rest of the chain.
    /// - Returns: The response (the retry's, after a 401).
    /// - Throws: The provider's error, or the chain's.
    public func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse {
        guard request.security == .mutualTLS else { return try await next(request) }
        let token = try await provider.accessToken()
        var authorised = request
        authorised.headerFields[.authorization] = "Bearer " + token
        let response = try await next(authorised)
        guard response.status.code == 401 else { return response }
        let fresh = try await provider.accessToken(afterRejecting: token)
        authorised.headerFields[.authorization] = "Bearer " + fresh
        return try await next(authorised)
    }
}
