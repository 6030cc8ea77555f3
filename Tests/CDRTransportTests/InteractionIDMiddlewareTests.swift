import CDRMockHolder
import CDRTesting
import CDRTransport
import CDRTransportAsyncHTTPClient
import Foundation
import HTTPTypes
import Testing

@Suite(.timeLimit(.minutes(5))) struct InteractionIDMiddlewareTests {
    @Test func anIDIsAddedWhenMissingAndEchoedByTheHolder() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let recorder = RecordingTransport(recording: base)
            let transport = MiddlewareTransport(recorder, middlewares: [InteractionIDMiddleware()])
            let request = try Live.productsRequest(holder)
            #expect(request.interactionID == nil)
            let response = try await transport.send(request)
            let sent = try #require(recorder.requests.first?.interactionID)
            #expect(UUID(uuidString: sent) != nil)
            #expect(sent == sent.lowercased())
            #expect(response.interactionID == sent)
        }
    }

    @Test func aGivenIDIsKept() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let recorder = RecordingTransport(recording: base)
            let transport = MiddlewareTransport(
                recorder, middlewares: [InteractionIDMiddleware(makeID: { "must-not-be-used" })])
            let given = UUID().uuidString.lowercased()
            let response = try await transport.send(try Live.accountsRequest(holder, interactionID: given))
            #expect(response.status == .ok)
            #expect(recorder.requests.map(\.interactionID) == [given])
            #expect(response.interactionID == given)
        }
    }

    @Test func eachCallGetsItsOwnIDAndRetriesShareIt() async throws {
        try await Live.withHolderAndTransport { holder, base in
            let chain = RetryChain(base)
            holder.faults.inject(.throttle(retryAfter: 0), on: .resources, times: 2)
            let first = try await chain.transport.send(try Live.productsRequest(holder))
            #expect(first.status == .ok)
            #expect(chain.statuses == [429, 429, 200])
            let ids = chain.attempts.requests.map(\.interactionID)
            #expect(Set(ids).count == 1 && ids.first != nil)
            #expect(first.interactionID == ids.first!)

            let second = try await chain.transport.send(try Live.productsRequest(holder))
            #expect(second.interactionID != nil && second.interactionID != first.interactionID)
        }
    }
}
