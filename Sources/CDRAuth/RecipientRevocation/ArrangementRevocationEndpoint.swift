public import CDRJOSE
public import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
public import Logging

/// The recipient's CDR Arrangement Revocation endpoint (`POST <RecipientBaseUri>/arrangements/revoke`), independent
/// of any HTTP server framework.
///
/// A data holder calls it when a customer withdraws consent at the holder. The endpoint:
///
/// 1. accepts `POST` only (`405` otherwise);
/// 2. authenticates the holder with the bearer self-signed JWT: `iss` = `sub` = the holder brand ID, whose keys
///    the ``HolderKeyResolver`` supplies; `aud` = ``Configuration/endpointURL`` (or the RecipientBaseUri);
///    `exp` and `jti` required, `jti` used once (the ``/CDRJOSE/ReplayStore``); PS256 or ES256 only (`401` with
///    `WWW-Authenticate` otherwise);
/// 3. reads the `application/x-www-form-urlencoded` form (`415` otherwise);
/// 4. verifies `cdr_arrangement_jwt` with the same brand's keys and reads its `cdr_arrangement_id`; the self-signed
///    claims it carries (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`) are checked like the bearer's
///    (`400 Field/Missing` or `Field/Invalid`);
/// 5. checks that a `cdr_arrangement_id` form parameter, which holders may send too, equals the JWT's
///    (`400 Field/Invalid`);
/// 6. hands the revocation to the ``ArrangementRevocationReceiver`` (`422 Authorisation/InvalidArrangement` when
///    it returns `false`), and answers `204 No Content`.
///
/// Besides: `413` for a body over ``Configuration/maximumBodySize``, `429` with `Retry-After` when the
/// ``/CDRJOSE/ReplayStore`` holds as many unexpired tokens of the brand as it may, `503 Service/Unavailable` when
/// the brand's keys cannot be obtained or the replay store cannot record a `jti`, and `500 GeneralError/Unexpected`
/// when the receiver throws. Every error carries the standard's error structure.
///
/// Tokens never appear in responses or logs. Each request logs one message with `cdr.status`, `cdr.reason` (a
/// constant or a ``/CDRJOSE/JOSEError/Code`` name), `cdr.arrangement_id` once verified, and `cdr.holder_brand_id`
/// once authenticated (`cdr.claimed_holder_brand_id`, sanitised, before): at debug level for success and refused
/// authentication, at info level for other refusals.
///
/// ```swift
/// let endpoint = ArrangementRevocationEndpoint(
///     configuration: .init(recipientBaseURI: "https://adr.example.com"),
///     holderKeys: HolderJWKSDirectory(jwksURLs: holderJWKSURLs) { url in try await fetch(url) },
///     receiver: arrangements)
/// let response = await endpoint.handle(
///     ArrangementRevocationRequest(method: method, headerFields: headers, body: body))
/// ```
public struct ArrangementRevocationEndpoint: Sendable {
    /// What the endpoint accepts.
    public struct Configuration: Sendable {
        /// The software product's RecipientBaseUri as registered with the CDR Register, for example
        /// `https://adr.example.com`; a trailing `/` is ignored.
        public var recipientBaseURI: String
        /// Whether a bearer JWT whose `aud` is the RecipientBaseUri, rather than the endpoint URL, is accepted.
        /// The standard requires the endpoint's resource path since 31 July 2022; accepting the base URI as well
        /// keeps older holders working.
        public var acceptsRecipientBaseURIAsAudience: Bool
        /// The signing algorithms accepted for both JWTs; never more than PS256 and ES256.
        public var allowedAlgorithms: Set<JWSAlgorithm>
        /// Allowed difference between the holder's clock and ours.
        public var clockSkew: Duration
        /// The longest accepted token lifetime (`exp` − `iat`, or `exp` − now without `iat`).
        public var maximumLifetime: Duration
        /// The largest request body accepted, in bytes; adapters cap their reads at this size.
        public var maximumBodySize: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - recipientBaseURI: The registered RecipientBaseUri.
        ///   - acceptsRecipientBaseURIAsAudience: Accept `aud` = the base URI too; `true` by default.
        ///   - allowedAlgorithms: PS256 and ES256 by default.
        ///   - clockSkew: 30 s by default.
        ///   - maximumLifetime: 1 hour by default.
        ///   - maximumBodySize: 64 KiB by default (a request holds two JWTs of a few hundred bytes each).
        public init(
            recipientBaseURI: String, acceptsRecipientBaseURIAsAudience: Bool = true,
            allowedAlgorithms: Set<JWSAlgorithm> = JWSAlgorithm.cdrAllowed, clockSkew: Duration = .seconds(30),
            maximumLifetime: Duration = .seconds(3600), maximumBodySize: Int = 64 << 10
        ) {
            self.recipientBaseURI = recipientBaseURI
            self.acceptsRecipientBaseURIAsAudience = acceptsRecipientBaseURIAsAudience
            self.allowedAlgorithms = allowedAlgorithms
            self.clockSkew = clockSkew
            self.maximumLifetime = maximumLifetime
            self.maximumBodySize = maximumBodySize
        }

        /// The RecipientBaseUri without a trailing `/`.
        var trimmedBaseURI: String {
            var base = recipientBaseURI
            while base.hasSuffix("/") { base.removeLast() }
            return base
        }

        /// The endpoint's URL: `<RecipientBaseUri>/arrangements/revoke`, the `aud` holders must use.
        public var endpointURL: String { trimmedBaseURI + "/arrangements/revoke" }

        /// Every `aud` value accepted: ``endpointURL`` and, if ``acceptsRecipientBaseURIAsAudience``, the base URI
        /// with and without a trailing `/`.
        public var acceptedAudiences: Set<String> {
            var audiences: Set<String> = [endpointURL]
            if acceptsRecipientBaseURIAsAudience {
                audiences.insert(trimmedBaseURI)
                audiences.insert(trimmedBaseURI + "/")
            }
            return audiences
        }
    }

    /// The form parameter that carries the signed arrangement JWT.
    public static let arrangementJWTParameter = "cdr_arrangement_jwt"
    /// The form parameter, and the JWT claim, that carries the arrangement ID.
    public static let arrangementIDParameter = "cdr_arrangement_id"

    /// The configuration, fixed at creation.
    public let configuration: Configuration
    private let holderKeys: any HolderKeyResolver
    private let receiver: any ArrangementRevocationReceiver
    private let replayCache: any ReplayStore
    private let timeSource: any TimeSource
    private let logger: Logger

    /// Creates the endpoint.
    /// - Parameters:
    ///   - configuration: What to accept.
    ///   - holderKeys: Finds each holder brand's keys; see ``HolderJWKSDirectory``.
    ///   - receiver: Revokes the arrangements.
    ///   - replayCache: Remembers used `jti`s; share one across all requests to this endpoint (a new in-memory
    ///     ``/CDRJOSE/ReplayCache`` by default). Pass a durable ``/CDRJOSE/ReplayStore`` (for example
    ///     `CDRClient.revocationReplayStore`) so a replay is refused after a restart and across server instances.
    ///   - timeSource: The clock: uncorrected system time, never a holder's ``/CDRJOSE/CorrectedClock``.
    ///   - logger: Receives one message per request (ids, status and reason only); silent by default.
    public init(
        configuration: Configuration, holderKeys: any HolderKeyResolver, receiver: any ArrangementRevocationReceiver,
        replayCache: any ReplayStore = ReplayCache(), timeSource: any TimeSource = SystemTimeSource(),
        logger: Logger = .cdrDisabled
    ) {
        self.configuration = configuration
        self.holderKeys = holderKeys
        self.receiver = receiver
        self.replayCache = replayCache
        self.timeSource = timeSource
        self.logger = logger
    }

    /// Handles one request; never throws, every failure is an error response.
    /// - Parameters:
    ///   - request: The request.
    ///   - logger: Overrides the endpoint's logger for this request (for example one carrying a request ID).
    /// - Returns: `204` on success, otherwise an error response with the standard's error structure.
    public func handle(_ request: ArrangementRevocationRequest, logger: Logger? = nil) async
        -> ArrangementRevocationResponse
    {
        var logger = logger ?? self.logger
        logger[metadataKey: "cdr.endpoint"] = "arrangement_revocation"
        var echoed = HTTPFields()
        if let interactionID = request.headerFields[.fapiInteractionID], Self.isUsableInteractionID(interactionID) {
            logger[metadataKey: "cdr.interaction_id"] = "\(interactionID)"
            echoed[.fapiInteractionID] = interactionID
        }
        var response: ArrangementRevocationResponse
        do {
            let revocation = try await process(request, logger: &logger)
            response = ArrangementRevocationResponse(status: .noContent)
            logger.debug(
                "arrangement revoked by the data holder",
                metadata: ["cdr.arrangement_id": "\(revocation.arrangementID)", "cdr.status": "204"])
        } catch {
            response = error.response
            logger.log(
                level: error.logLevel, "arrangement revocation refused",
                metadata: ["cdr.status": "\(error.status.code)", "cdr.reason": "\(error.reason)"])
        }
        response.headerFields.append(contentsOf: echoed)
        return response
    }

    // MARK: Steps

    private func process(_ request: ArrangementRevocationRequest, logger: inout Logger)
        async throws(RevocationRejection)
        -> ArrangementRevocation
    {
        guard request.method == .post else { throw .methodNotAllowed() }
        let bearer = try bearerToken(in: request.headerFields)
        let (brandID, keys) = try await authenticate(bearer, logger: &logger)

        guard request.body.count <= configuration.maximumBodySize else { throw .contentTooLarge() }
        guard Self.isFormContent(request.headerFields[.contentType]) else { throw .unsupportedMediaType() }
        guard let text = String(data: request.body, encoding: .utf8), let form = FormEncoding.decode(text) else {
            throw .invalidField("body", explanation: "not a valid form", reason: "malformedForm")
        }
        guard let arrangementJWT = form[Self.arrangementJWTParameter], !arrangementJWT.isEmpty else {
            throw .missingField(Self.arrangementJWTParameter, reason: "missingArrangementJWT")
        }
        let arrangementID = try await verifyArrangementJWT(arrangementJWT, brandID: brandID, keys: keys)
        logger[metadataKey: "cdr.arrangement_id"] = "\(arrangementID)"
        if let formID = form[Self.arrangementIDParameter], formID != arrangementID {
            throw .invalidField(
                Self.arrangementIDParameter,
                explanation: "does not match the cdr_arrangement_id in cdr_arrangement_jwt",
                reason: "arrangementIDMismatch")
        }

        let revocation = ArrangementRevocation(
            arrangementID: arrangementID, holderBrandID: brandID, receivedAt: timeSource.now())
        let revoked: Bool
        do {
            revoked = try await receiver.revokeArrangement(revocation)
        } catch {
            throw .unexpected(reason: "receiverFailed(\(type(of: error)))")
        }
        guard revoked else { throw .invalidArrangement(arrangementID) }
        return revocation
    }

    /// The one `Authorization: Bearer <token>` value (RFC 6750 §2.1; the scheme is case-insensitive).
    private func bearerToken(in fields: HTTPFields) throws(RevocationRejection) -> String {
        let values = fields[values: .authorization]
        guard !values.isEmpty else { throw .missingCredentials() }
        guard values.count == 1, let value = values.first else {
            throw .invalidToken(reason: "multipleAuthorizationHeaders")
        }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            // Another scheme is no bearer authentication information at all.
            throw parts.first?.lowercased() == "bearer" ? .invalidToken(reason: "emptyBearer") : .missingCredentials()
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw .invalidToken(reason: "emptyBearer") }
        return token
    }

    /// Finds the brand from the unverified `iss`, then validates the token with that brand's keys only.
    private func authenticate(_ token: String, logger: inout Logger) async throws(RevocationRejection)
        -> (brandID: String, keys: any JWKSSource)
    {
        let unverified: UnverifiedJWT
        do { unverified = try UnverifiedJWT(token) } catch { throw .invalidToken(reason: "malformedToken") }
        guard let claimedBrand = unverified.claims.issuer, !claimedBrand.isEmpty else {
            throw .invalidToken(reason: "missingIssuer")
        }
        let keys: (any JWKSSource)?
        do {
            keys = try await holderKeys.keySource(forHolderBrand: claimedBrand)
        } catch {
            throw .keysUnavailable(reason: "holderKeyResolverFailed(\(type(of: error)))")
        }
        // Until the token verifies, the brand is only claimed (and, when unknown, attacker-chosen text).
        logger[metadataKey: "cdr.claimed_holder_brand_id"] = "\(LogText.bounded(claimedBrand))"
        guard let keys else { throw .invalidToken(reason: "unknownHolderBrand") }
        let validator = SelfSignedJWTValidator(
            configuration: .init(
                issuer: claimedBrand, audiences: configuration.acceptedAudiences,
                allowedAlgorithms: configuration.allowedAlgorithms, clockSkew: configuration.clockSkew,
                maximumLifetime: configuration.maximumLifetime),
            keys: keys, replayCache: replayCache, timeSource: timeSource)
        do {
            _ = try await validator.validate(token)
        } catch let error as JOSEError {
            throw Self.bearerRejection(for: error, retryAfter: configuration.clockSkew + .seconds(30))
        } catch {
            // Every check of the validator throws a JOSEError: anything else is the replay store failing.
            throw .replayStoreUnavailable(reason: "replayStoreFailed(\(type(of: error)))")
        }
        logger[metadataKey: "cdr.claimed_holder_brand_id"] = nil
        logger[metadataKey: "cdr.holder_brand_id"] = "\(claimedBrand)"
        return (claimedBrand, keys)
    }

    private static func bearerRejection(for error: JOSEError, retryAfter: Duration) -> RevocationRejection {
        switch error.code {
        case .jwksFetchFailed, .invalidJWKS: .keysUnavailable(reason: "\(error.code)")
        case .replayCacheFull: .tooManyRequests(retryAfter: retryAfter)
        default: .invalidToken(reason: "\(error.code)")
        }
    }

    /// Verifies `cdr_arrangement_jwt` with the authenticated brand's keys and returns its `cdr_arrangement_id`.
    private func verifyArrangementJWT(_ token: String, brandID: String, keys: any JWKSSource)
        async throws(RevocationRejection) -> String
    {
        let name = Self.arrangementJWTParameter
        let verified: VerifiedJWT
        do {
            verified = try await JWSVerifier(keySource: keys, allowedAlgorithms: configuration.allowedAlgorithms)
                .verify(token)
        } catch let error as JOSEError where error.code == .jwksFetchFailed || error.code == .invalidJWKS {
            throw .keysUnavailable(reason: "\(error.code)")
        } catch let error as JOSEError {
            throw .invalidField(name, explanation: "not verified with the holder brand's keys", reason: "\(error.code)")
        } catch {
            throw .invalidField(name, reason: "verificationFailed(\(type(of: error)))")
        }
        let claims = verified.claims
        guard let value = claims[Self.arrangementIDParameter] else {
            throw .missingField(Self.arrangementIDParameter, reason: "missingArrangementIDClaim")
        }
        guard let arrangementID = value.stringValue, !arrangementID.isEmpty else {
            throw .invalidField(
                Self.arrangementIDParameter, explanation: "must be a non-empty string",
                reason: "invalidArrangementIDClaim")
        }
        let checks = ArrangementJWTClaimChecks(
            brandID: brandID, audiences: configuration.acceptedAudiences, clockSkew: configuration.clockSkew,
            maximumLifetime: configuration.maximumLifetime)
        do {
            try await checks.check(claims, now: timeSource.now(), replayCache: replayCache)
        } catch let error as JOSEError where error.code == .replayCacheFull {
            throw .tooManyRequests(retryAfter: configuration.clockSkew + .seconds(30))
        } catch let error as JOSEError {
            throw .invalidField(name, explanation: "its self-signed JWT claims are invalid", reason: "\(error.code)")
        } catch {
            // The claim checks throw JOSEErrors: anything else is the replay store failing.
            throw .replayStoreUnavailable(reason: "replayStoreFailed(\(type(of: error)))")
        }
        return arrangementID
    }

    // MARK: Helpers

    /// `application/x-www-form-urlencoded`, in any case, with or without parameters such as `charset`.
    static func isFormContent(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == FormEncoding.mediaType
    }

    /// An interaction ID is echoed only when it is short printable ASCII (it is a UUID when well formed).
    static func isUsableInteractionID(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 128
            && value.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
    }
}

/// Renders untrusted text for a log: printable ASCII only, at most 64 characters.
private enum LogText {
    static func bounded(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            guard result.count < 64 else { return result + "…" }
            result.unicodeScalars.append((0x20...0x7E).contains(scalar.value) ? scalar : "?")
        }
        return result
    }
}
