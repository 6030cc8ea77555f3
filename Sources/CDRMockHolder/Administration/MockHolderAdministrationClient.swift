public import CDRModels
public import CDRTransport
public import Foundation
import HTTPTypes
import Synchronization

/// Drives a mock data holder running in another process (the `cdr-mock-holder` executable) through its
/// administration routes.
///
/// ``endpoints()`` asks the public listener (`GET /mock-admin/endpoints`, public TLS) and remembers the answer; every
/// other call goes to the secure listener's `/mock-admin/…` routes with `EndpointSecurity.mutualTLS`, so the
/// transport must present a client certificate from the holder's CA (`cdr-mock-holder --output DIR` writes one as
/// `identity.pem`, or `client.pem` and `client-key.pem`, and the CA as `ca.pem`) and trust that CA.
///
/// ```swift
/// let control: any MockHolderControl = MockHolderAdministrationClient(
///     publicBaseURL: URL(string: "https://127.0.0.1:50001")!, transport: transport)
/// try await control.setOutage(.unavailable)
/// ```
///
/// Every failure is a ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``: its reason names the
/// operation and the status (or that no answer came, with the transport's error as
/// ``MockHolderError/underlying``), never a secret from a body.
public struct MockHolderAdministrationClient: MockHolderControl {
    /// The holder's public base URL, for example `https://127.0.0.1:50001`.
    public let publicBaseURL: URL
    private let transport: any HTTPTransport
    private let cache = EndpointsCache()

    /// Creates a client.
    /// - Parameters:
    ///   - publicBaseURL: The holder's public base URL (the `publicBaseURL` of its `endpoints.json`).
    ///   - transport: The transport; for every call but ``endpoints()`` it needs a mutual-TLS identity from the
    ///     holder's CA.
    public init(publicBaseURL: URL, transport: any HTTPTransport) {
        self.publicBaseURL = publicBaseURL
        self.transport = transport
    }

    /// The holder's base URLs, from `GET /mock-admin/endpoints` on the public listener; asked once, then remembered.
    /// - Returns: The base URLs.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func endpoints() async throws -> MockDataHolder.Endpoints {
        if let known = cache.value { return known }
        let base =
            publicBaseURL.absoluteString.hasSuffix("/")
            ? String(publicBaseURL.absoluteString.dropLast()) : publicBaseURL.absoluteString
        let response = try await send(
            .get, url: base + AdministrationWire.prefix + "/endpoints", security: .publicTLS, operation: "endpoints")
        let endpoints = try decode(MockDataHolder.Endpoints.self, from: response, operation: "endpoints")
        cache.value = endpoints
        return endpoints
    }

    /// Adds a software product to the holder's mock Register (`POST /mock-admin/software-products`).
    /// - Parameter product: The product; it needs an id, a redirect URI and at least one signing key.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func addSoftwareProduct(_ product: MockRegister.SoftwareProduct) async throws {
        _ = try await sendSecure(.post, path: "/software-products", body: product, operation: "addSoftwareProduct")
    }

    /// Sets the holder's outage (`PUT /mock-admin/outage`).
    /// - Parameter outage: The outage, or `nil` for a healthy holder.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func setOutage(_ outage: MockFaults.Outage?) async throws {
        _ = try await sendSecure(
            .put, path: "/outage", body: AdministrationWire.Outage(outage), operation: "setOutage")
    }

    /// Sets the data quirks the holder writes into its resource responses (`PUT /mock-admin/quirks`).
    /// - Parameter quirks: Any of ``MockFaults/injectableQuirks``; empty for responses that follow the standard.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``, also when a quirk is not
    ///   injectable (the holder answers 400).
    public func setQuirks(_ quirks: Set<DataQuirk>) async throws {
        _ = try await sendSecure(.put, path: "/quirks", body: AdministrationWire.Quirks(quirks), operation: "setQuirks")
    }

    /// The data quirks the holder writes into its resource responses (`GET /mock-admin/quirks`).
    /// - Returns: The enabled quirks.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func quirks() async throws -> Set<DataQuirk> {
        let response = try await sendSecure(.get, path: "/quirks", operation: "quirks")
        let body = try decode(AdministrationWire.Quirks.self, from: response, operation: "quirks")
        return Set(body.quirks.map { DataQuirk(rawValue: $0) })
    }

    /// The data quirks the holder wrote into the responses it served, one record per field occurrence
    /// (`GET /mock-admin/quirks/injected`).
    /// - Returns: The records, in the order served.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func injectedQuirks() async throws -> [MockFaults.InjectedQuirk] {
        let response = try await sendSecure(.get, path: "/quirks/injected", operation: "injectedQuirks")
        return try decode(AdministrationWire.InjectedQuirks.self, from: response, operation: "injectedQuirks").injected
    }

    /// Forgets the records of injected data quirks (`DELETE /mock-admin/quirks/injected`); the quirks stay enabled.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func clearInjectedQuirks() async throws {
        _ = try await sendSecure(.delete, path: "/quirks/injected", operation: "clearInjectedQuirks")
    }

    /// Sets the second factor the mock DDC provider's bank asks for (`PUT /mock-admin/ddc/mfa`).
    /// - Parameter requirement: The second factor.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func setDDCMFA(_ requirement: MockDDCProvider.MFARequirement) async throws {
        _ = try await sendSecure(
            .put, path: "/ddc/mfa", body: AdministrationWire.MFA(requirement), operation: "setDDCMFA")
    }

    /// The mock DDC provider's API key and institution (`GET /mock-admin/ddc/settings`).
    /// - Returns: The settings; the API key is a secret.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func ddcSettings() async throws -> MockDDCSettings {
        let response = try await sendSecure(.get, path: "/ddc/settings", operation: "ddcSettings")
        return try decode(MockDDCSettings.self, from: response, operation: "ddcSettings")
    }

    /// A test customer's online-banking password (`GET /mock-admin/ddc/customers/{id}/password`).
    /// - Parameter customerID: The customer's login.
    /// - Returns: The password; a secret.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func ddcPassword(for customerID: String) async throws -> String {
        let path = "/ddc/customers/\(AdministrationWire.pathSegment(customerID))/password"
        let response = try await sendSecure(.get, path: path, operation: "ddcPassword")
        return try decode(AdministrationWire.Password.self, from: response, operation: "ddcPassword").password
    }

    /// The one-time code last sent for a DDC connection (`GET /mock-admin/ddc/connections/{id}/one-time-code`).
    /// - Parameter connectionID: The DDC connection.
    /// - Returns: The code (a secret), or `nil` when none was sent or the connection is unknown.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func ddcOneTimeCode(for connectionID: String) async throws -> String? {
        let path = "/ddc/connections/\(AdministrationWire.pathSegment(connectionID))/one-time-code"
        let response = try await sendSecure(.get, path: path, operation: "ddcOneTimeCode", allowingNotFound: true)
        if response.status == .notFound { return nil }
        return try decode(AdministrationWire.OneTimeCode.self, from: response, operation: "ddcOneTimeCode").oneTimeCode
    }

    /// A test customer's security answer (`GET /mock-admin/ddc/customers/{id}/security-answer`).
    /// - Parameter customerID: The customer's login.
    /// - Returns: The answer; a secret.
    /// - Throws: ``MockHolderError`` with ``MockHolderError/Code/administrationFailed``.
    public func ddcSecurityAnswer(for customerID: String) async throws -> String {
        let path = "/ddc/customers/\(AdministrationWire.pathSegment(customerID))/security-answer"
        let response = try await sendSecure(.get, path: path, operation: "ddcSecurityAnswer")
        return try decode(AdministrationWire.SecurityAnswer.self, from: response, operation: "ddcSecurityAnswer")
            .answer
    }

    // MARK: Sending

    /// Sends a request to the secure listener's `/mock-admin` + `path`, with `body` as JSON.
    private func sendSecure(
        _ method: HTTPRequest.Method, path: String, body: (any Encodable)? = nil, operation: String,
        allowingNotFound: Bool = false
    ) async throws -> TransportResponse {
        let secureBaseURL = try await endpoints().secureBaseURL
        var data: Data?
        if let body {
            do { data = try JSONEncoder().encode(body) } catch {
                throw MockHolderError(
                    .administrationFailed, reason: "\(operation): the request could not be encoded", underlying: error)
            }
        }
        return try await send(
            method, url: secureBaseURL + AdministrationWire.prefix + path, body: data, security: .mutualTLS,
            operation: operation, allowingNotFound: allowingNotFound)
    }

    /// Sends one request; anything but a 2xx answer (or a 404 `Resource/NotFound` when `allowingNotFound`) throws.
    private func send(
        _ method: HTTPRequest.Method, url: String, body: Data? = nil, security: EndpointSecurity, operation: String,
        allowingNotFound: Bool = false
    ) async throws -> TransportResponse {
        guard let url = URL(string: url) else {
            throw MockHolderError(.administrationFailed, reason: "\(operation): the holder's URL is not valid")
        }
        var fields = HTTPFields()
        fields[.accept] = "application/json"
        if body != nil { fields[.contentType] = "application/json" }
        let request = TransportRequest(
            method: method, url: url, headerFields: fields, body: body, security: security,
            operation: "mockAdmin." + operation)
        let response: TransportResponse
        do {
            response = try await transport.send(request)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw MockHolderError(
                .administrationFailed, reason: "\(operation): no answer from the holder", underlying: error)
        }
        if (200..<300).contains(response.status.code) { return response }
        let errors = try? JSONDecoder().decode(AdministrationWire.ErrorList.self, from: response.body).errors
        if allowingNotFound, response.status == .notFound,
            errors?.first?.code == CDSErrorCode.resourceNotFound.rawValue
        {
            return response
        }
        var reason = "\(operation): the holder answered \(response.status.code)"
        if let first = errors?.first {
            reason += " (\(first.code)" + (first.detail.map { ": \($0)" } ?? "") + ")"
        }
        throw MockHolderError(.administrationFailed, reason: reason)
    }

    private func decode<Value: Decodable>(
        _ type: Value.Type, from response: TransportResponse, operation: String
    ) throws -> Value {
        do { return try JSONDecoder().decode(Value.self, from: response.body) } catch {
            // The decoding error is left out: its description could quote the body.
            throw MockHolderError(.administrationFailed, reason: "\(operation): the answer could not be read")
        }
    }
}

/// The endpoints a ``MockHolderAdministrationClient`` has learnt, shared by its copies.
private final class EndpointsCache: Sendable {
    private let storage = Mutex<MockDataHolder.Endpoints?>(nil)

    var value: MockDataHolder.Endpoints? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
