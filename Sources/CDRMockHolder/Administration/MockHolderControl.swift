public import CDRModels

/// What a test or sample app can do to a mock data holder, whether it runs in the same process or in another one.
///
/// Two conformances:
/// - ``MockDataHolder`` itself, for a holder in this process: each call changes the holder directly;
/// - ``MockHolderAdministrationClient``, for a `cdr-mock-holder` running in another process: each call goes to the
///   holder's administration routes (under `/mock-admin/`) over mutual TLS.
///
/// Code written against `any MockHolderControl` runs unchanged with either:
///
/// ```swift
/// func prepare(_ holder: some MockHolderControl) async throws -> String {
///     try await holder.setOutage(nil)
///     try await holder.setDDCMFA(.oneTimeCode)
///     return try await holder.ddcPassword(for: "customer-1")
/// }
/// ```
///
/// Several answers are secrets of the mock world (the DDC API key, a customer's password, one-time codes, security
/// answers): don't print or log them.
public protocol MockHolderControl: Sendable {
    /// The base URLs of the running holder.
    /// - Returns: The public and secure listeners' base URLs.
    /// - Throws: ``MockHolderError`` (``MockHolderError/Code/stopped`` when an in-process holder is not running,
    ///   ``MockHolderError/Code/administrationFailed`` when a remote holder could not be asked).
    func endpoints() async throws -> MockDataHolder.Endpoints

    /// Adds a data recipient's software product to the mock Register, replacing one with the same id.
    /// - Parameter product: The product; it needs an id, a redirect URI and at least one signing key.
    /// - Throws: ``MockHolderError`` when the product is incomplete or the holder could not be reached.
    func addSoftwareProduct(_ product: MockRegister.SoftwareProduct) async throws

    /// Sets the holder's outage, as ``MockFaults/outage`` does.
    /// - Parameter outage: The outage, or `nil` for a healthy holder.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func setOutage(_ outage: MockFaults.Outage?) async throws

    /// Sets the data quirks the holder writes into its resource responses, as ``MockFaults/quirks`` does.
    /// - Parameter quirks: Any of ``MockFaults/injectableQuirks``; empty for responses that follow the standard.
    /// - Throws: ``MockHolderError`` when a quirk is not injectable or the holder could not be reached.
    func setQuirks(_ quirks: Set<DataQuirk>) async throws

    /// The data quirks the holder writes into its resource responses (``MockFaults/quirks``).
    /// - Returns: The enabled quirks.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func quirks() async throws -> Set<DataQuirk>

    /// The data quirks written into the responses served so far, one record per field occurrence
    /// (``MockFaults/injectedQuirks()``).
    /// - Returns: The records, in the order served.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func injectedQuirks() async throws -> [MockFaults.InjectedQuirk]

    /// Forgets the records of injected data quirks (``MockFaults/clearInjectedQuirks()``).
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func clearInjectedQuirks() async throws

    /// Sets the second factor the mock DDC provider's bank asks for, as ``MockDDCProvider/mfa`` does.
    /// - Parameter requirement: The second factor.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func setDDCMFA(_ requirement: MockDDCProvider.MFARequirement) async throws

    /// What a DDC client needs to call the mock DDC provider: its API key and its institution.
    /// - Returns: The settings; the API key is a secret.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func ddcSettings() async throws -> MockDDCSettings

    /// A test customer's online-banking password at the mock bank (``MockDDCProvider/password(for:)``).
    /// - Parameter customerID: The customer's login, for example `customer-1`.
    /// - Returns: The password; a secret.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func ddcPassword(for customerID: String) async throws -> String

    /// The one-time code last "sent to the phone" of the customer behind a DDC connection
    /// (``MockDDCProvider/lastOneTimeCode(for:)``).
    /// - Parameter connectionID: The DDC connection.
    /// - Returns: The code (a secret), or `nil` when none was sent or the connection is unknown.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func ddcOneTimeCode(for connectionID: String) async throws -> String?

    /// A test customer's answer to the mock bank's security question (``MockDDCProvider/securityAnswer(for:)``).
    /// - Parameter customerID: The customer's login.
    /// - Returns: The answer; a secret.
    /// - Throws: ``MockHolderError`` when the holder could not be reached.
    func ddcSecurityAnswer(for customerID: String) async throws -> String
}

/// What a client of the mock DDC provider needs: the API key and the institution standing for the mock bank.
///
/// ``description``, `debugDescription` and the mirror (`dump`) never show ``apiKey``.
public struct MockDDCSettings: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The API key, sent as `Authorization: Bearer <key>`; a secret.
    public var apiKey: String
    /// The identifier of the institution that stands for the mock holder's brand.
    public var institutionID: String
    /// The institution's name.
    public var institutionName: String

    /// Creates settings.
    /// - Parameters:
    ///   - apiKey: The API key.
    ///   - institutionID: The institution's identifier.
    ///   - institutionName: The institution's name.
    public init(apiKey: String, institutionID: String, institutionName: String) {
        self.apiKey = apiKey
        self.institutionID = institutionID
        self.institutionName = institutionName
    }

    /// The institution and a redacted API key.
    public var description: String {
        "MockDDCSettings(institutionID: \(institutionID), institutionName: \(institutionName), apiKey: <redacted>)"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// The institution and a redacted API key, so that `dump` shows no secret.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["institutionID": institutionID, "institutionName": institutionName, "apiKey": "<redacted>"],
            displayStyle: .struct)
    }
}
