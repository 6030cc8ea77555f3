public import CDRModels
public import Foundation
import Logging

/// How the client walks a paginated list.
public struct PaginationPolicy: Sendable, Hashable {
    /// What to do when the chain of pages is broken.
    public struct AnomalyHandling: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case stop, fail }
        private let base: Base
        /// End the walk after the page where the anomaly was found, log it, and report it on that page
        /// (``Page/anomalies``). The records read so far are kept.
        public static let stop = AnomalyHandling(base: .stop)
        /// Deliver the page where the anomaly was found, then throw ``DataHolderError/Code/paginationAnomaly``.
        public static let fail = AnomalyHandling(base: .fail)
        /// `stop` or `fail`.
        public var description: String { base.rawValue }
    }

    /// The most pages one walk reads; the walk stops there with ``PaginationAnomaly/Kind/pageLimitReached``.
    public var maximumPages: Int
    /// How many recent record identifiers are remembered to drop records a holder repeats across pages. The
    /// window keeps memory flat for long histories; the common fault (a page boundary overlap) is caught by any
    /// window of a page or more.
    public var duplicateWindow: Int
    /// What to do when the chain is broken (a loop, `next` equal to `self`, a link to another server).
    public var onAnomaly: AnomalyHandling

    /// Creates a policy.
    public init(maximumPages: Int = 10_000, duplicateWindow: Int = 10_000, onAnomaly: AnomalyHandling = .stop) {
        self.maximumPages = max(1, maximumPages)
        self.duplicateWindow = max(0, duplicateWindow)
        self.onAnomaly = onAnomaly
    }
}

/// Something wrong with a holder's pagination, found while walking a list.
public struct PaginationAnomaly: Hashable, Sendable, CustomStringConvertible {
    /// The kind of anomaly.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case nextEqualsSelf, loop, foreignLink, invalidLink, pageLimitReached, missingNextLink, duplicateRecords
        }
        private let base: Base
        /// `links.next` is the page just read: the walk stops.
        public static let nextEqualsSelf = Kind(base: .nextEqualsSelf)
        /// `links.next` is a page already read: the walk stops.
        public static let loop = Kind(base: .loop)
        /// `links.next` points to another server or is not `https`: it is not followed (the access token would
        /// go with it).
        public static let foreignLink = Kind(base: .foreignLink)
        /// `links.next` is not a URL.
        public static let invalidLink = Kind(base: .invalidLink)
        /// The walk reached ``PaginationPolicy/maximumPages``.
        public static let pageLimitReached = Kind(base: .pageLimitReached)
        /// The holder's `meta.totalPages` says more pages exist but there is no `links.next`: the list is
        /// incomplete.
        public static let missingNextLink = Kind(base: .missingNextLink)
        /// Records already delivered on an earlier page were repeated and left out. The walk goes on.
        public static let duplicateRecords = Kind(base: .duplicateRecords)
        /// The kind's name.
        public var description: String { base.rawValue }
    }

    /// The kind.
    public var kind: Kind
    /// What was seen (page numbers, counts; never a token).
    public var detail: String

    /// Creates an anomaly.
    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// Whether the walk stops because of it.
    public var endsWalk: Bool { kind != .duplicateRecords }

    /// `loop: …`.
    public var description: String { "\(kind): \(detail)" }
}

/// One page of a list.
public struct Page<Record: Sendable>: Sendable {
    /// The records, without those already delivered on an earlier page.
    public var records: [Record]
    /// The page's position in the walk, from 1.
    public var number: Int
    /// The URL the page was read from.
    public var url: URL
    /// The version the holder answered with (`x-v`).
    public var version: Int
    /// The response's `x-fapi-interaction-id`.
    public var interactionID: String?
    /// The holder's `meta.totalRecords`.
    public var totalRecords: Int
    /// The holder's `meta.totalPages`.
    public var totalPages: Int
    /// When the page arrived.
    public var fetchedAt: Date
    /// Departures from the standard on this page that lenient decoding tolerated: values repaired or left out, and
    /// records left out (see `CDRDecoder`).
    public var diagnostics: [DecodingDiagnostic]
    /// Pagination anomalies found on this page; one that ends the walk makes this the last page.
    public var anomalies: [PaginationAnomaly]
}

/// A decoded page before the walk's checks.
struct DecodedPage<Record: Sendable>: Sendable {
    var records: [Record]
    var links: LinksPaginated
    var totalRecords: Int
    var totalPages: Int
    var diagnostics: [DecodingDiagnostic]
}

/// What a walk needs: the first request, how to fetch a page, how to decode it, how to identify a record.
struct PageWalk<Record: Sendable>: Sendable {
    var client: BankingClient
    var call: CDSCall
    var decode: @Sendable (BankingClient, RawResponse) throws -> DecodedPage<Record>
    var recordID: @Sendable (Record) -> String?
}

/// The records of a paginated list, fetched a page at a time as they are consumed.
///
/// The walk follows `links.next` (relative links resolve against the page they came from) until it is absent or
/// null, with guardrails: a `next` equal to the page just read, a page already read, a link to another server or a
/// walk longer than ``PaginationPolicy/maximumPages`` ends the walk with a ``PaginationAnomaly`` (logged, and
/// reported on the last ``Page``; or thrown after that page with ``PaginationPolicy/AnomalyHandling/fail``), and
/// records repeated across pages are left out by identifier. Only one page is held at a time, so memory stays flat
/// whatever the length of the list.
///
/// ```swift
/// for try await transaction in banking.transactions(accountID: id) { … }      // records
/// for try await page in banking.transactions(accountID: id).pages { … }      // pages, with diagnostics
/// let all = try await banking.accounts().collect()
/// ```
public struct PagedSequence<Record: Sendable>: AsyncSequence, Sendable {
    /// A record.
    public typealias Element = Record
    /// Any error: ``DataHolderError`` for the holder's answers, `TransportError` for the network.
    public typealias Failure = any Error

    let walk: PageWalk<Record>

    /// The pages, each with its version, interaction id, diagnostics and anomalies.
    public var pages: PageSequence<Record> { PageSequence(walk: walk) }

    /// Reads every record into an array (for short lists: accounts, payees).
    public func collect() async throws -> [Record] {
        var records: [Record] = []
        for try await page in pages { records.append(contentsOf: page.records) }
        return records
    }

    /// Iterates over the records.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pages: PageSequence(walk: walk).makeAsyncIterator())
    }

    /// The iterator over records.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var pages: PageSequence<Record>.AsyncIterator
        var buffer: [Record] = []
        var index = 0

        /// The next record, fetching the next page when this one is used up.
        public mutating func next() async throws -> Record? {
            while index == buffer.count {
                guard let page = try await pages.next() else { return nil }
                buffer = page.records
                index = 0
            }
            defer { index += 1 }
            return buffer[index]
        }
    }
}

/// The pages of a paginated list; see ``PagedSequence``.
public struct PageSequence<Record: Sendable>: AsyncSequence, Sendable {
    /// A page.
    public typealias Element = Page<Record>
    /// Any error.
    public typealias Failure = any Error

    let walk: PageWalk<Record>

    /// Iterates over the pages.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(walk: walk) }

    /// The iterator over pages; it fetches a page when asked for it.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let walk: PageWalk<Record>
        var nextURL: URL?
        var isFirst = true
        var isFinished = false
        var pendingError: DataHolderError?
        var number = 0
        var visited: Set<String> = []
        var recentIDs: Set<String> = []
        var recentOrder: [String] = []
        var recentStart = 0

        init(walk: PageWalk<Record>) { self.walk = walk }

        /// The next page, or `nil` when the walk has ended.
        public mutating func next() async throws -> Page<Record>? {
            if let pendingError {
                self.pendingError = nil
                isFinished = true
                throw pendingError
            }
            guard !isFinished else { return nil }
            let raw: RawResponse
            do {
                if isFirst {
                    isFirst = false
                    raw = try await walk.client.send(walk.call)
                } else if let nextURL {
                    raw = try await walk.client.send(walk.call, to: nextURL)
                } else {
                    isFinished = true
                    return nil
                }
            } catch {
                isFinished = true
                throw error
            }
            number += 1
            visited.insert(Self.normalised(raw.url))
            let decoded: DecodedPage<Record>
            do {
                decoded = try walk.decode(walk.client, raw)
            } catch {
                isFinished = true
                throw error
            }
            // The page's own `links.self` names it too: the first request usually has no `page` parameter while the
            // holder's links spell it `page=1&page-size=…`, so a `next` back to it must be recognised by either name.
            let selfKey = URL(string: decoded.links.selfLink, relativeTo: raw.url).map {
                Self.normalised($0.absoluteURL)
            }
            if let selfKey { visited.insert(selfKey) }
            var anomalies: [PaginationAnomaly] = []
            let records = removeRepeats(decoded.records, anomalies: &anomalies)
            nextURL = resolveNext(decoded, raw: raw, selfKey: selfKey, anomalies: &anomalies)
            if nextURL == nil { isFinished = true }
            let policy = walk.client.configuration.pagination
            if nextURL != nil, number >= policy.maximumPages {
                anomalies.append(
                    PaginationAnomaly(
                        kind: .pageLimitReached, detail: "stopped after \(number) pages; the holder has more"))
                nextURL = nil
                isFinished = true
            }
            for anomaly in anomalies {
                walk.client.logger.warning(
                    "pagination anomaly",
                    metadata: [
                        "cdr.operation": "\(walk.call.operationID)", "cdr.page": "\(number)",
                        "cdr.anomaly": "\(anomaly.kind)", "cdr.detail": "\(anomaly.detail)",
                        "cdr.interaction_id": "\(raw.interactionID ?? "-")",
                    ])
            }
            if policy.onAnomaly == .fail, let ending = anomalies.first(where: \.endsWalk) {
                isFinished = false
                pendingError = DataHolderError(
                    .paginationAnomaly, operation: walk.call.operationID, status: 200,
                    interactionID: raw.interactionID, reason: ending.description)
            }
            do {
                try await walk.client.report(raw, operation: walk.call.operationID, recordCount: records.count)
            } catch {
                isFinished = true
                throw error
            }
            return Page(
                records: records, number: number, url: raw.url, version: raw.version,
                interactionID: raw.interactionID, totalRecords: decoded.totalRecords,
                totalPages: decoded.totalPages, fetchedAt: raw.fetchedAt, diagnostics: decoded.diagnostics,
                anomalies: anomalies)
        }

        /// Leaves out records whose identifier was delivered recently, remembering the new ones.
        private mutating func removeRepeats(
            _ records: [Record], anomalies: inout [PaginationAnomaly]
        ) -> [Record] {
            let window = walk.client.configuration.pagination.duplicateWindow
            guard window > 0 else { return records }
            var kept: [Record] = []
            kept.reserveCapacity(records.count)
            var repeated = 0
            for record in records {
                guard let id = walk.recordID(record) else {
                    kept.append(record)
                    continue
                }
                if recentIDs.contains(id) {
                    repeated += 1
                    continue
                }
                kept.append(record)
                recentIDs.insert(id)
                recentOrder.append(id)
                if recentOrder.count - recentStart > window {
                    recentIDs.remove(recentOrder[recentStart])
                    recentStart += 1
                    if recentStart > 4_096, recentStart * 2 > recentOrder.count {
                        recentOrder.removeFirst(recentStart)
                        recentStart = 0
                    }
                }
            }
            if repeated > 0 {
                anomalies.append(
                    PaginationAnomaly(
                        kind: .duplicateRecords,
                        detail: "\(repeated) record(s) on page \(number) repeat earlier ones and were left out"))
            }
            return kept
        }

        /// The next page's URL, or `nil` (with an anomaly when the chain is broken).
        private func resolveNext(
            _ page: DecodedPage<Record>, raw: RawResponse, selfKey: String?, anomalies: inout [PaginationAnomaly]
        ) -> URL? {
            guard let link = page.links.next, !link.isEmpty else {
                if page.totalPages > number {
                    anomalies.append(
                        PaginationAnomaly(
                            kind: .missingNextLink,
                            detail: "page \(number) of \(page.totalPages) has no next link; the list is incomplete"))
                }
                return nil
            }
            guard let resolved = URL(string: link, relativeTo: raw.url)?.absoluteURL else {
                anomalies.append(PaginationAnomaly(kind: .invalidLink, detail: "next on page \(number) is not a URL"))
                return nil
            }
            guard resolved.scheme?.lowercased() == "https", resolved.host?.lowercased() == raw.url.host?.lowercased(),
                (resolved.port ?? 443) == (raw.url.port ?? 443)
            else {
                anomalies.append(
                    PaginationAnomaly(
                        kind: .foreignLink, detail: "next on page \(number) leaves the holder's server; not followed"))
                return nil
            }
            let key = Self.normalised(resolved)
            if key == Self.normalised(raw.url) || key == selfKey {
                anomalies.append(
                    PaginationAnomaly(kind: .nextEqualsSelf, detail: "next on page \(number) is the page itself"))
                return nil
            }
            if visited.contains(key) {
                anomalies.append(
                    PaginationAnomaly(kind: .loop, detail: "next on page \(number) leads back to a page already read"))
                return nil
            }
            return resolved
        }

        /// A URL in a form where equal pages compare equal: scheme and host lower-cased, default port dropped,
        /// query parameters sorted.
        static func normalised(_ url: URL) -> String {
            guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
                return url.absoluteString
            }
            components.scheme = components.scheme?.lowercased()
            components.host = components.host?.lowercased()
            if components.port == 443 { components.port = nil }
            components.fragment = nil
            components.queryItems = components.queryItems?.sorted {
                ($0.name, $0.value ?? "") < ($1.name, $1.value ?? "")
            }
            if components.queryItems?.isEmpty == true { components.queryItems = nil }
            return components.string ?? url.absoluteString
        }
    }
}

extension BankingClient {
    /// A paginated call over a list answered in one type.
    func paged<R: CDSPaginatedResponse>(
        _ call: CDSCall, _ type: R.Type, id: @escaping @Sendable (R.Record) -> String?
    ) -> PagedSequence<R.Record> where R.Record: Sendable {
        var call = call
        addPageSize(to: &call)
        let operationID = call.operationID
        return PagedSequence(
            walk: PageWalk(
                client: self, call: call,
                decode: { client, raw in
                    let decoded = try client.decode(R.self, raw, operation: operationID)
                    return DecodedPage(
                        records: decoded.value.records, links: decoded.value.links,
                        totalRecords: decoded.value.totalRecords, totalPages: decoded.value.totalPages,
                        diagnostics: decoded.diagnostics)
                }, recordID: id))
    }

    /// A paginated call over a list answered in the current or the previous type.
    func paged<C: CDSPaginatedResponse, P: CDSPaginatedResponse>(
        _ call: CDSCall, current: C.Type, previous: P.Type, currentID: @escaping @Sendable (C.Record) -> String?,
        previousID: @escaping @Sendable (P.Record) -> String?
    ) -> PagedSequence<Versioned<C.Record, P.Record>> where C.Record: Sendable, P.Record: Sendable {
        var call = call
        addPageSize(to: &call)
        let operationID = call.operationID
        return PagedSequence(
            walk: PageWalk(
                client: self, call: call,
                decode: { client, raw in
                    if BankingClient.version(raw.version, of: operationID, uses: C.self) {
                        let decoded = try client.decode(C.self, raw, operation: operationID)
                        return DecodedPage(
                            records: decoded.value.records.map { .current($0) }, links: decoded.value.links,
                            totalRecords: decoded.value.totalRecords, totalPages: decoded.value.totalPages,
                            diagnostics: decoded.diagnostics)
                    }
                    let decoded = try client.decode(P.self, raw, operation: operationID)
                    return DecodedPage(
                        records: decoded.value.records.map { .previous($0) }, links: decoded.value.links,
                        totalRecords: decoded.value.totalRecords, totalPages: decoded.value.totalPages,
                        diagnostics: decoded.diagnostics)
                },
                recordID: { record in
                    switch record {
                    case .current(let value): return currentID(value)
                    case .previous(let value): return previousID(value)
                    }
                }))
    }

    private func addPageSize(to call: inout CDSCall) {
        if let pageSize = configuration.effectivePageSize { call.query.append(("page-size", String(pageSize))) }
    }
}
