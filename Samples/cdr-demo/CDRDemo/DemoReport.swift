public import Foundation

/// The demo's result as text for a terminal, and as JSON.
public enum DemoReport {
    /// The data-quality report: what the SDK's decoding tolerated in the holder's data, per quirk and field.
    /// - Parameter result: The run's result.
    /// - Returns: Lines of text.
    public static func dataQuality(_ result: DemoResult) -> String {
        (["", "Data quality (what decoding tolerated in the holder's data):"] + result.dataQuality.map { "  " + $0 })
            .joined(separator: "\n")
    }

    /// The readable summary: the accounts table, the fallback and the deletion.
    /// - Parameter result: The run's result.
    /// - Returns: Lines of text.
    public static func text(_ result: DemoResult) -> String {
        var lines: [String] = []
        lines.append("")
        lines.append(
            "\(result.holder.brandName) (\(result.holder.brandID)), arrangement \(result.consent.arrangementID), "
                + "\(result.transactions.count) transactions from \(day(result.transactions.from)) to \(day(result.transactions.to))"
        )
        let header = ["Account", "Number", "Category", "Current", "Available", "Txns", "Net", "Served by"]
        let rows = result.accounts.map { row in
            [
                row.name, row.maskedNumber, row.category, money(row.currentBalance, row.currency),
                money(row.availableBalance, row.currency), "\(row.transactions)", money(row.net, nil),
                row.provenance.version.map { "\(row.provenance.method.uppercased()) x-v \($0)" }
                    ?? row.provenance.method.uppercased(),
            ]
        }
        lines += table(header: header, rows: rows, rightAligned: [3, 4, 5, 6])

        let fallback = result.fallback
        lines.append("")
        lines.append("Outage: the holder's status was \(fallback.holderStatusDuringOutage).")
        lines.append(
            "  \(fallback.servedBy) served \(fallback.accounts) accounts and \(fallback.transactions) transactions of the "
                + "first one (CDR skipped: \(fallback.cdrSkippedBecause); MFA: \(fallback.challenge)).")
        let provenance = fallback.provenance
        lines.append(
            "  provenance: provider \(provenance.source), connection \(provenance.connectionID ?? "-"), "
                + "job \(provenance.jobID ?? "-"), fetched \(ISO8601DateFormatter().string(from: provenance.fetchedAt))"
        )
        lines.append(
            "  account keys \(fallback.sameAccountKeys ? "match" : "differ from") the CDR accounts'; "
                + "after the outage \(fallback.servedByAfterRecovery) serves again.")

        let storage = result.storage
        lines.append("")
        lines.append(
            "Store: \(storage.location); registration \(storage.registrationReused ? "reused (no DCR)" : "made (DCR)"), "
                + "arrangement \(storage.arrangementReused ? "reused (no consent)" : "new (consent)").")
        if storage.checkpoints.contains(where: { $0.previousThrough != nil }) {
            let read = storage.checkpoints.map(\.records).reduce(0, +)
            let since = storage.checkpoints.map(\.from).min().map { time($0) } ?? "-"
            lines.append(
                "  synced from the checkpoints: read \(read) transactions from \(since) (a week before the newest "
                    + "kept, for late postings); \(storage.newTransactionsKept) of them were new")
        }
        if let deletion = result.deletion {
            lines.append("")
            lines.append(
                "Revoked: arrangement \(deletion.arrangementID) is \(deletion.state) (holder confirmed: \(deletion.holderConfirmed))."
            )
            lines.append(
                "  tokens deleted: \(deletion.tokensDeleted) (left: \(deletion.tokensRemaining ? "some" : "none")); "
                    + "records deleted: \(deletion.recordsDeleted) (left: \(deletion.recordsRemaining)); "
                    + "key destroyed: \(deletion.keyDestroyed)")
            lines.append("  a data call now: \(deletion.dataCallAfterRevocation)")
            if let evidence = deletion.evidence { lines.append("  evidence: \(evidence)") }
            lines.append("  audit trail of the arrangement (collections summed up; --json lists each):")
            lines += trailSummary(deletion.auditTrail).map { "    " + $0 }
        } else {
            lines.append(
                "  kept: the arrangement and \(storage.recordsKept) records (encrypted); run `cdr-demo --revoke` to end it"
            )
        }
        lines.append(
            "DDC connection ended: \(result.ddc.recordsDeleted) records deleted, provider confirmed: "
                + "\(result.ddc.providerConfirmed)")
        return lines.joined(separator: "\n")
    }

    /// The result as pretty-printed JSON with sorted keys and ISO 8601 dates.
    /// - Parameter result: The run's result.
    /// - Returns: UTF-8 JSON.
    /// - Throws: `EncodingError` (not expected).
    public static func json(_ result: DemoResult) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(result)
    }

    /// The trail's lines, with each run of collection entries folded into one line per run.
    static func trailSummary(_ trail: [String]) -> [String] {
        var lines: [String] = []
        var collections = 0
        var first = ""
        func flush() {
            guard collections > 0 else { return }
            lines.append("\(first) … and \(collections - 1) more collection entries (operation, count, interaction id)")
            collections = 0
        }
        for line in trail {
            if line.split(separator: " ").dropFirst(2).first == "collection" {
                if collections == 0 { first = line }
                collections += 1
            } else {
                flush()
                lines.append(line)
            }
        }
        flush()
        return lines
    }

    private static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    private static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    private static func money(_ amount: String?, _ currency: String?) -> String {
        guard let amount else { return "-" }
        guard let value = Decimal(string: amount) else { return amount }
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        formatter.locale = Locale(identifier: "en_AU")
        let text = formatter.string(from: value as NSDecimalNumber) ?? amount
        return currency.map { $0 == "AUD" ? text : "\(text) \($0)" } ?? text
    }

    private static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return rightAligned.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        return [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)
    }
}
