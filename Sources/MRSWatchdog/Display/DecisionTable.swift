/// Renders decisions as the `explain` / `plan` table, and as JSON objects for `--json`.
public enum DecisionTable {
    public static func render(_ decisions: [Decision]) -> String {
        var table = TextTable(header: [
            "DECISION", "CLUSTER", "JOB ID", "NAME", "RULE", "ELAPSED/LIMIT", "DEADLINE", "REASON",
        ])
        for decision in decisions {
            table.add([
                decision.kind.rawValue, decision.clusterId, decision.job.jobId, decision.job.jobName ?? "-",
                decision.rule ?? "-", elapsedOverLimit(decision), deadline(decision), decision.reason,
            ])
        }
        return table.render()
    }

    /// `1h52m2s/2h`: the measured time (whole seconds) over the deciding limit; `-` for what is unknown.
    public static func elapsedOverLimit(_ decision: Decision) -> String {
        let elapsed = decision.elapsedMillis.map { DurationText.format(millis: $0 / 1000 * 1000) } ?? "-"
        let limit = decision.limitMillis.map { DurationText.format(millis: $0) } ?? "-"
        return "\(elapsed)/\(limit)"
    }

    /// The deadline in RFC 3339, or `-`.
    public static func deadline(_ decision: Decision) -> String {
        decision.deadline.map { RFC3339.format(epochMillis: $0) } ?? "-"
    }

    /// A summary line such as `12 jobs: 2 kill, 1 warn, 9 ok`.
    public static func summary(_ decisions: [Decision]) -> String {
        var counts: [Decision.Kind: Int] = [:]
        for decision in decisions { counts[decision.kind, default: 0] += 1 }
        let parts = Decision.Kind.allCases.compactMap { kind in counts[kind].map { "\($0) \(kind.rawValue)" } }
        return "\(decisions.count) jobs: " + (parts.isEmpty ? "none" : parts.joined(separator: ", "))
    }

    /// One JSON object per decision (keys sorted, stable), for scripts.
    public static func json(_ decisions: [Decision]) -> String {
        let rows = decisions.map { decision -> String in
            var fields: [(String, String)] = [
                ("decision", JSONText.quoted(decision.kind.rawValue)),
                ("cluster_id", JSONText.quoted(decision.clusterId)),
                ("job_id", JSONText.quoted(decision.job.jobId)), ("reason", JSONText.quoted(decision.reason)),
            ]
            if let name = decision.job.jobName { fields.append(("job_name", JSONText.quoted(name))) }
            if let rule = decision.rule { fields.append(("rule", JSONText.quoted(rule))) }
            if let field = decision.unknownField { fields.append(("unknown_field", JSONText.quoted(field))) }
            if let elapsed = decision.elapsedMillis { fields.append(("elapsed_sec", String(elapsed / 1000))) }
            if let limit = decision.limitMillis { fields.append(("limit_sec", String(limit / 1000))) }
            if let deadline = decision.deadline {
                fields.append(("deadline", JSONText.quoted(RFC3339.format(epochMillis: deadline))))
            }
            if let applied = decision.extension {
                fields.append(("extension", extensionObject(applied)))
            }
            fields.append(
                ("rules_matched", "[" + decision.matches.map { JSONText.quoted($0.rule) }.joined(separator: ",") + "]"))
            return JSONText.object(fields)
        }
        return "[\n" + rows.joined(separator: ",\n") + "\n]"
    }

    /// `{"by": "ana", "deadline": "…", "outcome": "capped", "reason": "…", "until": "…"}`: `until` as asked,
    /// `deadline` as the rule grants it.
    static func extensionObject(_ applied: AppliedExtension) -> String {
        let outcome =
            switch applied.outcome {
            case .granted: "granted"
            case .capped: "capped"
            case .refused: "refused"
            case .notLater: "not-later"
            }
        return JSONText.object([
            ("by", JSONText.quoted(applied.grant.grantedBy)), ("reason", JSONText.quoted(applied.grant.reason)),
            ("until", JSONText.quoted(RFC3339.format(epochMillis: applied.grant.untilMillis))),
            ("deadline", JSONText.quoted(RFC3339.format(epochMillis: applied.deadline))),
            ("outcome", JSONText.quoted(outcome)),
        ])
    }
}
