import Foundation
import Testing

@testable import CDRAuth

@Suite("Arrangement state machine")
struct ArrangementStateTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func authorised() -> Arrangement {
        Arrangement(
            id: "arr-1", holderIssuer: "https://holder.example", clientID: "client", subject: "sub",
            scopes: ["bank:accounts.basic:read"], sharingExpiresAt: start.addingTimeInterval(86_400 * 90),
            authorisedAt: start)
    }

    @Test("authorised → active → expiring → expired")
    func naturalLife() throws {
        var arrangement = authorised()
        #expect(arrangement.state == .authorised)
        arrangement = try arrangement.applying(.used, at: start + 1)
        #expect(arrangement.state == .active)
        #expect(arrangement.updatedAt == start + 1)
        arrangement = try arrangement.applying(.used, at: start + 2)
        #expect(arrangement.updatedAt == start + 1, "a use while active changes nothing")
        arrangement = try arrangement.applying(.nearingExpiry, at: start + 3)
        #expect(arrangement.state == .expiring)
        #expect(arrangement.state.allowsDataAccess)
        arrangement = try arrangement.applying(.expired, at: start + 4)
        #expect(arrangement.state == .expired)
        #expect(arrangement.state.isTerminal)
        #expect(!arrangement.state.allowsDataAccess)
    }

    @Test(
        "revocation by each party is terminal and idempotent",
        arguments: [
            RevocationInitiator.consumer, .holder, .recipient,
        ])
    func revocation(_ initiator: RevocationInitiator) throws {
        let revoked = try authorised().applying(.used, at: start).applying(.revoked(by: initiator), at: start + 1)
        #expect(revoked.state == .revoked(by: initiator))
        #expect(try revoked.applying(.revoked(by: .holder), at: start + 2) == revoked)
        for event in [ArrangementEvent.used, .authorised, .amended, .nearingExpiry] {
            let error = #expect(throws: AuthorizationError.self) { _ = try revoked.applying(event, at: start + 3) }
            #expect(error?.code == .invalidTransition)
        }
        let error = #expect(throws: AuthorizationError.self) { _ = try revoked.applying(.expired, at: start + 3) }
        #expect(error?.code == .invalidTransition)
    }

    @Test("amendment keeps the id, counts, and returns to authorised")
    func amendment() throws {
        let active = try authorised().applying(.used, at: start)
        let expiring = try active.applying(.nearingExpiry, at: start + 1)
        let amended = try expiring.applying(.amended, at: start + 2)
        #expect(amended.id == "arr-1")
        #expect(amended.state == .authorised)
        #expect(amended.amendmentCount == 1)
        #expect(amended.authorisedAt == start + 2)
        #expect(try amended.applying(.amended, at: start + 3).amendmentCount == 2)
    }

    @Test("expired arrangements cannot be used or amended")
    func expiredIsTerminal() throws {
        let expired = try authorised().applying(.expired, at: start)
        #expect(try expired.applying(.expired, at: start + 1) == expired)
        #expect(throws: AuthorizationError.self) { _ = try expired.applying(.amended, at: start + 1) }
        #expect(throws: AuthorizationError.self) { _ = try expired.applying(.revoked(by: .consumer), at: start + 1) }
    }

    @Test("the record round-trips through Codable without changing state")
    func codable() throws {
        let arrangement = try authorised().applying(.used, at: start).applying(.revoked(by: .holder), at: start + 1)
        let data = try JSONEncoder().encode(arrangement)
        #expect(try JSONDecoder().decode(Arrangement.self, from: data) == arrangement)
    }
}
