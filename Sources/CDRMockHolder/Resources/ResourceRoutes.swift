import CDRMockData
import CDRModels
import Foundation
import HTTPTypes
import Hummingbird

/// A handler for one CDS operation (all its versions).
typealias ResourceHandler = @Sendable (ResourceCall, MockRequestContext) async throws -> Response

extension MockDataHolder {
    /// The public CDS resources: products, status and outages.
    func addResourcePublicRoutes(to router: Router<MockRequestContext>) {
        addResourceRoutes(to: router, authenticated: false)
    }

    /// The authenticated CDS resources.
    func addResourceSecureRoutes(to router: Router<MockRequestContext>) {
        addResourceRoutes(to: router, authenticated: true)
    }

    /// Registers one route per operation of the catalogue (``CDSOperation/all``), so every operation the models
    /// know is served in every version they know.
    private func addResourceRoutes(to router: Router<MockRequestContext>, authenticated: Bool) {
        let handlers = resourceHandlers()
        var seen = Set<String>()
        for operation in CDSOperation.all where operation.isAuthenticated == authenticated {
            guard seen.insert(operation.id).inserted else { continue }
            let id = operation.id
            let path =
                "/cds-au/v1"
                + operation.path.replacingOccurrences(of: "{", with: ":")
                .replacingOccurrences(of: "}", with: "")
            let handler = handlers[id]
            let method = HTTPRequest.Method(rawValue: operation.method) ?? .get
            router.on(RouterPath(path), method: method) { [self] request, context -> Response in
                let call = try await beginResourceCall(request, context: context, operationID: id)
                guard let handler else {
                    return HolderResponse.cdsError(.notFound, .resourceNotImplemented, detail: "not implemented")
                }
                return try await handler(call, context)
            }
        }
    }

    /// The handlers by operation id.
    private func resourceHandlers() -> [String: ResourceHandler] {
        var handlers: [String: ResourceHandler] = [:]
        addAccountHandlers(to: &handlers)
        addTransactionHandlers(to: &handlers)
        addPaymentHandlers(to: &handlers)
        addCommonHandlers(to: &handlers)
        addProductHandlers(to: &handlers)
        return handlers
    }

    /// One page of `total` records: the records (with pagination faults applied), the links and the totals.
    func page<Record>(
        _ call: ResourceCall, total: Int, record: (Int) -> Record
    ) throws(HolderHTTPError) -> (records: [Record], links: LinksPaginated, meta: MetaPaginated) {
        let paging = try Paging.parse(call.request, maximumPageSize: configuration.maximumPageSize)
        let pageFaults = faults.pagination
        let indices = try paging.indices(total: total, faults: pageFaults)
        let base = call.operation.isAuthenticated ? currentEndpoints.secureBaseURL : currentEndpoints.publicBaseURL
        let links = paging.links(baseURL: base, request: call.request, total: total, faults: pageFaults)
        return (
            indices.map(record), links, MetaPaginated(totalRecords: total, totalPages: paging.totalPages(for: total))
        )
    }

    /// A paginated response of `Envelope` for one page of `total` records.
    func respondPage<Envelope: PagedEnvelope>(
        _ type: Envelope.Type, _ call: ResourceCall, total: Int, record: (Int) -> Envelope.Record
    ) throws -> Response {
        let page = try page(call, total: total, record: record)
        return try respond(Envelope(records: page.records, links: page.links, meta: page.meta), to: call)
    }

    // MARK: - Query parameters shared by several operations

    /// The `product-category` filter: `nil` when absent, 400 `Field/Invalid` for a value the standard doesn't have.
    func categoryFilter(_ call: ResourceCall) throws(HolderHTTPError) -> BankingProductCategory? {
        guard let raw = call.request.query("product-category") else { return nil }
        let category = BankingProductCategory(rawValue: raw)
        guard category.isKnown else { throw invalidField("product-category is not a known category") }
        return category
    }

    /// The accounts that `product-category`, `open-status` and `is-owned` select from the consented ones.
    func filteredAccounts(_ call: ResourceCall) throws(HolderHTTPError) -> [MockAccount] {
        var accounts = call.accounts
        if let category = try categoryFilter(call) { accounts = accounts.filter { $0.productCategory == category } }
        if let raw = call.request.query("open-status") {
            switch raw {
            case "ALL": break
            case "OPEN": accounts = accounts.filter { $0.openStatus == .open }
            case "CLOSED": accounts = accounts.filter { $0.openStatus == .closed }
            default: throw invalidField("open-status must be OPEN, CLOSED or ALL")
            }
        }
        if let raw = call.request.query("is-owned") {
            guard let owned = Bool(raw) else { throw invalidField("is-owned must be true or false") }
            accounts = accounts.filter { $0.isOwned == owned }
        }
        return accounts
    }

    /// The consented account named by the `accountId` path parameter, or 404
    /// `Authorisation/InvalidBankingAccount`.
    func pathAccount(_ call: ResourceCall, _ context: MockRequestContext) throws(HolderHTTPError) -> MockAccount {
        guard let id = context.parameters.get("accountId"),
            let account = call.accounts.first(where: { $0.id == id })
        else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .notFound, .invalidBankingAccount, detail: "the account is not part of this arrangement"))
        }
        return account
    }

    /// The consented accounts named in a `RequestAccountIdListV1` body: 400 for a malformed body, 422
    /// `Authorisation/InvalidBankingAccount` for an id outside the arrangement.
    func bodyAccounts(_ call: ResourceCall) async throws(HolderHTTPError) -> [MockAccount] {
        var request = call.request
        let list: RequestAccountIdListV1
        do {
            let bytes = try await request.bodyBytes()
            list = try CDRDecoder(mode: .strict).decode(RequestAccountIdListV1.self, from: Data(bytes)).value
        } catch {
            throw invalidField("the body must be a RequestAccountIdListV1")
        }
        var accounts: [MockAccount] = []
        for id in list.data.accountIds {
            guard let account = call.accounts.first(where: { $0.id == id.rawValue }) else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .unprocessableContent, .invalidBankingAccount,
                        detail: "an account id is not part of this arrangement"))
            }
            if !accounts.contains(account) { accounts.append(account) }
        }
        return accounts
    }

    /// 400 `Field/Invalid`.
    func invalidField(_ detail: String) -> HolderHTTPError {
        HolderHTTPError(response: HolderResponse.cdsError(.badRequest, .fieldInvalid, detail: detail))
    }
}
