import Benchmark
import CDRModels
import Foundation

/// Decoding one page of 1,000 transactions (the standard's largest page size) into `CDRModels`, measured beside
/// `JSONSerialization` parsing the same bytes into untyped Foundation objects.
let benchmarks: @Sendable () -> Void = {
    let page = TransactionPage.json(count: 1_000)

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(10),
        maxIterations: 200
    )

    Benchmark("JSONSerialization, 1,000 transactions (untyped baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONSerialization.jsonObject(with: page))
        }
    }

    Benchmark("CDRDecoder lenient, 1,000 transactions (ResponseBankingTransactionListV2)") { benchmark in
        let decoder = CDRDecoder()
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(ResponseBankingTransactionListV2.self, from: page))
        }
    }

    Benchmark("CDRDecoder strict, 1,000 transactions (ResponseBankingTransactionListV2)") { benchmark in
        let decoder = CDRDecoder(mode: .strict)
        for _ in benchmark.scaledIterations {
            blackHole(try decoder.decode(ResponseBankingTransactionListV2.self, from: page))
        }
    }
}

/// A realistic page: every transaction carries the fields a holder usually sends.
enum TransactionPage {
    static func json(count: Int) -> Data {
        let types = ["PAYMENT", "DIRECT_DEBIT", "FEE", "TRANSFER_INCOMING", "TRANSFER_OUTGOING", "INTEREST_PAID"]
        let merchants = ["Corner Cafe", "Harbour Groceries", "Metro Fuel", "City Books", "Bay Pharmacy"]
        var transactions: [String] = []
        transactions.reserveCapacity(count)
        for index in 0..<count {
            let day = 1 + index % 28
            let hour = index % 24
            let amount = String(format: "%@%d.%02d", index % 3 == 0 ? "" : "-", 1 + index % 900, index % 100)
            let posted = index % 10 != 0
            var fields = [
                #""accountId":"acc-7f3c2a""#,
                #""transactionId":"txn-\#(index)""#,
                #""isDetailAvailable":\#(index % 4 == 0)"#,
                #""type":"\#(types[index % types.count])""#,
                #""status":"\#(posted ? "POSTED" : "PENDING")""#,
                #""description":"\#(merchants[index % merchants.count]) purchase \#(index)""#,
                #""valueDateTime":"2026-10-\#(String(format: "%02d", day))T\#(String(format: "%02d", hour)):15:00+10:00""#,
                #""executionDateTime":"2026-10-\#(String(format: "%02d", day))T\#(String(format: "%02d", hour)):14:31.250Z""#,
                #""amount":"\#(amount)""#,
                #""currency":"AUD""#,
                #""reference":"REF\#(100_000 + index)""#,
                #""merchantName":"\#(merchants[index % merchants.count])""#,
                #""merchantCategoryCode":"5411""#,
            ]
            if posted {
                fields.append(#""postingDateTime":"2026-10-\#(String(format: "%02d", day))T23:59:59Z""#)
            }
            transactions.append("{" + fields.joined(separator: ",") + "}")
        }
        let base = "https://dh.example.com/cds-au/v1/banking/accounts/acc-7f3c2a/transactions"
        let body = """
            {"data":{"transactions":[\(transactions.joined(separator: ","))]},
             "links":{"self":"\(base)?page=2&page-size=1000","first":"\(base)?page=1&page-size=1000",
                      "prev":"\(base)?page=1&page-size=1000","next":"\(base)?page=3&page-size=1000",
                      "last":"\(base)?page=9&page-size=1000"},
             "meta":{"totalRecords":9000,"totalPages":9}}
            """
        return Data(body.utf8)
    }
}
