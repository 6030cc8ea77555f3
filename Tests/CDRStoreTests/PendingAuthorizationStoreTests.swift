import CDRAuth
import CDRJOSE
import CDRStore
import Foundation
import Testing

/// The `PendingAuthorizationStore` contract, over the in-memory store and the `RecipientStore` on both backends.
@Suite("Pending authorisation stores: exactly once, expiry, unknown state, capacity")
struct PendingAuthorizationStoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func pending(expiresIn seconds: TimeInterval = 600) -> PendingAuthorization {
        PendingAuthorization(
            request: AuthorizationRequest(
                scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(30),
                authenticationContexts: [.multiFactor]),
            redirectURI: "https://recipient.example/callback", pkce: PKCE.generate(),
            nonce: "nonce-" + UUID().uuidString, expiresAt: start.addingTimeInterval(seconds))
    }

    /// Runs `body` with the pending store of `host`, and the `RecipientStore` under it when there is one.
    static func withPendingStore(
        _ host: DurableStateHost, capacity: Int = 100,
        _ body: (any PendingAuthorizationStore, RecipientStore?) async throws -> Void
    ) async throws {
        try await withRecipientStore(for: host) { store in
            let pending: any PendingAuthorizationStore =
                store?.pendingAuthorizations(holderBrandID: "bank", capacity: capacity)
                ?? InMemoryPendingAuthorizationStore(capacity: capacity)
            try await body(pending, store)
        }
    }

    static func code(of body: () async throws -> PendingAuthorization) async -> AuthorizationError.Code? {
        do {
            _ = try await body()
            return nil
        } catch let error as AuthorizationError {
            return error.code
        } catch {
            Issue.record("unexpected error type \(type(of: error))")
            return nil
        }
    }

    @Test(
        "of 50 concurrent takers of one state exactly one gets the entry; the others get .unknownState",
        arguments: DurableStateHost.allCases)
    func takeExactlyOnce(_ host: DurableStateHost) async throws {
        try await Self.withPendingStore(host) { store, _ in
            let pending = Self.pending()
            try await store.insert(pending, state: "state-1", now: Self.start)
            let outcomes = await withTaskGroup(of: Result<PendingAuthorization, any Error>.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        do {
                            return .success(try await store.take(state: "state-1", now: Self.start))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var outcomes: [Result<PendingAuthorization, any Error>] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1)
            #expect(winners.first == pending)
            #expect(try winners.first?.pkce.challenge == pending.pkce.challenge)
            let losers = outcomes.compactMap { outcome -> AuthorizationError.Code? in
                guard case .failure(let error) = outcome else { return nil }
                return (error as? AuthorizationError)?.code
            }
            #expect(losers.count == 49)
            #expect(losers.allSatisfy { $0 == .unknownState })
        }
    }

    @Test("peek leaves the entry in place; take then removes it", arguments: DurableStateHost.allCases)
    func peekThenTake(_ host: DurableStateHost) async throws {
        try await Self.withPendingStore(host) { store, _ in
            let pending = Self.pending()
            try await store.insert(pending, state: "state-1", now: Self.start)
            #expect(try await store.peek(state: "state-1", now: Self.start) == pending)
            #expect(try await store.peek(state: "state-1", now: Self.start) == pending)
            #expect(try await store.take(state: "state-1", now: Self.start) == pending)
            #expect(await Self.code { try await store.peek(state: "state-1", now: Self.start) } == .unknownState)
        }
    }

    @Test("an expired entry is .stateExpired for peek and for take", arguments: DurableStateHost.allCases)
    func expiry(_ host: DurableStateHost) async throws {
        try await Self.withPendingStore(host) { store, _ in
            try await store.insert(Self.pending(expiresIn: 60), state: "peeked", now: Self.start)
            try await store.insert(Self.pending(expiresIn: 60), state: "taken", now: Self.start)
            let later = Self.start.addingTimeInterval(61)
            #expect(await Self.code { try await store.peek(state: "peeked", now: later) } == .stateExpired)
            // An expired entry that was peeked at is dropped.
            #expect(await Self.code { try await store.take(state: "peeked", now: later) } == .unknownState)
            #expect(await Self.code { try await store.take(state: "taken", now: later) } == .stateExpired)
            // Still valid just before the expiry.
            try await store.insert(Self.pending(expiresIn: 60), state: "fresh", now: Self.start)
            #expect(try await store.take(state: "fresh", now: Self.start.addingTimeInterval(59)).nonce.isEmpty == false)
        }
    }

    @Test("a state never issued is .unknownState for peek and take", arguments: DurableStateHost.allCases)
    func unknownState(_ host: DurableStateHost) async throws {
        try await Self.withPendingStore(host) { store, _ in
            try await store.insert(Self.pending(), state: "issued", now: Self.start)
            #expect(await Self.code { try await store.peek(state: "never-issued", now: Self.start) } == .unknownState)
            #expect(await Self.code { try await store.take(state: "never-issued", now: Self.start) } == .unknownState)
            #expect(try await store.peek(state: "issued", now: Self.start).redirectURI.isEmpty == false)
        }
    }

    @Test(
        "a full store refuses with .invalidRequest until entries expire or are taken",
        arguments: DurableStateHost.allCases)
    func capacity(_ host: DurableStateHost) async throws {
        try await Self.withPendingStore(host, capacity: 3) { store, _ in
            for index in 0..<3 {
                try await store.insert(Self.pending(expiresIn: 60), state: "s\(index)", now: Self.start)
            }
            do {
                try await store.insert(Self.pending(), state: "s3", now: Self.start)
                Issue.record("a fourth pending authorisation was accepted by a store of capacity 3")
            } catch let error as AuthorizationError {
                #expect(error.code == .invalidRequest)
            }
            _ = try await store.take(state: "s0", now: Self.start)
            try await store.insert(Self.pending(expiresIn: 60), state: "s3", now: Self.start)
            // Once the others expire they no longer count.
            let later = Self.start.addingTimeInterval(61)
            for index in 4..<7 {
                try await store.insert(Self.pending(expiresIn: 600), state: "s\(index)", now: later)
            }
            #expect(try await store.peek(state: "s6", now: later).expiresAt == Self.start.addingTimeInterval(600))
        }
    }

    @Test(
        "in a RecipientStore neither the state nor the verifier nor the nonce reaches the backend in clear",
        arguments: [DurableStateHost.storeOnMemory, .storeOnSQLite])
    func sealedAndHashed(_ host: DurableStateHost) async throws {
        try await Self.withPendingStore(host) { store, recipientStore in
            let recipientStore = try #require(recipientStore)
            let state = "state-" + UUID().uuidString
            let pending = Self.pending()
            try await store.insert(pending, state: state, now: Self.start)
            let items = try await recipientStore.backend.items(kind: "pending")
            let item = try #require(items.first)
            #expect(items.count == 1)
            #expect(item.scope == "recipient")
            #expect(item.key.hasPrefix("bank/"))
            #expect(item.key.count == "bank/".count + 64)
            let leaked158 = item.key.contains(state)
            #expect(!leaked158, "a secret or customer datum is readable")
            #expect(item.expiresAt == pending.expiresAt)
            let sealed = String(decoding: item.sealed, as: UTF8.self)
            let leaked161 = sealed.contains(pending.pkceVerifier)
            #expect(!leaked161, "a secret or customer datum is readable")
            let leaked162 = sealed.contains(pending.nonce)
            #expect(!leaked162, "a secret or customer datum is readable")
            // Another brand's view does not find it.
            let other = recipientStore.pendingAuthorizations(holderBrandID: "other-bank")
            #expect(await Self.code { try await other.take(state: state, now: Self.start) } == .unknownState)
            #expect(try await store.take(state: state, now: Self.start) == pending)
        }
    }

    @Test(
        "an insert with a clock running ahead does not make the replay store forget unexpired jtis",
        arguments: [DurableStateHost.storeOnMemory, .storeOnSQLite])
    func purgeKeepsSystemTime(_ host: DurableStateHost) async throws {
        try await Self.withPendingStore(host) { store, recipientStore in
            let recipientStore = try #require(recipientStore)
            let replay = recipientStore.replayStore()
            let now = Date()
            try await replay.record(jti: "jti-1", issuer: "brand-a", expiresAt: now + 300, now: now)
            let ahead = now + 3_600
            var pending = Self.pending()
            pending.expiresAt = ahead + 600
            try await store.insert(pending, state: "state-ahead", now: ahead)
            do {
                try await replay.record(jti: "jti-1", issuer: "brand-a", expiresAt: now + 300, now: Date())
                Issue.record("the jti was forgotten by a purge at a time ahead of the system clock")
            } catch let error as JOSEError {
                #expect(error.code == .replayedToken)
            }
        }
    }

    @Test("the description and dump of a pending authorisation show neither the verifier nor the nonce")
    func redaction() {
        let pending = Self.pending()
        var dumped = ""
        dump(pending, to: &dumped)
        for text in [pending.description, dumped, "\(pending)"] {
            let leaked198 = text.contains(pending.pkceVerifier)
            #expect(!leaked198, "a secret or customer datum is readable")
            let leaked199 = text.contains(pending.nonce)
            #expect(!leaked199, "a secret or customer datum is readable")
        }
    }
}
