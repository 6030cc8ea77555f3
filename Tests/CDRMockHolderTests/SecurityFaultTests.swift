import AsyncHTTPClient
import CDRJOSE
import CDRMockData
import CDRMockHolder
import CDRTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Synchronization
import Testing

/// The holder's injected faults, each checked against the CDRJOSE validators, plus JARM encryption and
/// holder-initiated revocation.
@Suite(.timeLimit(.minutes(5)))
struct SecurityFaultTests {
    func withRecipient(encryption: DecryptionKey? = nil, _ body: (TestRecipient) async throws -> Void) async throws {
        try await MockDataHolder.withRunning { holder in
            try await TestHTTPClient.with(pki: holder.pki) { http in
                try await body(
                    try await TestRecipient.make(holder: holder, http: http, encryption: encryption).registered())
            }
        }
    }

    /// Why a correct client rejects each faulty ID token.
    static let expectedIDTokenError: [MockFaults.IDTokenFault: JOSEError.Code] = [
        .invalidIssuer: .issuerMismatch, .missingIssuer: .missingClaim, .invalidAudience: .audienceMismatch,
        .missingAudience: .missingClaim, .secondaryAudience: .untrustedAudience, .invalidNonce: .nonceMismatch,
        .missingNonce: .missingClaim, .expired: .expired, .missingExpiry: .missingClaim,
        .issuedInFuture: .issuedInFuture, .noneAlgorithm: .algorithmNotAllowed,
        .alternateAlgorithmRS256: .algorithmNotAllowed, .invalidSignature: .signatureInvalid,
        .unknownKeyID: .unknownKeyID, .missingACR: .acrNotAccepted,
    ]

    /// Why a correct client rejects each faulty JARM response.
    static let expectedJARMError: [MockFaults.JARMFault: JOSEError.Code] = [
        .invalidIssuer: .issuerMismatch, .missingIssuer: .missingClaim, .invalidAudience: .audienceMismatch,
        .missingAudience: .missingClaim, .expired: .expired, .missingExpiry: .missingClaim,
        .invalidSignature: .signatureInvalid, .noneAlgorithm: .algorithmNotAllowed,
        .alternateAlgorithmRS256: .algorithmNotAllowed, .invalidState: .stateMismatch, .missingState: .missingClaim,
        .unknownKeyID: .unknownKeyID, .tooLongLifetime: .lifetimeTooLong,
    ]

    @Test func everyIDTokenFaultIsRejectedExceptAudienceAsArray() async throws {
        try await withRecipient { recipient in
            let validator = try await recipient.idTokenValidator()
            for fault in MockFaults.IDTokenFault.allCases {
                recipient.holder.faults.idToken = [fault]
                let flow = TestRecipient.Flow()
                let tokens = try await recipient.consent(flow)
                let idToken = try #require(tokens["id_token"] as? String, "\(fault)")
                if fault == .audienceAsArray {
                    let accepted = try await validator.validate(idToken, expectedNonce: flow.nonce)
                    #expect(accepted.claims["aud"] == [.string(recipient.clientID)])
                } else {
                    let error = await #expect(throws: JOSEError.self, "\(fault)") {
                        _ = try await validator.validate(idToken, expectedNonce: flow.nonce)
                    }
                    #expect(error?.code == Self.expectedIDTokenError[fault], "\(fault): \(String(describing: error))")
                }
            }
        }
    }

    @Test func everyJARMFaultIsRejected() async throws {
        try await withRecipient { recipient in
            let validator = try await recipient.jarmValidator()
            for fault in MockFaults.JARMFault.allCases {
                recipient.holder.faults.jarm = [fault]
                let flow = TestRecipient.Flow()
                let requestURI = try await recipient.pushedRequestURI(flow)
                let response = try TestRecipient.jarmResponse(of: try await recipient.authorise(requestURI: requestURI))
                let error = await #expect(throws: JOSEError.self, "\(fault)") {
                    _ = try await validator.validate(response, expectedState: flow.state)
                }
                #expect(error?.code == Self.expectedJARMError[fault], "\(fault): \(String(describing: error))")
            }
        }
    }

    @Test func tokenResponseFaults() async throws {
        try await withRecipient { recipient in
            recipient.holder.faults.token = [.omitScopeAndExpiresIn, .lowercaseTokenType]
            let tokens = try await recipient.consent()
            #expect(tokens["scope"] == nil && tokens["expires_in"] == nil)
            #expect(tokens["token_type"] as? String == "bearer")
            #expect(tokens["access_token"] is String)
            let refreshToken = try #require(tokens["refresh_token"] as? String)

            recipient.holder.faults.token = [.rejectRefresh]
            let refused = try await recipient.post(
                "/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
            #expect(try refused.json()["error"] as? String == "invalid_grant")
            recipient.holder.faults.reset()
            let accepted = try await recipient.post(
                "/token", [("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
            #expect(accepted.status == 200)
        }
    }

    @Test func encryptedJARMIsDecryptedWithTheRegisteredKey() async throws {
        let decryptionKey = try DecryptionKey.generate(.rsaOAEP256, keyID: "recipient-enc")
        try await withRecipient(encryption: decryptionKey) { recipient in
            let flow = TestRecipient.Flow()
            let requestURI = try await recipient.pushedRequestURI(flow)
            let response = try TestRecipient.jarmResponse(of: try await recipient.authorise(requestURI: requestURI))
            #expect(JWE.isEncrypted(response))
            let (header, plaintext) = try JWEDecrypter(keys: [decryptionKey]).decrypt(response)
            #expect(header.encryption == "A256GCM" && header.algorithm == "RSA-OAEP-256")
            #expect(try UnverifiedJWT(String(decoding: plaintext, as: UTF8.self)).claims["code"] != nil)
            let code = try await recipient.jarmValidator().validate(response, expectedState: flow.state).code
            #expect(try await recipient.exchange(code: code, verifier: flow.pkce.verifier).status == 200)
        }
    }

    @Test func consentPagesLeadToAJARMRedirect() async throws {
        try await withRecipient { recipient in
            let flow = TestRecipient.Flow()
            let requestURI = try await recipient.pushedRequestURI(flow)
            let base = recipient.endpoints.publicBaseURL
            let customer = try #require(recipient.holder.dataset.customer(id: "customer-2"))
            let owned = recipient.holder.dataset.accounts(of: customer)
            let final = try await TestRecipient.withoutRedirects(pki: recipient.holder.pki) { browser in
                let signIn = try await recipient.authorise(requestURI: requestURI, extra: [])
                #expect(signIn.status == 200)
                #expect(signIn.header("content-type")?.hasPrefix("text/html") == true)
                let identity = [("client_id", recipient.clientID), ("request_uri", requestURI)]
                let accounts = try await browser.form(
                    base + "/authorise/login", identity + [("customer_id", "customer-2")])
                #expect(accounts.status == 200)
                #expect(accounts.text.contains(owned[0].id))
                return try await browser.form(
                    base + "/authorise/confirm",
                    identity + [
                        ("customer_id", "customer-2"), ("account_\(owned[1].id)", "on"), ("decision", "allow"),
                    ])
            }
            let response = try TestRecipient.jarmResponse(of: final)
            let code = try await recipient.jarmValidator().validate(response, expectedState: flow.state).code
            let tokens = try await recipient.exchange(code: code, verifier: flow.pkce.verifier).json()
            let arrangementID = try #require(tokens["cdr_arrangement_id"] as? String)
            let arrangement = try #require(recipient.holder.arrangement(id: arrangementID))
            #expect(arrangement.customerID == "customer-2")
            #expect(arrangement.accountIDs == [owned[1].id])
        }
    }

    // MARK: Holder-initiated revocation

    @Test func holderInitiatedRevocationReachesTheRecipient() async throws {
        try await MockDataHolder.withRunning { holder in
            let received = RevocationLog()
            try await TestHTTPClient.with(pki: holder.pki) { http in
                let endpoints = try #require(holder.endpoints)
                let jwks = try JWKS(jsonData: try await http.send(.GET, endpoints.publicBaseURL + "/jwks").body)
                let replayCache = ReplayCache()
                let brandID = holder.configuration.brand.id

                let router = Router()
                router.post("/arrangements/revoke") { request, _ -> Response in
                    let audience = received.audience.withLock { $0 }
                    let validator = SelfSignedJWTValidator(
                        configuration: .init(issuer: brandID, audiences: [audience]), keys: jwks,
                        replayCache: replayCache)
                    guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
                        (try? await validator.validate(String(authorization.dropFirst(7)))) != nil
                    else { return Response(status: .unauthorized) }
                    let body = try await request.body.collect(upTo: 1 << 16)
                    var form: [String: String] = [:]
                    for pair in String(buffer: body).split(separator: "&") {
                        let parts = pair.split(separator: "=", maxSplits: 1).map {
                            String($0).removingPercentEncoding ?? ""
                        }
                        if parts.count == 2 { form[parts[0]] = parts[1] }
                    }
                    guard let jwt = form["cdr_arrangement_jwt"],
                        let claims = try? await validator.validate(jwt),
                        let id = claims.string("cdr_arrangement_id"), form["cdr_arrangement_id"] == id
                    else { return Response(status: .badRequest) }
                    received.ids.withLock { $0.append(id) }
                    return Response(status: .noContent)
                }
                var tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: [.certificate(try holder.pki.server.nioCertificate())],
                    privateKey: .privateKey(try holder.pki.server.nioPrivateKey()))
                tls.minimumTLSVersion = .tlsv12
                let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
                let app = Application(
                    router: router, server: try .tls(.http1(), tlsConfiguration: tls),
                    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) })
                let logger = Logger(label: "test-recipient", factory: { _ in SwiftLogNoOpLogHandler() })
                let group = ServiceGroup(
                    configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    var iterator = ports.makeAsyncIterator()
                    let port = try #require(await iterator.next())
                    let base = "https://127.0.0.1:\(port)"
                    received.audience.withLock { $0 = base + "/arrangements/revoke" }

                    let recipient = try await TestRecipient.make(holder: holder, http: http, recipientBaseURI: base)
                        .registered()
                    let tokens = try await recipient.consent()
                    let id = try #require(tokens["cdr_arrangement_id"] as? String)
                    try await holder.revokeArrangement(id: id)
                    #expect(received.ids.withLock { $0 } == [id])
                    #expect(holder.arrangement(id: id)?.isActive == false)
                    let refresh = try #require(tokens["refresh_token"] as? String)
                    #expect(
                        try await recipient.post("/introspect", [("token", refresh)]).json()["active"] as? Bool == false
                    )

                    // Silent revocation, and an unknown arrangement.
                    let second = try await recipient.consent()
                    let secondID = try #require(second["cdr_arrangement_id"] as? String)
                    try await holder.revokeArrangement(id: secondID, notifyRecipient: false)
                    #expect(received.ids.withLock { $0 }.count == 1)
                    await #expect(throws: MockHolderError.self) { try await holder.revokeArrangement(id: "nope") }

                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
        }
    }
}

/// What the test recipient's revocation endpoint saw.
final class RevocationLog: Sendable {
    let ids = Mutex<[String]>([])
    let audience = Mutex<String>("")
}
