import Foundation
import MRSEmulator
import MRSWatchdog
import Testing

/// The policy features whose facts come over the wire, end to end: the daemon against the emulator, over
/// loopback. Windows and caps, decided from facts the tests give directly, are proved on the state machine
/// (`EnforcementWindowTests`, `ConcurrencyCapTests`).
@Suite(.timeLimit(.minutes(2)))
struct PolicyEmulatorTests {
    @Test func aJobThatDeclaresAShorterLimitIsKilledAtItAndTheOthersAreNot() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-declared")
            let declared = try await emulator.state.addJob(
                .init(
                    cluster: cluster, name: "etl-declares", startOffset: "-3m", queued: "0s",
                    properties: "{watchdog.max_runtime=2m, spark.executor.memory=4g}"))
            let plain = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-plain", startOffset: "-3m", queued: "0s"))
            let unreadable = try await emulator.state.addJob(
                .init(
                    cluster: cluster, name: "etl-unreadable", startOffset: "-3m", queued: "0s",
                    arguments: "[--conf, spark.application.timeout.alarm=120]"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "etl-1h", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "mode": "enforce",
                      "declared_limit": {"keys": ["watchdog.max_runtime", "spark.application.timeout.alarm"],
                                         "min": "1m"}}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("the declaring job is killed", transcript: { daemon.events.transcript }) {
                    await daemon.acceptedKills() == [declared]
                }
                try await eventually("and recorded") { !daemon.events.records(.kill).isEmpty }
                let record = try #require(daemon.events.records(.kill).first)
                #expect(record.decision.reason.contains("limit 2m declared by the job (watchdog.max_runtime)"))
                try await eventually("the unreadable one is reported") {
                    daemon.events.notices.contains {
                        $0.hasPrefix(
                            "job \(cluster)/\(unreadable): the job's spark.application.timeout.alarm cannot be used")
                    }
                }
                try await Task.sleep(for: .seconds(2))
                #expect(await daemon.acceptedKills() == [declared], "\(plain) and \(unreadable) run on")
            }
        }
    }

    @Test func aSchedulerResubmittingAKilledJobIsCaughtAsAKillLoop() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-loop")
            // The first two runs are found long over their limit; the third is submitted after they were killed
            // (a resubmission) and reaches its limit 3 seconds later.
            @Sendable func resubmit(_ startOffset: String = "-10m") async throws -> String {
                try await emulator.state.addJob(
                    .init(cluster: cluster, name: "etl-retried", user: "etl", startOffset: startOffset, queued: "0s"))
            }
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "etl-3s", "match": {"job_name": ["etl-*"]}, "max_runtime": "3s", "mode": "enforce",
                      "on_kill_loop": "observe"}]
                    """,
                safety: #"{"kill_loop": {"after": 2, "within": "1h"}}"#)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                let first = try await resubmit()
                try await eventually("the first run is killed") { await daemon.acceptedKills() == [first] }
                let second = try await resubmit()
                try await eventually("the second run is killed") { await daemon.acceptedKills() == [first, second] }
                try await Task.sleep(for: .seconds(1))
                let third = try await resubmit("0s")
                try await eventually("the third is a kill loop", transcript: { daemon.events.transcript }) {
                    daemon.events.jobIds(.killLoop) == [third]
                }
                let record = try #require(daemon.events.records(.killLoop).first)
                #expect(record.detail?.hasPrefix("2 kills of etl-retried (user etl) on this cluster within 1h") == true)
                try await Task.sleep(for: .seconds(2))
                #expect(await daemon.acceptedKills() == [first, second], "observe: the loop is not fed")
                #expect(daemon.events.jobIds(.killLoop) == [third], "reported once")
            }
        }
    }

    @Test func theStarterPackObservesBatchJobsWarnsSparkSQLAndLeavesStreamingAlone() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-starter", tags: ["env": "dev"])
            @Sendable func job(_ name: String, _ type: String, _ start: String) async throws -> String {
                try await emulator.state.addJob(
                    .init(cluster: cluster, name: name, user: "etl", type: type, startOffset: start, queued: "0s"))
            }
            let batch = try await job("nightly-mr", "MapReduce", "-13h")
            let sql = try await job("report-sql", "SparkSql", "-7h")
            let streaming = try await job("clicks-stream", "Flink", "-500h")
            // The starter pack as shipped, pointed at this cluster, with its dry run turned off.
            var config = try ConfigLoader.load(
                path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                    .appendingPathComponent("../../examples/starter-rules.json").standardizedFileURL.path)
            config.mrs.endpoint = emulator.endpoint
            config.mrs.projectId = EmulatorHarness.projectId
            config.watch.clusterIds = [cluster]
            config.watch.pollIntervalMillis = 1_000
            config.safety.dryRun = false
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("the batch job is reported", transcript: { daemon.events.transcript }) {
                    daemon.events.jobIds(.wouldKill) == [batch] && daemon.events.jobIds(.warn) == [sql]
                }
                try await Task.sleep(for: .seconds(2))
                #expect(await daemon.acceptedKills().isEmpty, "observe and warn only")
                let aboutStreaming = daemon.events.events.contains { event in
                    if case .decision(let record) = event { return record.decision.job.jobId == streaming }
                    return false
                }
                #expect(!aboutStreaming, "Flink is named by no rule")
            }
        }
    }
}
