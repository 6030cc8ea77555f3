import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

/// The production transport against the mock data holder, over real TLS and mutual TLS on 127.0.0.1.
@Suite(.timeLimit(.minutes(5))) struct AsyncHTTPClientTransportTests {
    // MARK: - Success

    @Test func mutualTLSGetOfAResourceWithABoundTokenSucceeds() async throws {
        try await Live.withHolderAndTransport { holder, transport in
            let response = try await transport.send(try Live.accountsRequest(holder))
            #expect(response.status == .ok)
            #expect(response.headerFields[.cdsVersion] == "3")
            #expect(response.headerFields[.contentType]?.hasPrefix("application/json") == true)
            let json = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            let data = try #require(json["data"] as? [String: Any])
            #expect((data["accounts"] as? [Any])?.isEmpty == false)
        }
    }

    @Test func publicTLSGetsOfDiscoveryAndProductsSucceed() async throws {
        try await Live.withHolderAndTransport { holder, transport in
            let discovery = try await transport.send(try Live.discoveryRequest(holder))
            #expect(discovery.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: discovery.body) as? [String: Any])
            #expect(document["issuer"] as? String == holder.endpoints?.issuer)

            let products = try await transport.send(try Live.productsRequest(holder))
            #expect(products.status == .ok)
            #expect(products.headerFields[.cdsVersion] == "4")
            #expect(holder.completedHandshakes.secure == 0, "public requests must not touch the secure listener")
        }
    }

    @Test func sequentialRequestsToOneListenerShareOneHandshake() async throws {
        try await Live.withHolderAndTransport { holder, transport in
            let before = holder.completedHandshakes
            #expect(before == MockDataHolder.HandshakeCounts(public: 0, secure: 0))
            for _ in 0..<5 {
                let response = try await transport.send(try Live.productsRequest(holder))
                #expect(response.status == .ok)
            }
            for _ in 0..<5 {
                let response = try await transport.send(try Live.accountsRequest(holder))
                #expect(response.status == .ok)
            }
            #expect(holder.completedHandshakes == MockDataHolder.HandshakeCounts(public: 1, secure: 1))
            #expect(holder.completedHandshakes.total == 2)
        }
    }

    @Test func aSecondTransportMakesItsOwnHandshake() async throws {
        try await MockDataHolder.withRunning(MockDataHolder.Configuration()) { holder in
            for expected in 1...2 {
                try await AsyncHTTPClientTransport.withTransport(configuration: try Live.configuration(for: holder)) {
                    let response = try await $0.send(try Live.productsRequest(holder))
                    #expect(response.status == .ok)
                }
                #expect(holder.completedHandshakes.public == expected)
            }
        }
    }

    // MARK: - Requests that cannot be sent

    @Test func mutualTLSWithoutAnIdentityIsAnInvalidRequest() async throws {
        try await MockDataHolder.withRunning(MockDataHolder.Configuration()) { holder in
            var configuration = try Live.configuration(for: holder)
            configuration.mutualTLS = nil
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { transport in
                let error = try await #require(throws: TransportError.self) {
                    try await transport.send(try Live.accountsRequest(holder))
                }
                #expect(error.code == .invalidRequest)
                #expect(holder.completedHandshakes.total == 0, "nothing may be sent")
                // The same transport still serves public endpoints.
                let response = try await transport.send(try Live.productsRequest(holder))
                #expect(response.status == .ok)
            }
        }
    }

    @Test(arguments: ["http://127.0.0.1:1/x", "ftp://127.0.0.1/x", "https:///no-host"])
    func nonHTTPSURLsAreInvalidRequests(_ url: String) async throws {
        try await AsyncHTTPClientTransport.withTransport(configuration: .init()) { transport in
            let request = TransportRequest(method: .get, url: try Live.url(url), security: .publicTLS)
            let error = try await #require(throws: TransportError.self) { try await transport.send(request) }
            #expect(error.code == .invalidRequest)
        }
    }

    @Test func unreadableTLSMaterialIsAnInvalidConfiguration() throws {
        let identity = ClientIdentity(certificateChainPEM: "not a certificate", privateKeyPEM: "not a key")
        let error = try #require(throws: TransportError.self) {
            try AsyncHTTPClientTransport(
                configuration: .init(mutualTLS: .init(identity: identity, trustRoots: .system)))
        }
        #expect(error.code == .invalidConfiguration)
        let roots = try #require(throws: TransportError.self) {
            try AsyncHTTPClientTransport(configuration: .init(publicTrustRoots: .certificates(pem: "garbage")))
        }
        #expect(roots.code == .invalidConfiguration)
    }

    // MARK: - TLS failures

    @Test func noClientCertificateAtTheSecureListenerIsRejected() async throws {
        try await Live.withHolderAndTransport { holder, transport in
            var request = try Live.accountsRequest(holder)
            request.security = .publicTLS
            let error = try await #require(throws: TransportError.self) { try await transport.send(request) }
            #expect(error.code == .clientCertificateRejected, "\(error)")
            #expect(holder.completedHandshakes.secure == 0)
        }
    }

    @Test func aClientCertificateFromAnotherCAIsRejected() async throws {
        try await MockDataHolder.withRunning(MockDataHolder.Configuration()) { holder in
            var configuration = try Live.configuration(for: holder)
            configuration.mutualTLS?.identity = try TestPKI(name: "Stranger").clientIdentity()
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { transport in
                let error = try await #require(throws: TransportError.self) {
                    try await transport.send(try Live.accountsRequest(holder))
                }
                #expect(error.code == .clientCertificateRejected, "\(error)")
            }
        }
    }

    @Test(arguments: [EndpointSecurity.mutualTLS, .publicTLS])
    func aServerNotChainingToThePinnedRootIsUntrusted(_ security: EndpointSecurity) async throws {
        try await MockDataHolder.withRunning(MockDataHolder.Configuration()) { holder in
            let stranger = try TestPKI(name: "Stranger")
            var configuration = try Live.configuration(for: holder)
            configuration.mutualTLS?.trustRoots = try stranger.trustRoots
            configuration.publicTrustRoots = try stranger.trustRoots
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { transport in
                let request =
                    security == .mutualTLS ? try Live.accountsRequest(holder) : try Live.productsRequest(holder)
                let error = try await #require(throws: TransportError.self) { try await transport.send(request) }
                #expect(error.code == .serverCertificateUntrusted, "\(error)")
                #expect(holder.completedHandshakes.total == 0)
            }
        }
    }

    @Test func aServerCertificateForAnotherNameIsUntrusted() async throws {
        // The leaf chains to the pinned root but names only holder.example, not 127.0.0.1.
        let elsewhere = try TestPKI(name: "Elsewhere", serverDNSNames: ["holder.example"], serverIPAddresses: [])
        try await MockDataHolder(pki: elsewhere).withRunning { holder in
            try await AsyncHTTPClientTransport.withTransport(configuration: try Live.configuration(for: holder)) {
                transport in
                let error = try await #require(throws: TransportError.self) {
                    try await transport.send(try Live.productsRequest(holder))
                }
                #expect(error.code == .serverCertificateUntrusted, "\(error)")
            }
        }
    }

    // MARK: - Connection, size and time failures

    @Test func aClosedPortFailsToConnect() async throws {
        try await withClosedLoopbackPort { port in
            // A long connect timeout: a refused connection must surface as connectFailed, not as a timeout.
            let configuration = AsyncHTTPClientTransport.Configuration(connectTimeout: .seconds(40))
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { transport in
                let request = TransportRequest(
                    method: .get, url: try Live.url("https://127.0.0.1:\(port)/x"), security: .publicTLS)
                let error = try await #require(throws: TransportError.self) { try await transport.send(request) }
                #expect(error.code == .connectFailed, "\(error)")
            }
        }
    }

    @Test func aResponseLargerThanTheLimitIsRefused() async throws {
        try await MockDataHolder.withRunning(MockDataHolder.Configuration()) { holder in
            let configuration = try Live.configuration(for: holder, maximumResponseSize: 256)
            try await AsyncHTTPClientTransport.withTransport(configuration: configuration) { transport in
                let error = try await #require(throws: TransportError.self) {
                    try await transport.send(try Live.discoveryRequest(holder))
                }
                #expect(error.code == .responseTooLarge, "\(error)")
            }
        }
    }

    @Test func aSlowHolderTimesOut() async throws {
        try await Live.withHolderAndTransport { holder, transport in
            holder.faults.inject(.latency(.seconds(2)), on: .resources, times: 1)
            var request = try Live.productsRequest(holder)
            request.timeout = .milliseconds(300)
            let error = try await #require(throws: TransportError.self) { try await transport.send(request) }
            #expect(error.code == .timeout, "\(error)")
            // The next request, without the fault, succeeds.
            let response = try await transport.send(try Live.productsRequest(holder))
            #expect(response.status == .ok)
        }
    }

    @Test func errorDescriptionsNameTheInteractionButNoHeaderValue() async throws {
        try await withClosedLoopbackPort { port in
            try await AsyncHTTPClientTransport.withTransport(configuration: .init()) { transport in
                var fields = HTTPFields()
                fields[.authorization] = "Bearer SECRET-TOKEN"
                fields[.cdsClientHeaders] = "Q1VTVE9NRVItSEVBREVS"
                fields[.fapiInteractionID] = "0b0f3c3e-7a55-4b5e-9b6a-000000000001"
                let request = TransportRequest(
                    method: .get,
                    url: try Live.url("https://127.0.0.1:\(port)/cds-au/v1/banking/accounts?secret=QUERY"),
                    headerFields: fields, security: .publicTLS)
                let error = try await #require(throws: TransportError.self) { try await transport.send(request) }
                #expect(error.interactionID == "0b0f3c3e-7a55-4b5e-9b6a-000000000001")
                let text = error.description
                #expect(text.contains("0b0f3c3e-7a55-4b5e-9b6a-000000000001"))
                #expect(text.contains("/cds-au/v1/banking/accounts"))
                for secret in ["SECRET-TOKEN", "Q1VTVE9NRVItSEVBREVS", "QUERY"] { #expect(!text.contains(secret)) }
            }
        }
    }
}
