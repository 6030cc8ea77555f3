import CDRJOSE
import CDRModels
import Foundation
import HTTPTypes
import Logging

/// Why the endpoint refused a request: the response to send and what to log. Never holds a token.
struct RevocationRejection: Error {
    var status: HTTPResponse.Status
    var code: CDSErrorCode
    var title: String
    /// The error's `detail`: a parameter name, a constant explanation, or the (verified) arrangement ID.
    var detail: String
    var headerFields: HTTPFields = [:]
    /// A short constant or a ``/CDRJOSE/JOSEError/Code`` name, for the log.
    var reason: String
    var logLevel: Logger.Level

    var response: ArrangementRevocationResponse {
        ArrangementRevocationResponse(
            status: status, headerFields: headerFields,
            errors: ResponseErrorListV2(errors: [ErrorV2(code: code.rawValue, title: title, detail: detail)]))
    }

    // MARK: Titles, as the standard's error code tables name them.

    private static let expectedTitle = "Expected Error Encountered"

    static func methodNotAllowed() -> Self {
        var fields = HTTPFields()
        fields[.allow] = "POST"
        return Self(
            status: .methodNotAllowed, code: .expectedError, title: expectedTitle, detail: "only POST is supported",
            headerFields: fields, reason: "methodNotAllowed", logLevel: .debug)
    }

    /// RFC 6750 §3.1: without any authentication information the challenge carries no error code.
    static func missingCredentials() -> Self {
        var fields = HTTPFields()
        fields[.wwwAuthenticate] = "Bearer"
        return Self(
            status: .unauthorized, code: .expectedError, title: expectedTitle,
            detail: "a Bearer self-signed JWT is required", headerFields: fields, reason: "missingCredentials",
            logLevel: .debug)
    }

    static func invalidToken(reason: String) -> Self {
        var fields = HTTPFields()
        fields[.wwwAuthenticate] = #"Bearer error="invalid_token""#
        return Self(
            status: .unauthorized, code: .expectedError, title: expectedTitle,
            detail: "the bearer token is invalid", headerFields: fields, reason: reason, logLevel: .debug)
    }

    static func unsupportedMediaType() -> Self {
        Self(
            status: .unsupportedMediaType, code: .expectedError, title: expectedTitle,
            detail: "content-type must be application/x-www-form-urlencoded", reason: "unsupportedMediaType",
            logLevel: .info)
    }

    static func contentTooLarge() -> Self {
        Self(
            status: .contentTooLarge, code: .expectedError, title: expectedTitle, detail: "the body is too large",
            reason: "contentTooLarge", logLevel: .info)
    }

    static func missingField(_ name: String, reason: String) -> Self {
        Self(
            status: .badRequest, code: .fieldMissing, title: "Missing Required Field", detail: name, reason: reason,
            logLevel: .info)
    }

    static func invalidField(_ name: String, explanation: String? = nil, reason: String) -> Self {
        Self(
            status: .badRequest, code: .fieldInvalid, title: "Invalid Field",
            detail: explanation.map { "\(name): \($0)" } ?? name, reason: reason, logLevel: .info)
    }

    /// The standard: "The error description is the CDR Arrangement ID of the being executed."
    static func invalidArrangement(_ arrangementID: String) -> Self {
        Self(
            status: .unprocessableContent, code: .invalidArrangement, title: "Invalid Consent Arrangement",
            detail: arrangementID, reason: "invalidArrangement", logLevel: .info)
    }

    static func tooManyRequests(retryAfter: Duration) -> Self {
        var fields = HTTPFields()
        fields[.retryAfter] = String(retryAfter.components.seconds)
        return Self(
            status: .tooManyRequests, code: .expectedError, title: expectedTitle,
            detail: "too many unexpired tokens from this holder brand", headerFields: fields,
            reason: "replayCacheFull", logLevel: .info)
    }

    static func keysUnavailable(reason: String) -> Self {
        Self(
            status: .serviceUnavailable, code: .serviceUnavailable, title: "Service Unavailable",
            detail: "the holder brand's keys cannot be obtained now", reason: reason, logLevel: .info)
    }

    static func replayStoreUnavailable(reason: String) -> Self {
        Self(
            status: .serviceUnavailable, code: .serviceUnavailable, title: "Service Unavailable",
            detail: "the token's jti cannot be recorded now", reason: reason, logLevel: .info)
    }

    static func unexpected(reason: String) -> Self {
        Self(
            status: .internalServerError, code: .unexpectedError, title: "Unexpected Error Encountered",
            detail: "the arrangement could not be revoked", reason: reason, logLevel: .info)
    }
}
