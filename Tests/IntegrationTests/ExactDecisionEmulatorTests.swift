import Foundation
import MRSEmulator
import MRSWatchdog
import Testing

/// The shapes where two mechanisms meet (issue "Exact both ways"), each through the daemon or the CLI against
/// the emulator: no wrong kill and no missed kill.
@Suite(.timeLimit(.minutes(3)))
struct ExactDecisionEmulatorTests {
    /// Rule A names the job for certain and is long past its deadline; rule B reads `queue`, which the list
    /// entry omits. B cannot make A's kill less due: the job is killed.
    @Test func aRuleThatCannotBeReadDoesNotHoldAnotherRulesKill() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-overlap")
            let etl = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-nightly", type: "SparkSubmit", startOffset: "-3h", omit: ["queue"]))
            // Only B could name this one, and B cannot be read: held, as before.
            let other = try await emulator.state.addJob(
                .init(cluster: cluster, name: "adhoc-1", type: "HiveSql", startOffset: "-3h", omit: ["queue"]))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "A", "match": {"job_type": ["SparkSubmit"], "job_name": ["etl-*"]}, "max_runtime": "2h",
                      "mode": "enforce"},
                     {"name": "B", "match": {"queue": ["batch"]}, "max_runtime": "30m", "mode": "enforce"}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("etl-nightly killed by A", transcript: { daemon.events.transcript }) {
                    await daemon.acceptedKills() == [etl]
                }
                try await eventually("adhoc-1 reported skipped") { daemon.events.jobIds(.skipped).contains(other) }
                try await eventually("the kill recorded") { !daemon.events.records(.kill).isEmpty }
                let kill = try #require(daemon.events.records(.kill).first)
                #expect(kill.decision.rule == "A")
                #expect(kill.decision.matches.contains { $0.rule == "B" && $0.unknown?.contains("queue") == true })
                #expect(!(await daemon.acceptedKills()).contains(other))
            }
        }
    }

    /// A day written in seconds under a millisecond key reads as 1m26s (and a week as 10m4s): under
    /// `declared_limit.min`, so the rule's own 2 h applies and both jobs, 20 minutes in, live. The same limit
    /// declared twice in other words (`30m`, `1800s`) is one declaration: the job's 30 minutes apply.
    @Test func declaredLimitsAreNumbersWithAFloor() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-declared")
            let day = try await emulator.state.addJob(
                .init(
                    cluster: cluster, name: "etl-day", startOffset: "-20m",
                    properties: "{spark.application.timeout.alarm=86400}"))
            let week = try await emulator.state.addJob(
                .init(
                    cluster: cluster, name: "etl-week", startOffset: "-20m",
                    arguments: "[--conf, spark.application.timeout.alarm=604800]"))
            let twice = try await emulator.state.addJob(
                .init(
                    cluster: cluster, name: "etl-twice", startOffset: "-40m",
                    arguments: "[--conf, watchdog.max_runtime=30m]", properties: "{watchdog.max_runtime=1800s}"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce",
                      "declared_limit": {"keys": ["watchdog.max_runtime", "spark.application.timeout.alarm"]}}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("etl-twice killed at its own 30m", transcript: { daemon.events.transcript }) {
                    await daemon.acceptedKills() == [twice]
                }
                try await eventually("both unit slips reported") {
                    daemon.events.notices.contains { $0.contains("86400 ms is 1m26s; as seconds it would be 1d") }
                        && daemon.events.notices.contains {
                            $0.contains("604800 ms is 10m4s; as seconds it would be 7d")
                        }
                }
                while daemon.events.cycles < 3 { try await Task.sleep(for: .milliseconds(100)) }
                try await eventually("the kill recorded") { !daemon.events.records(.kill).isEmpty }
                let killed = await daemon.acceptedKills()
                #expect(!killed.contains(day) && !killed.contains(week), "\(daemon.events.transcript)")
                let kill = try #require(daemon.events.records(.kill).first)
                let limit: Int64 = 30 * 60_000
                #expect(kill.decision.limitMillis == limit)
            }
        }
    }

    /// One answer whose `Date` is 40 days ahead (a proxy, a cache) moves nothing: the job 20 minutes into its
    /// 1-hour limit lives, and the outlier is reported.
    @Test func oneFarDateHeaderKillsNothing() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-date")
            let young = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-young", startOffset: "-20m"))
            let config = try DaemonHarness.config(emulator, clusters: [cluster], rules: DaemonHarness.enforcing("1h"))
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("a first poll") { daemon.events.cycles >= 1 }
                await emulator.state.skewDates(offsetMillis: 40 * 86_400_000, responses: 1)
                try await eventually("the outlier reported", transcript: { daemon.events.transcript }) {
                    daemon.events.notices.contains { $0.contains("ahead of MRS server time and was not believed") }
                }
                let cycles = daemon.events.cycles
                while daemon.events.cycles < cycles + 2 { try await Task.sleep(for: .milliseconds(100)) }
                #expect(await daemon.acceptedKills().isEmpty, "killed \(young) on a false clock")
                #expect(!daemon.events.jobIds(.kill).contains(young))
            }
        }
    }

    /// 90 jobs of one owner with 100 KB of arguments each make a page over the 8 MiB body cap, and one job's
    /// own entry is over it: the page is read again in smaller pages, only that entry is skipped (and
    /// reported), and the unrelated runaway job on the same cluster is killed.
    @Test func aPageOverTheBodyCapBlindsOnlyItsLargestEntries() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-large")
            let large = "[" + String(repeating: "x", count: 100_000) + "]"
            for index in 0..<90 {
                _ = try await emulator.state.addJob(
                    .init(cluster: cluster, name: "big-\(index)", startOffset: "-10m", arguments: large))
            }
            let huge = "[" + String(repeating: "y", count: 9 * 1024 * 1024) + "]"
            _ = try await emulator.state.addJob(
                .init(cluster: cluster, name: "huge-1", startOffset: "-10m", arguments: huge))
            let runaway = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-runaway", startOffset: "-3h"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster], rules: DaemonHarness.enforcing("2h"), pollInterval: "5s")
            try await DaemonHarness.run(emulator, config: config, requestTimeout: .seconds(60)) { daemon in
                try await eventually(
                    "the runaway killed", timeout: .seconds(60), transcript: { daemon.events.transcript }
                ) {
                    await daemon.acceptedKills() == [runaway]
                }
                try await eventually("the oversized entry reported") {
                    daemon.events.notices.contains { $0.contains("1 job entry could not be read and skipped") }
                }
                let failed = daemon.events.notices.filter { $0.contains("could not be polled") }
                #expect(failed.isEmpty, "\(failed)")
            }
        }
    }

    /// `report` on a state database in a folder it cannot write (a backup copy): read from a private copy,
    /// since WAL mode would create its `-shm` file beside the database.
    @Test func reportReadsADatabaseItMayOnlyRead() async throws {
        let directory = try ReportTests.stateDirectoryWithAWeek()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/" + name)
        }
        try? FileManager.default.removeItem(atPath: directory + "/state.sqlite-shm")
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory) }
        let report = try ChildProcess.productPath("mrs-watchdog")
        // Root writes anywhere: the reader is then the unprivileged user nobody.
        let finished =
            getuid() == 0
            ? try await ChildProcess.run(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", report, "report", "--state-dir", directory,
                    "--json",
                ])
            : try await ChildProcess.run("mrs-watchdog", ["report", "--state-dir", directory, "--json"])
        #expect(finished.status == 0, "\(finished.output)")
        #expect(finished.stdout.contains("\"kills\""), "\(finished.output)")
    }
}
