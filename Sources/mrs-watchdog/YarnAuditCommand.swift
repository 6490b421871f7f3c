import ArgumentParser
import AsyncHTTPClient
import MRSWatchdog

extension WatchdogCommand {
    struct YarnAuditCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "yarn-audit",
            abstract: "Read-only: what YARN runs that MRS job management does not show, and what the rules would say.",
            discussion: """
                For each cluster in the config's yarn section: lists the RUNNING and ACCEPTED applications of its \
                active ResourceManager and the cluster's active job executions in MRS, and shows the applications \
                no job execution names (by app_id or launcher_id) — spark-submit on a node, Hive from Hue or \
                beeline, Flink CLI jobs — with the verdict the rules would give them. Nothing is killed.
                """)

        @OptionGroup var options: ConfigOptions

        @Flag(help: "Print JSON instead of tables.")
        var json = false

        struct ClusterAudit: Sendable {
            var audit: YarnAudit
            var resourceManager: String
            var cutOff: Bool
        }

        func run() async throws {
            let config = try options.load()
            guard !config.yarn.clusters.isEmpty else {
                throw CommandFailure(
                    "the config has no yarn section: name each cluster's ResourceManagers under yarn.clusters")
            }
            let clock = ServerClock()
            let (audits, failures) = try await CommandErrors.reporting {
                try await APISession.withClients(config, serverClock: clock) { client, direct in
                    try await Self.audit(config, client: client, http: direct, clock: clock)
                }
            }
            if json {
                Console.out(Self.json(audits, failures: failures))
            } else {
                Console.out(Self.text(audits))
            }
            for (cluster, failure) in failures.sorted(by: { $0.key < $1.key }) {
                Console.err("cluster \(cluster) could not be audited: \(SafeText.line(failure))")
            }
            if !failures.isEmpty { throw ExitCode(1) }
        }

        /// Lists each cluster's jobs in MRS and its applications in YARN, side by side, and joins them. A cluster
        /// whose MRS listing fails is not audited: every application would look untracked.
        static func audit(
            _ config: WatchdogConfig, client: MRSHTTPClient, http: HTTPClient, clock: ServerClock
        ) async throws -> ([ClusterAudit], [String: String]) {
            let listed = try await client.listClusters()
            let clusters = config.yarn.clusters.map { source in
                listed.clusters.first { $0.clusterId == source.clusterId }
                    ?? Cluster(clusterId: source.clusterId, tags: nil)
            }
            async let jobs = ClusterPoller(api: client, config: config).poll(clusters: clusters)
            let apps = await withTaskGroup(
                of: (String, Result<(String, YarnAppList, Bool), ResourceManagerClient.Failure>).self
            ) {
                group in
                for source in config.yarn.clusters {
                    let reader = ResourceManagerClient(http: http, source: source, settings: config.yarn)
                    group.addTask {
                        do throws(ResourceManagerClient.Failure) {
                            let answer = try await reader.runningApps()
                            return (source.clusterId, .success((answer.resourceManager, answer.list, answer.cutOff)))
                        } catch {
                            return (source.clusterId, .failure(error))
                        }
                    }
                }
                var answers: [String: Result<(String, YarnAppList, Bool), ResourceManagerClient.Failure>] = [:]
                for await (cluster, answer) in group { answers[cluster] = answer }
                return answers
            }
            let listedJobs = await jobs
            let now = clock.now()
            var extensions = ExtensionDirectory(path: config.extensionsDirectory)
            let evaluator = Evaluator(config: config, extensions: extensions.scan().active(now: now))
            var audits: [ClusterAudit] = []
            var failures: [String: String] = [:]
            for cluster in clusters {
                let id = cluster.clusterId
                if let failure = listedJobs.failures[id] {
                    failures[id] = "MRS job list: \(failure)"
                    continue
                }
                switch apps[id] {
                case .success(let (manager, list, cutOff)):
                    let audit = YarnAudit.audit(
                        clusterId: id, clusterTags: cluster.tags, apps: list,
                        jobs: listedJobs.digests[id]?.jobs ?? [], evaluator: evaluator, now: now)
                    audits.append(ClusterAudit(audit: audit, resourceManager: manager, cutOff: cutOff))
                case .failure(let failure):
                    failures[id] = "YARN: \(failure)"
                case nil:
                    failures[id] = "YARN: no answer"
                }
            }
            return (audits, failures)
        }

        /// What the rules would do: `kill: over dev-spark-2h by 1h12m`, `ok`, `skipped-unknown: job_type …`.
        static func verdict(_ decision: Decision) -> String {
            if let rule = decision.rule, let elapsed = decision.elapsedMillis, let limit = decision.limitMillis,
                elapsed >= limit
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

        static func text(_ audits: [ClusterAudit]) -> String {
            var out: [String] = []
            var (listed, seen) = (0, 0)
            for entry in audits {
                let audit = entry.audit
                listed += audit.listed
                seen += audit.tracked
                out.append(
                    "cluster \(audit.clusterId): YARN runs \(audit.listed) apps, mrs-watchdog sees \(audit.tracked) of them (ResourceManager \(SafeText.line(entry.resourceManager)))"
                )
                if !audit.untracked.isEmpty {
                    var table = TextTable(header: [
                        "APP ID", "USER", "QUEUE", "TYPE", "NAME", "RUNNING FOR", "TAGS", "THE RULES WOULD",
                    ])
                    for untracked in audit.untracked {
                        let app = untracked.app
                        table.add([
                            app.id, app.user ?? "-", app.queue ?? "-", app.applicationType ?? "-", app.name ?? "-",
                            app.elapsedTime.map { DurationText.format(millis: $0 / 1000 * 1000) } ?? "?",
                            app.tags.joined(separator: ","), verdict(untracked.decision),
                        ])
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
            out.append("YARN runs \(listed) apps, mrs-watchdog sees \(seen) of them")
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
                    ("cut_off", String(entry.cutOff)), ("untracked", "[" + untracked.joined(separator: ",") + "]"),
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
