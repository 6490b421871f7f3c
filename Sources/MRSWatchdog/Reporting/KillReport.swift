/// What was stopped over a span, from the decision history in the state database (`mrs-watchdog report`):
/// per rule, user or cluster, the kills (first requests accepted), confirmed kills, unkillable jobs,
/// warnings, extensions and kill loops, with the runtime the killed jobs had at the kill and how far over their limits
/// they were. Measured figures only: no guess at what a kill saved.
public struct KillReport: Sendable, Hashable {
    public enum Grouping: String, Sendable, Hashable, CaseIterable {
        case rule, user, cluster
    }

    public struct Row: Sendable, Hashable {
        public var group: String
        public var kills = 0
        public var confirmed = 0
        public var unkillable = 0
        public var warnings = 0
        public var killLoops = 0
        /// Extensions that moved a deadline (one per extension file and job).
        public var extensions = 0
        /// Sum of the killed jobs' runtime (or queue time) at the kill, ms.
        public var runtimeAtKillMillis: Int64 = 0
        /// Sum of the time past their limits at the kill, ms (kills without a time limit add nothing).
        public var overLimitMillis: Int64 = 0

        public init(group: String) { self.group = group }

        mutating func add(_ other: Row) {
            kills += other.kills
            confirmed += other.confirmed
            unkillable += other.unkillable
            warnings += other.warnings
            killLoops += other.killLoops
            extensions += other.extensions
            runtimeAtKillMillis += other.runtimeAtKillMillis
            overLimitMillis += other.overLimitMillis
        }
    }

    public let grouping: Grouping
    /// By group name.
    public let rows: [Row]
    public let total: Row

    /// - Parameter history: oldest first, as `StateStore.history(since:)` gives it.
    public init(history: [HistoryEntry], by grouping: Grouping) {
        self.grouping = grouping
        // A confirmation is recorded from the kill record, which may lack the user: a job keeps the group of
        // its first decision.
        var groupOf: [String: String] = [:]
        func key(_ entry: HistoryEntry) -> String { entry.clusterId + "/" + entry.jobId }
        for entry in history where groupOf[key(entry)] == nil {
            let value: String? =
                switch grouping {
                case .rule: entry.rule
                case .user: entry.user
                case .cluster: entry.clusterId
                }
            if let value { groupOf[key(entry)] = value }
        }
        var rows: [String: Row] = [:]
        for entry in history {
            let group = groupOf[key(entry)] ?? "(unknown)"
            var row = rows[group] ?? Row(group: group)
            switch entry.action {
            case .kill:
                row.kills += 1
                row.runtimeAtKillMillis += entry.elapsedMillis ?? 0
                if let elapsed = entry.elapsedMillis, let limit = entry.limitMillis {
                    row.overLimitMillis += max(0, elapsed - limit)
                }
            case .killConfirmed: row.confirmed += 1
            case .unkillable: row.unkillable += 1
            case .warn: row.warnings += 1
            case .killLoop: row.killLoops += 1
            case .extended: row.extensions += 1
            default: continue
            }
            rows[group] = row
        }
        self.rows = rows.values.sorted { $0.group < $1.group }
        var total = Row(group: "total")
        for row in self.rows { total.add(row) }
        self.total = total
    }

    /// One line per group and a total line.
    public func table() -> String {
        var table = TextTable(header: [
            grouping.rawValue.uppercased(), "KILLS", "CONFIRMED", "UNKILLABLE", "WARNINGS", "EXTENSIONS",
            "KILL LOOPS", "RUNTIME AT KILL", "OVER LIMIT",
        ])
        for row in rows + [total] {
            table.add([
                row.group, String(row.kills), String(row.confirmed), String(row.unkillable), String(row.warnings),
                String(row.extensions), String(row.killLoops),
                DurationText.format(millis: row.runtimeAtKillMillis / 1000 * 1000),
                DurationText.format(millis: row.overLimitMillis / 1000 * 1000),
            ])
        }
        return table.render()
    }

    /// `{"by": …, "rows": [{…}], "total": {…}}`, keys sorted, seconds for times.
    public func json() -> String {
        func object(_ row: Row) -> String {
            JSONText.object([
                ("group", JSONText.quoted(row.group)), ("kills", String(row.kills)),
                ("confirmed", String(row.confirmed)), ("unkillable", String(row.unkillable)),
                ("warnings", String(row.warnings)), ("kill_loops", String(row.killLoops)),
                ("extensions", String(row.extensions)),
                ("runtime_at_kill_sec", String(row.runtimeAtKillMillis / 1000)),
                ("over_limit_sec", String(row.overLimitMillis / 1000)),
            ])
        }
        return JSONText.object([
            ("by", JSONText.quoted(grouping.rawValue)),
            ("rows", "[" + rows.map(object).joined(separator: ",") + "]"), ("total", object(total)),
        ])
    }
}

extension KillReport {
    /// The daemon's summary (once a day) of what `history` says was stopped between two server times (ms),
    /// as one notice for the journal.
    public static func summary(
        _ history: [HistoryEntry], sinceMillis since: Int64, untilMillis until: Int64
    )
        -> WatchdogNotice
    {
        let total = KillReport(history: history, by: .rule).total
        let tally = DecisionTally(
            killed: total.kills, confirmed: total.confirmed, warned: total.warnings, unkillable: total.unkillable)
        return .summary(
            tally, killLoops: total.killLoops, runtimeAtKillMillis: total.runtimeAtKillMillis,
            overLimitMillis: total.overLimitMillis, spanMillis: (until - since) / 1000 * 1000)
    }
}
