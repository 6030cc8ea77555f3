public import CDRMockHolder
public import CDRTransport

extension MockWorld {
    /// Creates an arrangement and an access token directly in the in-process holder, as if the customer had
    /// consented, for tests of the data calls that should not depend on the consent flow. The token is bound to the
    /// world's client certificate, so it works over ``base``; every resource check still applies to it.
    /// - Parameters:
    ///   - customer: The customer; the world's ``customer`` by default.
    ///   - accountIDs: The consented accounts; all of the customer's when `nil`.
    ///   - scopes: The granted scopes; every read scope by default.
    ///   - lifetime: How long the token lives.
    /// - Returns: The grant; its access token is a secret, don't print it.
    /// - Throws: `MockHolderError` when the holder runs in another process, or for an unknown customer or account.
    public func makeGrant(
        customer: String? = nil, accountIDs: [String]? = nil, scopes: [String] = MockRegister.allReadScopes,
        lifetime: Duration = .seconds(300)
    ) throws -> MockGrant {
        let holder = try holder
        return try holder.makeGrant(
            customerID: customer ?? self.customer, accountIDs: accountIDs, scopes: scopes,
            boundTo: try holder.pki.client.thumbprint(), lifetime: lifetime)
    }
}

/// An access-token provider that always hands out the same token (for example the token of a grant made with
/// ``MockWorld/makeGrant(customer:accountIDs:scopes:lifetime:)``), for a `BearerTokenMiddleware` in tests.
public struct FixedAccessTokenProvider: AccessTokenProvider {
    private let token: String

    /// Creates a provider.
    /// - Parameter token: The token to hand out; a secret, never printed by this type.
    public init(_ token: String) { self.token = token }

    /// The token.
    /// - Returns: The token given at creation.
    public func accessToken() async throws -> String { token }

    /// The same token again (a fixed provider cannot refresh).
    /// - Parameter rejected: The refused token.
    /// - Returns: The token given at creation.
    public func accessToken(afterRejecting rejected: String) async throws -> String { token }
}
