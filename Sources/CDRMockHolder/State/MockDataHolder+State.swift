import CDRJOSE
import CDRMockData
import CDRModels
import CDRTestPKI
import CryptoExtras
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a holder starts from: minted afresh, or restored from ``MockDataHolder/Configuration/stateDirectory``.
struct HolderStartingPoint {
    /// The configuration, with the dataset and (unless given) the ports taken from the state file.
    var configuration: MockDataHolder.Configuration
    var pki: TestPKI
    var keys: HolderKeys
    var register: MockRegister
    var state: HolderState
    /// The state directory's store; `nil` without a state directory.
    var store: HolderStateStore?
    /// Whether nothing was restored (a state file must be written).
    var isFresh: Bool

    /// Mints a new start, or restores the one saved in the configuration's state directory.
    /// - Throws: ``MockHolderError`` (``MockHolderError/Code/unreadableState``,
    ///   ``MockHolderError/Code/incompatibleState``); key or certificate generation errors.
    init(configuration: MockDataHolder.Configuration, pki: TestPKI?) throws {
        self.configuration = configuration
        state = HolderState()
        guard let directory = configuration.stateDirectory else {
            self.pki = try pki ?? Self.mintPKI(validity: .seconds(86_400))
            keys = try HolderKeys()
            register = try MockRegister()
            store = nil
            isFresh = true
            return
        }
        let store = HolderStateStore(directory: directory)
        self.store = store
        guard let saved = try store.load() else {
            // A holder that is restarted lives longer than a test: a year rather than a day.
            self.pki = try pki ?? Self.mintPKI(validity: .seconds(365 * 86_400))
            keys = try HolderKeys()
            register = try MockRegister()
            isFresh = true
            return
        }
        isFresh = false
        let requested = PersistedHolderState.Dataset(configuration.dataset)
        guard saved.dataset.hasSameShape(as: requested) else {
            throw MockHolderError(
                .incompatibleState,
                reason: "the state file \(store.fileURL.path) was written for a dataset with \(saved.dataset.summary), "
                    + "not \(requested.summary); start with the same dataset options, or use another state directory. "
                    + "The file was left unchanged")
        }
        self.configuration.dataset = saved.dataset.configuration
        if configuration.publicPort == 0, let port = saved.ports.publicPort { self.configuration.publicPort = port }
        if configuration.securePort == 0, let port = saved.ports.securePort { self.configuration.securePort = port }
        do {
            self.pki = TestPKI(
                certificateAuthority: try .init(saved.pki.certificateAuthority), server: try .init(saved.pki.server),
                client: try .init(saved.pki.client))
            keys = try HolderKeys(
                rsa: _RSA.Signing.PrivateKey(pemRepresentation: saved.keys.holderRSA),
                es256: SigningKey(pem: saved.keys.holderES256, keyID: "mock-holder-es256"))
            register = try MockRegister(
                signingKey: SigningKey(pem: saved.keys.registerPS256, keyID: "mock-register-ps256"),
                products: saved.softwareProducts)
        } catch {
            throw MockHolderError(
                .unreadableState,
                reason: "the state file \(store.fileURL.path) cannot be used: its certificates or keys cannot be read. "
                    + "It was left unchanged; delete it to start a fresh holder (new CA, clients and ports)")
        }
        let now = configuration.timeSource.now()
        let expiry = self.pki.expiry
        guard expiry > now else {
            throw MockHolderError(
                .incompatibleState,
                reason: "the certificates in the state file \(store.fileURL.path) expired on "
                    + "\(ISO8601DateFormatter().string(from: expiry)); delete the file to start a fresh holder. "
                    + "The file was left unchanged")
        }
        state.storage.withLock { storage in
            for client in saved.clients { storage.clients[client.clientID] = client }
            for arrangement in saved.arrangements { storage.arrangements[arrangement.id] = arrangement }
            storage.refreshTokens = saved.refreshTokens
            storage.accessTokens = saved.accessTokens
        }
    }

    private static func mintPKI(validity: Duration) throws -> TestPKI {
        try TestPKI(
            name: "CDRKit Mock", serverDNSNames: ["localhost"], serverIPAddresses: ["127.0.0.1"], validity: validity)
    }
}

extension TestPKI.Identity {
    fileprivate init(_ saved: PersistedHolderState.Identity) throws {
        try self.init(certificatePEM: saved.certificatePEM, privateKeyPEM: saved.privateKeyPEM)
    }

    fileprivate var persisted: PersistedHolderState.Identity {
        get throws { .init(certificatePEM: try certificatePEM(), privateKeyPEM: try privateKeyPEM()) }
    }
}

extension MockDataHolder {
    /// Hooks the Register to the state directory and writes a fresh state once; called at the end of `init`.
    /// - Parameter isFresh: Whether nothing was restored.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/stateNotSaved``.
    func attachStateDirectory(isFresh: Bool) throws {
        guard stateStore != nil else { return }
        register.onChange.withLock {
            $0 = { [weak self] in
                guard let self else { return }
                _ = self.saveStateReportingFailure()
            }
        }
        if isFresh { try saveState() }
    }

    /// Writes the state file when something a restart needs changed; nothing without a state directory.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/stateNotSaved``.
    func saveState() throws(MockHolderError) {
        guard let stateStore else { return }
        try stateStore.save { try makePersistedState(ports: stateStore.ports.withLock { $0 }) }
    }

    /// ``saveState()``, logging a failure (the file and the reason; never state contents).
    /// - Returns: The error, or `nil` when the state was saved (or unchanged).
    func saveStateReportingFailure() -> MockHolderError? {
        do {
            try saveState()
            return nil
        } catch {
            logger.info("state not saved", metadata: ["cdr.error": "\(error)"])
            return error
        }
    }

    /// The answer that replaces a response when the change it made could not be saved: 500.
    func saveStateAfterRequest() -> Response? {
        guard saveStateReportingFailure() != nil else { return nil }
        return HolderResponse.cdsError(
            .internalServerError, .unexpectedError, detail: "the mock holder could not save its state directory")
    }

    /// Records the ports just bound and saves them, so a restart binds the same ones.
    /// - Returns: The error when they could not be saved.
    func recordBoundPorts(publicPort: Int, securePort: Int) -> MockHolderError? {
        guard let stateStore else { return nil }
        stateStore.ports.withLock { $0 = .init(publicPort: publicPort, securePort: securePort) }
        do {
            try saveState()
            return nil
        } catch {
            return error
        }
    }

    /// A start-up error as the holder reports it: an address already in use becomes ``MockHolderError/Code/portInUse``.
    func startFailure(_ error: any Error) -> any Error {
        guard let error = error as? IOError, error.errnoCode == EADDRINUSE else { return error }
        let ports =
            "\(configuration.host) port \(configuration.publicPort) (public) or \(configuration.securePort) (secure)"
        var reason = "\(ports) is already in use by another process"
        if let stateStore {
            reason +=
                "; the ports were saved in \(stateStore.fileURL.path) so the holder's URLs stay the same: stop the "
                + "other process, or delete the state file to start a fresh holder on new ports"
        } else {
            reason += "; stop the other process or choose other ports (0 picks free ones)"
        }
        return MockHolderError(.portInUse, reason: reason, underlying: error)
    }

    /// What the state file keeps (see ``PersistedHolderState``); expired tokens are left out.
    private func makePersistedState(ports: PersistedHolderState.Ports) throws -> PersistedHolderState {
        let now = self.now
        let (clients, arrangements, refreshTokens, accessTokens) = state.storage.withLock { storage in
            (
                storage.clients.values.sorted { $0.clientID < $1.clientID },
                storage.arrangements.values.sorted { $0.id < $1.id },
                storage.refreshTokens.filter { $0.value.expiresAt > now },
                storage.accessTokens.filter { $0.value.expiresAt > now }
            )
        }
        return PersistedHolderState(
            version: PersistedHolderState.currentVersion,
            pki: .init(
                certificateAuthority: try pki.certificateAuthority.persisted, server: try pki.server.persisted,
                client: try pki.client.persisted),
            keys: .init(
                holderRSA: keys.rsa.pkcs8PEMRepresentation, holderES256: keys.es256.pemRepresentation,
                registerPS256: register.signingKey.pemRepresentation),
            dataset: .init(dataset.configuration), ports: ports, softwareProducts: register.allProducts,
            clients: clients, arrangements: arrangements, refreshTokens: refreshTokens, accessTokens: accessTokens)
    }
}
