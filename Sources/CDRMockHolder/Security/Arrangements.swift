import AsyncHTTPClient
import CDRJOSE
import CDRTestPKI
import CDRTransport
public import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A CDR arrangement as the mock holder records it: one customer's consent to one client.
public struct MockArrangement: Sendable, Hashable {
    /// The `cdr_arrangement_id`.
    public var id: String
    /// The client the consent was given to.
    public var clientID: String
    /// The customer who consented.
    public var customerID: String
    /// The accounts the customer chose to share.
    public var accountIDs: [String]
    /// The granted scopes.
    public var scopes: [String]
    /// Whether the arrangement is active now (not revoked and, for ongoing sharing, not past its end).
    public var isActive: Bool
    /// When sharing ends; `nil` for once-off access.
    public var sharingExpiresAt: Date?
}

extension MockDataHolder {
    /// Every arrangement the holder knows, active or not, ordered by id.
    /// - Returns: The arrangements.
    public func arrangements() -> [MockArrangement] {
        let now = self.now
        return state.storage.withLock { storage in
            storage.arrangements.values.map { Self.publicView(of: $0, now: now) }
        }.sorted { $0.id < $1.id }
    }

    /// The arrangement with this id, if the holder knows it.
    /// - Parameter id: The `cdr_arrangement_id`.
    /// - Returns: The arrangement.
    public func arrangement(id: String) -> MockArrangement? {
        let now = self.now
        return state.storage.withLock { storage in storage.arrangements[id].map { Self.publicView(of: $0, now: now) } }
    }

    private static func publicView(of record: ArrangementRecord, now: Date) -> MockArrangement {
        MockArrangement(
            id: record.id, clientID: record.clientID, customerID: record.customerID, accountIDs: record.accountIDs,
            scopes: record.scopes, isActive: record.isActive(at: now), sharingExpiresAt: record.sharingExpiresAt)
    }

    /// Revokes an arrangement as the holder (for example because the customer withdrew consent in the holder's
    /// dashboard): marks it revoked, revokes its tokens and, when asked, tells the recipient.
    ///
    /// The recipient is told at `<recipient_base_uri>/arrangements/revoke` (from the software statement) with
    /// `Authorization: Bearer <self-signed JWT>` (`iss` = `sub` = the holder brand id, `aud` = that URL) and the
    /// form members `cdr_arrangement_jwt` (a signed JWT carrying `cdr_arrangement_id`) and
    /// `cdr_arrangement_id`. Both JWTs are signed PS256 with the key published at the holder's `/jwks`. The
    /// recipient's TLS certificate must chain to ``pki``'s certificate authority.
    /// - Parameters:
    ///   - id: The `cdr_arrangement_id`.
    ///   - notifyRecipient: Whether to call the recipient's revocation endpoint.
    /// - Throws: ``MockHolderError`` `.unknownArrangement` when the holder does not know the arrangement;
    ///   `.recipientCallFailed` when the recipient has no base URI, cannot be reached or does not answer 204;
    ///   `.stateNotSaved` when the state directory cannot be written (the revocation stands in memory).
    public func revokeArrangement(id: String, notifyRecipient: Bool = true) async throws {
        let clientID = state.storage.withLock { storage -> String? in
            guard let arrangement = storage.arrangements[id] else { return nil }
            storage.arrangements[id]?.status = .revoked
            storage.revokeTokens(ofArrangement: id)
            return arrangement.clientID
        }
        guard let clientID else { throw MockHolderError(.unknownArrangement, reason: "no arrangement with this id") }
        try saveState()
        logger.debug("arrangement revoked by the holder", metadata: ["cdr.arrangement_id": "\(id)"])
        guard notifyRecipient else { return }
        guard let base = clientRecord(clientID)?.recipientBaseURI else {
            throw MockHolderError(.recipientCallFailed, reason: "the recipient has no recipient_base_uri")
        }
        let endpoint = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/arrangements/revoke"
        let timeSource = configuration.timeSource
        let brandID = configuration.brand.id
        let bearer = try await SelfSignedJWT(issuer: brandID, audience: endpoint).sign(
            with: keys.ps256, timeSource: timeSource)
        let arrangementJWT = try await SelfSignedJWT(
            issuer: brandID, audience: endpoint, additionalClaims: ["cdr_arrangement_id": .string(id)]
        ).sign(with: keys.ps256, timeSource: timeSource)

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.trustRoots = .certificates([try pki.certificateAuthority.nioCertificate()])
        var clientConfiguration = HTTPClient.Configuration(tlsConfiguration: tls)
        clientConfiguration.timeout = .init(connect: .seconds(5), read: .seconds(15))
        let status: UInt
        do {
            status = try await HTTPClient.withHTTPClient(configuration: clientConfiguration) { client in
                var request = HTTPClientRequest(url: endpoint)
                request.method = .POST
                request.headers.add(name: "authorization", value: "Bearer " + bearer)
                request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
                let body = FormEncoding.encode([("cdr_arrangement_jwt", arrangementJWT), ("cdr_arrangement_id", id)])
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await client.execute(request, timeout: .seconds(15))
                _ = try await response.body.collect(upTo: 1 << 16)
                return response.status.code
            }
        } catch {
            throw MockHolderError(.recipientCallFailed, reason: "the recipient could not be reached")
        }
        guard status == 204 else {
            throw MockHolderError(.recipientCallFailed, reason: "the recipient answered \(status)")
        }
    }
}
