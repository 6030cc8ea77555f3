import CDRAuth
import CDRJOSE
import CDRModels
import CDRTesting
import CDRTransport
import Foundation
import HTTPTypes
import InMemoryLogging
import Logging
import Testing

@Suite("RecipientRevocation: the endpoint")
struct RecipientRevocationEndpointTests {
    // MARK: Success

    @Test("A valid revocation is answered 204 and reaches the receiver once")
    func validRevocation() async throws {
        let fixture = RevocationFixture()
        let response = await fixture.endpoint.handle(try await fixture.validRequest())
        #expect(response.status == .noContent)
        #expect(response.body.isEmpty)
        #expect(response.errors == nil)
        #expect(response.headerFields[.contentType] == nil)
        let received = fixture.receiver.received
        #expect(received.count == 1)
        #expect(received.first?.arrangementID == RevocationFixture.arrangementID)
        #expect(received.first?.holderBrandID == RevocationFixture.brandID)
        #expect(received.first?.receivedAt == fixture.clock.now())
        let entry = try #require(fixture.logs.entries.last)
        #expect(entry.level == .debug)
        #expect(entry.metadata["cdr.arrangement_id"] == "\(RevocationFixture.arrangementID)")
        #expect(entry.metadata["cdr.holder_brand_id"] == "\(RevocationFixture.brandID)")
    }

    enum AcceptedVariant: String, CaseIterable, CustomTestStringConvertible {
        case es256Bearer, baseURIAudience, baseURIAudienceWithSlash, audienceArray, minimalArrangementJWT
        case noFormArrangementID, charsetParameter, lowercaseScheme, bearerWithoutIAT, arrangementJWTInES256
        var testDescription: String { rawValue }
    }

    @Test("Accepted variations of a valid request", arguments: AcceptedVariant.allCases)
    func acceptedVariants(_ variant: AcceptedVariant) async throws {
        let fixture = RevocationFixture()
        let id = RevocationFixture.arrangementID
        var scheme = "Bearer "
        var contentType = FormEncoding.mediaType
        var sendsFormID = true
        var bearer = try await fixture.bearer()
        var arrangementJWT = try await fixture.arrangementJWT()
        switch variant {
        case .es256Bearer:
            bearer = try await fixture.bearer(key: fixture.keys.es256)
        case .baseURIAudience:
            bearer = try await fixture.bearer { $0["aud"] = .string(RevocationFixture.baseURI) }
        case .baseURIAudienceWithSlash:
            bearer = try await fixture.bearer { $0["aud"] = .string(RevocationFixture.baseURI + "/") }
        case .audienceArray:
            bearer = try await fixture.bearer {
                $0["aud"] = ["https://other.example", .string(RevocationFixture.endpointURL)]
            }
        case .minimalArrangementJWT:
            arrangementJWT = try await JWSSigner(key: fixture.keys.ps256).sign(
                JWTClaims(["cdr_arrangement_id": .string(id)]))
        case .noFormArrangementID:
            sendsFormID = false
        case .charsetParameter:
            contentType = "Application/X-WWW-Form-Urlencoded; charset=UTF-8"
        case .lowercaseScheme:
            scheme = "bearer "
        case .bearerWithoutIAT:
            bearer = try await fixture.bearer { $0.issuedAt = nil }
        case .arrangementJWTInES256:
            arrangementJWT = try await fixture.arrangementJWT(key: fixture.keys.es256)
        }
        var form = [("cdr_arrangement_jwt", arrangementJWT)]
        if sendsFormID { form.append(("cdr_arrangement_id", id)) }
        let response = await fixture.endpoint.handle(
            fixture.request(authorization: scheme + bearer, form: form, contentType: contentType))
        #expect(response.status == .noContent, "\(response.text)")
        #expect(fixture.receiver.received.map(\.arrangementID) == [id])
    }

    // MARK: Authentication

    @Test("A replayed bearer JWT is refused and the receiver is not called again")
    func replayedBearer() async throws {
        let fixture = RevocationFixture()
        let request = try await fixture.validRequest()
        #expect(await fixture.endpoint.handle(request).status == .noContent)
        let replay = await fixture.endpoint.handle(request)
        #expect(replay.status == .unauthorized)
        #expect(replay.headerFields[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
        #expect(fixture.receiver.received.count == 1)
        #expect(fixture.logs.entries.last?.metadata["cdr.reason"] == "replayedToken")
    }

    @Test("A replayed cdr_arrangement_jwt is refused even with a fresh bearer JWT")
    func replayedArrangementJWT() async throws {
        let fixture = RevocationFixture()
        let arrangementJWT = try await fixture.arrangementJWT()
        for expected: HTTPResponse.Status in [.noContent, .badRequest] {
            let response = await fixture.endpoint.handle(
                fixture.request(
                    authorization: "Bearer " + (try await fixture.bearer()),
                    form: [("cdr_arrangement_jwt", arrangementJWT)]))
            #expect(response.status == expected)
            if expected == .badRequest {
                #expect(response.firstCode == .fieldInvalid)
                #expect(response.errors?.errors.first?.detail.hasPrefix("cdr_arrangement_jwt") == true)
            }
        }
        #expect(fixture.receiver.received.count == 1)
    }

    enum RejectedBearer: String, CaseIterable, CustomTestStringConvertible {
        case wrongAudience, baseURIAudienceWhenNotAccepted, missingAudience, issuerOfAnotherBrand, subjectMismatch
        case missingSubject, expired, missingExpiry, missingJTI, lifetimeTooLong, issuedInFuture, notYetValid
        case unknownKeyID, unknownBrand, missingIssuer, algorithmNotAllowed, algorithmNone, hs256, tamperedPayload
        case notAJWT, emptyToken, twoAuthorizationHeaders
        var testDescription: String { rawValue }

        /// The reason the endpoint logs: the `JOSEError` code, or its own.
        var expectedReason: String {
            switch self {
            case .wrongAudience, .baseURIAudienceWhenNotAccepted: "audienceMismatch"
            case .missingAudience, .missingSubject, .missingExpiry, .missingJTI: "missingClaim"
            case .issuerOfAnotherBrand, .unknownKeyID: "unknownKeyID"
            case .subjectMismatch: "subjectMismatch"
            case .expired: "expired"
            case .lifetimeTooLong: "lifetimeTooLong"
            case .issuedInFuture: "issuedInFuture"
            case .notYetValid: "notYetValid"
            case .unknownBrand: "unknownHolderBrand"
            case .missingIssuer: "missingIssuer"
            case .algorithmNotAllowed, .algorithmNone, .hs256: "algorithmNotAllowed"
            case .tamperedPayload: "signatureInvalid"
            case .notAJWT: "malformedToken"
            case .emptyToken: "emptyBearer"
            case .twoAuthorizationHeaders: "multipleAuthorizationHeaders"
            }
        }
    }

    @Test("Invalid bearer JWTs are answered 401 invalid_token", arguments: RejectedBearer.allCases)
    func rejectedBearer(_ variant: RejectedBearer) async throws {
        var configuration = ArrangementRevocationEndpoint.Configuration(
            recipientBaseURI: RevocationFixture.baseURI, maximumLifetime: .seconds(600))
        if variant == .baseURIAudienceWhenNotAccepted { configuration.acceptsRecipientBaseURIAsAudience = false }
        if variant == .algorithmNotAllowed { configuration.allowedAlgorithms = [.ps256] }
        let fixture = RevocationFixture(configuration: configuration)
        let now = fixture.clock.now()
        var authorization: [String] = []
        switch variant {
        case .wrongAudience:
            authorization = ["Bearer " + (try await fixture.bearer { $0["aud"] = "https://adr.example.com/revoke" })]
        case .baseURIAudienceWhenNotAccepted:
            authorization = ["Bearer " + (try await fixture.bearer { $0["aud"] = .string(RevocationFixture.baseURI) })]
        case .missingAudience:
            authorization = ["Bearer " + (try await fixture.bearer { $0["aud"] = nil })]
        case .issuerOfAnotherBrand:
            authorization = [
                "Bearer "
                    + (try await fixture.bearer {
                        $0.issuer = RevocationFixture.otherBrandID
                        $0.subject = RevocationFixture.otherBrandID
                    })
            ]
        case .subjectMismatch:
            authorization = ["Bearer " + (try await fixture.bearer { $0.subject = "someone-else" })]
        case .missingSubject:
            authorization = ["Bearer " + (try await fixture.bearer { $0.subject = nil })]
        case .expired:
            authorization = [
                "Bearer "
                    + (try await fixture.bearer {
                        $0.issuedAt = now.addingTimeInterval(-600)
                        $0.expiresAt = now.addingTimeInterval(-300)
                    })
            ]
        case .missingExpiry:
            authorization = ["Bearer " + (try await fixture.bearer { $0.expiresAt = nil })]
        case .missingJTI:
            authorization = ["Bearer " + (try await fixture.bearer { $0.jwtID = nil })]
        case .lifetimeTooLong:
            authorization = ["Bearer " + (try await fixture.bearer { $0.expiresAt = now.addingTimeInterval(3600) })]
        case .issuedInFuture:
            authorization = ["Bearer " + (try await fixture.bearer { $0.issuedAt = now.addingTimeInterval(300) })]
        case .notYetValid:
            authorization = ["Bearer " + (try await fixture.bearer { $0.notBefore = now.addingTimeInterval(300) })]
        case .unknownKeyID:
            authorization = ["Bearer " + (try await fixture.bearer(key: fixture.keys.stranger))]
        case .unknownBrand:
            authorization = [
                "Bearer "
                    + (try await fixture.bearer {
                        $0.issuer = "unknown-brand"
                        $0.subject = "unknown-brand"
                    })
            ]
        case .missingIssuer:
            authorization = ["Bearer " + (try await fixture.bearer { $0.issuer = nil })]
        case .algorithmNotAllowed:
            authorization = ["Bearer " + (try await fixture.bearer(key: fixture.keys.es256))]
        case .algorithmNone:
            authorization = [
                "Bearer "
                    + (try handcraftedJWT(
                        header: ["alg": "none", "kid": "holder-ps256"], claims: fixture.claims(), signature: ""))
            ]
        case .hs256:
            authorization = [
                "Bearer "
                    + (try handcraftedJWT(
                        header: ["alg": "HS256", "kid": "holder-ps256"], claims: fixture.claims(),
                        signature: "c2lnbmF0dXJl"))
            ]
        case .tamperedPayload:
            let genuine = try await fixture.bearer().split(separator: ".")
            let forged = try handcraftedJWT(
                header: ["alg": "PS256", "kid": "holder-ps256"],
                claims: fixture.claims(audience: "https://elsewhere.example"), signature: String(genuine[2]))
            authorization = ["Bearer " + forged]
        case .notAJWT:
            authorization = ["Bearer not-a-jwt"]
        case .emptyToken:
            authorization = ["Bearer    "]
        case .twoAuthorizationHeaders:
            authorization = ["Bearer " + (try await fixture.bearer()), "Bearer " + (try await fixture.bearer())]
        }
        var request = fixture.request(
            authorization: nil, form: [("cdr_arrangement_jwt", try await fixture.arrangementJWT())])
        for value in authorization { request.headerFields.append(HTTPField(name: .authorization, value: value)) }

        let response = await fixture.endpoint.handle(request)
        #expect(response.status == .unauthorized, "\(response.text)")
        #expect(response.headerFields[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
        #expect(response.firstCode == .expectedError)
        #expect(fixture.logs.entries.last?.metadata["cdr.reason"] == "\(variant.expectedReason)")
        #expect(fixture.receiver.received.isEmpty)
    }

    @Test("Without bearer credentials the challenge carries no error code (RFC 6750 §3.1)")
    func missingCredentials() async throws {
        let fixture = RevocationFixture()
        let form = [("cdr_arrangement_jwt", try await fixture.arrangementJWT())]
        for authorization in [nil, "Basic dXNlcjpwYXNz"] {
            let response = await fixture.endpoint.handle(fixture.request(authorization: authorization, form: form))
            #expect(response.status == .unauthorized)
            #expect(response.headerFields[.wwwAuthenticate] == "Bearer")
        }
        #expect(fixture.receiver.received.isEmpty)
    }

    @Test("When the holder brand's keys cannot be obtained the answer is 503")
    func keysUnavailable() async throws {
        let failingResolver = RevocationFixture(holderKeys: StaticHolderKeys(keys: [:], fails: true))
        let failingJWKS = RevocationFixture(
            holderKeys: StaticHolderKeys(keys: [RevocationFixture.brandID: FailingJWKSSource()]))
        for fixture in [failingResolver, failingJWKS] {
            let response = await fixture.endpoint.handle(try await fixture.validRequest())
            #expect(response.status == .serviceUnavailable)
            #expect(response.firstCode == .serviceUnavailable)
            #expect(fixture.receiver.received.isEmpty)
        }
    }

    // MARK: The form

    @Test("A missing cdr_arrangement_jwt is 400 Field/Missing, also for the retired form-parameter method")
    func missingArrangementJWT() async throws {
        let fixture = RevocationFixture()
        for form in [[], [("cdr_arrangement_id", RevocationFixture.arrangementID)], [("cdr_arrangement_jwt", "")]] {
            let response = await fixture.endpoint.handle(
                fixture.request(authorization: "Bearer " + (try await fixture.bearer()), form: form))
            #expect(response.status == .badRequest)
            #expect(response.firstCode == .fieldMissing)
            #expect(response.errors?.errors.first?.title == "Missing Required Field")
            #expect(response.errors?.errors.first?.detail == "cdr_arrangement_jwt")
            #expect(response.headerFields[.contentType] == "application/json")
        }
        #expect(fixture.receiver.received.isEmpty)
    }

    @Test("A cdr_arrangement_jwt without cdr_arrangement_id is 400 Field/Missing; a non-string one Field/Invalid")
    func arrangementIDClaim() async throws {
        let fixture = RevocationFixture()
        let cases: [(JWTClaims, CDSErrorCode)] = [
            (fixture.claims(), .fieldMissing),
            (fixture.claims(extra: ["cdr_arrangement_id": 42]), .fieldInvalid),
            (fixture.claims(extra: ["cdr_arrangement_id": ""]), .fieldInvalid),
        ]
        for (claims, code) in cases {
            let jwt = try await JWSSigner(key: fixture.keys.ps256).sign(claims)
            let response = await fixture.endpoint.handle(
                fixture.request(
                    authorization: "Bearer " + (try await fixture.bearer()), form: [("cdr_arrangement_jwt", jwt)]))
            #expect(response.status == .badRequest)
            #expect(response.firstCode == code)
            #expect(response.errors?.errors.first?.detail.hasPrefix("cdr_arrangement_id") == true)
        }
        #expect(fixture.receiver.received.isEmpty)
    }

    @Test("A cdr_arrangement_id form parameter that differs from the JWT's is 400 Field/Invalid")
    func mismatchingFormID() async throws {
        let fixture = RevocationFixture()
        let response = await fixture.endpoint.handle(
            fixture.request(
                authorization: "Bearer " + (try await fixture.bearer()),
                form: [
                    ("cdr_arrangement_jwt", try await fixture.arrangementJWT()),
                    ("cdr_arrangement_id", RevocationFixture.otherBrandsArrangementID),
                ]))
        #expect(response.status == .badRequest)
        #expect(response.firstCode == .fieldInvalid)
        #expect(response.errors?.errors.first?.detail.hasPrefix("cdr_arrangement_id:") == true)
        #expect(fixture.receiver.received.isEmpty)
    }

    enum RejectedArrangementJWT: String, CaseIterable, CustomTestStringConvertible {
        case signedByAnotherKey, signedByAnotherBrand, wrongAudience, anotherIssuer, subjectMismatch, expired
        case lifetimeTooLong, issuedInFuture, notAJWT, emptyJTI
        var testDescription: String { rawValue }

        var expectedReason: String {
            switch self {
            case .signedByAnotherKey, .signedByAnotherBrand: "unknownKeyID"
            case .wrongAudience: "audienceMismatch"
            case .anotherIssuer: "issuerMismatch"
            case .subjectMismatch: "subjectMismatch"
            case .expired: "expired"
            case .lifetimeTooLong: "lifetimeTooLong"
            case .issuedInFuture: "issuedInFuture"
            case .notAJWT: "malformedToken"
            case .emptyJTI: "invalidClaim"
            }
        }
    }

    @Test(
        "An unverifiable cdr_arrangement_jwt, or one with invalid self-signed claims, is 400 Field/Invalid",
        arguments: RejectedArrangementJWT.allCases)
    func rejectedArrangementJWT(_ variant: RejectedArrangementJWT) async throws {
        let fixture = RevocationFixture()
        let now = fixture.clock.now()
        let jwt: String
        switch variant {
        case .signedByAnotherKey:
            jwt = try await fixture.arrangementJWT(key: fixture.keys.stranger)
        case .signedByAnotherBrand:
            // Valid for the other brand (its own key and iss), but the bearer is this brand's.
            jwt = try await fixture.arrangementJWT(key: fixture.keys.stranger) {
                $0.issuer = RevocationFixture.otherBrandID
                $0.subject = RevocationFixture.otherBrandID
            }
        case .wrongAudience:
            jwt = try await fixture.arrangementJWT { $0["aud"] = "https://other-recipient.example/arrangements/revoke" }
        case .anotherIssuer:
            jwt = try await fixture.arrangementJWT { $0.issuer = RevocationFixture.otherBrandID }
        case .subjectMismatch:
            jwt = try await fixture.arrangementJWT { $0.subject = "someone-else" }
        case .expired:
            jwt = try await fixture.arrangementJWT {
                $0.issuedAt = now.addingTimeInterval(-900)
                $0.expiresAt = now.addingTimeInterval(-600)
            }
        case .lifetimeTooLong:
            jwt = try await fixture.arrangementJWT { $0.expiresAt = now.addingTimeInterval(86_400) }
        case .issuedInFuture:
            jwt = try await fixture.arrangementJWT { $0.issuedAt = now.addingTimeInterval(600) }
        case .notAJWT:
            jwt = "not-a-jwt"
        case .emptyJTI:
            jwt = try await fixture.arrangementJWT { $0.jwtID = "" }
        }
        let response = await fixture.endpoint.handle(
            fixture.request(
                authorization: "Bearer " + (try await fixture.bearer()), form: [("cdr_arrangement_jwt", jwt)]))
        #expect(response.status == .badRequest, "\(response.text)")
        #expect(response.firstCode == .fieldInvalid)
        #expect(response.errors?.errors.first?.detail.hasPrefix("cdr_arrangement_jwt") == true)
        #expect(fixture.logs.entries.last?.metadata["cdr.reason"] == "\(variant.expectedReason)")
        #expect(fixture.receiver.received.isEmpty)
    }

    @Test("A malformed form is 400 Field/Invalid")
    func malformedForm() async throws {
        let fixture = RevocationFixture()
        var request = fixture.request(authorization: "Bearer " + (try await fixture.bearer()), form: [])
        request.body = Data("cdr_arrangement_jwt=a&cdr_arrangement_jwt=b".utf8)
        let response = await fixture.endpoint.handle(request)
        #expect(response.status == .badRequest)
        #expect(response.firstCode == .fieldInvalid)
    }

    // MARK: The arrangement

    @Test("An unknown arrangement, or another brand's, is 422 Authorisation/InvalidArrangement with the ID as detail")
    func invalidArrangement() async throws {
        let fixture = RevocationFixture()
        for id in ["arr-unknown", RevocationFixture.otherBrandsArrangementID] {
            let response = await fixture.endpoint.handle(try await fixture.validRequest(id: id))
            #expect(response.status == .unprocessableContent)
            #expect(response.firstCode == .invalidArrangement)
            #expect(response.errors?.errors.first?.title == "Invalid Consent Arrangement")
            #expect(response.errors?.errors.first?.detail == id)
            #expect(response.errors?.errors.first?.code == "urn:au-cds:error:cds-all:Authorisation/InvalidArrangement")
        }
        #expect(fixture.receiver.received.count == 2)
    }

    @Test("A failing receiver is 500 GeneralError/Unexpected, logged by error type only")
    func failingReceiver() async throws {
        let fixture = RevocationFixture(receiverFails: true)
        let response = await fixture.endpoint.handle(try await fixture.validRequest())
        #expect(response.status == .internalServerError)
        #expect(response.firstCode == .unexpectedError)
        #expect(fixture.logs.entries.last?.metadata["cdr.reason"] == "receiverFailed(Failure)")
    }

    // MARK: HTTP

    @Test("Other methods are 405 with Allow: POST, before any authentication")
    func methodNotAllowed() async throws {
        let fixture = RevocationFixture()
        for method: HTTPRequest.Method in [.get, .put, .delete, .head, .patch] {
            let response = await fixture.endpoint.handle(fixture.request(method: method, authorization: nil, form: []))
            #expect(response.status == .methodNotAllowed)
            #expect(response.headerFields[.allow] == "POST")
            #expect(response.firstCode == .expectedError)
        }
    }

    @Test("A body that is not a form is 415")
    func unsupportedMediaType() async throws {
        let fixture = RevocationFixture()
        for contentType in ["application/json", nil, "application/x-www-form-urlencodedx"] {
            let response = await fixture.endpoint.handle(
                fixture.request(
                    authorization: "Bearer " + (try await fixture.bearer()),
                    form: [("cdr_arrangement_jwt", try await fixture.arrangementJWT())], contentType: contentType))
            #expect(response.status == .unsupportedMediaType)
        }
        #expect(fixture.receiver.received.isEmpty)
    }

    @Test("A body over the configured maximum is 413")
    func contentTooLarge() async throws {
        let fixture = RevocationFixture(
            configuration: .init(recipientBaseURI: RevocationFixture.baseURI, maximumBodySize: 100))
        let response = await fixture.endpoint.handle(try await fixture.validRequest())
        #expect(response.status == .contentTooLarge)
        #expect(ArrangementRevocationResponse.contentTooLarge().status == .contentTooLarge)
        #expect(fixture.receiver.received.isEmpty)
    }

    @Test("A well-formed x-fapi-interaction-id is echoed; a malformed one is not")
    func interactionID() async throws {
        let fixture = RevocationFixture()
        let id = UUID().uuidString.lowercased()
        var request = try await fixture.validRequest()
        request.headerFields[.fapiInteractionID] = id
        #expect(await fixture.endpoint.handle(request).headerFields[.fapiInteractionID] == id)
        var bad = try await fixture.validRequest()
        bad.headerFields[.fapiInteractionID] = "two words"
        #expect(await fixture.endpoint.handle(bad).headerFields[.fapiInteractionID] == nil)
    }

    @Test("The endpoint URL and accepted audiences follow the RecipientBaseUri")
    func configuration() {
        var configuration = ArrangementRevocationEndpoint.Configuration(recipientBaseURI: "https://adr.example.com/")
        #expect(configuration.endpointURL == "https://adr.example.com/arrangements/revoke")
        #expect(
            configuration.acceptedAudiences == [
                "https://adr.example.com/arrangements/revoke", "https://adr.example.com", "https://adr.example.com/",
            ])
        configuration.acceptsRecipientBaseURIAsAudience = false
        #expect(configuration.acceptedAudiences == ["https://adr.example.com/arrangements/revoke"])
    }

    // MARK: Secrets

    @Test("Neither JWT ever appears in a response, a description or the logs")
    func secretsStayOut() async throws {
        let fixture = RevocationFixture()
        var secrets: [String] = []
        var responses: [ArrangementRevocationResponse] = []
        var requests: [ArrangementRevocationRequest] = []
        func send(bearer: String, arrangementJWT: String, id: String = RevocationFixture.arrangementID) async {
            // Whole tokens, and their claims and signature parts (a header alone is not secret).
            for token in [bearer, arrangementJWT] {
                secrets.append(token)
                secrets += token.split(separator: ".").dropFirst().map(String.init)
            }
            let request = fixture.request(
                authorization: "Bearer " + bearer,
                form: [("cdr_arrangement_jwt", arrangementJWT), ("cdr_arrangement_id", id)])
            requests.append(request)
            responses.append(await fixture.endpoint.handle(request))
        }
        let now = fixture.clock.now()
        await send(bearer: try await fixture.bearer(), arrangementJWT: try await fixture.arrangementJWT())
        await send(
            bearer: try await fixture.bearer(), arrangementJWT: try await fixture.arrangementJWT(id: "arr-unknown"),
            id: "arr-unknown")
        await send(
            bearer: try await fixture.bearer { $0.expiresAt = now.addingTimeInterval(-120) },
            arrangementJWT: try await fixture.arrangementJWT())
        await send(
            bearer: try await fixture.bearer(key: fixture.keys.stranger),
            arrangementJWT: try await fixture.arrangementJWT())
        await send(
            bearer: try await fixture.bearer { $0.issuer = "brand-\u{1B}[31m-unknown" },
            arrangementJWT: try await fixture.arrangementJWT())
        await send(
            bearer: try await fixture.bearer(),
            arrangementJWT: try await fixture.arrangementJWT(key: fixture.keys.stranger))
        await send(
            bearer: try await fixture.bearer(),
            arrangementJWT: try await fixture.arrangementJWT { $0["aud"] = "https://x.example" })
        await send(
            bearer: try await fixture.bearer(), arrangementJWT: try await fixture.arrangementJWT(), id: "different")

        #expect(Set(responses.map(\.status.code)) == [204, 422, 401, 400])
        let logged = fixture.loggedText
        #expect(logged.count >= responses.count)
        let visible =
            responses.map(\.text) + responses.map(\.description) + requests.map(\.description)
            + requests.map { request in
                var text = ""
                dump(request, to: &text)
                return text
            } + logged
        let checked = secrets.filter { $0.count > 16 }
        #expect(checked.count >= 2 * responses.count, "every whole token and its signature part are checked")
        for secret in checked {
            #expect(!visible.contains { $0.contains(secret) }, "a token part leaked")
        }
        #expect(!logged.contains { $0.contains("\u{1B}") }, "an escape sequence reached the log")
    }
}
