import CDRModels

/// A paginated CDS response built from one page of records, so one function serves every list operation.
protocol PagedEnvelope: Encodable {
    associatedtype Record
    init(records: [Record], links: LinksPaginated, meta: MetaPaginated)
}

extension ResponseBankingAccountListV3: PagedEnvelope {
    init(records: [BankingAccountV3], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(accounts: records), links: links, meta: meta)
    }
}

extension ResponseBankingAccountListV2: PagedEnvelope {
    init(records: [BankingAccountV2], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(accounts: records), links: links, meta: meta)
    }
}

extension ResponseBankingAccountsBalanceList: PagedEnvelope {
    init(records: [BankingBalance], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(balances: records), links: links, meta: meta)
    }
}

extension ResponseBankingTransactionListV2: PagedEnvelope {
    init(records: [BankingTransactionV2], links: LinksPaginated, meta: MetaPaginated) {
        self.init(
            data: .init(transactions: records), links: links,
            meta: MetaPaginatedTransaction(totalRecords: meta.totalRecords, totalPages: meta.totalPages))
    }
}

extension ResponseBankingTransactionList: PagedEnvelope {
    init(records: [BankingTransaction], links: LinksPaginated, meta: MetaPaginated) {
        self.init(
            data: .init(transactions: records), links: links,
            meta: MetaPaginatedTransaction(totalRecords: meta.totalRecords, totalPages: meta.totalPages))
    }
}

extension ResponseBankingDirectDebitAuthorisationList: PagedEnvelope {
    init(records: [BankingDirectDebit], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(directDebitAuthorisations: records), links: links, meta: meta)
    }
}

extension ResponseBankingScheduledPaymentsListV2: PagedEnvelope {
    init(records: [BankingScheduledPaymentV2], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(scheduledPayments: records), links: links, meta: meta)
    }
}

extension ResponseBankingInstalmentPlanList: PagedEnvelope {
    init(records: [BankingInstalmentPlan], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(plans: records), links: links, meta: meta)
    }
}

extension ResponseBankingPayeeListV2: PagedEnvelope {
    init(records: [BankingPayeeV2], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(payees: records), links: links, meta: meta)
    }
}

extension ResponseBankingProductListV4: PagedEnvelope {
    init(records: [BankingProductV6], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(products: records), links: links, meta: meta)
    }
}

extension ResponseBankingProductListV3: PagedEnvelope {
    init(records: [BankingProductV5], links: LinksPaginated, meta: MetaPaginated) {
        self.init(data: .init(products: records), links: links, meta: meta)
    }
}
