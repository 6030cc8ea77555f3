import CDRMockData
import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A CDS resource request that passed the holder's checks: the negotiated version and, for authenticated
/// operations, the grant and the consented accounts.
struct ResourceCall: Sendable {
    /// The operation.
    var operation: CDSOperation
    /// The version to serve.
    var version: Int
    /// Whether the response carries `x-v` (a version fault may drop it).
    var sendsVersionHeader: Bool
    /// The arrangement's grant; `nil` for public operations.
    var grant: ResourceGrant?
    /// The consented accounts, in the arrangement's order; empty for public operations.
    var accounts: [MockAccount]
    /// The request.
    var request: Request
}

extension MockDataHolder {
    /// Runs the checks every CDS resource request goes through, in the order a holder applies them: outage (503),
    /// access token bound to the presented certificate (401), scope (403), required headers (400), version (400 or
    /// 406).
    func beginResourceCall(
        _ request: Request, context: MockRequestContext, operationID: String
    ) async throws(HolderHTTPError) -> ResourceCall {
        let versions = CDSOperation.versions(of: operationID)
        guard let newest = versions.first, let operation = CDSOperation.named(operationID, version: newest) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(.notFound, .resourceNotImplemented, detail: "unknown operation"))
        }
        try checkOutage(path: request.uri.path, isAuthenticated: operation.isAuthenticated)
        var grant: ResourceGrant?
        var accounts: [MockAccount] = []
        if operation.isAuthenticated {
            let checked = try await authorizeResource(request, context: context, scopes: operation.scopes)
            grant = checked
            accounts = checked.arrangement.accountIDs.compactMap { dataset.account(id: $0) }
            try checkAuthenticatedHeaders(request)
        }
        let (version, sendsHeader) = try VersionNegotiation.negotiate(
            request, supported: versions, fault: faults.version)
        guard let served = CDSOperation.named(operationID, version: version) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(.notAcceptable, .unsupportedVersion, detail: "unsupported version"))
        }
        return ResourceCall(
            operation: served, version: version, sendsVersionHeader: sendsHeader, grant: grant, accounts: accounts,
            request: request)
    }

    /// 503 `Service/Unavailable` while an outage affects the path.
    func checkOutage(path: String, isAuthenticated: Bool) throws(HolderHTTPError) {
        guard let outage = faults.outage else { return }
        let unavailable: Bool
        switch outage {
        case .unavailable:
            unavailable = isAuthenticated
        case .partialFailure(let prefixes):
            unavailable = prefixes.contains { path.hasPrefix($0) }
        case .scheduled(let start, let duration):
            let current = now
            unavailable = isAuthenticated && current >= start && current < start.addingTimeInterval(duration.seconds)
        }
        if unavailable {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .serviceUnavailable, .serviceUnavailable,
                    detail: "the service is unavailable; see /discovery/status"))
        }
    }

    /// Checks the bearer token: known, not expired or revoked, bound to the presented client certificate, for an
    /// active arrangement, and carrying one of `scopes`.
    func authorizeResource(
        _ request: Request, context: MockRequestContext, scopes: [String]
    ) async throws(HolderHTTPError) -> ResourceGrant {
        func unauthorized(_ description: String) -> HolderHTTPError {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\", error_description=\"\(description)\""
            return HolderHTTPError(response: Response(status: .unauthorized, headers: headers))
        }
        guard let token = request.bearerToken else { throw unauthorized("an access token is required") }
        let thumbprint = await context.clientCertificateThumbprint()
        let current = now
        let found: (AccessTokenRecord, ArrangementRecord?)? = state.storage.withLock { storage in
            guard let record = storage.accessTokens[HolderState.key(of: token)] else { return nil }
            guard case .arrangement(let id) = record.kind else { return (record, nil) }
            return (record, storage.arrangements[id])
        }
        guard let (record, arrangement) = found else { throw unauthorized("unknown access token") }
        guard !record.revoked else { throw unauthorized("the access token was revoked") }
        guard record.expiresAt > current else { throw unauthorized("the access token expired") }
        guard let thumbprint, thumbprint == record.certificateThumbprint else {
            throw unauthorized("the access token is bound to another client certificate")
        }
        guard let arrangement else { throw unauthorized("the access token is not for data access") }
        guard arrangement.isActive(at: current) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .forbidden, .revokedConsent, detail: "the arrangement is no longer active"))
        }
        guard scopes.isEmpty || scopes.contains(where: record.scopes.contains) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .forbidden, .invalidConsent, detail: "the arrangement does not include the scope this call needs"))
        }
        if let issuedWith = record.refreshTokenKey {
            // Rotation on first use: the accepted access token is its token set's first use.
            state.storage.withLock { $0.noteUse(ofRefreshToken: issuedWith) }
        }
        return ResourceGrant(clientID: record.clientID, arrangement: arrangement, scopes: record.scopes)
    }

    /// The headers of an authenticated call: `x-fapi-auth-date` required in HTTP-date form; for customer-present
    /// calls (`x-fapi-customer-ip-address`), a valid IP address and a base64 `x-cds-client-headers`.
    func checkAuthenticatedHeaders(_ request: Request) throws(HolderHTTPError) {
        guard let authDate = request.headers[.fapiAuthDate] else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(.badRequest, .headerMissing, detail: "x-fapi-auth-date is required"))
        }
        guard HTTPDate.parse(authDate) != nil else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .badRequest, .headerInvalid, detail: "x-fapi-auth-date must be an HTTP-date (IMF-fixdate)"))
        }
        if let address = request.headers[.fapiCustomerIPAddress] {
            guard Self.isIPAddress(address) else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .headerInvalid, detail: "x-fapi-customer-ip-address is not an IP address"))
            }
            guard let clientHeaders = request.headers[.cdsClientHeaders] else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .headerMissing,
                        detail: "x-cds-client-headers is required when the customer is present"))
            }
            guard let decoded = Data(base64Encoded: clientHeaders), !decoded.isEmpty else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .headerInvalid, detail: "x-cds-client-headers must be base64"))
            }
        }
    }

    /// Whether `text` is an IPv4 or IPv6 address.
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// A JSON response for a resource call, with `x-v` when it should carry one and the enabled data quirks
    /// (``MockFaults/quirks``) written into its records.
    func respond(_ value: some Encodable, to call: ResourceCall) throws -> Response {
        var headers = HTTPFields()
        if call.sendsVersionHeader { headers[.cdsVersion] = String(call.version) }
        if !call.operation.isAuthenticated { headers[.accessControlAllowOrigin] = "*" }
        let body = try resourceBody(value, operation: call.operation.id)
        return HolderResponse.raw(body, contentType: "application/json", headers: headers)
    }

    /// The `links.self` of a non-paginated response: the request's absolute URL.
    func selfLinks(_ call: ResourceCall) -> Links {
        let base = call.operation.isAuthenticated ? currentEndpoints.secureBaseURL : currentEndpoints.publicBaseURL
        return Links(selfLink: base + call.request.uri.description)
    }
}

extension Duration {
    /// The duration in seconds, with fractions.
    var seconds: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
