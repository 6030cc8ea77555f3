import CDRAuth
import CDRJOSE
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import InMemoryLogging
import Logging
import Synchronization
import Testing

/// A receiver that records every call and revokes active arrangements of the calling brand.
final class RecordingRevocationReceiver: ArrangementRevocationReceiver {
    struct Failure: Error {}

    private struct State {
        /// Active arrangement ID → the holder brand it was made with.
        var active: [String: String]
        var calls: [ArrangementRevocation] = []
    }

    let fails: Bool
    private let state: Mutex<State>

    init(arrangements: [String: String], fails: Bool = false) {
        self.fails = fails
        self.state = Mutex(State(active: arrangements))
    }

    var received: [ArrangementRevocation] { state.withLock { $0.calls } }

    func add(arrangementID: String, holderBrandID: String) {
        state.withLock { $0.active[arrangementID] = holderBrandID }
    }

    func revokeArrangement(_ revocation: ArrangementRevocation) async throws -> Bool {
        try state.withLock { state in
            state.calls.append(revocation)
            if fails { throw Failure() }
            guard state.active[revocation.arrangementID] == revocation.holderBrandID else { return false }
            state.active[revocation.arrangementID] = nil
            return true
        }
    }
}

/// Fixed key sets by brand.
struct StaticHolderKeys: HolderKeyResolver {
    struct Failure: Error {}

    var keys: [String: any JWKSSource]
    var fails = false

    func keySource(forHolderBrand brandID: String) async throws -> (any JWKSSource)? {
        if fails { throw Failure() }
        return keys[brandID]
    }
}

/// A JWKS source that always fails, as an unreachable holder JWKS endpoint does.
struct FailingJWKSSource: JWKSSource {
    func keySet(refreshingFor unknownKeyID: String?) async throws -> JWKS {
        throw JOSEError(.jwksFetchFailed, reason: "unreachable")
    }
}

/// One holder brand's keys, minted once for the whole suite (RSA generation is slow).
struct HolderTestKeys: Sendable {
    let ps256: SigningKey
    let es256: SigningKey
    let stranger: SigningKey

    static let shared: HolderTestKeys = {
        do {
            return HolderTestKeys(
                ps256: try SigningKey.generate(.ps256, keyID: "holder-ps256"),
                es256: try SigningKey.generate(.es256, keyID: "holder-es256"),
                stranger: try SigningKey.generate(.ps256, keyID: "stranger-ps256"))
        } catch {
            fatalError("test keys could not be generated: \(error)")
        }
    }()
}

/// An endpoint under test with a manual clock, a recording receiver and an in-memory log.
struct RevocationFixture {
    static let baseURI = "https://adr.example.com/cdr"
    static let endpointURL = baseURI + "/arrangements/revoke"
    static let brandID = "b2f5d6a4-holder-brand"
    static let otherBrandID = "0c1d2e3f-other-brand"
    static let arrangementID = "arr-5a1bf696-ee03-408b"
    static let otherBrandsArrangementID = "arr-of-the-other-brand"

    let keys = HolderTestKeys.shared
    let clock = ManualTimeSource(Date(timeIntervalSince1970: 1_900_000_000))
    let receiver: RecordingRevocationReceiver
    let logs: InMemoryLogHandler
    let endpoint: ArrangementRevocationEndpoint

    init(
        configuration: ArrangementRevocationEndpoint.Configuration = .init(recipientBaseURI: Self.baseURI),
        holderKeys: (any HolderKeyResolver)? = nil, receiverFails: Bool = false,
        replayStore: any ReplayStore = ReplayCache()
    ) {
        receiver = RecordingRevocationReceiver(
            arrangements: [Self.arrangementID: Self.brandID, Self.otherBrandsArrangementID: Self.otherBrandID],
            fails: receiverFails)
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        logs = handler
        let resolver =
            holderKeys
            ?? StaticHolderKeys(keys: [
                Self.brandID: JWKS(keys: [keys.ps256.publicJWK, keys.es256.publicJWK]),
                Self.otherBrandID: JWKS(keys: [keys.stranger.publicJWK]),
            ])
        endpoint = ArrangementRevocationEndpoint(
            configuration: configuration, holderKeys: resolver, receiver: receiver, replayCache: replayStore,
            timeSource: clock,
            logger: Logger(label: "revocation-test", factory: { _ in handler }))
    }

    /// Self-signed claims as a holder sends them, changed by `change`.
    func claims(
        audience: String = Self.endpointURL, extra: [String: ClaimValue] = [:],
        _ change: (inout JWTClaims) -> Void = { _ in }
    ) -> JWTClaims {
        var claims = SelfSignedJWT(issuer: Self.brandID, audience: audience, additionalClaims: extra)
            .makeClaims(now: clock.now())
        change(&claims)
        return claims
    }

    func bearer(key: SigningKey? = nil, _ change: (inout JWTClaims) -> Void = { _ in }) async throws -> String {
        try await JWSSigner(key: key ?? keys.ps256).sign(claims(change))
    }

    func arrangementJWT(
        id: String? = Self.arrangementID, key: SigningKey? = nil, _ change: (inout JWTClaims) -> Void = { _ in }
    ) async throws -> String {
        let extra: [String: ClaimValue] = id.map { ["cdr_arrangement_id": .string($0)] } ?? [:]
        return try await JWSSigner(key: key ?? keys.ps256).sign(claims(extra: extra, change))
    }

    func request(
        method: HTTPRequest.Method = .post, authorization: String?, form: [(String, String)],
        contentType: String? = FormEncoding.mediaType
    ) -> ArrangementRevocationRequest {
        var fields = HTTPFields()
        if let authorization { fields[.authorization] = authorization }
        if let contentType { fields[.contentType] = contentType }
        return ArrangementRevocationRequest(method: method, headerFields: fields, body: FormEncoding.body(form))
    }

    /// A request as the standard's example shows it: both JWTs fresh, the form carrying the JWT and the ID.
    func validRequest(id: String = Self.arrangementID) async throws -> ArrangementRevocationRequest {
        request(
            authorization: "Bearer " + (try await bearer()),
            form: [("cdr_arrangement_jwt", try await arrangementJWT(id: id)), ("cdr_arrangement_id", id)])
    }

    /// Every log message and metadata value, as text.
    var loggedText: [String] {
        logs.entries.flatMap { entry in
            ["\(entry.message)"] + entry.metadata.map { "\($0.key)=\($0.value)" }
        }
    }
}

extension ArrangementRevocationResponse {
    /// The standard code of the first error.
    var firstCode: CDSErrorCode? { errors?.errors.first?.standardCode }
    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Builds an unsigned-looking compact JWS with any header, for algorithm-confusion cases.
func handcraftedJWT(header: [String: String], claims: JWTClaims, signature: String) throws -> String {
    func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return encode(try encoder.encode(header)) + "." + encode(try encoder.encode(claims)) + "." + signature
}
