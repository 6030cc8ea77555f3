// The Swift block(s) of the CDRModels catalog (Sources/CDRModels/Docs.docc/CDRModels.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
import CDRModels
import Foundation

func modelsCatalogOverview(body: Data) throws {
    // sample: Sources/CDRModels/Docs.docc/CDRModels.md#1
    let result = try CDRDecoder().decode(ResponseBankingAccountListV3.self, from: body)
    let accounts = result.value.records
    // end sample
    _ = accounts
}
