import ArgumentParser
import MRSWatchdog

extension WatchdogCommand {
    struct YarnAuditCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "yarn-audit",
            abstract: "Read-only: what YARN runs that MRS job management does not show, and what the rules would say.",
            discussion: """
                For each cluster in the config's yarn section: lists the RUNNING and ACCEPTED applications of its \
                active ResourceManager and the cluster's job executions in MRS submitted since an hour before the \
                earliest of them, in any state, and shows the applications no job execution names (by app_id or \
                launcher_id) — spark-submit on a node, Hive from Hue or beeline, Flink CLI jobs — with the verdict \
                the rules would give them. Nothing is killed. ResourceManagers are reached directly, not through \
                http(s)_proxy.
                """)

        @OptionGroup var options: ConfigOptions

        @Flag(help: "Print JSON instead of tables.")
        var json = false

        typealias ClusterAudit = YarnAuditor.ClusterAudit

        func run() async throws {
            let config = try options.load()
            guard !config.yarn.clusters.isEmpty else {
                throw CommandFailure(
                    "the config has no yarn section: name each cluster's ResourceManagers under yarn.clusters")
            }
            let clock = ServerClock()
            let report = try await CommandErrors.reporting {
                try await APISession.withClients(config, serverClock: clock) { client, direct in
                    try await YarnAuditor(config: config, mrs: client, http: direct).run(now: clock.now)
                }
            }
            Console.out(
                json
                    ? Self.json(report.clusters, failures: report.failures)
                    : Self.text(report.clusters, failed: report.failures.count))
            for (cluster, failure) in report.failures.sorted(by: { $0.key < $1.key }) {
                Console.err("cluster \(cluster) could not be audited: \(SafeText.line(failure, maxBytes: 512))")
            }
            if !report.failures.isEmpty { throw ExitCode(1) }
        }

        /// What the rules would do: `kill: over dev-spark-2h by 1h12m`, `ok`, `skipped-unknown: job_type …`.
        static func verdict(_ decision: Decision) -> String {
            if [.kill, .wouldKill, .warn].contains(decision.kind), let rule = decision.rule,
                let elapsed = decision.elapsedMillis, let limit = decision.limitMillis, elapsed >= limit
            {
                return
                    "\(decision.kind.rawValue): over \(rule) by \(DurationText.format(millis: (elapsed - limit) / 1000 * 1000))"
            }
            if decision.kind == .skippedUnknown, let field = decision.unknownField {
                // The evaluator speaks of MRS's fields; here the fact is missing from YARN's list.
                return "\(decision.kind.rawValue): a rule needs \(field), which YARN's list does not tell"
            }
            return decision.kind == .ok ? "ok" : "\(decision.kind.rawValue): \(decision.reason)"
        }

        /// Hostile text (names, users, tags) is cut to this many bytes per cell: one huge name must not widen
        /// every row of the table.
        static let cellBytes = 128

        static func text(_ audits: [ClusterAudit], failed: Int) -> String {
            var out: [String] = []
            var (listed, seen) = (0, 0)
            for entry in audits {
                let audit = entry.audit
                listed += audit.listed
                seen += entry.seen
                out.append(
                    "cluster \(audit.clusterId): YARN runs \(audit.listed) apps, mrs-watchdog sees \(entry.seen) of them"
                        + (entry.watched ? "" : " (the config does not watch this cluster)")
                        + " (ResourceManager \(SafeText.line(entry.resourceManager, maxBytes: 256)))")
                if !audit.untracked.isEmpty {
                    var table = TextTable(header: [
                        "APP ID", "USER", "QUEUE", "TYPE", "NAME", "RUNNING FOR", "TAGS", "THE RULES WOULD",
                    ])
                    for untracked in audit.untracked {
                        let app = untracked.app
                        let cells = [
                            app.id, app.user ?? "-", app.queue ?? "-", app.applicationType ?? "-", app.name ?? "-",
                            app.elapsedTime.map { DurationText.format(millis: $0 / 1000 * 1000) } ?? "?",
                            app.tags.joined(separator: ","), verdict(untracked.decision),
                        ]
                        table.add(cells.map { SafeText.line($0, maxBytes: cellBytes) })
                    }
                    out.append(table.render())
                }
                if audit.malformed > 0 {
                    out.append(
                        audit.malformed == 1
                            ? "  1 application entry could not be read and was skipped"
                            : "  \(audit.malformed) application entries could not be read and were skipped")
                }
                if entry.cutOff {
                    out.append("  the list reached yarn.max_apps: YARN may run more applications than shown")
                }
            }
            if audits.isEmpty {
                out.append("no cluster could be audited")
            } else {
                let of = failed == 0 ? "" : " (\(audits.count) of \(audits.count + failed) clusters audited)"
                out.append("YARN runs \(listed) apps, mrs-watchdog sees \(seen) of them\(of)")
            }
            return out.joined(separator: "\n")
        }

        static func json(_ audits: [ClusterAudit], failures: [String: String]) -> String {
            let clusters = audits.map { entry -> String in
                let audit = entry.audit
                let untracked = audit.untracked.map { item -> String in
                    let app = item.app
                    var fields: [(String, String)] = [
                        ("id", JSONText.quoted(app.id)), ("verdict", JSONText.quoted(item.decision.kind.rawValue)),
                        ("reason", JSONText.quoted(item.decision.reason)),
                        ("tags", "[" + app.tags.map(JSONText.quoted).joined(separator: ",") + "]"),
                    ]
                    for (key, value) in [
                        ("user", app.user), ("queue", app.queue), ("name", app.name), ("type", app.applicationType),
                        ("state", app.state), ("rule", item.decision.rule),
                    ] {
                        if let value { fields.append((key, JSONText.quoted(value))) }
                    }
                    if let elapsed = app.elapsedTime { fields.append(("elapsed_ms", String(elapsed))) }
                    return JSONText.object(fields)
                }
                return JSONText.object([
                    ("cluster_id", JSONText.quoted(audit.clusterId)),
                    ("resource_manager", JSONText.quoted(entry.resourceManager)), ("listed", String(audit.listed)),
                    ("tracked", String(audit.tracked)), ("malformed", String(audit.malformed)),
                    ("cut_off", String(entry.cutOff)), ("watched", String(entry.watched)),
                    ("seen", String(entry.seen)), ("untracked", "[" + untracked.joined(separator: ",") + "]"),
                ])
            }
            let failed = failures.sorted { $0.key < $1.key }.map {
                (JSONText.quoted($0.key), JSONText.quoted($0.value))
            }
            return JSONText.object([
                ("clusters", "[" + clusters.joined(separator: ",") + "]"),
                ("failures", "{" + failed.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"),
            ])
        }
    }
}
