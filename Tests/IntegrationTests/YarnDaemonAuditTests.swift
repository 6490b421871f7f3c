import AsyncHTTPClient
import CoreMetrics
import Foundation
import MRSEmulator
import MRSWatchdog
import Prometheus
import Synchronization
import Testing

/// `yarn.audit_in_daemon`: the YARN audit beside the daemon, against the emulator's ResourceManagers.
@Suite(.timeLimit(.minutes(1)))
struct YarnDaemonAuditTests {
    /// A config watching `c-dev` whose `yarn` section names `managers` (2 s request timeout unless told).
    static func config(
        _ emulator: EmulatorHarness, managers: [String], inDaemon: Bool = true, requestTimeout: String = "2s"
    ) throws -> WatchdogConfig {
        let urls = managers.map { "\"\($0)\"" }.joined(separator: ", ")
        return try DaemonHarness.config(
            emulator, clusters: ["c-dev"], rules: YarnAuditEmulatorTests.rules,
            more: #"""
                "yarn": {"audit_in_daemon": \#(inDaemon), "request_timeout": "\#(requestTimeout)",
                         "clusters": [{"cluster_id": "c-dev", "resource_managers": [\#(urls)]}]}
                """#)
    }

    /// The service the daemon runs, over the emulator, a round every `interval` (not `discovery_interval`).
    static func service(
        _ emulator: EmulatorHarness, config: WatchdogConfig, sink: any DaemonEventSink,
        interval: Duration = .milliseconds(300)
    ) -> YarnAuditService {
        YarnAuditService(
            config: config, mrsHTTP: HTTPClient.Configuration(), sink: sink, now: { HostClock.nowMillis() },
            sleep: { _ in try await Task.sleep(for: interval) }
        ) { config, http in
            YarnAuditor(config: config, mrs: emulator.client(http: http), http: emulator.http)
        }
    }

    static func rounds(_ sink: RecordingSink) -> [YarnAuditRound] {
        sink.events.compactMap { event in
            if case .yarnAudited(let round) = event { return round }
            return nil
        }
    }

    /// Tracked (an MRS job's launcher and app), untracked (a spark-shell over the Spark rule's limit, a Hive
    /// query YARN has not started), a standby ResourceManager asked first and two malformed entries: every
    /// round counts exactly the two untracked apps, the spark-shell is reported in the first round only, the
    /// metrics say the same, and nothing is killed.
    @Test func theDaemonReportsExactlyTheUntrackedAppsAndEachOnce() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            try await EmulatorHarness.run { emulator in
                await emulator.addCluster("c-dev", tags: ["env": "dev"])
                try await emulator.state.addJob(
                    .init(cluster: "c-dev", name: "etl-nightly", type: "SparkSubmit", startOffset: "-10m"))
                let scenario = #"""
                    {"clusters": [], "jobs": [], "yarn": {"standby": "rm1", "malformed_apps": 2, "apps": [
                      {"cluster": "c-dev", "name": "spark-shell", "user": "alice", "queue": "adhoc", "type": "SPARK",
                       "start_offset": "-3h"},
                      {"cluster": "c-dev", "name": "INSERT INTO t", "user": "hive", "type": "TEZ", "start_offset": "-10m",
                       "state": "ACCEPTED"}]}}
                    """#
                try await emulator.state.load(try Scenario.decode(Array(scenario.utf8)))
                let base = "\(emulator.baseURL)/yarn/c-dev"
                let config = try Self.config(emulator, managers: ["\(base)/rm1", "\(base)/rm2"])
                let reported = RecordingSink()
                let audit = Self.service(
                    emulator, config: config, sink: FanOutEventSink([reported, MetricsEventSink()]))
                try await DaemonHarness.run(
                    emulator, config: config, extraSinks: [audit], extraServices: { _ in [audit] }
                ) { daemon in
                    try await eventually("three audit rounds") { Self.rounds(reported).count >= 3 }
                    let rounds = Self.rounds(reported)
                    for round in rounds {
                        #expect(round.failures.isEmpty)
                        #expect(
                            round.clusters == [
                                .init(
                                    clusterId: "c-dev", tracked: 2, untracked: 2, seen: 2,
                                    untrackedRunningOver: [1, 0, 0],
                                    malformed: 2)
                            ])
                    }
                    #expect(rounds[0].newFindings.map(\.app.name) == ["spark-shell"])
                    #expect(rounds[0].newFindings.first?.decision.rule == "spark-2h")
                    #expect(rounds.dropFirst().allSatisfy { $0.newFindings.isEmpty }, "reported once, not every round")
                    #expect(rounds[0].statusText == "YARN: mrs-watchdog sees 2 of 4 apps")
                    #expect(await emulator.state.kills().isEmpty, "the audit never kills")
                    #expect(daemon.events.records(.kill).isEmpty)
                }
                let scrape = registry.emitToString().split(separator: "\n")
                for series in [
                    #"mrs_watchdog_yarn_apps{cluster="c-dev",tracked="true"} 2"#,
                    #"mrs_watchdog_yarn_apps{cluster="c-dev",tracked="false"} 2"#,
                    #"mrs_watchdog_yarn_untracked_apps_running_over{cluster="c-dev",over="1h"} 1"#,
                    #"mrs_watchdog_yarn_untracked_apps_running_over{cluster="c-dev",over="24h"} 0"#,
                ] {
                    #expect(scrape.contains { $0 == series || $0 == series + ".0" }, "\(series) in \(scrape)")
                }
            }
        }
    }

    /// Both ResourceManagers take the request and never answer (for up to the 5 minute request timeout):
    /// the audit waits, the daemon does not. A job found overdue meanwhile is killed at once.
    @Test func aHangingResourceManagerNeverDelaysAKill() async throws {
        try await EmulatorHarness.run { emulator in
            await emulator.addCluster("c-dev", tags: ["env": "dev"])
            let silent = try HostilePeer(.silent)
            defer { silent.stop() }
            let manager = "http://127.0.0.1:\(silent.port)"
            let config = try Self.config(emulator, managers: [manager, manager + "/rm2"], requestTimeout: "5m")
            let reported = RecordingSink()
            let audit = Self.service(emulator, config: config, sink: reported)
            try await DaemonHarness.run(emulator, config: config, extraSinks: [audit], extraServices: { _ in [audit] })
            {
                daemon in
                try await eventually("the audit is waiting for a ResourceManager") { !silent.requestLines.isEmpty }
                let overdue = try await emulator.state.addJob(
                    .init(cluster: "c-dev", name: "etl-overdue", type: "SparkSubmit", startOffset: "-3h"))
                try await eventually("killed while the audit hangs", timeout: .seconds(30)) {
                    await emulator.state.kills().contains { $0.jobId == overdue }
                }
                #expect(Self.rounds(reported).isEmpty, "the audit was still waiting when the kill went")
            }
        }
    }

    /// Off at start, on after a reload: the first round follows the reload, not the next interval.
    @Test func aReloadTurnsTheAuditOnWithoutARestart() async throws {
        try await EmulatorHarness.run { emulator in
            await emulator.addCluster("c-dev", tags: ["env": "dev"])
            let base = "\(emulator.baseURL)/yarn/c-dev"
            let managers = ["\(base)/rm1", "\(base)/rm2"]
            let reported = RecordingSink()
            let audit = Self.service(
                emulator, config: try Self.config(emulator, managers: managers, inDaemon: false), sink: reported,
                interval: .seconds(3600))
            let running = Task { try await audit.run() }
            defer { running.cancel() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.rounds(reported).isEmpty, "off: nothing is read")
            audit.emit(.configApplied(try Self.config(emulator, managers: managers)))
            try await eventually("a round after the reload") { !Self.rounds(reported).isEmpty }
            #expect(Self.rounds(reported).first?.clusters.map(\.clusterId) == ["c-dev"])

            // Off again: one empty round withdraws the figures, then nothing more is read.
            audit.emit(.configApplied(try Self.config(emulator, managers: managers, inDaemon: false)))
            try await eventually("an empty round after turning it off") {
                Self.rounds(reported).last.map { $0.clusters.isEmpty && $0.failures.isEmpty } ?? false
            }
            #expect(Self.rounds(reported).last?.statusText == "")
            let withdrawn = Self.rounds(reported).count
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.rounds(reported).count == withdrawn, "off: no round after the empty one")
        }
    }

    /// A cluster not audited this round (its ResourceManagers failed, or the audit was turned off) has no
    /// series: an unknown figure must not read as the last one. Failures are counted per cluster.
    @Test func figuresOfAClusterNotAuditedAreWithdrawn() {
        let registry = PrometheusCollectorRegistry()
        withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            let sink = MetricsEventSink()
            func figures(_ cluster: String) -> YarnAuditRound.ClusterFigures {
                .init(
                    clusterId: cluster, tracked: 3, untracked: 1, seen: 3, untrackedRunningOver: [1, 1, 0], malformed: 0
                )
            }
            func series() -> [String] {
                registry.emitToString().split(separator: "\n").map(String.init).filter {
                    $0.hasPrefix("mrs_watchdog_yarn_") && !$0.hasPrefix("mrs_watchdog_yarn_audit_failures_total")
                }.sorted()
            }
            sink.emit(.yarnAudited(YarnAuditRound(clusters: [figures("c1"), figures("c2")])))
            #expect(series().count == 10, "\(series())")
            sink.emit(.yarnAudited(YarnAuditRound(clusters: [figures("c2")], failures: ["c1": "YARN: timeout"])))
            #expect(series().allSatisfy { $0.contains(#"cluster="c2""#) } && series().count == 5, "\(series())")
            #expect(
                registry.emitToString().contains(#"mrs_watchdog_yarn_audit_failures_total{cluster="c1"} 1"#),
                "\(registry.emitToString())")
            sink.emit(.yarnAudited(YarnAuditRound()))
            #expect(series().isEmpty, "turned off: \(series())")
        }
    }
}
