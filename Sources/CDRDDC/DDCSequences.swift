import Foundation
import HTTPTypes
import Logging

/// A capture job's events, read by polling the job; see ``DDCClient/events(of:logger:)``.
public struct DDCJobEvents: AsyncSequence, Sendable {
    /// Each element is one event.
    public typealias Element = DDCJobEvent

    let client: DDCClient
    let jobID: DDCJobID
    let logger: Logger

    /// Starts reading the job.
    /// - Returns: An iterator that polls the job as events are asked for.
    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, jobID: jobID, logger: logger)
    }

    /// Polls the job and turns each change into events.
    public struct Iterator: AsyncIteratorProtocol {
        let client: DDCClient
        let jobID: DDCJobID
        let logger: Logger
        private var buffered: [DDCJobEvent] = []
        private var stepStates: [DDCJobStep: DDCJobStatus.StepState] = [:]
        private var reportedChallengeID: String?
        private var polls = 0
        private var isFinished = false

        init(client: DDCClient, jobID: DDCJobID, logger: Logger) {
            self.client = client
            self.jobID = jobID
            self.logger = logger
        }

        /// The next event, reading the job as often as needed.
        /// - Returns: The event, or `nil` after the job's outcome was reported.
        /// - Throws: ``DDCError`` or ``/CDRTransport/TransportError`` when a read fails; `CancellationError`.
        public mutating func next() async throws -> DDCJobEvent? {
            while true {
                if !buffered.isEmpty { return buffered.removeFirst() }
                if isFinished { return nil }
                guard polls < Swift.max(client.configuration.maximumPolls, 1) else {
                    isFinished = true
                    return DDCJobEvent(
                        kind: .failed, jobID: jobID,
                        error: DDCError(
                            .jobPollingLimitReached, operation: "captureJob",
                            reason: "the job did not finish within \(polls) reads"))
                }
                if polls > 0, client.configuration.pollInterval > .zero {
                    try await Task.sleep(for: client.configuration.pollInterval)
                }
                polls += 1
                let status = try await client.jobStatus(jobID, logger: logger)
                record(status)
            }
        }

        private mutating func record(_ status: DDCJobStatus) {
            for (step, state) in status.steps {
                let previous = stepStates[step] ?? .pending
                if previous == .pending, state != .pending {
                    emit(DDCJobEvent(kind: .stepStarted, jobID: jobID, step: step))
                }
                if state == .completed, previous != .completed {
                    emit(DDCJobEvent(kind: .stepCompleted, jobID: jobID, step: step))
                }
                stepStates[step] = state
            }
            if status.state == .awaitingInput, let challenge = status.challenge, challenge.id != reportedChallengeID {
                reportedChallengeID = challenge.id
                emit(DDCJobEvent(kind: .challenge, jobID: jobID, challenge: challenge))
            }
            if status.state == .succeeded {
                isFinished = true
                emit(DDCJobEvent(kind: .completed, jobID: jobID))
            } else if status.state == .failed {
                isFinished = true
                emit(
                    DDCJobEvent(
                        kind: .failed, jobID: jobID,
                        error: status.failure ?? DDCError(.jobFailed, operation: "captureJob")))
            }
        }

        private mutating func emit(_ event: DDCJobEvent) {
            logger.debug(
                "DDC job event",
                metadata: client.metadata(["cdr.ddc_job_id": "\(jobID)", "cdr.ddc_event": "\(event)"]))
            buffered.append(event)
        }
    }
}

/// An account's transactions, read page by page; see
/// ``DDCClient/transactions(connection:accountID:from:to:logger:)``.
public struct DDCTransactions: AsyncSequence, Sendable {
    /// Each element is one transaction.
    public typealias Element = DDCTransaction

    let client: DDCClient
    let connection: DDCConnectionID
    let accountID: String
    let from: Date?
    let to: Date?
    let logger: Logger

    /// Starts the walk; nothing is fetched until the first element is asked for.
    /// - Returns: An iterator holding at most one page.
    public func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    /// Fetches one page at a time.
    public struct Iterator: AsyncIteratorProtocol {
        let sequence: DDCTransactions
        private var page: [DDCTransaction] = []
        private var position = 0
        private var cursor: String?
        private var seenCursors: Set<String> = []
        private var previousPageIDs: Set<String> = []
        private var pages = 0
        private var isDone = false
        /// A problem found with the page just fetched, thrown once its records have been handed out.
        private var deferredError: DDCError?

        init(sequence: DDCTransactions) { self.sequence = sequence }

        /// The next transaction, fetching the next page when this one is used up.
        /// - Returns: The transaction, or `nil` after the last page.
        /// - Throws: ``DDCError`` (``DDCError/Code/paginationLoop``, ``DDCError/Code/paginationLimitReached``,
        ///   ``DDCError/Code/unknownAccount`` …) or ``/CDRTransport/TransportError``.
        public mutating func next() async throws -> DDCTransaction? {
            while true {
                if position < page.count {
                    defer { position += 1 }
                    return page[position]
                }
                if let error = deferredError {
                    deferredError = nil
                    isDone = true
                    throw error
                }
                if isDone { return nil }
                try await fetchPage()
            }
        }

        private mutating func fetchPage() async throws {
            let client = sequence.client
            let configuration = client.configuration
            guard pages < Swift.max(configuration.maximumPages, 1) else {
                isDone = true
                throw DDCError(
                    .paginationLimitReached, operation: "transactions",
                    reason: "more than \(configuration.maximumPages) pages")
            }
            pages += 1
            var query = [URLQueryItem(name: "limit", value: String(Swift.max(configuration.pageSize, 1)))]
            if let from = sequence.from {
                query.append(URLQueryItem(name: "from", value: Wire.dayString(from, in: configuration.timeZone)))
            }
            if let to = sequence.to {
                query.append(URLQueryItem(name: "to", value: Wire.dayString(to, in: configuration.timeZone)))
            }
            if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
            let response = try await client.send(
                .get, ["connections", sequence.connection.rawValue, "accounts", sequence.accountID, "transactions"],
                query: query, operation: "transactions", logger: sequence.logger)
            let wire = try client.decode(Wire.TransactionPage.self, from: response, operation: "transactions")

            var records: [DDCTransaction] = []
            records.reserveCapacity(wire.transactions.count)
            var pageIDs: Set<String> = []
            var skipped = 0
            var repeated = 0
            for entry in wire.transactions {
                guard let value = entry.value, let transaction = convert(value, timeZone: configuration.timeZone)
                else {
                    skipped += 1
                    continue
                }
                guard !previousPageIDs.contains(transaction.id), pageIDs.insert(transaction.id).inserted else {
                    repeated += 1
                    continue
                }
                records.append(transaction)
            }
            if skipped > 0 || repeated > 0 {
                sequence.logger.info(
                    "DDC skipped transaction records",
                    metadata: client.metadata([
                        "cdr.ddc_connection_id": "\(sequence.connection)", "cdr.ddc_page": "\(pages)",
                        "cdr.ddc_malformed": "\(skipped)", "cdr.ddc_repeated": "\(repeated)",
                    ]))
            }
            page = records
            position = 0
            previousPageIDs = pageIDs

            if let next = wire.nextCursor, !next.isEmpty {
                if let cursor { seenCursors.insert(cursor) }
                guard next != cursor, !seenCursors.contains(next) else {
                    deferredError = DDCError(
                        .paginationLoop, operation: "transactions", reason: "the provider repeated a cursor")
                    return
                }
                cursor = next
            } else {
                isDone = true
            }
        }

        private func convert(_ wire: Wire.TransactionPage.Transaction, timeZone: TimeZone) -> DDCTransaction? {
            guard !wire.transactionId.isEmpty else { return nil }
            let date: Date
            if let timestamp = wire.timestamp {
                date = Date(timeIntervalSince1970: TimeInterval(timestamp))
            } else if let text = wire.date, let day = Wire.date(text, in: timeZone) {
                date = day
            } else {
                return nil
            }
            return DDCTransaction(
                id: wire.transactionId, accountID: sequence.accountID, date: date,
                amount: Wire.decimal(cents: wire.amountCents), currency: wire.currency ?? "AUD",
                description: wire.narrative ?? "", status: wire.pending == true ? .pending : .posted,
                reference: wire.reference.flatMap { $0.isEmpty ? nil : $0 })
        }
    }
}
