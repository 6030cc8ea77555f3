/// A standard CDR error code: a URN of the form `urn:au-cds:error:<sub-type>:<Category>/<Code>`.
///
/// Holders may answer with their own `code` and the standard URN in `meta.urn`; ``ErrorV2/standardCode`` picks the
/// standard one. Values the standard adds later are kept (``isKnown`` is `false`). The historical `cdr-all` spelling
/// of the sub-type is read as `cds-all`.
///
/// ```swift
/// if errors.errors.contains(where: { $0.standardCode == .revokedConsent }) { … }
/// ```
public struct CDSErrorCode: CDRExtensibleEnum {
    /// The URN.
    public let rawValue: String

    /// Wraps a URN; `urn:au-cds:error:cdr-all:` is normalised to `urn:au-cds:error:cds-all:`.
    public init(rawValue: String) {
        let typo = "urn:au-cds:error:cdr-all:"
        self.rawValue =
            rawValue.hasPrefix(typo) ? "urn:au-cds:error:cds-all:" + rawValue.dropFirst(typo.count) : rawValue
    }

    /// Whether the text is a CDR error URN at all (as opposed to a holder's own code).
    public static func isStandardURN(_ text: String) -> Bool { text.hasPrefix("urn:au-cds:error:") }

    /// The sub-type: `cds-all`, `cds-banking`, `cds-register` or `cds-energy`.
    public var subType: String? { parts?.subType }
    /// The category, for example `Field` or `Authorisation`.
    public var category: String? { parts?.category }
    /// The code within its category, for example `Missing`.
    public var code: String? { parts?.code }

    private var parts: (subType: String, category: String, code: String)? {
        guard Self.isStandardURN(rawValue) else { return nil }
        let rest = rawValue.dropFirst("urn:au-cds:error:".count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let tail = rest[rest.index(after: colon)...]
        guard let slash = tail.firstIndex(of: "/") else { return nil }
        return (String(rest[..<colon]), String(tail[..<slash]), String(tail[tail.index(after: slash)...]))
    }

    private static func all(_ path: String) -> Self { Self(rawValue: "urn:au-cds:error:cds-all:" + path) }
    private static func banking(_ path: String) -> Self { Self(rawValue: "urn:au-cds:error:cds-banking:" + path) }
    private static func register(_ path: String) -> Self { Self(rawValue: "urn:au-cds:error:cds-register:" + path) }

    /// An expected error not covered by a more specific code (4xx).
    public static let expectedError = all("GeneralError/Expected")
    /// An unexpected error (5xx).
    public static let unexpectedError = all("GeneralError/Unexpected")
    /// The API is unavailable because of an outage (503).
    public static let serviceUnavailable = all("Service/Unavailable")
    /// A required field or query parameter is missing (400).
    public static let fieldMissing = all("Field/Missing")
    /// A required header is missing (400).
    public static let headerMissing = all("Header/Missing")
    /// A field or parameter has an invalid type or value (400).
    public static let fieldInvalid = all("Field/Invalid")
    /// A header has an invalid value (400).
    public static let headerInvalid = all("Header/Invalid")
    /// A date or date-time is invalid (400).
    public static let fieldInvalidDateTime = all("Field/InvalidDateTime")
    /// `page-size` is above the maximum (400).
    public static let fieldInvalidPageSize = all("Field/InvalidPageSize")
    /// A version header is not a positive integer (400).
    public static let headerInvalidVersion = all("Header/InvalidVersion")
    /// The recipient or its software product is not active (403).
    public static let adrStatusNotActive = all("Authorisation/AdrStatusNotActive")
    /// The consent has been revoked or has expired (403).
    public static let revokedConsent = all("Authorisation/RevokedConsent")
    /// The consent does not cover the resource, or is in a state that prevents it (403).
    public static let invalidConsent = all("Authorisation/InvalidConsent")
    /// A standard endpoint that the holder does not implement (404).
    public static let resourceNotImplemented = all("Resource/NotImplemented")
    /// A URL that is not an endpoint (404).
    public static let resourceNotFound = all("Resource/NotFound")
    /// A resource that is permanently unavailable (404, or 422 for IDs in a body).
    public static let resourceInvalid = all("Resource/Invalid")
    /// A resource that is temporarily unavailable (404, or 422 for IDs in a body).
    public static let resourceUnavailable = all("Resource/Unavailable")
    /// A banking account that is permanently unavailable (404, or 422 for IDs in a body).
    public static let invalidBankingAccount = banking("Authorisation/InvalidBankingAccount")
    /// A banking account that is temporarily unavailable (404, or 422 for IDs in a body).
    public static let unavailableBankingAccount = banking("Authorisation/UnavailableBankingAccount")
    /// The requested version is outside the range the holder supports (406).
    public static let unsupportedVersion = all("Header/UnsupportedVersion")
    /// The arrangement has already been revoked (422).
    public static let invalidArrangement = all("Authorisation/InvalidArrangement")
    /// The requested page is out of range (422).
    public static let fieldInvalidPage = all("Field/InvalidPage")
    /// The Register does not know the brand (404).
    public static let registerInvalidBrand = register("Field/InvalidBrand")
    /// The Register does not know the industry (404).
    public static let registerInvalidIndustry = register("Field/InvalidIndustry")
    /// The Register does not know the software product (404).
    public static let registerInvalidSoftwareProduct = register("Field/InvalidSoftwareProduct")

    /// Every code the standard defines for banking, common and Register responses.
    public static let knownValues: [CDSErrorCode] = [
        .expectedError, .unexpectedError, .serviceUnavailable, .fieldMissing, .headerMissing, .fieldInvalid,
        .headerInvalid, .fieldInvalidDateTime, .fieldInvalidPageSize, .headerInvalidVersion, .adrStatusNotActive,
        .revokedConsent, .invalidConsent, .resourceNotImplemented, .resourceNotFound, .resourceInvalid,
        .resourceUnavailable, .invalidBankingAccount, .unavailableBankingAccount, .unsupportedVersion,
        .invalidArrangement, .fieldInvalidPage, .registerInvalidBrand, .registerInvalidIndustry,
        .registerInvalidSoftwareProduct,
    ]
}

extension ErrorV2 {
    /// The standard error code of this error: `meta.urn` when the holder sent its own `code`, otherwise `code` when
    /// it is a CDR URN; `nil` when neither is.
    public var standardCode: CDSErrorCode? {
        if let urn = meta?.urn, CDSErrorCode.isStandardURN(urn) { return CDSErrorCode(rawValue: urn) }
        if CDSErrorCode.isStandardURN(code) { return CDSErrorCode(rawValue: code) }
        return nil
    }
}

extension ResponseErrorListV2 {
    /// The standard codes of all errors in the response, in order, leaving out errors without one.
    public var standardCodes: [CDSErrorCode] { errors.compactMap(\.standardCode) }
}
