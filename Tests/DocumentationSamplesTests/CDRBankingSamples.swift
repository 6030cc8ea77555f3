// The Swift block(s) of the CDRBanking catalog (Sources/CDRBanking/Docs.docc/CDRBanking.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
import CDRBanking
import CDRModels
import CDRTransport
import Foundation

func bankingCatalogOverview(
    base: any HTTPTransport, tokenManager: any AccessTokenProvider, resources: URL, publicResources: URL,
    lastLogin: Date, id: String, ninetyDaysAgo: Date
) async throws {
    // sample: Sources/CDRBanking/Docs.docc/CDRBanking.md#1
    let transport = MiddlewareTransport.standard(
        base, accessTokens: tokenManager,
        trafficBudget: TrafficBudgetMiddleware(budget: UnattendedTrafficBudget()))  // background syncs
    let banking = BankingClient(
        configuration: .init(resourceBaseURL: resources, publicBaseURL: publicResources, pageSize: 1000),
        context: .unattended(authenticatedAt: lastLogin),
        transport: transport)

    for try await record in banking.transactions(accountID: id, TransactionFilter(oldest: ninetyDaysAgo)) {
        switch record {
        case .current(let transaction): print(transaction.amount)  // BankingTransactionV2
        case .previous(let transaction): print(transaction.amount)  // BankingTransaction (v1)
        }
    }
    // end sample
}
