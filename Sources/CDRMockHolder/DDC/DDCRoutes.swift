import CDRMockData
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension MockDataHolder {
    /// The mock DDC provider's API under `/ddc/v1`, on the public listener (ordinary TLS, API-key authentication).
    ///
    /// - `GET /institutions`
    /// - `POST /connections` `{institution_id, credentials: {username, password}}` → 201 `{connection_id}`
    /// - `DELETE /connections/{id}` → 204
    /// - `POST /connections/{id}/jobs` → 201, the job
    /// - `GET /jobs/{id}`: the job, moved on by one transition
    /// - `POST /jobs/{id}/challenges/{challengeId}` `{answer}` → the job, or 422 `incorrect_answer`, 423 `account_locked`
    /// - `GET /connections/{id}/accounts`
    /// - `GET /connections/{id}/accounts/{accountId}/transactions?from=&to=&cursor=&limit=`
    ///
    /// Errors are `{"error": {"code": …, "message": …}}`. Request bodies are never logged.
    func addDDCProviderRoutes(to router: Router<MockRequestContext>) {
        let group = router.group("/ddc/v1").add(middleware: DDCAuthenticationMiddleware(apiKey: ddc.apiKey))
        group.get("/institutions") { [self] _, _ -> Response in
            let mainStatus = ddc.failure == .institutionUnavailable ? "down" : "operational"
            return try HolderResponse.json(
                DDCWire.InstitutionList(institutions: [
                    .init(id: ddc.institutionID, name: ddc.institutionName, status: mainStatus),
                    .init(id: ddc.unavailableInstitutionID, name: "Offline Credit Union", status: "down"),
                ]))
        }
        group.post("/connections") { [self] request, _ -> Response in
            var request = request
            let body = try await Self.ddcBody(DDCWire.ConnectionRequest.self, from: &request)
            let id = try Self.ddcCall {
                try ddc.createConnection(
                    institutionID: body.institutionID, username: body.credentials.username,
                    password: body.credentials.password)
            }
            logger.debug("DDC connection created", metadata: ["cdr.ddc_connection_id": "\(id)"])
            return try HolderResponse.json(DDCWire.ConnectionCreated(connectionID: id), status: .created)
        }
        group.delete("/connections/:connectionId") { [self] _, context -> Response in
            let id = context.parameters.get("connectionId") ?? ""
            try Self.ddcCall { try ddc.deleteConnection(id) }
            return Response(status: .noContent)
        }
        group.post("/connections/:connectionId/jobs") { [self] _, context -> Response in
            let id = context.parameters.get("connectionId") ?? ""
            let job = try Self.ddcCall { try ddc.startJob(connectionID: id) }
            return try HolderResponse.json(
                DDCWire.Job(job, challengeLifetime: ddc.challengeLifetime), status: .created)
        }
        group.get("/jobs/:jobId") { [self] _, context -> Response in
            let id = context.parameters.get("jobId") ?? ""
            let job = try Self.ddcCall { try ddc.readJob(id) }
            return try HolderResponse.json(DDCWire.Job(job, challengeLifetime: ddc.challengeLifetime))
        }
        group.post("/jobs/:jobId/challenges/:challengeId") { [self] request, context -> Response in
            var request = request
            let jobID = context.parameters.get("jobId") ?? ""
            let challengeID = context.parameters.get("challengeId") ?? ""
            let body = try await Self.ddcBody(DDCWire.AnswerRequest.self, from: &request)
            let job = try Self.ddcCall { try ddc.answer(jobID: jobID, challengeID: challengeID, answer: body.answer) }
            return try HolderResponse.json(DDCWire.Job(job, challengeLifetime: ddc.challengeLifetime))
        }
        group.get("/connections/:connectionId/accounts") { [self] _, context -> Response in
            let id = context.parameters.get("connectionId") ?? ""
            let customer = try Self.ddcCall { try ddc.capturedCustomer(connectionID: id) }
            let accounts = dataset.accounts(of: customer).map {
                DDCWire.account($0, id: ddc.providerAccountID(for: $0), dataset: dataset)
            }
            return try HolderResponse.json(DDCWire.AccountList(accounts: accounts))
        }
        group.get("/connections/:connectionId/accounts/:accountId/transactions") {
            [self] request, context -> Response in
            let id = context.parameters.get("connectionId") ?? ""
            let customer = try Self.ddcCall { try ddc.capturedCustomer(connectionID: id) }
            let accountID = context.parameters.get("accountId") ?? ""
            guard
                let account = dataset.accounts(of: customer).first(where: {
                    ddc.providerAccountID(for: $0) == accountID
                })
            else { throw Self.ddcError(.notFound, "unknown_account", "no such account on this connection") }
            return try ddcTransactionPage(request, account: account, accountID: accountID)
        }
    }

    private func ddcTransactionPage(_ request: Request, account: MockAccount, accountID: String) throws -> Response {
        var from = Date.distantPast
        var through = Date.distantFuture
        if let text = request.query("from") {
            guard let date = DDCWire.parseDate(text) else {
                throw Self.ddcError(.badRequest, "invalid_parameter", "from must be a date (YYYY-MM-DD)")
            }
            from = date
        }
        if let text = request.query("to") {
            guard let date = DDCWire.parseDate(text) else {
                throw Self.ddcError(.badRequest, "invalid_parameter", "to must be a date (YYYY-MM-DD)")
            }
            through = date.addingTimeInterval(86_400 - 1)
        }
        var limit = 100
        if let text = request.query("limit") {
            guard let value = Int(text), (1...500).contains(value) else {
                throw Self.ddcError(.badRequest, "invalid_parameter", "limit must be from 1 to 500")
            }
            limit = value
        }
        var offset = 0
        if let cursor = request.query("cursor") {
            guard let value = Self.offset(ofCursor: cursor) else {
                throw Self.ddcError(.badRequest, "invalid_cursor", "the cursor is not one this API issued")
            }
            offset = value
        }
        let window = dataset.transactionIndices(of: account, from: from, through: through)
        let start = min(window.lowerBound + offset, window.upperBound)
        let end = min(start + limit, window.upperBound)
        let transactions = (start..<end).map { index in
            let transaction = dataset.transaction(of: account, at: index)
            return DDCWire.transaction(
                transaction,
                id: "txn_" + MockDDCProvider.hex(digest: "ddc-transaction|\(transaction.id)", characters: 24))
        }
        let next = end < window.upperBound ? Self.cursor(offset: end - window.lowerBound) : nil
        return try HolderResponse.json(DDCWire.TransactionPage(transactions: transactions, nextCursor: next))
    }

    // MARK: Helpers

    static func cursor(offset: Int) -> String {
        Data("after:\(offset)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func offset(ofCursor cursor: String) -> Int? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8),
            decoded.hasPrefix("after:"), let offset = Int(decoded.dropFirst("after:".count)), offset >= 0
        else { return nil }
        return offset
    }

    static func ddcError(
        _ status: HTTPResponse.Status, _ code: String, _ message: String, attemptsRemaining: Int? = nil
    ) -> HolderHTTPError {
        let body = DDCWire.ErrorBody(error: .init(code: code, message: message, attemptsRemaining: attemptsRemaining))
        return HolderHTTPError(
            response: (try? HolderResponse.json(body, status: status)) ?? Response(status: .internalServerError))
    }

    /// Runs a provider operation, turning its failure into the provider's error response.
    static func ddcCall<T>(_ operation: () throws -> T) throws -> T {
        do {
            return try operation()
        } catch let error as MockDDCProvider.ProviderFailure {
            switch error {
            case .unknownInstitution:
                throw ddcError(.notFound, "unknown_institution", "no such institution")
            case .institutionUnavailable:
                throw ddcError(.serviceUnavailable, "institution_unavailable", "the institution is not responding")
            case .unknownConnection:
                throw ddcError(.notFound, "unknown_connection", "no such connection")
            case .unknownJob:
                throw ddcError(.notFound, "unknown_job", "no such job")
            case .connectionNotReady:
                throw ddcError(.conflict, "connection_not_ready", "no capture job has completed on this connection")
            case .noPendingChallenge:
                throw ddcError(.conflict, "no_pending_challenge", "the job is not waiting for this challenge")
            case .incorrectAnswer(let remaining):
                throw ddcError(
                    .unprocessableContent, "incorrect_answer", "the answer is not right", attemptsRemaining: remaining)
            case .accountLocked:
                throw ddcError(
                    HTTPResponse.Status(code: 423), "account_locked", "too many incorrect answers; access is locked",
                    attemptsRemaining: 0)
            case .jobInProgress:
                throw ddcError(.conflict, "job_in_progress", "a job is already running on this connection")
            }
        }
    }

    /// Decodes a JSON request body (at most 64 KiB) or answers 400 `invalid_request`.
    static func ddcBody<Body: Decodable>(_ type: Body.Type, from request: inout Request) async throws -> Body {
        guard let contentType = request.headers[.contentType]?.lowercased(), contentType.hasPrefix("application/json")
        else { throw ddcError(.unsupportedMediaType, "invalid_request", "the body must be application/json") }
        let bytes: [UInt8]
        do { bytes = try await request.bodyBytes(limit: 64 * 1024) } catch {
            throw ddcError(.contentTooLarge, "invalid_request", "the body is too large")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(bytes))
        } catch {
            // The decoding error is not echoed: it could quote a credential.
            throw ddcError(.badRequest, "invalid_request", "the body is not a valid request")
        }
    }
}

/// Refuses requests without the provider's API key (401 `unauthorized`) and turns ``HolderHTTPError`` into its
/// response.
struct DDCAuthenticationMiddleware: RouterMiddleware {
    typealias Context = MockRequestContext
    let apiKey: String

    func handle(
        _ request: Request, context: MockRequestContext,
        next: (Request, MockRequestContext) async throws -> Response
    ) async throws -> Response {
        guard request.bearerToken == apiKey else {
            throw MockDataHolder.ddcError(.unauthorized, "unauthorized", "a valid API key is required")
        }
        return try await next(request, context)
    }
}
