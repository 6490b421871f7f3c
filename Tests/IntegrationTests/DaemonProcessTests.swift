import Foundation
import MRSEmulator
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// `mrs-watchdog run` as a process, driven by signals as systemd drives it.
@Suite(.timeLimit(.minutes(2)))
struct DaemonProcessTests {
    static func configText(_ emulator: EmulatorHarness, cluster: String, rules: String) -> String {
        ConfigText(mrs: emulator.mrs, watch: ConfigText.watching([cluster], #""poll_interval": "1s""#), rules: rules)
            .description
    }

    static var environment: [String: String] {
        ChildProcess.cleanEnvironment([
            "HUAWEICLOUD_SDK_AK": EmulatorHarness.credentials.accessKey,
            "HUAWEICLOUD_SDK_SK": EmulatorHarness.credentials.secretKey,
        ])
    }

    /// `mrs-watchdog run` on `config`, as systemd would start it.
    static func startDaemon(config: TemporaryConfig, stateDirectory: String) throws -> ChildProcess {
        try ChildProcess(
            "mrs-watchdog", ["run", "--config", config.path, "--state-dir", stateDirectory], environment: environment)
    }

    /// The unit plus a manual `run`, or a cron `run --once`, on one state directory: the second refuses and
    /// names the first's PID, so one job gets one kill request and one record.
    @Test func aSecondDaemonOnTheSameStateDirectoryRefuses() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-twice")
            let id = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            let config = try TemporaryConfig(
                Self.configText(emulator, cluster: cluster, rules: DaemonHarness.enforcing("30m")))
            let state = try DaemonHarness.freshStateDirectory()
            let daemon = try Self.startDaemon(config: config, stateDirectory: state)
            try await daemon.waitForOutput("ready:")
            try await eventually("the first daemon kills") { await emulator.state.kills().map(\.jobId) == [id] }
            let pid = daemon.process.processIdentifier
            for arguments in [["run", "--once"], ["run"]] {
                let second = try await ChildProcess.run(
                    "mrs-watchdog", arguments + ["--config", config.path, "--state-dir", state],
                    environment: Self.environment)
                #expect(second.status == 1, "\(arguments): \(second.stderr)")
                #expect(second.stderr.contains("another mrs-watchdog (PID \(pid)) is running"), "\(second.stderr)")
            }
            #expect(await emulator.state.kills().count == 1, "one kill request")
            daemon.signal(SIGTERM)
            let finished = try await daemon.wait(timeout: .seconds(20))
            #expect(finished.status == 0, "\(finished.stderr)")
            // Once the first has stopped, the directory is free again: a later run acts on a new runaway job.
            let next = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-2", startOffset: "-1h"))
            let after = try await ChildProcess.run(
                "mrs-watchdog", ["run", "--once", "--config", config.path, "--state-dir", state],
                environment: Self.environment)
            #expect(after.status == 0, "\(after.stderr)")
            #expect(await emulator.state.kills().map(\.jobId) == [id, next])
        }
    }

    /// A state database that cannot be opened (here: the path is a directory) is a start-up error that systemd
    /// sees, never a daemon that runs on in memory; nothing is killed.
    @Test func aStateDatabaseThatCannotBeOpenedStopsTheStart() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-nodisk")
            _ = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            let config = try TemporaryConfig(
                Self.configText(emulator, cluster: cluster, rules: DaemonHarness.enforcing("5m")))
            let state = try DaemonHarness.freshStateDirectory()
            try FileManager.default.createDirectory(atPath: state + "/state.sqlite", withIntermediateDirectories: true)
            for arguments in [["run", "--once"], ["run"]] {
                let result = try await ChildProcess.run(
                    "mrs-watchdog", arguments + ["--config", config.path, "--state-dir", state],
                    environment: Self.environment)
                #expect(result.status != 0, "\(arguments)")
                #expect(result.stderr.contains("cannot open the state database"), "\(result.stderr)")
            }
            #expect(await emulator.state.kills().isEmpty)
        }
    }

    /// The unit runs no `check` before a start (systemd 247): `run` itself refuses a broken file, saying
    /// where, before it reads credentials, sends a request or says READY.
    @Test func aBrokenConfigStopsTheStartWithItsPlace() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-broken")
            _ = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            let config = try TemporaryConfig(
                Self.configText(emulator, cluster: cluster, rules: #"[{"name": "x", "max_runtime": "soon"}]"#))
            let before = await emulator.state.requestCount
            for arguments in [["run", "--once"], ["run"]] {
                let result = try await ChildProcess.run(
                    "mrs-watchdog",
                    arguments + ["--config", config.path, "--state-dir", DaemonHarness.freshStateDirectory()],
                    environment: Self.environment)
                #expect(result.status == 1, "\(arguments)")
                #expect(result.stderr.contains("\(config.path):3:"), "\(result.stderr)")
                #expect(result.stderr.contains("rules[0].max_runtime: 'soon' is not a duration"), "\(result.stderr)")
                #expect(!result.output.contains("ready:"))
            }
            #expect(await emulator.state.requestCount == before, "no request was sent")
        }
    }

    @Test func sighupKeepsTheOldRulesOnABrokenFileAndAppliesAValidOne() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-hup")
            let adhoc = try await emulator.state.addJob(.init(cluster: cluster, name: "adhoc-1", startOffset: "-1h"))
            let config = try TemporaryConfig(
                Self.configText(
                    emulator, cluster: cluster,
                    rules:
                        #"[{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce"}]"#)
            )
            let state = try DaemonHarness.freshStateDirectory()
            let daemon = try Self.startDaemon(config: config, stateDirectory: state)
            try await daemon.waitForOutput("ready:")

            try ConfigText(rules: #"[{"name": "x", "max_runtime": "soon"}]"#).description
                .write(toFile: config.path, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            try await daemon.waitForOutput("reload failed")
            #expect(daemon.stderr.contains("rules[0].max_runtime"), "the reason names the field: \(daemon.stderr)")
            try await Task.sleep(for: .seconds(2))
            #expect(daemon.process.isRunning)
            #expect(await emulator.state.kills().isEmpty)

            try Self.configText(
                emulator, cluster: cluster,
                rules:
                    #"[{"name": "adhoc", "match": {"job_name": ["adhoc-*"]}, "max_runtime": "30m", "mode": "enforce"}]"#
            ).write(toFile: config.path, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            try await daemon.waitForOutput("reloaded:")
            try await eventually("the new rule kills") { await emulator.state.kills().map(\.jobId) == [adhoc] }

            daemon.signal(SIGTERM)
            let finished = try await daemon.wait(timeout: .seconds(20))
            #expect(finished.status == 0, "\(finished.stderr)")
        }
    }

    @Test func sigtermDuringAKillLetsItFinishSavesStateAndExitsZero() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-term")
            var plan = FaultPlan()
            plan.latencyMs = 10_000  // long enough that a loaded machine still signals while it is in flight
            plan.paths = ["/kill"]
            await emulator.state.setFaults(plan)
            let id = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            let config = try TemporaryConfig(
                Self.configText(
                    emulator, cluster: cluster,
                    rules:
                        #"[{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "30m", "mode": "enforce"}]"#
                ))
            let state = try DaemonHarness.freshStateDirectory()
            let daemon = try Self.startDaemon(config: config, stateDirectory: state)
            // The kill request is now held for 10 s by the emulator.
            try await eventually("kill in flight") { await emulator.state.requestCount >= 3 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(await emulator.state.kills().isEmpty)
            daemon.signal(SIGTERM)
            let finished = try await daemon.wait(timeout: .seconds(20))
            #expect(finished.status == 0, "\(finished.stderr)")
            #expect(await emulator.state.kills().map(\.jobId) == [id])
            let saved = try StateStore(directory: state).load(now: 0).state
            #expect(saved.kill(JobKey(clusterId: cluster, jobId: id))?.accepted == true)
        }
    }

    @Test func onceRunsOneCycleWarnsConfirmsItsKillsAndReportsAnUnpollableSetup() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-once")
            await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.2))
            let id = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            let rules = #"[{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "30m", "mode": "enforce"}]"#
            let config = try TemporaryConfig(Self.configText(emulator, cluster: cluster, rules: rules))
            let state = try DaemonHarness.freshStateDirectory()
            let once = try await ChildProcess.run(
                "mrs-watchdog", ["run", "--once", "--config", config.path, "--state-dir", state],
                environment: Self.environment)
            #expect(once.status == 0, "\(once.stderr)")
            // The unit runs no `check` before a start: `run` logs its warnings itself.
            #expect(
                once.output.contains("warning mrs-watchdog: rules[0] (etl) finds jobs by job_name"), "\(once.output)")
            #expect(await emulator.state.kills().map(\.jobId) == [id])
            #expect(
                try StateStore(directory: state).load(now: 0).state.kill(JobKey(clusterId: cluster, jobId: id))?.status
                    == .confirmed)

            let nowhere = try TemporaryConfig(Self.configText(emulator, cluster: "no-such-cluster", rules: rules))
            let failed = try await ChildProcess.run(
                "mrs-watchdog", ["run", "--once", "--config", nowhere.path, "--state-dir", state],
                environment: Self.environment)
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("12000003"))
            #expect(failed.stderr.contains("no cluster could be polled"))
        }
    }

    /// Notification settings are taken over on SIGHUP; a changed metrics address is reported as needing a
    /// restart (the endpoint stays where it was bound).
    @Test func sighupAppliesANewWebhookAndSaysWhatNeedsARestart() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-hooks")
            let rules =
                #"[{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "warn_before": "30m", "mode": "enforce"}]"#
            func text(hook: String, metrics: String) -> String {
                ConfigText(
                    mrs: emulator.mrs, watch: ConfigText.watching([cluster], #""poll_interval": "1s""#), rules: rules,
                    more: """
                        "metrics": {"listen": "\(metrics)"},
                         "notifications": {"webhook": {"url": "\(emulator.baseURL)\(hook)", "timeout": "2s"}, "events": ["warn"]}
                        """
                ).description
            }
            let config = try TemporaryConfig(text(hook: "/no-such-receiver", metrics: "127.0.0.1:0"))
            let daemon = try Self.startDaemon(config: config, stateDirectory: try DaemonHarness.freshStateDirectory())
            try await daemon.waitForOutput("ready:")
            try text(hook: "/_emulator/webhook", metrics: "127.0.0.1:1").write(
                toFile: config.path, atomically: true, encoding: .utf8)
            daemon.signal(SIGHUP)
            try await daemon.waitForOutput("reloaded:")
            #expect(daemon.stderr.contains("reloaded setting needs a restart"), "\(daemon.stderr)")
            #expect(daemon.stderr.contains("config.section=metrics.listen"), "\(daemon.stderr)")
            // A job inside its warning window now: the warning goes to the new receiver.
            let warned = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-late", startOffset: "-100m"))
            try await eventually("the warning at the new webhook") {
                await emulator.state.webhookBodies.contains { $0.contains(warned) }
            }
            daemon.signal(SIGTERM)
            #expect(try await daemon.wait(timeout: .seconds(20)).status == 0)
        }
    }
}
