import CDRBanking
import CDRMockData
import CDRMockHolder
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import Testing

/// A middleware that removes a header from every request (to show the holder would refuse the call without it).
struct StripHeader: TransportMiddleware {
    let name: HTTPField.Name
    func intercept(
        _ request: TransportRequest, next: (TransportRequest) async throws -> TransportResponse
    ) async throws -> TransportResponse {
        var request = request
        request.headerFields[name] = nil
        return try await next(request)
    }
}

@Suite("Call context headers: x-fapi-auth-date, customer present and unattended", .timeLimit(.minutes(5)))
struct CallContextTests {
    static let customerIP = "203.0.113.7"
    static var customerHeaders: HTTPFields {
        var fields = HTTPFields()
        fields[.userAgent] = "Mozilla/5.0 (CDRKit test browser)"
        fields[.acceptLanguage] = "en-AU"
        return fields
    }
    static let expectedHeaderBlock = "User-Agent: Mozilla/5.0 (CDRKit test browser)\r\nAccept-Language: en-AU\r\n"

    static func attended() -> CallContext {
        .attended(
            authenticatedAt: LiveBanking.authenticationTime, customerIPAddress: customerIP,
            clientHeaders: customerHeaders)
    }

    @Test("Unattended authenticated calls carry x-fapi-auth-date as an IMF-fixdate and no customer headers")
    func unattended() async throws {
        try await LiveBanking.run { live in
            let client = try live.client()
            _ = try await client.customer()
            _ = try await client.accounts().collect()
            let sent = live.recording.requests
            #expect(sent.count == 2)
            for request in sent {
                let value = try #require(request.headerFields[.fapiAuthDate])
                #expect(value == "Thu, 01 Jan 2026 00:00:00 GMT")
                #expect(HTTPDate.parse(value) == live.authenticatedAt)
                #expect(request.headerFields[.fapiCustomerIPAddress] == nil)
                #expect(request.headerFields[.cdsClientHeaders] == nil)
            }
        }
    }

    @Test("The auth date is formatted in GMT whatever the time of day, fractions dropped")
    func authDateFormat() async throws {
        let transport = RecordingTransport { _ in
            var fields = HTTPFields()
            fields[.cdsVersion] = "1"
            return TransportResponse(
                status: .ok, headerFields: fields,
                body: Data(
                    #"{"data":{"customerUType":"person","person":{"lastUpdateTime":"2026-01-01T00:00:00Z","firstName":"A","lastName":"B","middleNames":[]}},"links":{"self":"https://holder.example/cds-au/v1/common/customer"},"meta":{}}"#
                        .utf8))
        }
        let date = Date(timeIntervalSince1970: 784_111_777.75)  // Sun, 06 Nov 1994 08:49:37.75 GMT
        let client = fakeClient(transport, context: .unattended(authenticatedAt: date))
        _ = try? await client.customer()
        let request = try #require(transport.requests.first)
        #expect(request.headerFields[.fapiAuthDate] == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test(
        "Attended calls carry the customer's IP address and base64 headers (User-Agent included); the holder accepts them"
    )
    func attended() async throws {
        try await LiveBanking.run { live in
            let client = try live.client(context: Self.attended())
            let accounts = try await client.accounts().collect()
            #expect(accounts.count == live.accounts.count)
            _ = try await client.balance(accountID: live.accounts[0].id)
            let sent = live.recording.requests
            #expect(sent.count == 2)
            #expect(!live.recording.exchanges.isEmpty)
            #expect(live.recording.exchanges.allSatisfy { $0.response?.status.code == 200 })
            for request in sent {
                #expect(request.headerFields[.fapiCustomerIPAddress] == Self.customerIP)
                #expect(HTTPDate.parse(request.headerFields[.fapiAuthDate] ?? "") == live.authenticatedAt)
                let encoded = try #require(request.headerFields[.cdsClientHeaders])
                let decoded = Data(base64Encoded: encoded).flatMap { String(data: $0, encoding: .utf8) }
                // Compared as a Boolean so that a failure does not print the customer's headers.
                let matches = decoded == Self.expectedHeaderBlock
                #expect(matches, "x-cds-client-headers decodes to the customer's headers")
                let hasUserAgent = decoded?.contains("User-Agent: ") == true
                #expect(hasUserAgent)
            }
        }
    }

    @Test("with(context:) switches a client to attended for one use and leaves the original unattended")
    func withContext() async throws {
        try await LiveBanking.run { live in
            let background = try live.client()
            _ = try await background.with(context: Self.attended()).customer()
            _ = try await background.customer()
            let sent = live.recording.requests
            #expect(sent.count == 2)
            #expect(sent.first?.headerFields[.fapiCustomerIPAddress] == Self.customerIP)
            #expect(sent.last?.headerFields[.fapiCustomerIPAddress] == nil)
            #expect(sent.last?.headerFields[.cdsClientHeaders] == nil)
        }
    }

    @Test("Public calls carry no auth date and no customer headers even when attended")
    func publicCallsCarryNoContext() async throws {
        try await LiveBanking.run { live in
            let client = try live.client(context: Self.attended())
            _ = try await client.status()
            _ = try await client.products().collect()
            for request in live.recording.requests {
                #expect(request.security == .publicTLS)
                #expect(request.headerFields[.fapiAuthDate] == nil)
                #expect(request.headerFields[.fapiCustomerIPAddress] == nil)
                #expect(request.headerFields[.cdsClientHeaders] == nil)
                #expect(request.headerFields[.authorization] == nil)
            }
        }
    }

    @Test("The holder refuses a call without x-fapi-auth-date (400 Header/Missing), so the header is load-bearing")
    func holderRejectsMissingAuthDate() async throws {
        try await LiveBanking.run(middlewares: { _ in [StripHeader(name: .fapiAuthDate)] }) { live in
            let client = try live.client()
            let error = await #expect(throws: DataHolderError.self) { _ = try await client.customer() }
            #expect(error?.code == .badRequest)
            #expect(error?.status == 400)
            #expect(error?.errorCodes == [.headerMissing])
            #expect(error?.urn == "urn:au-cds:error:cds-all:Header/Missing")
            #expect(live.recording.requests.first?.headerFields[.fapiAuthDate] == nil)
        }
    }

    @Test("CallContext's description, debugDescription and dump show neither the IP address nor the headers")
    func descriptionHidesPersonalData() {
        let context = Self.attended()
        var dumped = ""
        dump(context, to: &dumped)
        let texts = [context.description, String(reflecting: context), dumped, "\(context)"]
        let encoded = context.encodedClientHeaders ?? "-"
        for text in texts {
            let leaksIP = text.contains(Self.customerIP)
            let leaksHeaders = text.contains(encoded) || text.contains("Mozilla") || text.contains("en-AU")
            #expect(!leaksIP)
            #expect(!leaksHeaders)
        }
        #expect(context.description.contains("attended"))
        #expect(context.isAttended)
        #expect(!CallContext.unattended(authenticatedAt: Date()).isAttended)
        #expect(context.customerIPAddress == Self.customerIP)
    }
}
