import AsyncHTTPClient
import CDRMockHolder
import CDRTesting
import Foundation
import NIOHTTP1
import Testing

@Suite(.timeLimit(.minutes(5)))
struct ListenerTests {
    @Test func publicListenerServesWithoutClientCertificate() async throws {
        try await MockDataHolder.withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            try await TestHTTPClient.with(pki: holder.pki, presentsCertificate: false) { client in
                let answer = try await client.send(.GET, endpoints.registerPublicBaseURL + "/jwks")
                #expect(answer.status == 200)
                #expect(try answer.json()["keys"] != nil)
            }
        }
    }

    @Test func secureListenerRejectsHandshakeWithoutClientCertificate() async throws {
        try await MockDataHolder.withRunning { holder in
            let endpoints = try #require(holder.endpoints)
            _ = try await TestHTTPClient.with(pki: holder.pki, presentsCertificate: false) { client in
                await #expect(throws: (any Error).self) {
                    _ = try await client.send(.GET, endpoints.resourceBaseURL + "/banking/accounts")
                }
            }
            // With the client certificate the same listener answers (401: no token).
            try await TestHTTPClient.with(pki: holder.pki) { client in
                let answer = try await client.send(.POST, endpoints.registerTokenURL)
                #expect(answer.status == 400)
            }
        }
    }

    @Test func refusesNonLoopbackHost() {
        #expect(throws: MockHolderError.self) {
            _ = try MockDataHolder(configuration: .init(host: "0.0.0.0"))
        }
    }
}
