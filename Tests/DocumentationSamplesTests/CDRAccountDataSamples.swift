// The Swift block(s) of the CDRAccountData catalog (Sources/CDRAccountData/Docs.docc/CDRAccountData.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: CDRBanking, CDRDDC.
import CDRAccountData
import CDRBanking
import CDRDDC
import Foundation

func accountDataCatalogOverview(
    brand: String, arrangementID: String, banking: BankingClient, ddc: DDCClient, connection: DDCConnectionID,
    job: DDCJobID, lastQuarter: DateInterval
) async throws {
    // sample: Sources/CDRAccountData/Docs.docc/CDRAccountData.md#1
    let registry = AccountIdentityRegistry()
    let source = FallbackAccountDataSource(
        cdr: CDRAccountDataSource(
            holderBrandID: brand, arrangementID: arrangementID, banking: banking, registry: registry),
        ddc: DDCAccountDataSource(client: ddc, connection: connection, job: job, registry: registry),
        policy: .preferCDR)

    for account in try await source.accounts() {
        for try await transaction in source.transactions(of: account.id, in: lastQuarter) {
            print(transaction.amount, transaction.provenance)  // cdr(holder, arrangement, x-v) or ddc(provider, job)
        }
    }
    print(source.lastDecision!)  // transactions: served by … (cdr:brand: outage)
    // end sample
}
