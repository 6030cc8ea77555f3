import CDRJOSE
import CDRMockData
import CDRModels
import CDRTesting
import Foundation
import Synchronization
import Testing

@testable import CDRMockHolder

/// A data-access grant made directly in the holder's state, for tests of the resource endpoints that should not
/// depend on the consent flow (which has its own tests).
struct SeededGrant: Sendable {
    var token: String
    var arrangementID: String
    var customer: MockCustomer
    var accounts: [MockAccount]
}

extension MockDataHolder {
    /// Creates an active arrangement for `customer` and an access token bound to `identity`'s certificate.
    func seedGrant(
        customer: MockCustomer? = nil, accounts: [MockAccount]? = nil, scopes: [String] = MockRegister.allReadScopes,
        identity: TestPKI.Identity? = nil, lifetime: TimeInterval = 300
    ) throws -> SeededGrant {
        let customer = customer ?? dataset.customers[0]
        let accounts = accounts ?? dataset.accounts(of: customer)
        let grant = try makeGrant(
            customerID: customer.id, accountIDs: accounts.map(\.id), scopes: scopes,
            boundTo: try (identity ?? pki.client).thumbprint(), lifetime: .seconds(lifetime))
        return SeededGrant(
            token: grant.accessToken, arrangementID: grant.arrangementID, customer: customer, accounts: accounts)
    }
}

/// The headers of an authenticated, unattended resource call.
func resourceHeaders(_ grant: SeededGrant, version: Int, minimumVersion: Int? = nil) -> [(String, String)] {
    var headers = [
        ("authorization", "Bearer \(grant.token)"), ("x-v", String(version)),
        ("x-fapi-auth-date", HTTPDate.format(Date())),
        ("x-fapi-interaction-id", UUID().uuidString.lowercased()),
    ]
    if let minimumVersion { headers.append(("x-min-v", String(minimumVersion))) }
    return headers
}

extension HTTPAnswer {
    /// The standard error URNs or codes of a CDS error body.
    var errorCodes: [String] {
        guard let errors = (try? json())?["errors"] as? [[String: Any]] else { return [] }
        return errors.compactMap { $0["code"] as? String }
    }
}
