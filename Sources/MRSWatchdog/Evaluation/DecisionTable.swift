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
                ("decision", quote(decision.kind.rawValue)), ("cluster_id", quote(decision.clusterId)),
                ("job_id", quote(decision.job.jobId)), ("reason", quote(decision.reason)),
            ]
            if let name = decision.job.jobName { fields.append(("job_name", quote(name))) }
            if let rule = decision.rule { fields.append(("rule", quote(rule))) }
            if let field = decision.unknownField { fields.append(("unknown_field", quote(field))) }
            if let elapsed = decision.elapsedMillis { fields.append(("elapsed_sec", String(elapsed / 1000))) }
            if let limit = decision.limitMillis { fields.append(("limit_sec", String(limit / 1000))) }
            if let deadline = decision.deadline {
                fields.append(("deadline", quote(RFC3339.format(epochMillis: deadline))))
            }
            fields.append(("rules_matched", "[" + decision.matches.map { quote($0.rule) }.joined(separator: ",") + "]"))
            return object(fields)
        }
        return "[\n" + rows.joined(separator: ",\n") + "\n]"
    }

    /// A one-line JSON object with sorted keys; values are already JSON text.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.sorted { $0.0 < $1.0 }.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal.
    public static func quoted(_ text: String) -> String { quote(text) }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
