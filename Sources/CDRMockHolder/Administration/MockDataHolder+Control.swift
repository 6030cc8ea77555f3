import CDRJOSE
public import CDRModels

extension MockDataHolder: MockHolderControl {
    /// The base URLs of this holder, once both listeners are bound.
    /// - Returns: The base URLs (the `endpoints` property, without the optional).
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/stopped`` when the holder is not running.
    public func endpoints() async throws -> Endpoints {
        guard let current = endpoints else {
            throw MockHolderError(.stopped, reason: "the holder is not running")
        }
        return current
    }

    /// Adds a software product to ``MockDataHolder/register``, replacing one with the same id.
    /// - Parameter product: The product; it needs an id, a redirect URI and at least one signing key.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/invalidConfiguration`` when it has none of them.
    public func addSoftwareProduct(_ product: MockRegister.SoftwareProduct) async throws {
        if let problem = product.administrationProblem {
            throw MockHolderError(.invalidConfiguration, reason: problem)
        }
        register.add(product)
    }

    /// Sets ``MockFaults/outage`` of ``MockDataHolder/faults``.
    /// - Parameter outage: The outage, or `nil` for a healthy holder.
    public func setOutage(_ outage: MockFaults.Outage?) async throws {
        faults.outage = outage
    }

    /// Sets ``MockFaults/quirks`` of ``MockDataHolder/faults``.
    /// - Parameter quirks: Any of ``MockFaults/injectableQuirks``.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/invalidConfiguration`` for a quirk the holder cannot
    ///   inject.
    public func setQuirks(_ quirks: Set<DataQuirk>) async throws {
        guard quirks.allSatisfy(MockFaults.injectableQuirks.contains) else {
            throw MockHolderError(
                .invalidConfiguration, reason: "only the quirks in MockFaults.injectableQuirks can be injected")
        }
        faults.quirks = quirks
    }

    /// ``MockFaults/quirks`` of ``MockDataHolder/faults``.
    /// - Returns: The enabled quirks.
    public func quirks() async throws -> Set<DataQuirk> {
        faults.quirks
    }

    /// ``MockFaults/injectedQuirks()`` of ``MockDataHolder/faults``.
    /// - Returns: The records, in the order served.
    public func injectedQuirks() async throws -> [MockFaults.InjectedQuirk] {
        faults.injectedQuirks()
    }

    /// ``MockFaults/clearInjectedQuirks()`` of ``MockDataHolder/faults``.
    public func clearInjectedQuirks() async throws {
        faults.clearInjectedQuirks()
    }

    /// Sets ``MockDDCProvider/mfa`` of ``MockDataHolder/ddc``.
    /// - Parameter requirement: The second factor.
    public func setDDCMFA(_ requirement: MockDDCProvider.MFARequirement) async throws {
        ddc.mfa = requirement
    }

    /// The API key and institution of ``MockDataHolder/ddc``.
    /// - Returns: The settings; the API key is a secret.
    public func ddcSettings() async throws -> MockDDCSettings {
        ddc.settings
    }

    /// ``MockDDCProvider/password(for:)`` of ``MockDataHolder/ddc``.
    /// - Parameter customerID: The customer's login.
    /// - Returns: The password; a secret.
    public func ddcPassword(for customerID: String) async throws -> String {
        ddc.password(for: customerID)
    }

    /// ``MockDDCProvider/lastOneTimeCode(for:)`` of ``MockDataHolder/ddc``.
    /// - Parameter connectionID: The DDC connection.
    /// - Returns: The code, or `nil` when none was sent.
    public func ddcOneTimeCode(for connectionID: String) async throws -> String? {
        ddc.lastOneTimeCode(for: connectionID)
    }

    /// ``MockDDCProvider/securityAnswer(for:)`` of ``MockDataHolder/ddc``.
    /// - Parameter customerID: The customer's login.
    /// - Returns: The answer; a secret.
    public func ddcSecurityAnswer(for customerID: String) async throws -> String {
        ddc.securityAnswer(for: customerID)
    }
}

extension MockDDCProvider {
    /// The API key and the institution, as ``MockHolderControl/ddcSettings()`` returns them.
    var settings: MockDDCSettings {
        MockDDCSettings(apiKey: apiKey, institutionID: institutionID, institutionName: institutionName)
    }
}

extension MockRegister.SoftwareProduct {
    /// Why the product can't be added, or `nil` when it can.
    var administrationProblem: String? {
        if id.isEmpty { return "the software product needs an id" }
        if redirectURIs.isEmpty { return "the software product needs a redirect URI" }
        if jwks.signingKeys.isEmpty { return "the software product needs a signing key" }
        return nil
    }
}
