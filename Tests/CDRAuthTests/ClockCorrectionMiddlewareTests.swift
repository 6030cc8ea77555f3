import CDRAuth
import CDRJOSE
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

@Suite struct ClockCorrectionMiddlewareTests {
    @Test func datesFromAHolderAheadMoveTheClock() async throws {
        let clock = CorrectedClock()
        let holder = RecordingTransport { _ in
            var fields = HTTPFields()
            fields[.date] = HTTPDate.format(Date().addingTimeInterval(120))
            return TransportResponse(status: .ok, headerFields: fields)
        }
        let transport = MiddlewareTransport(holder, middlewares: [ClockCorrectionMiddleware(clock: clock)])
        let request = TransportRequest(method: .get, url: try #require(URL(string: "https://holder.example/x")))

        _ = try await transport.send(request)
        #expect(clock.offset == 0, "one unauthenticated Date header must not move the clock")
        for _ in 1..<clock.requiredAgreement { _ = try await transport.send(request) }

        #expect(abs(clock.offset - 120) <= 2, "offset \(clock.offset)")
        #expect(abs(clock.now().timeIntervalSinceNow - 120) <= 2)
        #expect(holder.requests.count == clock.requiredAgreement)
    }

    @Test func responsesWithoutOrWithBadDatesLeaveTheClockAlone() async throws {
        let clock = CorrectedClock()
        let dates = ["", "yesterday", HTTPDate.format(Date().addingTimeInterval(3600))]
        for value in dates {
            let transport = MiddlewareTransport(
                RecordingTransport { _ in
                    var fields = HTTPFields()
                    if !value.isEmpty { fields[.date] = value }
                    return TransportResponse(status: .ok, headerFields: fields)
                }, middlewares: [ClockCorrectionMiddleware(clock: clock)])
            let request = TransportRequest(method: .get, url: try #require(URL(string: "https://holder.example/x")))
            for _ in 0..<5 { _ = try await transport.send(request) }
        }
        #expect(clock.offset == 0)
    }
}
