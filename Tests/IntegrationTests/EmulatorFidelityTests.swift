import Foundation
import MRSEmulator
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// Where the emulator differed from the real MRS (found by driving it with the official SDK client), and the
/// daemon's answers to what MRS does per job type and to secrets in job fields.
@Suite(.timeLimit(.minutes(2)))
struct EmulatorFidelityTests {
    @Test func existingListsEveryClusterButTerminatedOnesAndHistoryOnlyThose() async throws {
        try await EmulatorHarness.run { harness in
            await harness.addCluster("c-run")
            await harness.addCluster("c-scaling", state: "scaling-out")
            await harness.addCluster("c-gone", state: "terminated")
            let client = harness.client()
            let existing = try await client.listClusters(state: "existing", tags: [:]).clusters
            let history = try await client.listClusters(state: "history", tags: [:]).clusters
            let scaling = try await client.listClusters(state: "scaling-out", tags: [:]).clusters
            #expect(existing.map(\.clusterId) == ["c-run", "c-scaling"])
            #expect(history.map(\.clusterId) == ["c-gone"])
            #expect(scaling.map(\.clusterId) == ["c-scaling"])
        }
    }

    @Test func aJobIsNotListedShownOrKillableBeforeItIsSubmitted() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-future")
            let later = try await harness.state.addJob(.init(cluster: cluster, name: "etl-later", startOffset: "1h"))
            let now = try await harness.state.addJob(.init(cluster: cluster, name: "etl-now", startOffset: "-1m"))
            let client = harness.client()
            let listed = try await client.listJobExecutions(clusterId: cluster, state: nil)
            #expect(listed.map(\.jobId) == [now])
            let shown = await #expect(throws: HuaweiCloudError.self) {
                try await client.showJob(clusterId: cluster, jobId: later)
            }
            #expect(shown?.errorCode == "0176")
            let killed = await #expect(throws: HuaweiCloudError.self) {
                try await client.killJob(clusterId: cluster, jobId: later)
            }
            #expect(killed?.errorCode == "0176")
        }
    }

    @Test func applicationIdsLookLikeYarnAndAreOnePerJob() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-yarn")
            for index in 0..<3 {
                try await harness.state.addJob(.init(cluster: cluster, name: "job-\(index)", startOffset: "-1m"))
            }
            let jobs = try await harness.client().listJobExecutions(clusterId: cluster, state: nil)
            let ids = jobs.flatMap { [$0.appId, $0.launcherId] }.compactMap { $0 }
            #expect(ids.count == 6)
            #expect(Set(ids).count == 6, "one launcher and one application per job: \(ids)")
            #expect(ids.allSatisfy { $0.wholeMatch(of: /application_\d{13}_\d{4,}/) != nil }, "\(ids)")
        }
    }

    @Test func aScenarioWithAnUnknownKeyIsRefusedWithItsPlace() throws {
        let text = #"{"clusters": [{"id": "c"}], "jobs": [{"cluster": "c", "name": "x", "strat_offset": "-1h"}]}"#
        let error = #expect(throws: ScenarioError.self) { try Scenario.decode(Array(text.utf8)) }
        #expect(
            error?.description
                == "1:68: jobs[0].strat_offset: unknown key 'strat_offset' (did you mean 'start_offset'?)")
        let valid =
            #"{"clusters": [{"id": "c"}], "jobs": [{"cluster": "c", "name": "x", "arguments": "[a]", "properties": "{k=v}"}]}"#
        let scenario = try Scenario.decode(Array(valid.utf8))
        #expect(scenario.jobs[0].properties == "{k=v}")
    }

    /// Spark SQL jobs cannot be stopped (the console says so): MRS answers 0175 while the job runs on. One
    /// attempt, then `unkillable`, alerted once, and not sent again after a restart.
    @Test func aKillRefusedForAJobTypeIsUnkillableAfterOneAttemptEvenAcrossARestart() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-sql")
            await emulator.state.setKillBehaviour(KillBehaviour(refuseTypes: ["SparkSql"]))
            let sql = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-sql", type: "SparkSql", startOffset: "-10s", queued: "0s"))
            let config = try DaemonHarness.config(emulator, clusters: [cluster], rules: DaemonHarness.enforcing("3s"))
            let state = try DaemonHarness.freshStateDirectory()
            try await DaemonHarness.run(emulator, config: config, stateDirectory: state) { daemon in
                try await eventually("unkillable", transcript: { daemon.events.transcript }) {
                    daemon.events.jobIds(.unkillable) == [sql]
                }
                try await Task.sleep(for: .seconds(2))
                #expect(await emulator.state.kills().map(\.jobId) == [sql], "one attempt")
                #expect(daemon.events.notices.count { $0.contains("marked unkillable") } == 1)
            }
            try await DaemonHarness.run(emulator, config: config, stateDirectory: state) { daemon in
                try await eventually("two polls after the restart") { daemon.events.cycles >= 2 }
                #expect(await emulator.state.kills().count == 1, "not sent again after the restart")
            }
        }
    }

    /// Credentials in `properties` and `arguments` (as Huawei's own examples pass them) appear in nothing the
    /// watchdog writes: `jobs --json`, `explain`, `plan`, `run --once` logs, the state database, webhook bodies.
    @Test func aSecretInJobFieldsAppearsInNoOutput() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-secret")
            let secrets = ["AKLEAKED0000", "SKLEAKED1111", "hunter2leaked", "PWLEAKED2222", "TOKLEAKED3333"]
            let arguments =
                "[--conf=spark.hadoop.fs.obs.secret.key=\(secrets[1]), --db-password, \(secrets[2]), "
                + "jdbc:mysql://etl:\(secrets[3])@db:3306/x?token=\(secrets[4]), obs://b/x.jar]"
            let properties =
                "{fs.obs.access.key=\(secrets[0]), fs.obs.secret.key = \(secrets[1]), spark.executor.cores=4}"
            try await emulator.state.addJob(
                .init(
                    cluster: cluster, name: "etl-creds", startOffset: "-3h", queued: "0s", arguments: arguments,
                    properties: properties))
            let config = try TemporaryConfig(
                ConfigText(
                    mrs: emulator.mrs, watch: ConfigText.watching([cluster]),
                    rules:
                        #"[{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce"}]"#,
                    more: #""notifications": {"webhook": {"url": "\#(emulator.baseURL)/_emulator/webhook"}}"#
                ).description)
            let environment = DaemonProcessTests.environment
            func cli(_ arguments: [String]) async throws -> ChildProcess.Finished {
                try await ChildProcess.run(
                    "mrs-watchdog", arguments + ["--config", config.path], environment: environment)
            }
            let listed = try await cli(["jobs", "--cluster", cluster, "--json"])
            #expect(listed.stdout.contains("fs.obs.secret.key=***"), "the field is there, masked: \(listed.stdout)")
            let directory = URL(fileURLWithPath: config.path).deletingLastPathComponent()
            let jobsFile = directory.appendingPathComponent("jobs.json").path
            try listed.stdout.write(toFile: jobsFile, atomically: true, encoding: .utf8)
            let state = try DaemonHarness.freshStateDirectory()
            var outputs = [listed.stdout, listed.stderr]
            for command in [
                ["explain", "--jobs", jobsFile, "--cluster", cluster], ["plan", "--json"],
                ["run", "--once", "--plain", "--log-level", "debug", "--state-dir", state],
            ] {
                let result = try await cli(command)
                #expect(result.status == 0, "\(command): \(result.stderr)")
                outputs += [result.stdout, result.stderr]
            }
            try await eventually("the kill notification") { await !emulator.state.webhookBodies.isEmpty }
            outputs += await emulator.state.webhookBodies
            for file in ["state.sqlite", "state.sqlite-wal"] {
                let bytes = FileManager.default.contents(atPath: state + "/" + file) ?? Data()
                outputs.append(String(decoding: bytes, as: UTF8.self))
            }
            for secret in secrets {
                #expect(!outputs.contains { $0.contains(secret) }, "\(secret) leaked")
            }
        }
    }
}

/// MRS throttles each tenant (kill 60, list 1000, show 1000 a minute; `../shared/docs/mrs-api.md` §11.1).
/// The emulator enforces the limits per access key; the daemon stays under them with per-minute budgets.
@Suite(.timeLimit(.minutes(2)))
struct ThrottleTests {
    @Test func theEmulatorThrottlesEachAPIPerAccessKeyWithRetryAfter() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-throttle")
            await harness.state.setRateLimits(RateLimits(kill: 2, listJobs: 1000, showJob: 1000, windowSeconds: 5))
            var ids: [String] = []
            for index in 0..<3 {
                ids.append(
                    try await harness.state.addJob(.init(cluster: cluster, name: "j\(index)", startOffset: "-1h")))
            }
            let client = harness.client()
            try await client.killJob(clusterId: cluster, jobId: ids[0])
            try await client.killJob(clusterId: cluster, jobId: ids[1])
            let error = await #expect(throws: HuaweiCloudError.self) {
                try await client.killJob(clusterId: cluster, jobId: ids[2])
            }
            #expect(error?.httpStatus == 429)
            #expect(error?.errorCode == "APIGW.0308")
            #expect(error?.retryAdvice == .retry)
            #expect((1...5).contains(error?.retryAfterSeconds ?? 0))
            // Reads are counted apart from kills.
            _ = try await client.showJob(clusterId: cluster, jobId: ids[2])
            #expect(await harness.state.throttled == ["kill": 1])
        }
    }

    /// 200 jobs due at once, the per-cycle and hourly budgets opened up: every one is killed, and the
    /// emulator (throttling at the daemon's own budget) never sees more kills in a window than allowed.
    @Test func twoHundredDueKillsStayUnderThePerMinuteBudget() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-burst")
            await emulator.state.setRateLimits(RateLimits(kill: 20, listJobs: 1000, showJob: 1000, windowSeconds: 1))
            await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.2))
            for index in 0..<200 {
                try await emulator.state.addJob(
                    .init(cluster: cluster, name: "etl-\(index)", startOffset: "-1h", queued: "0s"))
            }
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster], rules: DaemonHarness.enforcing("30m"),
                safety:
                    #"{"max_kills_per_minute": 20, "max_kills_per_cycle": 10000, "max_kills_per_hour": 100000, "breaker_threshold": 100000}"#,
                pollInterval: "30s")
            var timing = DaemonHarness.fastTiming
            timing.rateWindow = .seconds(1)
            timing.verifyInterval = .seconds(1)  // 200 pending kills read every 200 ms would load the whole suite
            try await DaemonHarness.run(emulator, config: config, timing: timing) { daemon in
                try await eventually(
                    "the status line shows the kills waiting for the API budget", timeout: .seconds(30),
                    transcript: { daemon.events.transcript }
                ) {
                    let status = daemon.events.lastStatus
                    return status?.problem?.contains("per-minute kill budget for the MRS API (20) reached") == true
                        && (status?.waitingKills ?? 0) > 0
                }
                try await eventually("all 200 killed", timeout: .seconds(60), transcript: { daemon.events.transcript })
                {
                    await daemon.acceptedKills().count == 200
                }
            }
            #expect(await emulator.state.throttled["kill"] == nil, "the emulator never had to throttle a kill")
            let times = await emulator.state.kills().map(\.receivedAt).sorted()
            let busiest =
                times.indices.map { start in times[start...].prefix { $0 < times[start] + 1000 }.count }.max() ?? 0
            #expect(busiest <= 20, "\(busiest) kills within one second")
            #expect(times.last! - times.first! >= 8_000, "200 kills at 20 a second take 9 s or more")
        }
    }

    @Test func aThrottledKillIsSentAgainAfterRetryAfterAndConfirmed() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-429")
            await emulator.state.setRateLimits(RateLimits(kill: 2, listJobs: 1000, showJob: 1000, windowSeconds: 2))
            await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.2))
            var ids: Set<String> = []
            for index in 0..<5 {
                ids.insert(
                    try await emulator.state.addJob(
                        .init(cluster: cluster, name: "etl-\(index)", startOffset: "-1h", queued: "0s")))
            }
            let config = try DaemonHarness.config(emulator, clusters: [cluster], rules: DaemonHarness.enforcing("30m"))
            try await DaemonHarness.run(emulator, config: config) { [ids] daemon in
                try await eventually(
                    "every kill confirmed", timeout: .seconds(30), transcript: { daemon.events.transcript }
                ) {
                    Set(daemon.events.jobIds(.killConfirmed)) == ids
                }
                // Re-sent no sooner than Retry-After: a handful of 429s, not one every verification read.
                let throttled = await emulator.state.throttled["kill", default: 0]
                #expect((1...6).contains(throttled), "\(throttled) kills throttled")
                #expect(daemon.events.jobIds(.unkillable).isEmpty)
            }
        }
    }
}
