import CDRJOSE
import CDRMockData
import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

extension MockDataHolder {
    /// The authorisation endpoint on the public listener.
    ///
    /// `GET /authorise?client_id&request_uri` shows a sign-in page (customer id), then the account selection
    /// (`POST /authorise/login`), then `POST /authorise/confirm` redirects to the client with a JARM `response`.
    /// Tests skip the pages: `mock_customer=<id>` (with optional `mock_accounts=<id,id>`) consents at once, and
    /// `mock_deny=1` refuses; both answer 302 with the JARM response.
    func addAuthorisationRoutes(to router: Router<MockRequestContext>) {
        router.get(RouterPath(SecurityPath.authorise)) { [self] request, _ -> Response in
            try await authorise(request)
        }
        router.post(RouterPath(SecurityPath.authoriseLogin)) { [self] request, _ -> Response in
            var request = request
            let form = try await request.formParameters()
            return try consentPage(form)
        }
        router.post(RouterPath(SecurityPath.authoriseConfirm)) { [self] request, _ -> Response in
            var request = request
            let form = try await request.formParameters()
            return try await confirmConsent(form)
        }
    }

    private static let headlessParameters: Set<String> = ["mock_customer", "mock_accounts", "mock_deny"]

    private func authorise(_ request: Request) async throws -> Response {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard query[name] == nil else { return errorPage("the parameter \(name) is repeated") }
            query[name] = String(value)
        }
        if query["request"] != nil {
            return errorPage("request objects must be pushed to the PAR endpoint, not sent by value")
        }
        let allowed: Set<String> = Self.headlessParameters.union(["client_id", "request_uri"])
        if let extra = query.keys.sorted().first(where: { !allowed.contains($0) }) {
            return errorPage("only client_id and request_uri are accepted; \(extra) is not")
        }
        guard let clientID = query["client_id"], let requestURI = query["request_uri"] else {
            return errorPage("client_id and request_uri are required")
        }
        let headless = query["mock_customer"] != nil || query["mock_deny"] != nil
        let pushed: PushedRequest
        switch pushedRequest(requestURI: requestURI, clientID: clientID, consume: headless) {
        case .success(let found): pushed = found
        case .failure(let message): return errorPage(message.text)
        }
        guard let client = clientRecord(clientID) else { return errorPage("unknown client") }
        if query["mock_deny"] == "1" {
            return try await redirectWithError(
                pushed, client: client, error: "access_denied", description: "the customer declined")
        }
        guard let customerID = query["mock_customer"] else {
            return signInPage(clientID: clientID, requestURI: requestURI, client: client)
        }
        guard let customer = dataset.customer(id: customerID) else { return errorPage("unknown customer") }
        let available = dataset.accounts(of: customer).map(\.id)
        var chosen = available
        if let list = query["mock_accounts"] {
            chosen = list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard !chosen.isEmpty, Set(chosen).isSubset(of: available) else {
                return errorPage("mock_accounts must list accounts of the customer")
            }
        }
        return try await completeAuthorisation(pushed, client: client, customer: customer, accountIDs: chosen)
    }

    /// A message for the customer, never containing secrets.
    struct PageMessage: Error {
        var text: String
    }

    /// Finds a pushed request for a client; `consume` removes it (a `request_uri` is single use).
    private func pushedRequest(requestURI: String, clientID: String, consume: Bool) -> Result<
        PushedRequest, PageMessage
    > {
        let key = HolderState.key(of: requestURI)
        let now = self.now
        return state.storage.withLock { storage in
            guard let pushed = storage.pushedRequests[key] else {
                return .failure(PageMessage(text: "the request_uri is unknown or was already used"))
            }
            guard pushed.expiresAt > now else {
                storage.pushedRequests[key] = nil
                return .failure(PageMessage(text: "the request_uri has expired"))
            }
            guard pushed.clientID == clientID else {
                return .failure(PageMessage(text: "the request_uri was pushed by another client"))
            }
            if consume { storage.pushedRequests[key] = nil }
            return .success(pushed)
        }
    }

    /// Issues the code and answers 302 to the redirect URI with the JARM response.
    private func completeAuthorisation(
        _ pushed: PushedRequest, client: ClientRecord, customer: MockCustomer, accountIDs: [String]
    ) async throws -> Response {
        let now = self.now
        if let amended = pushed.arrangementID {
            let sameCustomer = state.storage.withLock { $0.arrangements[amended]?.customerID == customer.id }
            guard sameCustomer else {
                return try await redirectWithError(
                    pushed, client: client, error: "access_denied",
                    description: "only the customer of the arrangement can amend it")
            }
        }
        let code = HolderState.randomToken()
        let record = AuthorizationCodeRecord(
            clientID: client.clientID, redirectURI: pushed.redirectURI, codeChallenge: pushed.codeChallenge,
            nonce: pushed.nonce, arrangementID: pushed.arrangementID ?? UUID().uuidString.lowercased(),
            scopes: pushed.scopes, acr: pushed.acrValues.first ?? CDRACR.level2, authTime: now.wholeSeconds,
            expiresAt: now.addingTimeInterval(TimeInterval(configuration.authorizationCodeLifetime.components.seconds)),
            customerID: customer.id, accountIDs: accountIDs, sharingDuration: pushed.sharingDuration)
        state.storage.withLock { $0.codes[HolderState.key(of: code)] = record }
        let response = try await makeJARMResponse(client: client, state: pushed.state, members: ["code": .string(code)])
        return redirect(to: pushed.redirectURI, response: response)
    }

    private func redirectWithError(
        _ pushed: PushedRequest, client: ClientRecord, error: String, description: String
    ) async throws -> Response {
        let response = try await makeJARMResponse(
            client: client, state: pushed.state,
            members: ["error": .string(error), "error_description": .string(description)])
        return redirect(to: pushed.redirectURI, response: response)
    }

    private func redirect(to redirectURI: String, response: String) -> Response {
        let separator = redirectURI.contains("?") ? "&" : "?"
        var headers = HTTPFields()
        headers[.location] = redirectURI + separator + "response=" + FormEncoding.escape(response)
        headers[.cacheControl] = "no-store"
        return Response(status: .found, headers: headers)
    }

    // MARK: - JARM

    /// Builds the JARM authorisation response (JARM §2.1): `iss`, `aud` = client id, `iat`, `exp` 5 minutes
    /// ahead, `state` and the members; signed with the client's `authorization_signed_response_alg` and, when
    /// registered, encrypted to the client's encryption key. Every ``MockFaults/jarm`` fault is applied.
    func makeJARMResponse(client: ClientRecord, state: String, members: [String: ClaimValue]) async throws -> String {
        let jarmFaults = faults.jarm
        let now = self.now.wholeSeconds
        var claims = JWTClaims(members)
        claims.issuer = currentEndpoints.issuer
        claims["aud"] = .string(client.clientID)
        claims.issuedAt = now
        claims.expiresAt = now.addingTimeInterval(300)
        claims["state"] = .string(state)
        for fault in jarmFaults {
            switch fault {
            case .invalidIssuer: claims.issuer = "https://issuer.invalid.example"
            case .missingIssuer: claims["iss"] = nil
            case .invalidAudience: claims["aud"] = "another-client"
            case .missingAudience: claims["aud"] = nil
            case .expired:
                claims.issuedAt = now.addingTimeInterval(-1200)
                claims.expiresAt = now.addingTimeInterval(-600)
            case .missingExpiry: claims["exp"] = nil
            case .invalidState: claims["state"] = .string("not-" + state)
            case .missingState: claims["state"] = nil
            case .tooLongLifetime: claims.expiresAt = now.addingTimeInterval(3600)
            case .invalidSignature, .noneAlgorithm, .alternateAlgorithmRS256, .unknownKeyID: break
            }
        }
        let mode: SignatureMode =
            if jarmFaults.contains(.noneAlgorithm) {
                .noneAlgorithm
            } else if jarmFaults.contains(.alternateAlgorithmRS256) {
                .rs256
            } else if jarmFaults.contains(.unknownKeyID) {
                .unknownKeyID
            } else if jarmFaults.contains(.invalidSignature) { .invalidSignature } else { .valid }
        let jws = try await signAsHolder(claims, algorithm: client.authorizationSignedResponseAlgorithm, mode: mode)
        guard let keyAlgorithm = client.authorizationEncryptedResponseAlgorithm else { return jws }
        guard let key = Self.encryptionKey(in: currentKeys(of: client), for: keyAlgorithm) else {
            throw MockHolderError(.invalidConfiguration, reason: "the client has no encryption key for JARM")
        }
        return try JWE.encrypt(
            Data(jws.utf8), to: key, keyAlgorithm: keyAlgorithm,
            contentEncryption: client.authorizationEncryptedResponseEncryption ?? .a128CBCHS256)
    }

    // MARK: - Consent pages

    private func htmlResponse(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(HTML.escape(configuration.brand.name))</title></head>
            <body><h1>\(HTML.escape(configuration.brand.name))</h1>
            \(body)
            </body></html>
            """
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        return HolderResponse.raw(
            Array(page.utf8), status: status, contentType: "text/html; charset=utf-8", headers: headers)
    }

    private func errorPage(_ message: String) -> Response {
        htmlResponse(
            "<p role=\"alert\">The request cannot be processed: \(HTML.escape(message)).</p>", status: .badRequest)
    }

    private func hiddenFields(clientID: String, requestURI: String) -> String {
        """
        <input type="hidden" name="client_id" value="\(HTML.escape(clientID))">
        <input type="hidden" name="request_uri" value="\(HTML.escape(requestURI))">
        """
    }

    private func signInPage(clientID: String, requestURI: String, client: ClientRecord) -> Response {
        htmlResponse(
            """
            <p>\(HTML.escape(client.registration.clientName)) asks to access your data. Sign in to continue.</p>
            <form method="post" action="\(SecurityPath.authoriseLogin)">
            \(hiddenFields(clientID: clientID, requestURI: requestURI))
            <label>Customer id <input name="customer_id" autocomplete="username" placeholder="customer-1"></label>
            <button type="submit">Sign in</button>
            </form>
            """)
    }

    private func consentPage(_ form: [String: String]) throws -> Response {
        guard let clientID = form["client_id"], let requestURI = form["request_uri"],
            let client = clientRecord(clientID)
        else { return errorPage("client_id and request_uri are required") }
        if case .failure(let message) = pushedRequest(requestURI: requestURI, clientID: clientID, consume: false) {
            return errorPage(message.text)
        }
        guard let customer = form["customer_id"].flatMap({ dataset.customer(id: $0) }) else {
            return signInPage(clientID: clientID, requestURI: requestURI, client: client)
        }
        let accounts = dataset.accounts(of: customer).map { account in
            """
            <li><label><input type="checkbox" name="account_\(HTML.escape(account.id))" value="on" checked> \
            \(HTML.escape(account.displayName)) (\(HTML.escape(account.maskedNumber)))</label></li>
            """
        }
        return htmlResponse(
            """
            <p>Hello \(HTML.escape(customer.displayName)). Choose the accounts to share with \
            \(HTML.escape(client.registration.clientName)).</p>
            <form method="post" action="\(SecurityPath.authoriseConfirm)">
            \(hiddenFields(clientID: clientID, requestURI: requestURI))
            <input type="hidden" name="customer_id" value="\(HTML.escape(customer.id))">
            <ul>\(accounts.joined(separator: "\n"))</ul>
            <button type="submit" name="decision" value="allow">Authorise</button>
            <button type="submit" name="decision" value="deny">Cancel</button>
            </form>
            """)
    }

    private func confirmConsent(_ form: [String: String]) async throws -> Response {
        guard let clientID = form["client_id"], let requestURI = form["request_uri"],
            let client = clientRecord(clientID)
        else { return errorPage("client_id and request_uri are required") }
        guard let customer = form["customer_id"].flatMap({ dataset.customer(id: $0) }) else {
            return errorPage("unknown customer")
        }
        let pushed: PushedRequest
        switch pushedRequest(requestURI: requestURI, clientID: clientID, consume: true) {
        case .success(let found): pushed = found
        case .failure(let message): return errorPage(message.text)
        }
        guard form["decision"] == "allow" else {
            return try await redirectWithError(
                pushed, client: client, error: "access_denied", description: "the customer declined")
        }
        let chosen = dataset.accounts(of: customer).map(\.id).filter { form["account_" + $0] == "on" }
        guard !chosen.isEmpty else {
            return try await redirectWithError(
                pushed, client: client, error: "access_denied", description: "no account was chosen")
        }
        return try await completeAuthorisation(pushed, client: client, customer: customer, accountIDs: chosen)
    }
}
