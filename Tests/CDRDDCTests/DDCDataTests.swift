import CDRDDC
import CDRMockData
import CDRMockHolder
import CDRModels
import Foundation
import InMemoryLogging
import Logging
import Testing

/// Captured accounts and transactions, checked against the dataset the CDR side serves.
@Suite(.timeLimit(.minutes(5))) struct DDCDataTests {
    @Test func accountsCarryTheProvidersIdsAndTheDatasetsNumbersAndBalances() async throws {
        try await DDCHarness.run { harness in
            let connection = try await harness.capturedConnection("customer-2")
            let accounts = try await harness.client.accounts(connection: connection)
            let dataset = harness.holder.dataset
            let expected = dataset.accounts(of: try #require(dataset.customer(id: "customer-2")))
            #expect(accounts.count == expected.count)
            for account in expected {
                let captured = try #require(
                    accounts.first { $0.id == harness.provider.providerAccountID(for: account) })
                #expect(captured.id != account.id)
                #expect(captured.name == account.displayName)
                #expect(captured.bsb == account.bsb)
                #expect(captured.accountNumber == account.accountNumber)
                #expect(captured.maskedNumber == account.maskedNumber)
                #expect(captured.isOpen == (account.openStatus == .open))
                let balance = dataset.balance(of: account)
                #expect(captured.balance?.current == balance.currentBalance.decimalValue)
                #expect(captured.balance?.available == balance.availableBalance.decimalValue)
                #expect(captured.balance?.currency == "AUD")
            }
            #expect(accounts.contains { $0.kind == .creditCard && $0.bsb == nil })
            #expect(accounts.contains { $0.kind == .transaction && $0.bsb?.count == 6 })
        }
    }

    @Test func transactionsMatchTheDatasetNewestFirst() async throws {
        try await DDCHarness.run { harness in
            let connection = try await harness.capturedConnection()
            let dataset = harness.holder.dataset
            let account = dataset.accounts(of: try #require(dataset.customer(id: "customer-1")))[0]
            var captured: [DDCTransaction] = []
            for try await transaction in harness.client.transactions(
                connection: connection, accountID: harness.provider.providerAccountID(for: account))
            {
                captured.append(transaction)
            }
            #expect(captured.count == dataset.transactionCount(of: account))
            for (index, transaction) in captured.enumerated() {
                let source = dataset.transaction(of: account, at: index)
                #expect(transaction.amount == source.amount)
                #expect(transaction.description == source.description)
                #expect(transaction.date == source.effectiveTime)
                #expect(transaction.status == (source.isPending ? .pending : .posted))
                #expect(transaction.reference == (source.reference.isEmpty ? nil : source.reference))
                #expect(transaction.accountID == harness.provider.providerAccountID(for: account))
                #expect(transaction.id != source.id)
            }
            #expect(captured.contains { $0.status == .pending })
        }
    }

    @Test func aThousandTransactionsArriveAcrossManySmallPagesWithoutDuplicates() async throws {
        let dataset = MockDataset.Configuration(customerCount: 1, accountsPerCustomer: 2, transactionsPerAccount: 1_000)
        try await DDCHarness.run(holder: .init(dataset: dataset), adjust: { $0.pageSize = 7 }) { harness in
            let connection = try await harness.capturedConnection()
            let account = try #require(try await harness.client.accounts(connection: connection).first)
            var ids = Set<String>()
            var count = 0
            var previous = Date.distantFuture
            for try await transaction in harness.client.transactions(connection: connection, accountID: account.id) {
                count += 1
                ids.insert(transaction.id)
                #expect(transaction.date <= previous)
                previous = transaction.date
            }
            #expect(count == 1_000)
            #expect(ids.count == 1_000)
            // 143 pages of 7 were read: every one but the last named a next cursor.
            let pageReads = harness.logs.entries.filter {
                $0.message.description == "CDR request finished"
                    && $0.metadata["cdr.operation"]?.description == "ddc.transactions"
            }
            #expect(pageReads.count == 143)
        }
    }

    @Test func aDateWindowSelectsWholeDays() async throws {
        try await DDCHarness.run { harness in
            let connection = try await harness.capturedConnection()
            let dataset = harness.holder.dataset
            let account = dataset.accounts(of: try #require(dataset.customer(id: "customer-1")))[1]
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = try #require(TimeZone(identifier: "UTC"))
            let reference = dataset.configuration.referenceDate
            let from = utc.startOfDay(for: reference.addingTimeInterval(-60 * 86_400))
            let to = utc.startOfDay(for: reference.addingTimeInterval(-20 * 86_400))
            let endOfTo = to.addingTimeInterval(86_400 - 1)
            let window = dataset.transactionIndices(of: account, from: from, through: endOfTo)
            #expect(!window.isEmpty)
            var captured: [DDCTransaction] = []
            for try await transaction in harness.client.transactions(
                connection: connection, accountID: harness.provider.providerAccountID(for: account), from: from, to: to)
            {
                captured.append(transaction)
            }
            #expect(captured.count == window.count)
            #expect(captured.first?.amount == dataset.transaction(of: account, at: window.lowerBound).amount)
            #expect(captured.allSatisfy { $0.date >= from && $0.date <= endOfTo })
        }
    }

    @Test func aDeletedConnectionServesNothing() async throws {
        try await DDCHarness.run { harness in
            let connection = try await harness.capturedConnection()
            let account = try #require(try await harness.client.accounts(connection: connection).first)
            try await harness.client.deleteConnection(connection)
            #expect(!harness.provider.connectionIDs.contains(connection.rawValue))
            let accounts = await ddcError { _ = try await harness.client.accounts(connection: connection) }
            #expect(accounts?.code == .unknownConnection)
            #expect(accounts?.httpStatus == 404)
            let transactions = await ddcError {
                for try await _ in harness.client.transactions(connection: connection, accountID: account.id) {}
            }
            #expect(transactions?.code == .unknownConnection)
            let again = await ddcError { try await harness.client.deleteConnection(connection) }
            #expect(again?.code == .unknownConnection)
            let job = await ddcError { _ = try await harness.client.startJob(connection: connection) }
            #expect(job?.code == .unknownConnection)
        }
    }

    @Test func unknownAndUnsafeAccountIdsAreTypedErrors() async throws {
        try await DDCHarness.run { harness in
            let connection = try await harness.capturedConnection()
            let unknown = await ddcError {
                for try await _ in harness.client.transactions(connection: connection, accountID: "acct_nope") {}
            }
            #expect(unknown?.code == .unknownAccount)
            let before = harness.logs.entries.count
            let unsafe = await ddcError {
                for try await _ in harness.client.transactions(connection: connection, accountID: "../jobs/x") {}
            }
            #expect(unsafe?.code == .invalidArgument)
            // Refused before sending: nothing reached the transport's log.
            #expect(harness.logs.entries.count == before)
        }
    }

    @Test func aWrongAPIKeyIsUnauthorized() async throws {
        try await DDCHarness.run { harness in
            var settings = harness.client.configuration
            settings.apiKey = "not-the-key"
            let client = DDCClient(configuration: settings, transport: harness.client.transport)
            let error = await ddcError { _ = try await client.institutions() }
            #expect(error?.code == .unauthorized)
            #expect(error?.httpStatus == 401)
        }
    }
}
