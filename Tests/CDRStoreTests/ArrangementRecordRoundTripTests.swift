import CDRAuth
import CDRJOSE
import CDRStore
import CDRStoreSQLite
import Foundation
import Testing

/// What the SDK needs of an arrangement after a restart comes back from the SQLite store unchanged.
@Suite("ArrangementRecord round trip through the SQLite store")
struct ArrangementRecordRoundTripTests {
    static let consentedAt = Date(timeIntervalSince1970: 1_800_000_000)

    /// An ID token as the validator returns it (decoded, as the store decodes it).
    static func idToken() throws -> IDToken {
        let json = """
            {"subject": "pairwise-1", "authenticationContextClass": "urn:cds.au:cdr:3",
             "authenticationTime": 1799999990000, "expiresAt": 1800000300000,
             "claims": {"iss": "https://holder.example", "sub": "pairwise-1", "aud": "client-1",
                        "nonce": "n-1", "acr": "urn:cds.au:cdr:3", "auth_time": 1799999990}}
            """
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(IDToken.self, from: Data(json.utf8))
    }

    /// `token` with `extra` claims added (as a holder adds profile claims).
    static func adding(_ extra: [String: String], to token: IDToken) throws -> IDToken {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        var object = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(token)) as? [String: Any])
        var claims = try #require(object["claims"] as? [String: Any])
        for (name, value) in extra { claims[name] = value }
        object["claims"] = claims
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(IDToken.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test("the arrangement, its tokens and the consent's ID token survive closing and reopening the store")
    func roundTrip() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("store.sqlite").path
            let key = LocalKeyEncryptionKey.random()
            let arrangement = try Arrangement(
                id: "arr-1", holderIssuer: "https://holder.example", clientID: "client-1", subject: "pairwise-1",
                scopes: ["openid", "bank:accounts.basic:read"], sharingExpiresAt: Self.consentedAt + 86_400 * 30,
                authorisedAt: Self.consentedAt
            ).applying(.used, at: Self.consentedAt + 60)
            let record = ArrangementRecord(
                arrangement: arrangement,
                tokens: TokenSet(
                    accessToken: "access-1", accessTokenExpiresAt: Self.consentedAt + 300, refreshToken: "refresh-1",
                    sharingExpiresAt: Self.consentedAt + 86_400 * 30, scopes: arrangement.scopes,
                    idToken: "id.token.1"),
                originalIDToken: try Self.idToken())
            let first = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            try await first.tokenStore(holderBrandID: "bank").save(record)
            try await first.close()
            let second = try await RecipientStore.open(
                backend: try await SQLiteStoreBackend.open(path: path), keyEncryptionKey: key)
            let loaded = try #require(try await second.tokenStore(holderBrandID: "bank").load(arrangementID: "arr-1"))
            #expect(loaded == record)
            #expect(loaded.originalIDToken?.subject == "pairwise-1")
            #expect(loaded.originalIDToken?.claims["nonce"]?.stringValue == "n-1")
            #expect(loaded.arrangement.state == arrangement.state)
            try await second.close()
        }
    }

    @Test("a record keeps the ID token's continuity claims only, and prints and dumps none of them")
    func keepsNoProfileClaims() throws {
        var idToken = try Self.idToken()
        idToken = try Self.adding(["name": "Jane Citizen", "family_name": "Citizen"], to: idToken)
        let record = ArrangementRecord(
            arrangement: Arrangement(
                id: "arr-1", holderIssuer: "https://holder.example", clientID: "client-1", subject: "pairwise-1",
                scopes: [], sharingExpiresAt: nil, authorisedAt: Self.consentedAt),
            tokens: nil, originalIDToken: idToken)
        let kept = try #require(record.originalIDToken)
        #expect(kept.claims["name"] == nil)
        #expect(kept.claims["family_name"] == nil)
        #expect(kept.claims["nonce"]?.stringValue == "n-1")
        #expect(kept.claims["sub"]?.stringValue == "pairwise-1")
        var dumped = ""
        dump(record, to: &dumped)
        for shown in [String(describing: record), dumped] {
            let showsClaim = ["Citizen", "n-1", "pairwise-1"].contains { shown.contains($0) }
            #expect(!showsClaim, "an arrangement record's description or dump shows an ID token claim")
        }
    }

    @Test("a record kept before the ID token was kept still opens, without one")
    func olderRecordsOpen() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        let arrangement = Arrangement(
            id: "arr-1", holderIssuer: "https://holder.example", clientID: "client-1", subject: nil, scopes: [],
            sharingExpiresAt: nil, authorisedAt: Self.consentedAt)
        var object = try #require(
            try JSONSerialization.jsonObject(
                with: encoder.encode(
                    ArrangementRecord(arrangement: arrangement, tokens: nil, originalIDToken: try Self.idToken())))
                as? [String: Any])
        #expect(object.removeValue(forKey: "originalIDToken") != nil)
        let older = try decoder.decode(ArrangementRecord.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(older.originalIDToken == nil)
        #expect(older.arrangement == arrangement)
    }
}
