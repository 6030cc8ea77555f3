import CDRModels
import CDRTransport
import Foundation
import HTTPTypes
import Hummingbird

/// `x-v` / `x-min-v` negotiation as the standard's headers section describes it.
enum VersionNegotiation {
    /// Picks the version to serve.
    ///
    /// - `x-v` is required and must be a positive integer (400 `Header/Missing` or `Header/InvalidVersion`).
    /// - `x-min-v`, when present, must be a positive integer; when it is equal to or above `x-v` it is ignored.
    /// - The highest supported version in `[x-min-v, x-v]` is served; none → 406 `Header/UnsupportedVersion`.
    /// - Parameters:
    ///   - request: The request.
    ///   - supported: The versions the endpoint serves.
    ///   - fault: A version fault to apply.
    /// - Returns: The version to serve, and whether the response should carry the `x-v` header.
    static func negotiate(
        _ request: Request, supported: [Int], fault: MockFaults.VersionFault?
    ) throws(HolderHTTPError) -> (version: Int, sendsHeader: Bool) {
        guard let rawVersion = request.headers[.cdsVersion] else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(.badRequest, .headerMissing, detail: "x-v is required"))
        }
        guard let requested = positiveInteger(rawVersion) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .badRequest, .headerInvalidVersion, detail: "x-v must be a positive integer"))
        }
        var minimum = requested
        if let rawMinimum = request.headers[.cdsMinimumVersion] {
            guard let value = positiveInteger(rawMinimum) else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .headerInvalidVersion, detail: "x-min-v must be a positive integer"))
            }
            if value < requested { minimum = value }
        }
        if fault == .rejectEveryVersion {
            throw unsupported(supported)
        }
        guard let chosen = supported.filter({ $0 >= minimum && $0 <= requested }).max() else {
            throw unsupported(supported)
        }
        if fault == .respondBelowMinimum, let lower = supported.filter({ $0 < minimum }).max() {
            return (lower, true)
        }
        return (chosen, fault != .omitVersionHeader)
    }

    private static func unsupported(_ supported: [Int]) -> HolderHTTPError {
        let list = supported.sorted().map(String.init).joined(separator: ", ")
        return HolderHTTPError(
            response: HolderResponse.cdsError(
                .notAcceptable, .unsupportedVersion, detail: "requested versions are not supported; supported: \(list)")
        )
    }

    /// A positive integer in plain decimal form (no sign, no leading zeros).
    static func positiveInteger(_ text: String) -> Int? {
        guard let first = text.first, first != "0", text.count <= 9, text.allSatisfy(\.isASCII),
            let value = Int(text), value > 0
        else { return nil }
        return value
    }
}

/// `page` and `page-size` and the `links`/`meta` of a paginated response (the standard's pagination section).
struct Paging: Sendable {
    /// The 1-based page.
    var page: Int
    /// Records per page.
    var pageSize: Int

    /// The default page size.
    static let defaultPageSize = 25

    /// Reads `page` and `page-size`: 400 `Field/Invalid` when not positive integers, 400 `Field/InvalidPageSize`
    /// above `maximumPageSize`.
    static func parse(_ request: Request, maximumPageSize: Int) throws(HolderHTTPError) -> Paging {
        var page = 1
        var pageSize = defaultPageSize
        if let raw = request.query("page") {
            guard let value = VersionNegotiation.positiveInteger(raw) else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .fieldInvalid, detail: "page must be a positive integer"))
            }
            page = value
        }
        if let raw = request.query("page-size") {
            guard let value = VersionNegotiation.positiveInteger(raw) else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .fieldInvalid, detail: "page-size must be a positive integer"))
            }
            guard value <= maximumPageSize else {
                throw HolderHTTPError(
                    response: HolderResponse.cdsError(
                        .badRequest, .fieldInvalidPageSize, detail: "page-size must be at most \(maximumPageSize)"))
            }
            pageSize = value
        }
        return Paging(page: page, pageSize: pageSize)
    }

    /// The number of pages for `total` records (0 records → 0 pages).
    func totalPages(for total: Int) -> Int { total == 0 ? 0 : (total + pageSize - 1) / pageSize }

    /// The index range of this page's records, or 422 `Field/InvalidPage` when the page is beyond the last.
    func range(total: Int) throws(HolderHTTPError) -> Range<Int> {
        let pages = totalPages(for: total)
        guard page <= max(pages, 1) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .unprocessableContent, .fieldInvalidPage, detail: "page \(page) is beyond the last page (\(pages))")
            )
        }
        let start = (page - 1) * pageSize
        return min(start, total)..<min(start + pageSize, total)
    }

    /// The pagination links, absolute unless a fault says otherwise.
    /// - Parameters:
    ///   - baseURL: The listener's base URL (`https://127.0.0.1:port`).
    ///   - request: The request, whose path and other query parameters the links keep.
    ///   - total: The number of records.
    ///   - faults: The pagination faults to apply.
    func links(baseURL: String, request: Request, total: Int, faults: Set<MockFaults.PaginationFault>) -> LinksPaginated
    {
        let pages = totalPages(for: total)
        var kept: [(String, String)] = []
        for (name, value) in request.uri.queryParameters where name != "page" && name != "page-size" {
            kept.append((String(name), String(value).removingPercentEncoding ?? String(value)))
        }
        let prefix = faults.contains(.relativeLinks) ? "" : baseURL
        func link(_ page: Int) -> String {
            let query = FormEncoding.encode(kept + [("page", String(page)), ("page-size", String(pageSize))])
            return prefix + request.uri.path + "?" + query
        }
        let selfLink = link(page)
        var next: String? = page < pages ? link(page + 1) : nil
        if faults.contains(.nextEqualsSelf) { next = selfLink }
        if faults.contains(.missingNext) { next = nil }
        return LinksPaginated(
            selfLink: selfLink,
            first: pages > 0 ? link(1) : nil,
            prev: page > 1 && pages > 0 ? link(min(page - 1, pages)) : nil,
            next: next,
            last: pages > 0 ? link(pages) : nil)
    }

    /// This page's record indices with the duplicate-records fault applied: the record before the page is
    /// repeated at its start.
    func indices(total: Int, faults: Set<MockFaults.PaginationFault>) throws(HolderHTTPError) -> [Int] {
        let range = try range(total: total)
        var indices = Array(range)
        if faults.contains(.duplicateRecordsAcrossPages), range.lowerBound > 0 {
            indices.insert(range.lowerBound - 1, at: 0)
        }
        return indices
    }
}
