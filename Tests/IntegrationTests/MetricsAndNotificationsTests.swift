import AsyncHTTPClient
import CoreMetrics
import Foundation
import Logging
import MRSEmulator
import MRSWatchdog
import MetricsEndpoint
import NIOCore
import NIOHTTP1
import Prometheus
import Synchronization
import Testing

/// What an operator reads and receives: /metrics and /healthz of a running daemon, and the webhook and
/// SMN notifications of its warnings and kills, each received on loopback.
@Suite(.timeLimit(.minutes(2)))
struct MetricsAndNotificationsTests {
    static let rules = """
        [{"name": "etl-1h", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "warn_before": "10m", "mode": "enforce"}]
        """

    @Test func metricsAndHealthzDescribeAScriptedScenario() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            try await EmulatorHarness.run { emulator in
                let cluster = await emulator.addCluster("c-metrics")
                // Ends well inside the verification bound even on a loaded machine: one kill, no re-kill.
                await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.2))
                let overdue = try await emulator.state.addJob(
                    .init(cluster: cluster, name: "etl-overdue", startOffset: "-2h"))
                try await emulator.state.addJob(.init(cluster: cluster, name: "etl-warned", startOffset: "-55m"))
                try await emulator.state.addJob(.init(cluster: cluster, name: "etl-young", startOffset: "-5m"))
                // Times in epoch seconds on another cluster: skipped, never killed, counted by field.
                let odd = await emulator.addCluster("c-metrics-odd")
                try await emulator.state.addJob(
                    .init(cluster: odd, name: "etl-seconds", startOffset: "-2h", timeUnit: "s"))
                let config = try DaemonHarness.config(emulator, clusters: [cluster, odd], rules: Self.rules)
                let port = Port()
                try await DaemonHarness.run(
                    emulator, config: config, extraSinks: [MetricsEventSink()],
                    extraServices: { service in
                        [
                            MetricsServer(
                                registry: registry, heartbeat: service.heartbeat, stallLimit: .seconds(10),
                                address: HostPort("127.0.0.1:0")!,
                                logger: Logger(label: "m", factory: { _ in SwiftLogNoOpLogHandler() }),
                                onListening: { port.set($0) })
                        ]
                    }
                ) { daemon in
                    try await eventually("confirmed") { daemon.events.jobIds(.killConfirmed) == [overdue] }
                    try await eventually("a cycle after the kill") {
                        daemon.events.records(.killConfirmed).count == 1 && daemon.events.cycles >= 3
                    }
                    let base = "http://127.0.0.1:\(try await port.value())"
                    let (status, text) = try await Self.get(emulator.http, base + "/metrics")
                    #expect(status == 200)
                    for line in [
                        #"mrs_watchdog_kills_total{result="requested"} 1"#,
                        #"mrs_watchdog_kills_total{result="confirmed"} 1"#,
                        #"mrs_watchdog_decisions_total{decision="warn",rule="etl-1h"} 1"#,
                        #"mrs_watchdog_decisions_total{decision="kill",rule="etl-1h"} 1"#,
                        #"mrs_watchdog_kills_last_hour{result="requested"} 1.0"#,
                        #"mrs_watchdog_kills_last_hour{result="confirmed"} 1.0"#,
                        #"mrs_watchdog_warnings_last_hour 1.0"#,
                        #"mrs_watchdog_active_jobs{cluster="c-metrics"} 2.0"#,
                        #"mrs_watchdog_breaker_open 0.0"#,
                        #"mrs_watchdog_api_requests_total{call="kill_job",outcome="ok"} 1"#,
                        #"mrs_watchdog_skipped_unknown_total{field="submitted_time"} 1"#,
                    ] {
                        #expect(text.contains(line + "\n"), "missing \(line) in:\n\(text)")
                    }
                    #expect(text.contains(#"mrs_watchdog_polls_total{result="ok"}"#))
                    #expect(text.contains("mrs_watchdog_cycle_duration_seconds_count"))
                    #expect(text.contains("mrs_watchdog_next_deadline_seconds"))
                    #expect(try await Self.get(emulator.http, base + "/healthz").0 == 200)

                    // Every request now hangs (the request timeout is 30 s): the loop stops beating, and healthz
                    // says so 10 s on (stallLimit; room for a loaded machine's pauses before this).
                    var hang = FaultPlan()
                    hang.rateHang = 1
                    await emulator.state.setFaults(hang)
                    try await eventually("healthz turns 503", timeout: .seconds(28)) {
                        try await Self.get(emulator.http, base + "/healthz").0 == 503
                    }
                    await emulator.state.setFaults(FaultPlan())
                }
            }
        }
    }

    @Test func warningsAndKillsReachTheWebhookAndSMNWithValidSignatures() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-notify")
            let overdue = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-overdue", user: "ana", startOffset: "-2h"))
            let warned = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-warned", startOffset: "-55m"))
            let topic = "urn:smn:cn-north-4:\(EmulatorHarness.projectId):mrs-watchdog"
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster], rules: Self.rules,
                more: """
                    "notifications": {"webhook": {"url": "\(emulator.baseURL)/_emulator/webhook"},
                                        "smn": {"topic_urn": "\(topic)", "endpoint": "\(emulator.baseURL)"}}
                    """)
            let client = emulator.client()
            let dispatcher = NotificationDispatcher(
                channels: [
                    WebhookChannel(http: emulator.http, settings: config.notifications.webhook!),
                    SMNChannel(
                        http: emulator.http, settings: config.notifications.smn!, projectId: EmulatorHarness.projectId,
                        credentials: client.credentials,
                        logger: Logger(label: "n", factory: { _ in SwiftLogNoOpLogHandler() })),
                ],
                events: config.notifications.events,
                logger: Logger(label: "n", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await DaemonHarness.run(
                emulator, config: config, extraSinks: [dispatcher], extraServices: { _ in [dispatcher] }
            ) { _ in
                try await eventually("two webhook bodies and two SMN messages") {
                    let hooks = await emulator.state.webhookBodies.count
                    let published = await emulator.state.published.count
                    return hooks >= 2 && published >= 2
                }
            }
            let bodies = try await emulator.state.webhookBodies.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            let kill = try #require(bodies.first { $0["event"] as? String == "kill" })
            #expect(kill["job_id"] as? String == overdue)
            #expect(kill["user"] as? String == "ana")
            #expect(kill["rule"] as? String == "etl-1h")
            #expect(kill["limit_sec"] as? Int == 3600)
            let warning = try #require(bodies.first { $0["event"] as? String == "warn" })
            #expect(warning["job_id"] as? String == warned)
            // The emulator records a publish only when its AK/SK signature verifies.
            let published = await emulator.state.published
            #expect(published.allSatisfy { $0.topicURN == topic })
            #expect(
                published.contains {
                    $0.subject == "mrs-watchdog: kill etl-overdue on \(cluster)" && $0.message.contains(overdue)
                })
            #expect(published.contains { $0.subject?.hasPrefix("mrs-watchdog: warn etl-warned") == true })
        }
    }

    @Test func aHangingWebhookNeverDelaysAKill() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-slow-hook")
            // The first job's warning goes to a receiver that never answers.
            try await emulator.state.addJob(.init(cluster: cluster, name: "etl-warned", startOffset: "-55m"))
            var hang = FaultPlan()
            hang.rateHang = 1
            hang.paths = ["/hook"]
            await emulator.state.setFaults(hang)
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster], rules: Self.rules,
                more: #""notifications": {"webhook": {"url": "\#(emulator.baseURL)/hook", "timeout": "60s"}}"#)
            let dispatcher = NotificationDispatcher(
                channels: [WebhookChannel(http: emulator.http, settings: config.notifications.webhook!)],
                events: config.notifications.events,
                logger: Logger(label: "n", factory: { _ in SwiftLogNoOpLogHandler() }))
            try await DaemonHarness.run(
                emulator, config: config, extraSinks: [dispatcher], extraServices: { _ in [dispatcher] }
            ) { daemon in
                try await eventually("warned") { !daemon.events.records(.warn).isEmpty }
                let overdue = try await emulator.state.addJob(
                    .init(cluster: cluster, name: "etl-overdue", startOffset: "-2h"))
                let added = ContinuousClock.now
                try await eventually("killed while the webhook hangs", timeout: .seconds(40)) {
                    await emulator.state.kills().contains { $0.jobId == overdue }
                }
                // Found by the next 1 s poll and killed at once, not after the webhook's 60 s timeout (a margin
                // for a loaded machine, far short of it).
                #expect(ContinuousClock.now - added < .seconds(30))
            }
        }
    }

    /// Discovery by tags lets the endpoint say which clusters are watched: a cluster that leaves the watched
    /// set loses its `mrs_watchdog_active_jobs` series, so an endpoint listing new ids every time cannot
    /// grow the registry without end.
    @Test func aClusterNoLongerWatchedLosesItsActiveJobsSeries() async throws {
        let registry = PrometheusCollectorRegistry()
        await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            let sink = MetricsEventSink()
            func cycle(_ clusters: [String]) -> DaemonEvent {
                .cycle(
                    CycleReport(
                        at: 1_800_000_000_000, decisions: [],
                        activeJobs: Dictionary(uniqueKeysWithValues: clusters.map { ($0, 1) }),
                        kinds: [:], clusters: clusters, failures: [:], duration: .seconds(1), breakerOpen: false,
                        nextDeadline: nil))
            }
            for round in 0..<50 { sink.emit(cycle(["c-kept", "c-listed-\(round)"])) }
            let text = registry.emitToString()
            let series = text.split(separator: "\n").filter { $0.hasPrefix("mrs_watchdog_active_jobs{") }
            #expect(
                series.sorted() == [
                    #"mrs_watchdog_active_jobs{cluster="c-kept"} 1.0"#,
                    #"mrs_watchdog_active_jobs{cluster="c-listed-49"} 1.0"#,
                ], "\(series)")
        }
    }

    static func get(_ http: HTTPClient, _ url: String) async throws -> (UInt, String) {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: body))
    }
}

/// The port a server reports once it listens.
final class Port: Sendable {
    private let port = Mutex<Int?>(nil)
    func set(_ value: Int) { port.withLock { $0 = value } }
    func value() async throws -> Int {
        for _ in 0..<200 {
            if let value = port.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ChildProcessError(description: "the server never reported its port")
    }
}
