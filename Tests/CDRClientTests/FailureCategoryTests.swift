import CDRAccountData
import CDRAuth
import CDRBanking
import CDRClient
import CDRDDC
import CDRJOSE
import CDRMockHolder
import CDRModels
import CDRTransport
import Foundation
import Testing

/// The category each code of each error type documents, and a check that the table names every code once.
@Suite("Every code of every error type has its documented failure category")
struct FailureCategoryTests {
    /// Checks that `table` names each of `all` exactly once.
    static func expectCovers<Code: Hashable>(
        _ table: [(Code, CDRFailureCategory)], all: [Code], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(table.count == all.count, sourceLocation: sourceLocation)
        #expect(Set(table.map(\.0)) == Set(all), sourceLocation: sourceLocation)
    }

    static let transport: [(TransportError.Code, CDRFailureCategory)] = [
        (.connectFailed, .outage), (.connectionClosed, .outage), (.timeout, .outage),
        (.tlsHandshakeFailed, .securityCheckFailed), (.serverCertificateUntrusted, .securityCheckFailed),
        (.clientCertificateRejected, .refused), (.responseTooLarge, .invalidResponse),
        (.invalidRequest, .callerError), (.invalidConfiguration, .callerError), (.cancelled, .cancelled),
        (.shutDown, .cancelled),
    ]

    @Test("the transport table names every TransportError code") func transportCovered() {
        Self.expectCovers(Self.transport, all: TransportError.Code.all)
    }

    @Test("TransportError", arguments: Self.transport)
    func transportCategory(code: TransportError.Code, category: CDRFailureCategory) {
        #expect(TransportError(code).category == category)
        #expect(CDRFailureCategory(of: TransportError(code)) == category)
    }

    static let jose: [(JOSEError.Code, CDRFailureCategory)] = [
        (.malformedToken, .invalidResponse), (.malformedKey, .callerError), (.unsupportedKey, .callerError),
        (.keyTooSmall, .callerError), (.keyGenerationFailed, .internalFailure),
        (.algorithmNotAllowed, .securityCheckFailed), (.algorithmMismatch, .securityCheckFailed),
        (.missingKeyID, .securityCheckFailed), (.unknownKeyID, .securityCheckFailed),
        (.signatureInvalid, .securityCheckFailed), (.signingFailed, .internalFailure),
        (.encryptionFailed, .internalFailure), (.decryptionFailed, .securityCheckFailed),
        (.unsupportedEncryption, .securityCheckFailed), (.invalidJWKS, .invalidResponse),
        (.jwksFetchFailed, .outage), (.duplicateKeyID, .invalidResponse), (.missingClaim, .invalidResponse),
        (.issuerMismatch, .securityCheckFailed), (.audienceMismatch, .securityCheckFailed),
        (.untrustedAudience, .securityCheckFailed), (.authorizedPartyMismatch, .securityCheckFailed),
        (.expired, .securityCheckFailed), (.notYetValid, .securityCheckFailed),
        (.issuedInFuture, .securityCheckFailed), (.issuedTooLongAgo, .securityCheckFailed),
        (.lifetimeTooLong, .securityCheckFailed), (.nonceMismatch, .securityCheckFailed),
        (.stateMismatch, .securityCheckFailed), (.acrNotAccepted, .securityCheckFailed),
        (.authTimeTooOld, .securityCheckFailed), (.subjectMismatch, .securityCheckFailed),
        (.replayedToken, .securityCheckFailed), (.authorizationError, .refused), (.invalidClaim, .invalidResponse),
        (.invalidVerifier, .callerError), (.invalidCertificate, .invalidResponse),
        (.encryptionRequired, .securityCheckFailed), (.replayCacheFull, .rateLimited),
        (.invalidConfiguration, .callerError),
    ]

    @Test("the JOSE table names every JOSEError code") func joseCovered() {
        Self.expectCovers(Self.jose, all: JOSEError.Code.all)
    }

    @Test("JOSEError", arguments: Self.jose)
    func joseCategory(code: JOSEError.Code, category: CDRFailureCategory) {
        #expect(JOSEError(code).category == category)
    }

    @Test(
        "JOSEError.authorizationError takes its OAuth error's category",
        arguments: [
            ("access_denied", CDRFailureCategory.consentRequired), ("invalid_grant", .consentRequired),
            ("temporarily_unavailable", .outage), ("server_error", .serverFailure), ("slow_down", .rateLimited),
            ("invalid_request", .refused), ("unauthorized_client", .refused),
        ])
    func joseAuthorizationError(oauthError: String, category: CDRFailureCategory) {
        let error = JOSEError(.authorizationError, authorizationError: .init(error: oauthError))
        #expect(error.category == category)
    }

    /// The categories of AuthorizationError codes with nothing underneath, no OAuth error and no status.
    static let authorization: [(AuthorizationError.Code, CDRFailureCategory)] = [
        (.discoveryFailed, .invalidResponse), (.issuerMismatch, .securityCheckFailed),
        (.unsupportedHolder, .unsupported), (.registerRequestFailed, .invalidResponse),
        (.registrationRejected, .refused), (.invalidRequest, .callerError), (.pushedAuthorizationRejected, .refused),
        (.unknownState, .securityCheckFailed), (.stateExpired, .consentRequired),
        (.invalidAuthorizationResponse, .securityCheckFailed), (.authorizationDenied, .consentRequired),
        (.tokenRequestRejected, .refused), (.invalidTokenResponse, .invalidResponse),
        (.invalidIDToken, .securityCheckFailed), (.arrangementExpired, .consentRequired),
        (.arrangementRevoked, .consentRequired), (.unknownArrangement, .consentRequired),
        (.invalidTransition, .callerError), (.introspectionFailed, .invalidResponse),
        (.revocationFailed, .invalidResponse), (.unexpectedResponse, .invalidResponse),
    ]

    @Test("the authorisation table names every AuthorizationError code") func authorizationCovered() {
        Self.expectCovers(Self.authorization, all: AuthorizationError.Code.all)
    }

    @Test("AuthorizationError", arguments: Self.authorization)
    func authorizationCategory(code: AuthorizationError.Code, category: CDRFailureCategory) {
        #expect(AuthorizationError(code).category == category)
    }

    @Test("an AuthorizationError that reports a failed exchange takes the category of what failed")
    func authorizationExchange() {
        let timeout = TransportError(.timeout)
        #expect(AuthorizationError(.discoveryFailed, underlying: timeout).category == .outage)
        let refused = TransportError(.connectFailed)
        #expect(AuthorizationError(.registerRequestFailed, underlying: refused).category == .outage)
        #expect(
            AuthorizationError(.invalidIDToken, underlying: JOSEError(.nonceMismatch)).category == .securityCheckFailed)
        #expect(AuthorizationError(.introspectionFailed, underlying: Self.decodingFailure).category == .invalidResponse)
        let grant = AuthorizationErrorResponse(error: "invalid_grant")
        #expect(AuthorizationError(.tokenRequestRejected, status: 400, oauthError: grant).category == .consentRequired)
        let client = AuthorizationErrorResponse(error: "invalid_client")
        #expect(AuthorizationError(.tokenRequestRejected, status: 401, oauthError: client).category == .refused)
        #expect(AuthorizationError(.pushedAuthorizationRejected, status: 503).category == .outage)
        #expect(AuthorizationError(.revocationFailed, status: 500).category == .serverFailure)
        #expect(AuthorizationError(.unexpectedResponse, status: 429).category == .rateLimited)
        // A code with a category of its own keeps it whatever is underneath.
        #expect(AuthorizationError(.arrangementRevoked, underlying: timeout).category == .consentRequired)
    }

    /// The categories of DataHolderError codes with no error list.
    static let dataHolder: [(DataHolderError.Code, CDRFailureCategory)] = [
        (.badRequest, .callerError), (.unauthorized, .consentRequired), (.forbidden, .refused),
        (.notFound, .callerError), (.unsupportedVersion, .unsupported), (.unprocessable, .callerError),
        (.throttled, .rateLimited), (.unavailable, .outage), (.serverError, .serverFailure),
        (.unexpectedStatus, .invalidResponse), (.invalidResponse, .invalidResponse),
        (.versionMismatch, .invalidResponse), (.paginationAnomaly, .invalidResponse),
        (.trafficBudgetExceeded, .rateLimited), (.invalidRequest, .callerError),
    ]

    @Test("the data holder table names every DataHolderError code") func dataHolderCovered() {
        Self.expectCovers(Self.dataHolder, all: DataHolderError.Code.all)
    }

    @Test("DataHolderError", arguments: Self.dataHolder)
    func dataHolderCategory(code: DataHolderError.Code, category: CDRFailureCategory) {
        #expect(DataHolderError(code).category == category)
    }

    @Test(
        "DataHolderError: the standard's error code decides before the HTTP code",
        arguments: [
            (DataHolderError.Code.forbidden, CDSErrorCode.revokedConsent, CDRFailureCategory.consentRequired),
            (.forbidden, .invalidConsent, .consentRequired), (.forbidden, .invalidArrangement, .consentRequired),
            (.forbidden, .adrStatusNotActive, .refused), (.notFound, .invalidBankingAccount, .accountNotShared),
            (.notFound, .unavailableBankingAccount, .accountNotShared),
            (.unprocessable, .invalidBankingAccount, .accountNotShared),
            (.notFound, .resourceNotImplemented, .unsupported), (.notFound, .resourceNotFound, .callerError),
            (.unavailable, .revokedConsent, .outage), (.unavailable, .serviceUnavailable, .outage),
        ])
    func dataHolderURN(code: DataHolderError.Code, urn: CDSErrorCode, category: CDRFailureCategory) {
        let error = DataHolderError(code, errors: [.init(code: urn, title: "t", detail: "d")])
        #expect(error.category == category)
    }

    /// The categories of DDCError codes with nothing underneath and no status.
    static let ddc: [(DDCError.Code, CDRFailureCategory)] = [
        (.invalidCredentials, .customerActionRequired), (.institutionUnavailable, .outage),
        (.mfaTimeout, .customerActionRequired), (.accountLocked, .customerActionRequired),
        (.challengeRejected, .customerActionRequired), (.challengeNotPending, .callerError),
        (.unknownInstitution, .callerError), (.unknownConnection, .consentRequired), (.unknownJob, .callerError),
        (.unknownAccount, .accountNotShared), (.connectionNotReady, .callerError),
        (.jobAlreadyRunning, .callerError), (.jobFailed, .serverFailure), (.jobPollingLimitReached, .outage),
        (.credentialsAlreadyUsed, .callerError), (.invalidArgument, .callerError), (.unauthorized, .refused),
        (.invalidResponse, .invalidResponse), (.paginationLoop, .invalidResponse),
        (.paginationLimitReached, .invalidResponse), (.providerError, .serverFailure),
    ]

    @Test("the DDC table names every DDCError code") func ddcCovered() {
        Self.expectCovers(Self.ddc, all: DDCError.Code.all)
    }

    @Test("DDCError", arguments: Self.ddc)
    func ddcCategory(code: DDCError.Code, category: CDRFailureCategory) {
        #expect(DDCError(code).category == category)
    }

    @Test("DDCError: a provider error takes its status's category, a failed job its cause's")
    func ddcStatusAndCause() {
        #expect(DDCError(.providerError, httpStatus: 503).category == .outage)
        #expect(DDCError(.providerError, httpStatus: 429).category == .rateLimited)
        #expect(DDCError(.providerError, httpStatus: 500).category == .serverFailure)
        #expect(DDCError(.providerError, httpStatus: 409).category == .refused)
        #expect(DDCError(.jobFailed, underlying: TransportError(.connectionClosed)).category == .outage)
    }

    /// The categories of AccountDataError codes with nothing underneath.
    static let accountData: [(AccountDataError.Code, CDRFailureCategory)] = [
        (.outage, .outage), (.missingArrangement, .consentRequired), (.missingAccount, .accountNotShared),
        (.missingConnection, .consentRequired), (.sourceFailed, .unclassified), (.noSourceAllowed, .callerError),
        (.notOffered, .unsupported),
    ]

    @Test("the account data table names every AccountDataError code") func accountDataCovered() {
        Self.expectCovers(Self.accountData, all: AccountDataError.Code.all)
    }

    @Test("AccountDataError", arguments: Self.accountData)
    func accountDataCategory(code: AccountDataError.Code, category: CDRFailureCategory) {
        #expect(AccountDataError(code, reason: "r").category == category)
    }

    @Test("AccountDataError.sourceFailed takes the category of its underlying error or its last attempt")
    func accountDataWrapping() async {
        let timeout = AccountDataError(.sourceFailed, reason: "r", underlying: TransportError(.timeout))
        #expect(timeout.category == .outage)
        let budget = AccountDataError(.sourceFailed, reason: "r", underlying: DataHolderError(.trafficBudgetExceeded))
        #expect(budget.category == .rateLimited)
        let fallback = FallbackAccountDataSource(
            cdr: FailingSource(
                descriptor: DataSourceDescriptor(method: .cdr, name: "bank"),
                failure: TransportError(.serverCertificateUntrusted)),
            ddc: FailingSource(
                descriptor: DataSourceDescriptor(method: .ddc, name: "provider"),
                failure: DDCError(.invalidCredentials)))
        let error = await #expect(throws: AccountDataError.self) { try await fallback.accounts() }
        #expect(error?.code == .sourceFailed)
        #expect(error?.attempts.count == 2)
        #expect(error?.category == .customerActionRequired)
    }

    static let client: [(CDRClientError.Code, CDRFailureCategory)] = [
        (.holderNotFound, .callerError), (.invalidHolder, .invalidResponse), (.storeFailed, .internalFailure),
        (.unknownArrangement, .consentRequired),
    ]

    @Test("the client table names every CDRClientError code") func clientCovered() {
        Self.expectCovers(Self.client, all: CDRClientError.Code.all)
    }

    @Test("CDRClientError", arguments: Self.client)
    func clientCategory(code: CDRClientError.Code, category: CDRFailureCategory) {
        #expect(CDRClientError(code, reason: "r").category == category)
    }

    static let mockHolder: [(MockHolderError.Code, CDRFailureCategory)] = [
        (.notLoopback, .callerError), (.stopped, .outage), (.invalidConfiguration, .callerError),
        (.unknownSoftwareProduct, .callerError), (.unknownArrangement, .consentRequired),
        (.recipientCallFailed, .refused), (.administrationFailed, .refused), (.portInUse, .callerError),
        (.unreadableState, .callerError), (.incompatibleState, .callerError), (.stateNotSaved, .serverFailure),
    ]

    @Test("the mock holder table names every MockHolderError code") func mockHolderCovered() {
        Self.expectCovers(Self.mockHolder, all: MockHolderError.Code.all)
    }

    @Test("MockHolderError", arguments: Self.mockHolder)
    func mockHolderCategory(code: MockHolderError.Code, category: CDRFailureCategory) {
        #expect(MockHolderError(code).category == category)
        let wrapsCall = code == .recipientCallFailed || code == .administrationFailed
        let overTransport = MockHolderError(code, underlying: TransportError(.connectFailed))
        #expect(overTransport.category == (wrapsCall ? .outage : category))
    }

    @Test("PayloadDecodingError: every code is invalidResponse", arguments: PayloadDecodingError.Code.all)
    func payloadDecoding(code: PayloadDecodingError.Code) {
        let error = PayloadDecodingError(code: code, path: "data", message: "m")
        #expect(error.category == .invalidResponse)
        #expect(CDRFailureCategory(of: error) == .invalidResponse)
    }

    /// A `DecodingError`, as Foundation's JSON decoder throws it.
    static let decodingFailure = DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "test"))

    @Test("errors outside CDRKit: cancellation, decoding, and anything else")
    func foreignErrors() {
        #expect(CDRFailureCategory(of: CancellationError()) == .cancelled)
        #expect(CDRFailureCategory(of: Self.decodingFailure) == .invalidResponse)
        #expect(CDRFailureCategory(of: URLError(.badURL)) == .unclassified)
        #expect(CDRFailureCategory.outage.isTransient && CDRFailureCategory.rateLimited.isTransient)
        #expect(!CDRFailureCategory.consentRequired.isTransient)
        #expect(CDRFailureCategory.accountNotShared.description == "accountNotShared")
    }
}

/// An error type of the caller's own: the fallback knows nothing of it but its category.
struct CallerOwnError: CDRCategorizedError {
    var category: CDRFailureCategory
}

/// A source that always fails with one error, or serves one account.
struct FailingSource: AccountDataSource {
    let descriptor: DataSourceDescriptor
    let failure: (any Error)?

    func accounts() async throws -> [Account] {
        if let failure { throw failure }
        return [
            Account(
                id: AccountKey(rawValue: "k1"), sourceAccountID: "s1", displayName: "Everyday", maskedNumber: "xx12",
                category: .transactionAndSavings, productName: "Everyday",
                provenance: .ddc(.init(providerID: "p", connectionID: "c", jobID: "j"), fetchedAt: Date()))
        ]
    }
    func balances() async throws -> [Balance] { [] }
    func transactions(of account: AccountKey, in period: DateInterval?) -> AccountDataStream<Transaction> {
        AccountDataStream { { nil } }
    }
    func payees() async throws -> [Payee] { [] }
    func regularPayments() async throws -> [RegularPayment] { [] }
}

@Suite("The fallback chooses its reason from the failure category, for errors of every module")
struct FallbackReasonCategoryTests {
    static let revoked = DataHolderError(
        .forbidden, status: 403, errors: [.init(code: .revokedConsent, title: "Consent Revoked", detail: "")])
    static let notShared = DataHolderError(
        .notFound, status: 404,
        errors: [.init(code: .invalidBankingAccount, title: "Invalid Banking Account", detail: "")])

    static let cases: [(any Error, FallbackReason)] = [
        (TransportError(.connectFailed), .outage), (TransportError(.timeout), .outage),
        (TransportError(.connectionClosed), .outage), (TransportError(.serverCertificateUntrusted), .error),
        (TransportError(.invalidRequest), .error),
        (JOSEError(.signatureInvalid), .error),
        (JOSEError(.authorizationError, authorizationError: .init(error: "access_denied")), .missingArrangement),
        (AuthorizationError(.arrangementRevoked), .missingArrangement),
        (AuthorizationError(.unknownArrangement), .missingArrangement),
        (AuthorizationError(.discoveryFailed, underlying: TransportError(.timeout)), .outage),
        (
            AuthorizationError(.tokenRequestRejected, status: 400, oauthError: .init(error: "invalid_grant")),
            .missingArrangement
        ),
        (DataHolderError(.unavailable, status: 503), .outage), (DataHolderError(.unavailable, status: 504), .outage),
        (Self.revoked, .missingArrangement), (DataHolderError(.unauthorized, status: 401), .missingArrangement),
        (Self.notShared, .missingAccounts), (DataHolderError(.serverError, status: 500), .error),
        (DataHolderError(.throttled, status: 429), .error),
        (DDCError(.institutionUnavailable), .outage), (DDCError(.unknownConnection), .missingArrangement),
        (DDCError(.unknownAccount), .missingAccounts), (DDCError(.invalidCredentials), .error),
        (DDCError(.providerError, httpStatus: 503), .outage),
        (AccountDataError(.outage, reason: "r"), .outage),
        (AccountDataError(.missingConnection, reason: "r"), .missingArrangement),
        (AccountDataError(.sourceFailed, reason: "r", underlying: TransportError(.connectFailed)), .outage),
        (AccountDataError(.notOffered, reason: "r"), .error),
        (CDRClientError(.unknownArrangement, reason: "r"), .missingArrangement),
        (CDRClientError(.storeFailed, reason: "r"), .error),
        (MockHolderError(.administrationFailed, underlying: TransportError(.timeout)), .outage),
        (CallerOwnError(category: .outage), .outage), (CallerOwnError(category: .consentRequired), .missingArrangement),
        (CallerOwnError(category: .accountNotShared), .missingAccounts), (CallerOwnError(category: .refused), .error),
        (URLError(.badURL), .error),
    ]

    @Test("reason(for:)", arguments: Self.cases)
    func reason(error: any Error, reason: FallbackReason) {
        #expect(FallbackAccountDataSource.reason(for: error) == reason)
    }

    @Test("preferCDR serves from DDC and records the category's reason", arguments: Self.cases)
    func fallsBack(error: any Error, reason: FallbackReason) async throws {
        let cdr = FailingSource(descriptor: DataSourceDescriptor(method: .cdr, name: "bank"), failure: error)
        let ddc = FailingSource(descriptor: DataSourceDescriptor(method: .ddc, name: "provider"), failure: nil)
        let source = FallbackAccountDataSource(cdr: cdr, ddc: ddc, policy: .preferCDR)
        let accounts = try await source.accounts()
        #expect(accounts.map(\.provenance.method) == [.ddc])
        let decision = try #require(source.lastDecision)
        #expect(decision.servedBy == ddc.descriptor)
        #expect(decision.skipped.map(\.reason) == [reason])
    }

    @Test(
        "a cancelled call is thrown as it is, not fallen back on",
        arguments: [CancellationError() as any Error, TransportError(.cancelled), TransportError(.shutDown)])
    func cancellation(error: any Error) async throws {
        #expect(FallbackAccountDataSource.reason(for: error) == .error)
        let cdr = FailingSource(descriptor: DataSourceDescriptor(method: .cdr, name: "bank"), failure: error)
        let ddc = FailingSource(descriptor: DataSourceDescriptor(method: .ddc, name: "provider"), failure: nil)
        let source = FallbackAccountDataSource(cdr: cdr, ddc: ddc, policy: .preferCDR)
        do {
            _ = try await source.accounts()
            Issue.record("the cancelled call was served")
        } catch {
            #expect(!(error is AccountDataError))
            #expect(CDRFailureCategory(of: error) == .cancelled)
        }
        #expect(source.decisions.isEmpty)
    }

    @Test("a policy that falls back only on outages throws the others as an AccountDataError of their category")
    func outageOnly() async throws {
        let policy = FallbackPolicy(order: [.cdr, .ddc], fallsBackOn: [.outage])
        let ddc = FailingSource(descriptor: DataSourceDescriptor(method: .ddc, name: "provider"), failure: nil)
        let refused = FailingSource(
            descriptor: DataSourceDescriptor(method: .cdr, name: "bank"), failure: TransportError(.connectFailed))
        #expect(try await FallbackAccountDataSource(cdr: refused, ddc: ddc, policy: policy).accounts().count == 1)
        let revoked = FailingSource(descriptor: DataSourceDescriptor(method: .cdr, name: "bank"), failure: Self.revoked)
        let error = await #expect(throws: AccountDataError.self) {
            try await FallbackAccountDataSource(cdr: revoked, ddc: ddc, policy: policy).accounts()
        }
        #expect(error?.code == .missingArrangement)
        #expect(error?.category == .consentRequired)
    }
}
