import AsyncHTTPClient
import CDRMockHolder
import CDRTesting
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// An HTTP answer, read whole.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first(name: name) }
    func json() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
    }
}

/// A small HTTPS client for the tests: trusts the holder's CA and presents `identity` (the holder's client leaf by
/// default, none when `presentsCertificate` is false).
struct TestHTTPClient: Sendable {
    let client: HTTPClient

    init(pki: TestPKI, identity: TestPKI.Identity? = nil, presentsCertificate: Bool = true) throws {
        let tls =
            presentsCertificate
            ? try pki.makeClientTLSConfiguration(presenting: identity)
            : try pki.makeClientTLSConfigurationWithoutIdentity()
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(
        _ method: HTTPMethod = .GET, _ url: String, headers: [(String, String)] = [], body: Data? = nil
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return HTTPAnswer(
            status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    func form(_ url: String, _ parameters: [(String, String)], headers: [(String, String)] = []) async throws
        -> HTTPAnswer
    {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = parameters.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return try await send(
            .POST, url, headers: headers + [("content-type", "application/x-www-form-urlencoded")],
            body: Data(body.utf8))
    }

    func shutdown() async throws { try await client.shutdown() }

    /// Runs `body` with a client and shuts it down afterwards.
    static func with<T: Sendable>(
        pki: TestPKI, identity: TestPKI.Identity? = nil, presentsCertificate: Bool = true,
        _ body: (TestHTTPClient) async throws -> T
    ) async throws -> T {
        try await run(TestHTTPClient(pki: pki, identity: identity, presentsCertificate: presentsCertificate), body)
    }

    /// Runs `body` with `client` and shuts the client down afterwards, whether `body` returns or throws.
    static func run<T: Sendable>(_ client: TestHTTPClient, _ body: (TestHTTPClient) async throws -> T) async throws
        -> T
    {
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
