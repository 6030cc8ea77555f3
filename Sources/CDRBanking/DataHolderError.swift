public import CDRModels
import Foundation

/// A data holder refused a request, answered something the SDK cannot use, or the SDK stopped a call before it was
/// sent (a traffic budget, a broken pagination chain).
///
/// When the holder answered with an error status, ``status`` is its HTTP status and ``errors`` the standard's error
/// list, each with its URN (``/CDRModels/CDSErrorCode``). Match on ``code`` for the kind of failure and on
/// ``errorCodes`` for the standard's reason:
///
/// ```swift
/// do {
///     let accounts = try await banking.accounts().collect()
/// } catch let error as DataHolderError where error.code == .forbidden && error.errorCodes.contains(.revokedConsent) {
///     // the customer withdrew consent: ask again
/// }
/// ```
///
/// ``description`` names the operation, status, URNs and interaction id; it never contains a token, a header value
/// of the request or the body.
public struct DataHolderError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case badRequest, unauthorized, forbidden, notFound, unsupportedVersion, unprocessable
            case throttled, unavailable, serverError, unexpectedStatus
            case invalidResponse, versionMismatch, paginationAnomaly, trafficBudgetExceeded, invalidRequest
        }

        private let base: Base

        /// Every code, for tests that check each one's category.
        package static var all: [Code] { Base.allCases.map { Code(base: $0) } }

        /// 400: the request was malformed (`Field/Invalid`, `Header/Missing`, …).
        public static let badRequest = Code(base: .badRequest)
        /// 401: the access token was refused (even after one refresh).
        public static let unauthorized = Code(base: .unauthorized)
        /// 403: the arrangement does not allow this (`Authorisation/RevokedConsent`, `Authorisation/InvalidConsent`,
        /// `Authorisation/AdrStatusNotActive`, …).
        public static let forbidden = Code(base: .forbidden)
        /// 404: the resource is not there or not part of the arrangement (`Authorisation/InvalidBankingAccount`,
        /// `Resource/NotFound`, `Resource/NotImplemented`).
        public static let notFound = Code(base: .notFound)
        /// 406: the holder supports none of the versions the SDK can read (`Header/UnsupportedVersion`).
        public static let unsupportedVersion = Code(base: .unsupportedVersion)
        /// 422: the request was understood but cannot be served (`Field/InvalidPage`, an account outside the
        /// arrangement, …).
        public static let unprocessable = Code(base: .unprocessable)
        /// 429: the holder throttled the call (after the retry middleware's attempts).
        public static let throttled = Code(base: .throttled)
        /// 503 or 504: the holder is unavailable (an outage).
        public static let unavailable = Code(base: .unavailable)
        /// 500 or another 5xx.
        public static let serverError = Code(base: .serverError)
        /// A status the standard does not use for this call.
        public static let unexpectedStatus = Code(base: .unexpectedStatus)
        /// A 200 whose body could not be read as the version the holder named.
        public static let invalidResponse = Code(base: .invalidResponse)
        /// The response's `x-v` is missing or outside the requested range, so it cannot be decoded safely.
        public static let versionMismatch = Code(base: .versionMismatch)
        /// A pagination chain was broken (a loop, `next` equal to `self`, too many pages) and the walk was stopped
        /// because the client is set to fail on anomalies.
        public static let paginationAnomaly = Code(base: .paginationAnomaly)
        /// The unattended traffic budget (sessions a day, calls a session) would be exceeded; nothing was sent.
        public static let trafficBudgetExceeded = Code(base: .trafficBudgetExceeded)
        /// The SDK could not build the request (an identifier that cannot be put in a URL, a bad base URL).
        public static let invalidRequest = Code(base: .invalidRequest)

        /// The code's name.
        public var description: String { base.rawValue }

        /// The code for an HTTP error status.
        static func forStatus(_ status: Int) -> Code {
            switch status {
            case 400: return .badRequest
            case 401: return .unauthorized
            case 403: return .forbidden
            case 404: return .notFound
            case 406: return .unsupportedVersion
            case 422: return .unprocessable
            case 429: return .throttled
            case 503, 504: return .unavailable
            case 500...599: return .serverError
            default: return .unexpectedStatus
            }
        }
    }

    /// One error of the holder's error list.
    public struct Detail: Hashable, Sendable, CustomStringConvertible {
        /// The standard's code: the URN (`urn:au-cds:error:cds-all:Authorisation/RevokedConsent`), or the holder's
        /// own code when it sent one that is not a standard URN.
        public var code: CDSErrorCode
        /// A short title.
        public var title: String
        /// The holder's explanation.
        public var detail: String

        /// Creates a detail.
        public init(code: CDSErrorCode, title: String, detail: String) {
            self.code = code
            self.title = title
            self.detail = detail
        }

        /// The URN and title.
        public var description: String { "\(code.rawValue) (\(title))" }
    }

    /// The kind of failure.
    public var code: Code
    /// The operation (`operationId`), when the failure belongs to one.
    public var operation: String?
    /// The HTTP status, when the holder answered.
    public var status: Int?
    /// The holder's error list (empty when it sent none or the body was not the standard's error shape).
    public var errors: [Detail]
    /// The `x-fapi-interaction-id` of the exchange, for tracing with the holder.
    public var interactionID: String?
    /// What the SDK knows beyond the code (never a secret).
    public var reason: String?
    /// The error underneath (a decoding error), if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(
        _ code: Code, operation: String? = nil, status: Int? = nil, errors: [Detail] = [], interactionID: String? = nil,
        reason: String? = nil, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.operation = operation
        self.status = status
        self.errors = errors
        self.interactionID = interactionID
        self.reason = reason
        self.underlying = underlying
    }

    /// The standard's codes of ``errors``, in order.
    public var errorCodes: [CDSErrorCode] { errors.map(\.code) }

    /// The first error's URN, when the holder sent a standard one.
    public var urn: String? { errors.first { CDSErrorCode.isStandardURN($0.code.rawValue) }?.code.rawValue }

    /// Whether trying the same call later may succeed (throttling and outages).
    public var isTransient: Bool { code == .throttled || code == .unavailable || code == .serverError }

    /// `DataHolderError.forbidden (listBankingAccounts, 403, urn:…:Authorisation/RevokedConsent): reason
    /// [interaction id]`.
    public var description: String {
        var parts: [String] = []
        if let operation { parts.append(operation) }
        if let status { parts.append(String(status)) }
        parts.append(contentsOf: errors.map(\.code.rawValue))
        var text = "DataHolderError.\(code)"
        if !parts.isEmpty { text += " (" + parts.joined(separator: ", ") + ")" }
        if let reason { text += ": " + reason }
        if let interactionID { text += " [interaction \(interactionID)]" }
        if let underlying { text += "; underlying: \(underlying)" }
        return text
    }

    /// Reads the standard's error list from an error response body; an empty list when the body is not one.
    static func details(from body: Data) -> [Detail] {
        guard !body.isEmpty,
            let list = try? CDRDecoder(mode: .lenient).decode(ResponseErrorListV2.self, from: body).value
        else { return [] }
        return list.errors.map { error in
            Detail(
                code: error.standardCode ?? CDSErrorCode(rawValue: error.code), title: error.title,
                detail: error.detail)
        }
    }
}

extension DataHolderError: CDRCategorizedError {
    /// The kind of failure (see ``/CDRModels/CDRFailureCategory``), from the standard's error codes first and then
    /// from ``code``.
    ///
    /// - ``Code/unavailable`` is `outage`, whatever the error list says;
    /// - `Authorisation/RevokedConsent`, `Authorisation/InvalidConsent` or `Authorisation/InvalidArrangement` in
    ///   ``errors``, or ``Code/unauthorized`` (a token refused even after a refresh), is `consentRequired`;
    /// - `Authorisation/InvalidBankingAccount` or `Authorisation/UnavailableBankingAccount` is `accountNotShared`;
    /// - `Resource/NotImplemented` is `unsupported`.
    ///
    /// Otherwise by ``code``:
    /// - `rateLimited`: ``Code/throttled``, ``Code/trafficBudgetExceeded``;
    /// - `refused`: ``Code/forbidden`` (for example `Authorisation/AdrStatusNotActive`);
    /// - `unsupported`: ``Code/unsupportedVersion``;
    /// - `serverFailure`: ``Code/serverError``;
    /// - `invalidResponse`: ``Code/unexpectedStatus``, ``Code/invalidResponse``, ``Code/versionMismatch``,
    ///   ``Code/paginationAnomaly``;
    /// - `callerError`: ``Code/badRequest``, ``Code/notFound``, ``Code/unprocessable``, ``Code/invalidRequest``.
    public var category: CDRFailureCategory {
        if code == .unavailable { return .outage }
        let codes = errorCodes
        if code == .unauthorized || codes.contains(where: Self.consentCodes.contains) { return .consentRequired }
        if codes.contains(where: Self.accountCodes.contains) { return .accountNotShared }
        if codes.contains(.resourceNotImplemented) { return .unsupported }
        switch code {
        case .throttled, .trafficBudgetExceeded: return .rateLimited
        case .forbidden: return .refused
        case .unsupportedVersion: return .unsupported
        case .serverError: return .serverFailure
        case .unexpectedStatus, .invalidResponse, .versionMismatch, .paginationAnomaly: return .invalidResponse
        case .badRequest, .notFound, .unprocessable, .invalidRequest: return .callerError
        default: return .unclassified
        }
    }

    /// The standard's codes that mean the consent is gone.
    private static let consentCodes: Set<CDSErrorCode> = [.revokedConsent, .invalidConsent, .invalidArrangement]
    /// The standard's codes that mean the account is not shared.
    private static let accountCodes: Set<CDSErrorCode> = [.invalidBankingAccount, .unavailableBankingAccount]
}
