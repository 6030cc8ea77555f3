import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes

/// Helpers for the tests that talk to a running ``MockDataHolder`` over real TLS on loopback.
enum Live {
    /// A transport that presents the holder's client identity on mutual-TLS requests and trusts the holder's CA in
    /// both trust modes.
    static func configuration(
        for holder: MockDataHolder, requestTimeout: Duration = .seconds(30), maximumResponseSize: Int = 32 << 20
    ) throws -> AsyncHTTPClientTransport.Configuration {
        try holder.transportConfiguration(requestTimeout: requestTimeout, maximumResponseSize: maximumResponseSize)
    }

    /// Runs `body` against a fresh holder and a transport configured for it.
    static func withHolderAndTransport<Result: Sendable>(
        _ body: (MockDataHolder, AsyncHTTPClientTransport) async throws -> Result
    ) async throws -> Result {
        try await MockDataHolder.withRunning { holder in try await holder.withTransport { try await body(holder, $0) } }
    }

    /// The holder's base URLs.
    static func endpoints(_ holder: MockDataHolder) throws -> MockDataHolder.Endpoints {
        guard let endpoints = holder.endpoints else { throw LiveTestError.notRunning }
        return endpoints
    }

    /// `GET /banking/accounts` on the secure listener with a token bound to the holder's client certificate.
    static func accountsRequest(_ holder: MockDataHolder, interactionID: String? = nil) throws -> TransportRequest {
        let grant = try holder.makeGrant(boundTo: try holder.pki.client.thumbprint())
        var fields = HTTPFields()
        fields[.authorization] = "Bearer \(grant.accessToken)"
        fields[.cdsVersion] = "3"
        fields[.fapiAuthDate] = HTTPDate.format(Date())
        if let interactionID { fields[.fapiInteractionID] = interactionID }
        return TransportRequest(
            method: .get, url: try url(endpoints(holder).resourceBaseURL + "/banking/accounts"), headerFields: fields,
            security: .mutualTLS, operation: "listBankingAccounts")
    }

    /// `GET /banking/products` on the public listener.
    static func productsRequest(_ holder: MockDataHolder) throws -> TransportRequest {
        var fields = HTTPFields()
        fields[.cdsVersion] = "4"
        return TransportRequest(
            method: .get, url: try url(endpoints(holder).publicResourceBaseURL + "/banking/products"),
            headerFields: fields, security: .publicTLS, operation: "listProducts")
    }

    /// `GET /.well-known/openid-configuration` on the public listener.
    static func discoveryRequest(_ holder: MockDataHolder) throws -> TransportRequest {
        TransportRequest(
            method: .get, url: try url(endpoints(holder).discoveryURL), security: .publicTLS, operation: "discovery")
    }

    static func url(_ string: String) throws -> URL {
        guard let url = URL(string: string) else { throw LiveTestError.badURL }
        return url
    }
}

enum LiveTestError: Error {
    case notRunning
    case badURL
}
