import CDRMockData
import CDRMockHolder
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `cdr-mock-holder` started for one world: it writes its connection files to a temporary folder, and is stopped
/// with `SIGTERM` (then `SIGKILL` if it lingers) when the world ends.
struct MockHolderProcess: Sendable {
    /// The holder's public base URL, from its `endpoints.json`.
    let publicBaseURL: URL
    /// The folder holding `ca.pem`, `identity.pem` and `endpoints.json`.
    let folder: URL

    static func withRunning<Result: Sendable>(
        _ executable: URL, dataset: MockDataset.Configuration, stateDirectory: URL? = nil,
        _ body: (MockHolderProcess) async throws -> Result
    ) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdr-mock-holder-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--output", folder.path, "--seed", String(dataset.seed), "--customers", String(dataset.customerCount),
            "--accounts-per-customer", String(dataset.accountsPerCustomer),
            "--transactions-per-account", String(dataset.transactionsPerAccount), "--log-level", "error",
        ]
        if let stateDirectory { process.arguments? += ["--state", stateDirectory.path] }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MockHolderError(
                .invalidConfiguration, reason: "cannot start \(executable.path)", underlying: error)
        }
        do {
            let started = MockHolderProcess(
                publicBaseURL: try await waitForEndpoints(in: folder, of: process), folder: folder)
            let result = try await body(started)
            await stop(process)
            return result
        } catch {
            await stop(process)
            throw error
        }
    }

    /// Waits (up to 30 s) until the process has written `endpoints.json`, and reads the public base URL from it.
    private static func waitForEndpoints(in folder: URL, of process: Process) async throws -> URL {
        let file = folder.appendingPathComponent("endpoints.json")
        for _ in 0..<300 {
            if let data = try? Data(contentsOf: file),
                let endpoints = try? JSONDecoder().decode(MockDataHolder.Endpoints.self, from: data),
                let url = URL(string: endpoints.publicBaseURL)
            {
                return url
            }
            guard process.isRunning else {
                throw MockHolderError(
                    .stopped, reason: "cdr-mock-holder exited with status \(process.terminationStatus) before it ran")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MockHolderError(.stopped, reason: "cdr-mock-holder did not write endpoints.json within 30 s")
    }

    /// Sends `SIGTERM` and waits up to 10 s for the process to exit, then kills it.
    private static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
