import CDRMockData
import Foundation
import Synchronization

/// An access grant made without the consent flow, for tests and benchmarks of the resource endpoints.
public struct MockGrant: Sendable, CustomStringConvertible {
    /// The access token (opaque, bound to a certificate).
    public let accessToken: String
    /// The arrangement's identifier.
    public let arrangementID: String
    /// The customer who consented.
    public let customerID: String
    /// The consented accounts.
    public let accountIDs: [String]

    /// Names the arrangement, never the token.
    public var description: String { "MockGrant(arrangement: \(arrangementID), accounts: \(accountIDs.count))" }
}

extension MockDataHolder {
    /// Creates an active arrangement and an access token for it directly, as if the customer had consented, so
    /// tests and benchmarks of the resource endpoints need not run the consent flow. The token is bound to the
    /// certificate whose `x5t#S256` thumbprint is given, and every resource check still applies to it.
    /// - Parameters:
    ///   - customerID: The customer; the first one when `nil`.
    ///   - accountIDs: The consented accounts; all of the customer's when `nil`.
    ///   - scopes: The granted scopes.
    ///   - certificateThumbprint: The `x5t#S256` of the client certificate that will present the token.
    ///   - lifetime: How long the token lives.
    /// - Returns: The grant.
    /// - Throws: ``MockHolderError`` with `.invalidConfiguration` for an unknown customer or account, `.stateNotSaved`
    ///   when the state directory cannot be written.
    public func makeGrant(
        customerID: String? = nil, accountIDs: [String]? = nil, scopes: [String] = MockRegister.allReadScopes,
        boundTo certificateThumbprint: String, lifetime: Duration = .seconds(300)
    ) throws -> MockGrant {
        guard let customer = customerID.map({ dataset.customer(id: $0) }) ?? dataset.customers.first else {
            throw MockHolderError(.invalidConfiguration, reason: "unknown customer")
        }
        let owned = dataset.accounts(of: customer).map(\.id)
        let accounts = accountIDs ?? owned
        guard accounts.allSatisfy(owned.contains) else {
            throw MockHolderError(.invalidConfiguration, reason: "an account is not the customer's")
        }
        let token = HolderState.randomToken()
        let arrangementID = "arr-" + HolderState.randomToken(bytes: 12)
        let current = now
        state.storage.withLock { storage in
            storage.arrangements[arrangementID] = ArrangementRecord(
                id: arrangementID, clientID: "mock-grant", customerID: customer.id, accountIDs: accounts,
                scopes: scopes, createdAt: current, sharingExpiresAt: current.addingTimeInterval(86_400),
                status: .active, subject: "ppid-" + HolderState.randomToken(bytes: 8))
            storage.accessTokens[HolderState.key(of: token)] = AccessTokenRecord(
                kind: .arrangement(arrangementID), clientID: "mock-grant", scopes: Set(scopes),
                certificateThumbprint: certificateThumbprint, expiresAt: current.addingTimeInterval(lifetime.seconds),
                revoked: false)
        }
        try saveState()
        return MockGrant(
            accessToken: token, arrangementID: arrangementID, customerID: customer.id, accountIDs: accounts)
    }
}
