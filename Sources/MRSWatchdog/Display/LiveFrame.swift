import FoundationEssentials

/// One screen of the live view, laid out for a terminal of `width` × `height` cells: a title, the status
/// line (wrapped at its " · " separators), the jobs near or over a limit, then the latest actions. No
/// line is wider than the terminal and there are no more lines than it has rows.
///
/// When the table is too wide, REASON narrows first (down to 16 columns); then DEADLINE, CLUSTER and RULE go
/// in that order, NAME narrows to 20, REASON goes, and NAME narrows to 8. Ids are shortened to a unique prefix
/// of at least 8 characters; names, rules and reasons are cut with "…".
package struct LiveFrame: Sendable {
    package var report: CycleReport?
    package var status: String
    /// Oldest first.
    package var recent: [String]

    package init(report: CycleReport?, status: String, recent: [String]) {
        self.report = report
        self.status = status
        self.recent = recent
    }

    /// At most this many job rows, however tall the terminal.
    package static let maxRows = 30

    package func lines(width: Int, height: Int) -> [String] {
        let width = max(20, width)
        let height = max(8, height)
        var top = [title]
        top += Self.wrap(status, at: " · ", width: width)
        top.append("")
        var failures: [String] = []
        var decisions: [Decision] = []
        var active = 0
        if let report {
            // What calls for action first, so a short terminal never hides a kill behind a warning.
            decisions = report.decisions.enumerated().sorted { a, b in
                (Self.urgency(a.element.kind), a.offset) < (Self.urgency(b.element.kind), b.offset)
            }.map(\.element)
            active = report.activeJobs.values.reduce(0, +)
            let clusters = ShortIds(report.clusters)
            failures = report.failures.sorted { $0.key < $1.key }.map { cluster, error in
                "cluster \(clusters[cluster]) could not be polled: \(error)"
            }
        }
        // The table gets what the title, status, failures and a few recent actions leave.
        let recentWanted = min(recent.count, 3)
        let reserved = top.count + failures.count + 2 + (recentWanted > 0 ? 2 + recentWanted : 0)
        let rows = min(Self.maxRows, decisions.count, max(1, height - reserved - 1))
        var body: [String]
        if report == nil {
            body = []
        } else if decisions.isEmpty {
            body = ["no active job is near a limit"]
        } else {
            body = Self.table(Array(decisions.prefix(rows)), clusters: report?.clusters ?? [], width: width)
        }
        if decisions.count > rows {
            body.append("(\(decisions.count - rows) more near or over a limit: a taller terminal shows them)")
        }
        if report != nil, active > decisions.count {
            body.append("(\(active - decisions.count) more job(s), not near a limit or named by no rule)")
        }
        body += failures
        var lines = top + body
        let room = height - lines.count - 2
        if room > 0, !recent.isEmpty {
            lines += ["", "recent:"] + recent.suffix(room).map { "  " + $0 }
        }
        return lines.prefix(height).map { TerminalText.truncated(TerminalText.printable($0), to: width) }
    }

    /// Kill first, then would-kill, warn and skipped-unknown; the rest after.
    static func urgency(_ kind: Decision.Kind) -> Int {
        switch kind {
        case .kill: 0
        case .wouldKill: 1
        case .warn: 2
        case .skippedUnknown: 3
        default: 4
        }
    }

    private var title: String {
        guard let report else { return "mrs-watchdog · Ctrl-C stops" }
        let clusters = report.clusters.count
        let active = report.activeJobs.values.reduce(0, +)
        return "mrs-watchdog · \(clusters) cluster\(clusters == 1 ? "" : "s") · \(active) active job"
            + "\(active == 1 ? "" : "s") · \(RFC3339.format(epochMillis: report.at).suffix(9)) MRS time · Ctrl-C stops"
    }

    /// `text` split at `separator` into lines of at most `width` columns (a part wider than that is cut).
    static func wrap(_ text: String, at separator: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for part in text.components(separatedBy: separator) {
            let joined = line.isEmpty ? part : line + separator + part
            if line.isEmpty || TerminalText.width(joined) <= width {
                line = joined
            } else {
                lines.append(line)
                line = part
            }
        }
        lines.append(line)
        return lines.map { TerminalText.truncated($0, to: width) }
    }

    private enum Column: CaseIterable {
        case decision, cluster, job, name, rule, elapsed, deadline, reason

        var header: String {
            switch self {
            case .decision: "DECISION"
            case .cluster: "CLUSTER"
            case .job: "JOB"
            case .name: "NAME"
            case .rule: "RULE"
            case .elapsed: "ELAPSED/LIMIT"
            case .deadline: "DEADLINE"
            case .reason: "REASON"
            }
        }

        /// The widest a cell of this column gets before it is cut; REASON takes what is left.
        var cap: Int {
            switch self {
            case .name: 32
            case .rule: 24
            default: .max
            }
        }

        static let dropOrder: [Column] = [.deadline, .cluster, .rule]
    }

    static func table(_ decisions: [Decision], clusters: [String], width: Int) -> [String] {
        let clusterIds = ShortIds(clusters + decisions.map(\.clusterId))
        let jobIds = ShortIds(decisions.map(\.job.jobId))
        let cells: [[Column: String]] = decisions.map { decision in
            [
                .decision: decision.kind.rawValue, .cluster: clusterIds[decision.clusterId],
                .job: jobIds[decision.job.jobId], .name: TerminalText.printable(decision.job.jobName ?? "-"),
                .rule: TerminalText.printable(decision.rule ?? "-"), .elapsed: DecisionTable.elapsedOverLimit(decision),
                .deadline: DecisionTable.deadline(decision), .reason: TerminalText.printable(decision.reason),
            ]
        }
        var shown = Column.allCases
        var widths: [Column: Int] = [:]
        for column in shown {
            let widest = cells.map { TerminalText.width($0[column] ?? "") }.max() ?? 0
            widths[column] = min(column.cap, max(column.header.count, widest))
        }
        func total() -> Int { shown.reduce(0) { $0 + widths[$1]! } + 2 * (shown.count - 1) }
        while total() > width {
            if shown.contains(.reason), widths[.reason]! - (total() - width) >= 16 {
                widths[.reason]! -= total() - width
            } else if let next = Column.dropOrder.first(where: shown.contains) {
                shown.removeAll { $0 == next }
            } else if shown.contains(.reason), widths[.name]! > 20 {
                widths[.name] = max(20, widths[.name]! - (total() - width))
            } else if shown.contains(.reason) {
                shown.removeAll { $0 == .reason }
            } else {
                widths[.name] = max(8, widths[.name]! - (total() - width))
                break
            }
        }
        func line(_ row: [Column: String]) -> String {
            shown.enumerated().map { index, column in
                let cell = TerminalText.truncated(row[column] ?? "", to: widths[column]!)
                return index == shown.count - 1 ? cell : TerminalText.padded(cell, to: widths[column]!)
            }.joined(separator: "  ")
        }
        let header = Dictionary(uniqueKeysWithValues: shown.map { ($0, $0.header) })
        return [line(header)] + cells.map(line)
    }
}
