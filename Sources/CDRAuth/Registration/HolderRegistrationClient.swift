public import CDRJOSE
public import CDRModels
public import CDRTransport
import Foundation
import HTTPTypes
public import Logging

/// Registers a software product with one data holder brand and manages that registration (CDS Dynamic Client
/// Registration: RFC 7591 with a Register-signed software statement, and RFC 7592-style management).
///
/// - ``register(softwareStatement:logger:)`` POSTs a registration request JWT (`application/jwt`, mutual TLS) signed
///   with the product's key: `iss` is the software product id, `aud` the holder's issuer, the redirect URIs are the
///   product's, and the algorithms come from ``RegistrationAlgorithms``. The 201 answer must echo a `client_id`,
///   the product's `software_id` and exactly the redirect URIs sent.
/// - ``registration(clientID:logger:)``, ``updateRegistration(clientID:softwareStatement:logger:)`` and
///   ``deleteRegistration(clientID:logger:)`` use `<registration_endpoint>/{clientId}` with a certificate-bound
///   `client_credentials` token of scope `cdr:registration`, obtained with `private_key_jwt` (`iss` = `sub` =
///   `client_id`, `aud` = the holder's issuer). An update re-signs the request with a fresh SSA.
///
/// ```swift
/// let holder = try await DiscoveryClient(transport: transport).discover(issuer: infosecBaseURI)
/// let dcr = HolderRegistrationClient(holder: holder, product: product, transport: transport)
/// let registration = try await dcr.register(using: registerClient)
/// store(registration.clientId, for: brand.dataHolderBrandId)
/// ```
///
/// A refusal is an ``AuthorizationError`` with ``AuthorizationError/Code/registrationRejected`` carrying the HTTP
/// status and the RFC 7591 error (`invalid_redirect_uri`, `invalid_client_metadata`, `invalid_software_statement`,
/// `unapproved_software_statement`) as ``AuthorizationError/oauthError``. No token, assertion, registration request
/// or SSA is ever part of an error.
public struct HolderRegistrationClient: Sendable {
    /// The holder's checked discovery document.
    public let holder: HolderMetadata
    /// The software product being registered.
    public let product: SoftwareProductIdentity
    /// The transport; its mutual-TLS identity must be the product's CDR certificate.
    public let transport: any HTTPTransport
    private let timeSource: any TimeSource
    private let logger: Logger

    /// Creates a client for one holder brand.
    /// - Parameters:
    ///   - holder: The holder's discovery document, as ``DiscoveryClient/discover(issuer:logger:)`` returned it.
    ///   - product: The software product.
    ///   - transport: Sends the requests.
    ///   - timeSource: The clock for the signed requests and assertions.
    ///   - backgroundActivityLogger: Receives debug messages (operations, statuses, client ids; never a secret);
    ///     silent by default.
    public init(
        holder: HolderMetadata, product: SoftwareProductIdentity, transport: any HTTPTransport,
        timeSource: any TimeSource = SystemTimeSource(),
        backgroundActivityLogger: Logger = .cdrDisabled
    ) {
        self.holder = holder
        self.product = product
        self.transport = transport
        self.timeSource = timeSource
        self.logger = backgroundActivityLogger
    }

    // MARK: Create

    /// Registers the product with the holder.
    /// - Parameters:
    ///   - softwareStatement: A fresh SSA from the Register (they live 10 minutes).
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The registration the holder stored; keep its `clientId` for this holder brand.
    /// - Throws: ``AuthorizationError`` with ``AuthorizationError/Code/registrationRejected`` (the holder refused,
    ///   see ``AuthorizationError/oauthError``), ``AuthorizationError/Code/unsupportedHolder`` (no usable
    ///   algorithm or no registration endpoint) or ``AuthorizationError/Code/unexpectedResponse`` (the answer does
    ///   not echo the registration); a ``/CDRTransport/TransportError`` when no answer arrived; a
    ///   ``/CDRJOSE/JOSEError`` when the request cannot be signed.
    public func register(softwareStatement: String, logger: Logger? = nil) async throws -> RegistrationProperties {
        let logger = logger ?? self.logger
        let url = try registrationEndpoint()
        let jwt = try await makeRegistrationRequest(softwareStatement: softwareStatement)
        let response = try await transport.send(
            TransportRequest(
                method: .post, url: url, headerFields: Self.jwtFields(), body: Data(jwt.utf8),
                security: .mutualTLS, operation: "postClientRegistration"))
        let registration = try Self.registration(in: response, expecting: 201, operation: "registration")
        guard !registration.clientId.isEmpty else { throw Self.notEchoed("has no client_id", response) }
        try checkEcho(registration, response: response)
        logger.debug(
            "client registered",
            metadata: [
                "cdr.client_id": "\(registration.clientId)", "cdr.status": "\(response.status.code)",
                "cdr.interaction_id": "\(response.interactionID ?? "-")",
            ])
        return registration
    }

    /// Gets a fresh SSA from the Register and registers the product with it.
    /// - Parameters:
    ///   - register: The Register client of the same software product.
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The registration the holder stored.
    /// - Throws: ``AuthorizationError/Code/registerRequestFailed`` when the SSA cannot be had, else as
    ///   ``register(softwareStatement:logger:)``.
    public func register(using register: RegisterClient, logger: Logger? = nil) async throws -> RegistrationProperties {
        let statement = try await register.softwareStatement(logger: logger)
        return try await self.register(softwareStatement: statement, logger: logger)
    }

    // MARK: Read, update, delete

    /// Reads the registration (`GET <registration_endpoint>/{clientId}`).
    /// - Parameters:
    ///   - clientID: The `client_id` the holder issued.
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The registration as the holder holds it.
    /// - Throws: ``AuthorizationError`` with ``AuthorizationError/Code/registrationRejected`` (the token or the read
    ///   was refused) or ``AuthorizationError/Code/unexpectedResponse``; a ``/CDRTransport/TransportError`` when no
    ///   answer arrived.
    public func registration(clientID: String, logger: Logger? = nil) async throws -> RegistrationProperties {
        let response = try await manage(.get, clientID: clientID, body: nil, operation: "getClientRegistration")
        let registration = try Self.registration(in: response, expecting: 200, operation: "registration read")
        guard registration.clientId == clientID else { throw Self.notEchoed("is for another client_id", response) }
        (logger ?? self.logger).debug("registration read", metadata: ["cdr.client_id": "\(clientID)"])
        return registration
    }

    /// Replaces the registration's metadata (`PUT <registration_endpoint>/{clientId}`) with a request re-signed
    /// around a fresh SSA, for example after the product's redirect URIs or keys changed.
    /// - Parameters:
    ///   - clientID: The `client_id` the holder issued.
    ///   - softwareStatement: A fresh SSA from the Register.
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The updated registration.
    /// - Throws: As ``register(softwareStatement:logger:)``.
    public func updateRegistration(
        clientID: String, softwareStatement: String, logger: Logger? = nil
    ) async throws -> RegistrationProperties {
        let jwt = try await makeRegistrationRequest(softwareStatement: softwareStatement)
        let response = try await manage(
            .put, clientID: clientID, body: Data(jwt.utf8), operation: "putClientRegistration")
        let registration = try Self.registration(in: response, expecting: 200, operation: "registration update")
        guard registration.clientId == clientID else { throw Self.notEchoed("is for another client_id", response) }
        try checkEcho(registration, response: response)
        (logger ?? self.logger).debug("registration updated", metadata: ["cdr.client_id": "\(clientID)"])
        return registration
    }

    /// Gets a fresh SSA from the Register and updates the registration with it.
    /// - Parameters:
    ///   - clientID: The `client_id` the holder issued.
    ///   - register: The Register client of the same software product.
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Returns: The updated registration.
    /// - Throws: ``AuthorizationError/Code/registerRequestFailed`` when the SSA cannot be had, else as
    ///   ``updateRegistration(clientID:softwareStatement:logger:)``.
    public func updateRegistration(
        clientID: String, using register: RegisterClient, logger: Logger? = nil
    ) async throws -> RegistrationProperties {
        let statement = try await register.softwareStatement(logger: logger)
        return try await updateRegistration(clientID: clientID, softwareStatement: statement, logger: logger)
    }

    /// Deletes the registration (`DELETE <registration_endpoint>/{clientId}`); the holder also ends the client's
    /// tokens. Holders may not offer this (the CDS makes it optional).
    /// - Parameters:
    ///   - clientID: The `client_id` the holder issued.
    ///   - logger: The logger for this call; the init's logger when `nil`.
    /// - Throws: ``AuthorizationError/Code/registrationRejected`` unless the holder answers 204 (405 when it does
    ///   not support deletion); a ``/CDRTransport/TransportError`` when no answer arrived.
    public func deleteRegistration(clientID: String, logger: Logger? = nil) async throws {
        let response = try await manage(.delete, clientID: clientID, body: nil, operation: "deleteClientRegistration")
        guard response.status.code == 204 else { throw OAuthClient.error(.registrationRejected, response: response) }
        (logger ?? self.logger).debug("registration deleted", metadata: ["cdr.client_id": "\(clientID)"])
    }

    // MARK: Building blocks

    /// Signs a registration request JWT for this holder.
    /// - Parameter softwareStatement: The SSA to embed.
    /// - Returns: The compact JWS. Secret: do not log it.
    /// - Throws: ``AuthorizationError/Code/unsupportedHolder`` (no usable algorithm) or a ``/CDRJOSE/JOSEError``.
    func makeRegistrationRequest(softwareStatement: String) async throws -> String {
        let algorithms = try RegistrationAlgorithms(holder: holder, product: product)
        var builder = RegistrationRequestBuilder(
            softwareProductID: product.softwareProductID, audience: holder.issuer,
            softwareStatement: softwareStatement, redirectURIs: product.redirectURIs,
            signingAlgorithm: algorithms.tokenEndpointAuthSigning)
        builder.tokenEndpointAuthSigningAlgorithm = algorithms.tokenEndpointAuthSigning
        builder.requestObjectSigningAlgorithm = algorithms.requestObjectSigning
        builder.idTokenSignedResponseAlgorithm = algorithms.idTokenSignedResponse
        builder.authorizationSignedResponseAlgorithm = algorithms.authorizationSignedResponse
        builder.authorizationEncryptedResponseAlgorithm = algorithms.authorizationEncryption?.algorithm
        builder.authorizationEncryptedResponseEncryption = algorithms.authorizationEncryption?.contentEncryption
        return try await builder.sign(with: product.signingKey, timeSource: timeSource)
    }

    /// Sends a management request with a new `cdr:registration` token.
    private func manage(
        _ method: HTTPRequest.Method, clientID: String, body: Data?, operation: String
    ) async throws -> TransportResponse {
        let endpoints = try holder.endpoints
        guard !clientID.isEmpty,
            let url = URL(string: try registrationEndpoint().absoluteString + "/" + FormEncoding.escape(clientID))
        else { throw AuthorizationError(.registrationRejected, reason: "the client_id cannot form a URL") }
        let grant = ClientCredentialsGrant(
            tokenURL: endpoints.token, scope: "cdr:registration",
            authentication: PrivateKeyJWT(
                clientID: clientID, audience: holder.issuer, signingKey: product.signingKey, timeSource: timeSource),
            operation: "registrationToken")
        let token: String
        do {
            token = try await grant.request(using: transport, failure: .registrationRejected).accessToken
        } catch var error as AuthorizationError where error.code == .registrationRejected {
            error.reason = "the cdr:registration token was refused" + (error.reason.map { " (\($0))" } ?? "")
            throw error
        }
        var fields = body == nil ? HTTPFields() : Self.jwtFields()
        fields[.accept] = "application/json"
        fields[.authorization] = "Bearer " + token
        return try await transport.send(
            TransportRequest(
                method: method, url: url, headerFields: fields, body: body, security: .mutualTLS,
                // A PUT carries a signed JWT with a single-use jti: sending it twice would be refused as a replay.
                isIdempotent: method != .put, operation: operation))
    }

    /// The registration endpoint, mutual-TLS alias preferred.
    private func registrationEndpoint() throws -> URL {
        guard let url = try holder.endpoints.registration else {
            throw AuthorizationError(.unsupportedHolder, reason: "the holder has no registration endpoint")
        }
        return url
    }

    /// Checks that an answer to a create or update echoes the product's `software_id` and redirect URIs.
    private func checkEcho(_ registration: RegistrationProperties, response: TransportResponse) throws {
        guard registration.softwareId == product.softwareProductID else {
            throw Self.notEchoed("is for another software_id", response)
        }
        guard Set(registration.redirectUris) == Set(product.redirectURIs) else {
            throw Self.notEchoed("does not echo the redirect URIs sent", response)
        }
    }

    /// Headers of a request with an `application/jwt` body.
    private static func jwtFields() -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "application/jwt"
        fields[.accept] = "application/json"
        return fields
    }

    /// Reads a registration from an answer with the expected status; another 2xx is unexpected, anything else a
    /// refusal.
    private static func registration(
        in response: TransportResponse, expecting status: Int, operation: String
    ) throws -> RegistrationProperties {
        guard response.status.code == status else {
            if (200..<300).contains(response.status.code) {
                throw AuthorizationError(
                    .unexpectedResponse, reason: "the \(operation) answered \(response.status.code), not \(status)",
                    status: response.status.code, interactionID: response.interactionID)
            }
            var error = OAuthClient.error(.registrationRejected, response: response)
            error.reason = "the \(operation) was refused"
            throw error
        }
        do {
            return try JSONDecoder().decode(RegistrationProperties.self, from: response.body)
        } catch {
            throw AuthorizationError(
                .unexpectedResponse, reason: "the \(operation) answer is not a registration",
                status: response.status.code, interactionID: response.interactionID, underlying: error)
        }
    }

    /// The error for an answer that does not match the request.
    private static func notEchoed(_ what: String, _ response: TransportResponse) -> AuthorizationError {
        AuthorizationError(
            .unexpectedResponse, reason: "the holder's registration \(what)", status: response.status.code,
            interactionID: response.interactionID)
    }
}
