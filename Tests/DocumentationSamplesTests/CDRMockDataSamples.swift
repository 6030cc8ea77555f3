// The Swift block(s) of the CDRMockData catalog (Sources/CDRMockData/Docs.docc/CDRMockData.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
import CDRMockData
import Foundation

func mockDataCatalogOverview(oldest: Date, newest: Date) {
    // sample: Sources/CDRMockData/Docs.docc/CDRMockData.md#1
    let data = MockDataset(configuration: .init(seed: 7, transactionsPerAccount: 1_000_000))
    let customer = data.customer(id: "customer-1")!
    let account = data.accounts(of: customer)[0]
    let window = data.transactionIndices(of: account, from: oldest, through: newest)
    let page = window.prefix(25).map { data.transaction(of: account, at: $0).v2() }
    // end sample
    _ = page
}
