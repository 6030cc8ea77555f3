import CDRJOSE
import CDRMockData
import CDRMockHolder
import CDRTesting
import Foundation
import NIOHTTP1
import Testing

/// `MockDataHolder.Configuration.stateDirectory`: a holder restarted on the same directory.
@Suite(.timeLimit(.minutes(5)))
struct StateDirectoryTests {
    /// What the first run leaves to the test (the recipient's side of a restart).
    struct FirstRun: Sendable {
        var endpoints: MockDataHolder.Endpoints
        var pki: TestPKI
        var dataset: MockDataset.Configuration
        var key: SigningKey
        var clientID: String
        var arrangementID: String
        var refreshToken: String
        var accessTokens: [String]
        var revokedArrangementID: String
        var revokedRefreshToken: String
    }

    @Test func aRestartedHolderKeepsItsCAEndpointsClientsArrangementsAndRefreshTokens() async throws {
        try await withTemporaryDirectory { base in
            let configuration = MockDataHolder.Configuration(stateDirectory: base.appendingPathComponent("holder"))
            let first = try await MockDataHolder.withRunning(configuration) { holder in
                try await TestHTTPClient.with(pki: holder.pki) { http in
                    let recipient = try await TestRecipient.make(holder: holder, http: http).registered()
                    let tokens = try await recipient.consent()
                    let refreshToken = try #require(tokens["refresh_token"] as? String)
                    let arrangementID = try #require(tokens["cdr_arrangement_id"] as? String)
                    let refreshed = try await recipient.post(
                        "/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
                    try #require(refreshed.status == 200, "refresh: \(refreshed.status)")
                    let second = try await recipient.consent()
                    let revokedID = try #require(second["cdr_arrangement_id"] as? String)
                    let revoked = try await recipient.post("/arrangements/revoke", [("cdr_arrangement_id", revokedID)])
                    try #require(revoked.status == 204)
                    return FirstRun(
                        endpoints: try #require(holder.endpoints), pki: holder.pki,
                        dataset: holder.dataset.configuration, key: recipient.key,
                        clientID: recipient.clientID, arrangementID: arrangementID, refreshToken: refreshToken,
                        accessTokens: [
                            try #require(tokens["access_token"] as? String),
                            try #require(try refreshed.json()["access_token"] as? String),
                            try #require(second["access_token"] as? String),
                        ],
                        revokedArrangementID: revokedID,
                        revokedRefreshToken: try #require(second["refresh_token"] as? String))
                }
            }

            let file = configuration.stateDirectory!.appendingPathComponent("state.json")
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect(attributes[.posixPermissions] as? Int == 0o600)
            let directory = try FileManager.default.attributesOfItem(atPath: configuration.stateDirectory!.path)
            #expect(directory[.posixPermissions] as? Int == 0o700)
            let saved = try String(contentsOf: file, encoding: .utf8)
            // Counted outside the expectations, so a failure prints neither the file (it holds keys) nor a token.
            let plainTokens = (first.accessTokens + [first.refreshToken, first.revokedRefreshToken]).filter {
                saved.contains($0)
            }.count
            #expect(plainTokens == 0, "the state file holds plain tokens")
            let knowsRecords = saved.contains(first.arrangementID) && saved.contains(first.clientID)
            #expect(knowsRecords, "the state file names the arrangement and the client")

            try await MockDataHolder.withRunning(configuration) { holder in
                #expect(holder.endpoints == first.endpoints)
                #expect(
                    try holder.pki.certificateAuthority.certificatePEM()
                        == first.pki.certificateAuthority.certificatePEM())
                #expect(holder.register.softwareProduct(id: "sp-budget") != nil)
                #expect(holder.arrangement(id: first.arrangementID)?.isActive == true)
                #expect(holder.arrangement(id: first.revokedArrangementID)?.isActive == false)
                // The recipient as it was before the restart: the old CA, client identity, key and client id.
                try await TestHTTPClient.with(pki: first.pki) { http in
                    let recipient = TestRecipient(
                        holder: holder, endpoints: first.endpoints, http: http, key: first.key, productID: "sp-budget",
                        brandID: "brand-sp-budget", redirectURI: "https://recipient.example/sp-budget/callback",
                        decryptionKey: nil, clientID: first.clientID)
                    let refreshed = try await recipient.post(
                        "/token", [("grant_type", "refresh_token"), ("refresh_token", first.refreshToken)])
                    #expect(refreshed.status == 200, "refresh after restart: \(refreshed.status)")
                    #expect(try refreshed.json()["cdr_arrangement_id"] as? String == first.arrangementID)
                    let revoked = try await recipient.post(
                        "/token", [("grant_type", "refresh_token"), ("refresh_token", first.revokedRefreshToken)])
                    #expect(revoked.status == 400)
                    #expect(try revoked.json()["error"] as? String == "invalid_grant")
                }
                try await holder.revokeArrangement(id: first.arrangementID, notifyRecipient: false)
            }

            // A revocation through the holder's own API is saved too (no listener needed to read it back).
            // A later start, whose dataset options default to another reference date: the saved one is used.
            let third = try MockDataHolder(
                configuration: .init(
                    dataset: .init(referenceDate: Date(timeIntervalSince1970: 1_000_000_000)),
                    stateDirectory: configuration.stateDirectory))
            #expect(third.dataset.configuration == first.dataset)
            let customer = try #require(third.dataset.customer(id: "customer-1"))
            #expect(
                third.arrangement(id: first.arrangementID)?.accountIDs == third.dataset.accounts(of: customer).map(\.id)
            )
            #expect(third.arrangement(id: first.arrangementID)?.isActive == false)
            #expect(third.arrangement(id: first.revokedArrangementID)?.isActive == false)
            #expect(third.configuration.publicPort == Int(first.endpoints.publicBaseURL.split(separator: ":").last!))
        }
    }

    @Test func registrationUpdatesAndDeletionsSurviveARestart() async throws {
        try await withTemporaryDirectory { base in
            let configuration = MockDataHolder.Configuration(stateDirectory: base.appendingPathComponent("holder"))
            let registrationURL = { (recipient: TestRecipient) in
                recipient.endpoints.secureBaseURL + "/register/" + recipient.clientID
            }
            // First run: register, then update the redirect URIs.
            let (key, clientID, registrationToken) = try await MockDataHolder.withRunning(configuration) { holder in
                try await TestHTTPClient.with(pki: holder.pki) { http in
                    let recipient = try await TestRecipient.make(holder: holder, http: http).registered()
                    let token = try await recipient.post(
                        "/token", [("grant_type", "client_credentials"), ("scope", "cdr:registration")])
                    let accessToken = try #require(try token.json()["access_token"] as? String)
                    var builder = recipient.registrationBuilder(ssa: try await recipient.softwareStatement())
                    builder.redirectURIs = [recipient.redirectURI, "https://recipient.example/sp-budget/other"]
                    let updated = try await recipient.http.send(
                        .PUT, registrationURL(recipient),
                        headers: [("authorization", "Bearer " + accessToken), ("content-type", "application/jwt")],
                        body: Data(try await builder.sign(with: recipient.key).utf8))
                    try #require(updated.status == 200)
                    return (recipient.key, recipient.clientID, accessToken)
                }
            }
            // Second run: the update is known, the registration token still works; then delete the client.
            try await MockDataHolder.withRunning(configuration) { holder in
                try await TestHTTPClient.with(pki: holder.pki) { http in
                    var recipient = try TestRecipient.make(holder: holder, http: http)
                    recipient = TestRecipient(
                        holder: holder, endpoints: recipient.endpoints, http: http, key: key,
                        productID: recipient.productID, brandID: recipient.brandID,
                        redirectURI: recipient.redirectURI, decryptionKey: nil, clientID: clientID)
                    let read = try await http.send(
                        .GET, registrationURL(recipient), headers: [("authorization", "Bearer " + registrationToken)])
                    #expect(read.status == 200)
                    #expect((try read.json()["redirect_uris"] as? [String])?.count == 2)
                    let deleted = try await http.send(
                        .DELETE, registrationURL(recipient),
                        headers: [("authorization", "Bearer " + registrationToken)])
                    #expect(deleted.status == 204)
                }
            }
            // Third run: the deleted client is gone.
            try await MockDataHolder.withRunning(configuration) { holder in
                try await TestHTTPClient.with(pki: holder.pki) { http in
                    var recipient = try TestRecipient.make(holder: holder, http: http)
                    recipient.clientID = clientID
                    let token = try await recipient.post("/token", [("grant_type", "client_credentials")])
                    #expect(token.status == 401)
                }
            }
        }
    }

    @Test func garbageStateIsATypedErrorAndIsLeftAlone() async throws {
        try await withTemporaryDirectory { base in
            let directory = base.appendingPathComponent("holder")
            let file = try writeStateFile(Data("{ not a state file".utf8), in: directory)
            let error = try #require(throws: MockHolderError.self) {
                try MockDataHolder(configuration: .init(stateDirectory: directory))
            }
            #expect(error.code == .unreadableState)
            #expect(error.description.contains(file.path))
            #expect(try Data(contentsOf: file) == Data("{ not a state file".utf8))
        }
    }

    @Test func aStateFileOthersCanReadIsATypedErrorAndIsLeftAlone() async throws {
        try await withTemporaryDirectory { base in
            let directory = base.appendingPathComponent("holder")
            _ = try MockDataHolder(configuration: .init(stateDirectory: directory))
            let file = directory.appendingPathComponent("state.json")
            let before = try Data(contentsOf: file)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
            let error = try #require(throws: MockHolderError.self) {
                try MockDataHolder(configuration: .init(stateDirectory: directory))
            }
            #expect(error.code == .unreadableState)
            #expect(error.description.contains("chmod 600 \(file.path)"))
            #expect(try Data(contentsOf: file) == before)
            #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o644)
        }
    }

    @Test func aNewerVersionIsATypedErrorAndIsLeftAlone() async throws {
        try await withTemporaryDirectory { base in
            let directory = base.appendingPathComponent("holder")
            _ = try MockDataHolder(configuration: .init(stateDirectory: directory))
            let file = directory.appendingPathComponent("state.json")
            var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            object["version"] = 99
            let newer = try JSONSerialization.data(withJSONObject: object)
            _ = try writeStateFile(newer, in: directory)
            let error = try #require(throws: MockHolderError.self) {
                try MockDataHolder(configuration: .init(stateDirectory: directory))
            }
            #expect(error.code == .incompatibleState)
            #expect(error.description.contains("version 99") && error.description.contains(file.path))
            #expect(!error.description.contains("PRIVATE KEY"))
            #expect(try Data(contentsOf: file) == newer)
        }
    }

    @Test func aDamagedStateFileNamesNoKey() async throws {
        try await withTemporaryDirectory { base in
            let directory = base.appendingPathComponent("holder")
            _ = try MockDataHolder(configuration: .init(stateDirectory: directory))
            let file = directory.appendingPathComponent("state.json")
            var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            object["clients"] = "not a list"
            var keys = try #require(object["keys"] as? [String: Any])
            keys["holderRSA"] = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"
            object["keys"] = keys
            let damaged = try JSONSerialization.data(withJSONObject: object)
            _ = try writeStateFile(damaged, in: directory)
            let error = try #require(throws: MockHolderError.self) {
                try MockDataHolder(configuration: .init(stateDirectory: directory))
            }
            #expect(error.code == .unreadableState)
            #expect(!error.description.contains("PRIVATE KEY") && !error.description.contains("bm90IGEga2V5"))
            #expect(try Data(contentsOf: file) == damaged)
        }
    }

    @Test func anotherDatasetIsATypedError() async throws {
        try await withTemporaryDirectory { base in
            let directory = base.appendingPathComponent("holder")
            _ = try MockDataHolder(configuration: .init(stateDirectory: directory))
            let error = try #require(throws: MockHolderError.self) {
                try MockDataHolder(configuration: .init(dataset: .init(seed: 7), stateDirectory: directory))
            }
            #expect(error.code == .incompatibleState)
            #expect(error.description.contains("seed 2026"))
        }
    }

    @Test func aTakenPortIsATypedError() async throws {
        try await withTemporaryDirectory { base in
            let configuration = MockDataHolder.Configuration(stateDirectory: base.appendingPathComponent("holder"))
            let endpoints = try await MockDataHolder.withRunning(configuration) { try #require($0.endpoints) }
            let port = try #require(Int(endpoints.publicBaseURL.split(separator: ":").last!))
            // Another process (here another holder, in memory) holds the saved public port.
            try await MockDataHolder.withRunning(.init(publicPort: port)) { _ in
                let restarted = try MockDataHolder(configuration: configuration)
                let error = try await #require(throws: MockHolderError.self) {
                    try await restarted.withRunning { _ in }
                }
                #expect(error.code == .portInUse)
                #expect(error.description.contains("\(port)") && error.description.contains("state.json"))
            }
        }
    }

    @Test func aStateThatCannotBeWrittenIsATypedError() async throws {
        try await withTemporaryDirectory { base in
            let notADirectory = base.appendingPathComponent("file")
            try Data("x".utf8).write(to: notADirectory)
            let error = try #require(throws: MockHolderError.self) {
                try MockDataHolder(configuration: .init(stateDirectory: notADirectory.appendingPathComponent("holder")))
            }
            #expect(error.code == .stateNotSaved)
            #expect(error.description.contains("state.json"))
        }
    }

    @Test func aChangeThatCannotBeSavedIsATypedErrorOrA500() async throws {
        try await withTemporaryDirectory { base in
            let directory = base.appendingPathComponent("holder")
            try await MockDataHolder.withRunning(.init(stateDirectory: directory)) { holder in
                // The disk goes away under the holder: its directory is now a file.
                try FileManager.default.removeItem(at: directory)
                try Data("x".utf8).write(to: directory)
                let error = try #require(throws: MockHolderError.self) {
                    try holder.makeGrant(boundTo: try holder.pki.client.thumbprint())
                }
                #expect(error.code == .stateNotSaved)
                #expect(error.description.contains(directory.appendingPathComponent("state.json").path))
                try await TestHTTPClient.with(pki: holder.pki) { http in
                    let recipient = try TestRecipient.make(holder: holder, http: http)
                    // A Register token is a change (its hash is kept): it cannot be saved, so it is not handed out.
                    let assertion = try await ClientAssertionBuilder(
                        clientID: recipient.productID, audience: recipient.endpoints.registerTokenURL,
                        signingKey: recipient.key
                    ).makeAssertion()
                    let answer = try await http.form(
                        recipient.endpoints.registerTokenURL,
                        [
                            ("grant_type", "client_credentials"), ("scope", "cdr-register:read"),
                            ("client_id", recipient.productID),
                            ("client_assertion_type", ClientAssertionBuilder.assertionType),
                            ("client_assertion", assertion),
                        ])
                    let handedOut = answer.text.contains("access_token")  // outside #expect: never print a token
                    #expect(!handedOut)
                    #expect(answer.status == 500, "a token with an unsaved state: \(answer.status)")
                }
            }
        }
    }

    @Test func theExecutableRestartsWithItsStateOnTheSameCAAndEndpoints() async throws {
        let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/cdr-mock-holder")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "build cdr-mock-holder first (swift build --build-tests)")
        try await withTemporaryDirectory { base in
            let state = base.appendingPathComponent("state")
            let first = try await runExecutable(executable, state: state, output: base.appendingPathComponent("one"))
            let second = try await runExecutable(executable, state: state, output: base.appendingPathComponent("two"))
            #expect(first.endpoints == second.endpoints)
            #expect(first.certificateAuthority == second.certificateAuthority)
            let attributes = try FileManager.default.attributesOfItem(
                atPath: state.appendingPathComponent("state.json").path)
            #expect(attributes[.posixPermissions] as? Int == 0o600)
        }
    }

    @Test func aMockWorldOnTheExecutablePassesTheStateDirectory() async throws {
        let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/cdr-mock-holder")
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "build cdr-mock-holder first (swift build --build-tests)")
        try await withTemporaryDirectory { base in
            var options = MockWorld.Options(holder: .executable(executable))
            options.holderConfiguration.stateDirectory = base.appendingPathComponent("state")
            let first = try await withMockDataHolder(options) { $0.endpoints }
            let second = try await withMockDataHolder(options) { $0.endpoints }
            #expect(first == second)
            #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("state/state.json").path))
        }
    }

    // MARK: Helpers

    /// Starts `cdr-mock-holder --state … --output …`, waits for its connection files, stops it with SIGTERM and
    /// returns `endpoints.json` and `ca.pem`.
    func runExecutable(_ executable: URL, state: URL, output: URL) async throws -> (
        endpoints: MockDataHolder.Endpoints, certificateAuthority: Data
    ) {
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--state", state.path, "--output", output.path, "--transactions-per-account", "5", "--log-level", "error",
        ]
        let errors = output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".stderr")
        try #require(FileManager.default.createFile(atPath: errors.path, contents: nil))
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? errorHandle.close() }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorHandle
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let file = output.appendingPathComponent("endpoints.json")
        for _ in 0..<300 {
            if let data = try? Data(contentsOf: file),
                let endpoints = try? JSONDecoder().decode(MockDataHolder.Endpoints.self, from: data)
            {
                let certificateAuthority = try Data(contentsOf: output.appendingPathComponent("ca.pem"))
                process.terminate()
                for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
                try #require(!process.isRunning, "cdr-mock-holder did not stop on SIGTERM")
                return (endpoints, certificateAuthority)
            }
            if !process.isRunning {
                let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
                Issue.record("cdr-mock-holder exited with status \(process.terminationStatus): \(message)")
                throw MockHolderError(.stopped, reason: "cdr-mock-holder exited")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MockHolderError(.stopped, reason: "cdr-mock-holder wrote no endpoints.json within 30 s")
    }

    /// Runs `body` with a new temporary directory, removed afterwards.
    func withTemporaryDirectory<T: Sendable>(_ body: (URL) async throws -> T) async throws -> T {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cdr-mock-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        return try await body(base)
    }

    /// Writes `data` as the state file (mode 0600, directory 0700), as a holder would.
    func writeStateFile(_ data: Data, in directory: URL) throws -> URL {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = directory.appendingPathComponent("state.json")
        try data.write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return file
    }
}
