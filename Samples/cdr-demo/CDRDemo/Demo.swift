import CDRAccountData
import CDRAuth
import CDRBanking
import CDRClient
import CDRDDC
import CDRJOSE
import CDRMockHolder
public import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
public import Logging

/// The demo's main path: the whole mission against a mock data holder, as a user of CDRKit would write it.
///
/// 1. the mock holder (embedded, or a running `cdr-mock-holder`);
/// 2. the software product at the Register, discovery, an SSA and Dynamic Client Registration;
/// 3. consent: PAR, the customer's consent (headless, or in a browser), the JARM callback, tokens;
/// 4. accounts and balances;
/// 5. the last 90 days of transactions, kept encrypted for the arrangement;
/// 6. a holder outage: the same requests served through DDC, with provenance, and back to CDR after it;
/// 7. withdrawal: the arrangement revoked, its tokens and kept data deleted, the DDC connection ended.
public enum Demo {
    /// The number of steps.
    public static let stepCount = 7

    /// Runs the demo.
    /// - Parameters:
    ///   - options: The holder and the consent mode.
    ///   - logger: The SDK's logger (ids and outcomes, never secrets); silent by default.
    ///   - events: Progress, for a display.
    /// - Returns: What the run did.
    /// - Throws: ``DemoError`` naming the step that failed, the reason and what to do.
    public static func run(
        _ options: DemoOptions,
        logger: Logger = .cdrDisabled,
        events: @escaping @Sendable (DemoEvent) -> Void = { _ in }
    ) async throws -> DemoResult {
        switch options.holder {
        case .embedded(let dataset):
            events(.step(number: 1, of: stepCount, title: "Mock data holder"))
            let holder = try attempt(
                "Starting the mock data holder",
                hint: "Check that loopback networking works; delete the store's folder to start the holder afresh."
            ) {
                try MockDataHolder(
                    configuration: .init(dataset: dataset, stateDirectory: options.storage.holderStateDirectory))
            }
            return try await holder.withRunning { holder in
                try await run(options, holder: holder, mode: "embedded", logger: logger, events: events)
            }
        case .running(let holder):
            events(.step(number: 1, of: stepCount, title: "Mock data holder"))
            return try await run(options, holder: holder, mode: "embedded", logger: logger, events: events)
        case .remote(let url, let ca, let identity):
            events(.step(number: 1, of: stepCount, title: "Mock data holder at \(url.absoluteString)"))
            let transport = AsyncHTTPClientTransport.Configuration(
                mutualTLS: .init(identity: identity, trustRoots: .certificates(pem: ca)),
                publicTrustRoots: .certificates(pem: ca), requestTimeout: .seconds(30))
            return try await withTransport(transport) { base in
                let control = MockHolderAdministrationClient(publicBaseURL: url, transport: base)
                let session = Session(
                    options: options, control: control, trust: .certificates(pem: ca), identity: identity, base: base,
                    mode: "remote", logger: logger, events: events)
                return try await session.run()
            }
        }
    }

    private static func run(
        _ options: DemoOptions, holder: MockDataHolder, mode: String, logger: Logger,
        events: @escaping @Sendable (DemoEvent) -> Void
    ) async throws -> DemoResult {
        if options.servesQuirks { holder.faults.quirks = Set(MockFaults.injectableQuirks) }
        let identity = try attempt("Loading the mock's client identity", hint: "This is a bug in the demo.") {
            try holder.pki.clientIdentity()
        }
        let trust = try attempt("Loading the mock CA", hint: "This is a bug in the demo.") { try holder.pki.trustRoots }
        let configuration = AsyncHTTPClientTransport.Configuration(
            mutualTLS: .init(identity: identity, trustRoots: trust), publicTrustRoots: trust,
            requestTimeout: .seconds(30))
        return try await withTransport(configuration) { base in
            let session = Session(
                options: options, control: holder, trust: trust, identity: identity, base: base, mode: mode,
                logger: logger, events: events)
            return try await session.run()
        }
    }

    private static func withTransport<Result: Sendable>(
        _ configuration: AsyncHTTPClientTransport.Configuration,
        _ body: (AsyncHTTPClientTransport) async throws -> Result
    ) async throws -> Result {
        var started = false
        do {
            return try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { transport in
                started = true
                return try await body(transport)
            }
        } catch  where !started {
            throw DemoError(
                step: "Loading the TLS material", reason: "\(error)",
                hint: "Check that --ca and --identity are the files cdr-mock-holder wrote.")
        }
    }

    /// Runs `work`, turning any error into a ``DemoError`` for `step`.
    static func attempt<T>(_ step: String, hint: String, _ work: () throws -> T) throws -> T {
        do { return try work() } catch let error as DemoError { throw error } catch {
            throw DemoError(step: step, reason: "\(error)", hint: hint)
        }
    }

    /// Runs `work`, turning any error into a ``DemoError`` for `step`.
    static func attempt<T: Sendable>(_ step: String, hint: String, _ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let error as DemoError { throw error } catch {
            throw DemoError(step: step, reason: "\(error)", hint: hint)
        }
    }
}
