import CDRAccountData
import CDRAuth
import CDRClient
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

@Suite("withMockDataHolder: the mock world a test gets in one call", .timeLimit(.minutes(3)))
struct MockWorldTests {
    @Test("In process: a registered product, a connected holder client and a consent that reads the data set")
    func inProcess() async throws {
        try await withMockDataHolder { world in
            #expect(world.isInProcess)
            #expect(!world.registration.clientId.isEmpty)
            #expect(world.brand.issuer == world.endpoints.issuer)
            #expect(world.metadata.issuer == world.endpoints.issuer)
            #expect(world.clientIdentity.certificateChainPEM == (try world.holder.pki.client.certificatePEM()))
            let arrangement = try world.arrangement
            #expect(world.recording.requests.isEmpty, "the recording starts empty when the body runs")
            let accounts = try await world.holderClient.accountData(for: arrangement).accounts()
            let owned = try world.accountIDs()
            #expect(Set(accounts.map(\.sourceAccountID)) == Set(owned))
            #expect(accounts.count == 3)
            #expect(world.recording.requests(pathSuffix: "/banking/accounts").count >= 1)
        }
    }

    @Test("Options: the customer, the data set's sizes and the number of consented accounts are honoured")
    func options() async throws {
        var options = MockWorld.Options(customer: "customer-2", consentedAccounts: 2)
        options.accountsPerCustomer = 4
        options.transactionsPerAccount = 7
        try await withMockDataHolder(options) { world in
            let holder = try world.holder
            #expect(holder.dataset.configuration.accountsPerCustomer == 4)
            let owned = try world.accountIDs(of: "customer-2")
            #expect(owned.count == 4)
            let accounts = try await world.holderClient.accountData(for: try world.arrangement).accounts()
            #expect(accounts.map(\.sourceAccountID).sorted() == Array(owned.prefix(2)).sorted())
            let first = try #require(accounts.first)
            let transactions = try await world.holderClient.accountData(for: try world.arrangement)
                .transactions(of: first.id, in: try world.wholeHistory).collect()
            #expect(transactions.count == 7)
        }
    }

    @Test("Options: without consent the world has no arrangement, and consent(…) gives one")
    func withoutConsent() async throws {
        try await withMockDataHolder(MockWorld.Options(consent: nil)) { world in
            #expect(throws: MockHolderError.self) { _ = try world.arrangement }
            let arrangement = try await world.consent(customer: "customer-2")
            let accounts = try await world.holderClient.accountData(for: arrangement).accounts()
            let owned = try world.accountIDs(of: "customer-2")
            #expect(Set(accounts.map(\.sourceAccountID)) == Set(owned))
        }
    }

    @Test("Options: faults are switched on before the body runs")
    func faults() async throws {
        let options = MockWorld.Options(faults: { $0.outage = .unavailable })
        try await withMockDataHolder(options) { world in
            let holder = try world.holder
            #expect(holder.faults.outage == .unavailable)
            await #expect(throws: (any Error).self) {
                _ = try await world.holderClient.accountData(for: try world.arrangement).accounts()
            }
        }
    }

    @Test("Remote: a running holder given its public URL and the files it wrote")
    func remote() async throws {
        try await MockDataHolder.withRunning { holder in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mock-world-\(UUID())")
            defer { try? FileManager.default.removeItem(at: folder) }
            try holder.writeConnectionFiles(to: folder)
            let endpoints = try #require(holder.endpoints)
            let url = try #require(URL(string: endpoints.publicBaseURL))
            let options = MockWorld.Options(holder: .remote(publicBaseURL: url, connectionFiles: folder))
            try await withMockDataHolder(options) { world in
                #expect(!world.isInProcess)
                #expect(throws: MockHolderError.self) { _ = try world.holder }
                #expect(world.endpoints == endpoints)
                let accounts = try await world.holderClient.accountData(for: try world.arrangement).accounts()
                let customer = try #require(holder.dataset.customer(id: "customer-1"))
                #expect(Set(accounts.map(\.sourceAccountID)) == Set(holder.dataset.accounts(of: customer).map(\.id)))
            }
            let refused = MockWorld.Options(
                holder: .remote(publicBaseURL: url, connectionFiles: folder), faults: { $0.outage = .unavailable })
            await #expect(throws: MockHolderError.self) { try await withMockDataHolder(refused) { _ in } }
        }
    }

    @Test("Executable: a cdr-mock-holder started for the world, with the data set's sizes, and stopped after it")
    func executable() async throws {
        let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/cdr-mock-holder")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "build cdr-mock-holder first (swift build --build-tests)")
        var options = MockWorld.Options(holder: .executable(executable))
        options.accountsPerCustomer = 2
        let publicBaseURL = try await withMockDataHolder(options) { world in
            #expect(!world.isInProcess)
            let accounts = try await world.holderClient.accountData(for: try world.arrangement).accounts()
            #expect(accounts.count == 2)
            return world.endpoints.publicBaseURL
        }
        // The process is gone: its port no longer answers.
        try await withMockDataHolder { world in
            let url = try #require(URL(string: publicBaseURL + "/.well-known/openid-configuration"))
            await #expect(throws: (any Error).self) {
                _ = try await world.base.send(TransportRequest(method: .get, url: url, security: .publicTLS))
            }
        }
    }
}
