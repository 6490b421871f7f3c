import Foundation
import MRSEmulator
import MRSWatchdog
import Testing

/// The real daemon (`WatchdogService`) against the emulator over loopback: what it kills, when, and how it
/// holds up when MRS misbehaves.
@Suite(.timeLimit(.minutes(2)))
struct DaemonTests {
    @Test func overSeveralCyclesExactlyTheJobsTheRulesNameAreKilled() async throws {
        try await EmulatorHarness.run { emulator in
            await emulator.addCluster("c-dev", tags: ["env": "dev"])
            await emulator.addCluster("c-prod", tags: ["env": "prod"])
            @Sendable func job(
                _ cluster: String, _ name: String, user: String = "etl", queue: String = "default",
                type: String = "SparkSubmit", start: String, duration: String? = nil
            ) async throws -> String {
                try await emulator.state.addJob(
                    .init(
                        cluster: cluster, name: name, user: user, queue: queue, type: type, startOffset: start,
                        queued: "0s",
                        duration: duration))
            }
            var named: Set<String> = []
            named.insert(try await job("c-dev", "etl-overdue", start: "-10s"))
            named.insert(try await job("c-dev", "etl-soon", start: "-1s"))
            _ = try await job("c-dev", "etl-ends-first", start: "-1s", duration: "2s")
            _ = try await job("c-dev", "etl-platform", user: "platform-ops", start: "-10s")
            _ = try await job("c-dev", "etl-hive", type: "HiveSql", start: "-10s")
            let adhoc = try await job("c-dev", "adhoc-query", queue: "adhoc", type: "HiveSql", start: "-10s")
            let report = try await job("c-dev", "report-daily", start: "-10s")
            _ = try await job("c-dev", "etl-exempt", start: "-10s")
            for index in 0..<20 { _ = try await job("c-dev", "misc-\(index)", start: "-1h") }
            named.insert(try await job("c-prod", "hive-long", type: "HiveSql", start: "-1s"))
            _ = try await job("c-prod", "hive-short", type: "HiveSql", start: "-1s", duration: "2s")
            named.insert(try await job("c-prod", "etl-prod", start: "-10s"))
            let config = try DaemonHarness.config(
                emulator, clusters: ["c-dev", "c-prod"],
                rules: """
                    [{"name": "etl-3s", "match": {"job_name": ["etl-*"], "job_type": ["SparkSubmit"]},
                      "exclude": {"user": ["platform-*"]}, "max_runtime": "3s", "mode": "enforce"},
                     {"name": "adhoc-2s", "match": {"queue": ["adhoc"]}, "max_runtime": "2s"},
                     {"name": "report-2s", "match": {"job_name": ["report-*"]}, "max_runtime": "2s", "mode": "warn"},
                     {"name": "prod-hive-3s", "match": {"cluster_ids": ["c-prod"], "job_type": ["HiveSql"]},
                      "max_runtime": "3s", "mode": "enforce"}]
                    """,
                more: """
                    "exemptions": [{"cluster_id": "c-dev", "job_name": ["etl-exempt"], "until": "2099-01-01T00:00:00Z", "reason": "test"}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { [named] daemon in
                try await Task.sleep(for: .milliseconds(1500))
                // A job submitted between polls is found by the next one.
                let expected = named.union([try await job("c-dev", "etl-late", start: "-2s")])
                try await eventually(
                    "the named jobs killed", timeout: .seconds(30), transcript: { daemon.events.transcript }
                ) {
                    await daemon.acceptedKills().count >= expected.count
                }
                try await Task.sleep(for: .seconds(2))
                let kills = await daemon.acceptedKills()
                #expect(Set(kills) == expected)
                #expect(kills.count == expected.count, "a job was killed twice: \(kills)")
                #expect(daemon.events.jobIds(.wouldKill) == [adhoc])
                #expect(daemon.events.jobIds(.warn).contains(report))
                try await eventually("every kill confirmed") { Set(daemon.events.jobIds(.killConfirmed)) == expected }
            }
        }
    }

    @Test func killsLeaveAtTheirDeadlinesNotAtTheNextPoll() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-deadline")
            var limits: [String: Int64] = [:]
            // Deadlines 5 to 7 s away: the first poll, which finds the jobs, usually comes before them, so the
            // kills come from the wake at the deadline. (If a loaded machine holds that poll past them, the poll
            // kills them instead, as late as it came: still never early and long before the next poll.)
            for (name, start, limit) in [("etl-a", "0s", 5000), ("etl-b", "0s", 6000), ("etl-c", "-1s", 8000)]
                as [(String, String, Int64)]
            {
                let id = try await emulator.state.addJob(
                    .init(cluster: cluster, name: name, startOffset: start, queued: "0s"))
                limits[id] = limit
            }
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "a", "match": {"job_name": ["etl-a"]}, "max_runtime": "5s", "mode": "enforce"},
                     {"name": "b", "match": {"job_name": ["etl-b"]}, "max_runtime": "6s", "mode": "enforce"},
                     {"name": "c", "match": {"job_name": ["etl-c"]}, "max_runtime": "8s", "mode": "enforce"}]
                    """, pollInterval: "60s")
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("three kills", transcript: { daemon.events.transcript }) {
                    await daemon.acceptedKills().count == 3
                }
            }
            let client = emulator.client()
            for kill in await emulator.state.kills() {
                let started = try #require(try await client.showJob(clusterId: cluster, jobId: kill.jobId).startedTime)
                let lateness = kill.receivedAt - (started + limits[kill.jobId]!)
                #expect(lateness >= 0, "killed \(-lateness) ms early")
                // The next poll is a minute (± 5 %) away. Not a timing bound (the state machine's tests pin the
                // wake to the millisecond): a margin wide enough for a loaded machine, far short of that poll.
                #expect(lateness < 30_000, "killed \(lateness) ms after the deadline")
            }
        }
    }

    /// An endpoint that takes 5 s per answer keeps the first poll running past `readyWithin` (0.5 s here,
    /// 45 s in production against `TimeoutStartSec=90s`): READY goes out anyway, saying why, once; the poll
    /// still ends and its kill is sent.
    @Test func aSlowEndpointDoesNotHoldReadyPastItsBound() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-slowstart")
            let job = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-x", startOffset: "-1h"))
            var plan = FaultPlan()
            plan.latencyMs = 5_000
            await emulator.state.setFaults(plan)
            let config = try DaemonHarness.config(emulator, clusters: [cluster], rules: DaemonHarness.enforcing("10m"))
            var timing = DaemonHarness.fastTiming
            timing.readyWithin = .milliseconds(500)
            try await DaemonHarness.run(emulator, config: config, timing: timing) { daemon in
                @Sendable func readies() -> [StatusLine] {
                    daemon.events.events.compactMap { if case .ready(let status) = $0 { status } else { nil } }
                }
                try await eventually("READY while the first poll runs") { !readies().isEmpty }
                #expect(daemon.events.cycles == 0, "the first poll had not ended")
                #expect(readies().first?.problem == "first poll still running (MRS slow to answer)")
                try await eventually("the kill", timeout: .seconds(60), transcript: { daemon.events.transcript }) {
                    await daemon.acceptedKills() == [job]
                }
                #expect(readies().count == 1, "READY once")
            }
        }
    }

    @Test func aDelayedKillIsVerifiedAndAnIgnoredOneEndsUnkillable() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-verify")
            await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.5))
            let slow = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-slow", startOffset: "-1h"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("10s"))
            var timing = DaemonHarness.fastTiming
            timing.verifyTimeout = .seconds(5)
            try await DaemonHarness.run(emulator, config: config, timing: timing) { [timing] daemon in
                try await eventually("confirmed") { daemon.events.jobIds(.killConfirmed) == [slow] }
                #expect(await daemon.acceptedKills() == [slow])
                #expect(await daemon.service.snapshot.kills.values.first?.status == .confirmed)

                await emulator.state.setKillBehaviour(KillBehaviour(ignore: true))
                let stubborn = try await emulator.state.addJob(
                    .init(cluster: cluster, name: "etl-stubborn", startOffset: "-1h"))
                try await eventually("unkillable", timeout: .seconds(40)) {
                    daemon.events.jobIds(.unkillable) == [stubborn]
                }
                let attempts = await emulator.state.kills().filter { $0.jobId == stubborn }
                #expect(attempts.count == timing.maxKillAttempts)
                #expect(daemon.events.jobIds(.killRetried).count == timing.maxKillAttempts - 1)
                let record = await daemon.service.snapshot.kill(JobKey(clusterId: cluster, jobId: stubborn))
                #expect(record?.status == .unkillable)
                try await eventually("status counts it") { daemon.events.lastStatus?.unkillable == 1 }
            }
        }
    }

    @Test func aJobThatEndsByItselfBeforeTheKillTakesIsGoneNotAFailure() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-gone")
            // Every kill fails with a 500 until the job finishes on its own, 12 s from now (the first poll comes
            // well before, even on a loaded machine: one took 6 s while the whole suite started).
            var plan = FaultPlan()
            plan.rate500 = 1
            plan.paths = ["/kill"]
            await emulator.state.setFaults(plan)
            let id = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-1", startOffset: "-1h", queued: "0s", duration: "3612s"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("30m"))
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("gone", timeout: .seconds(30), transcript: { daemon.events.transcript }) {
                    daemon.events.jobIds(.gone) == [id]
                }
                #expect(!daemon.events.jobIds(.killFailed).isEmpty)
                #expect(daemon.events.records(.unkillable).isEmpty)
                #expect(await daemon.service.snapshot.kill(JobKey(clusterId: cluster, jobId: id))?.status == .gone)
            }
        }
    }

    @Test func perCycleAndHourlyBudgetsKillTheMostOverdueFirst() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-budget")
            await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.1))
            var byAge: [String] = []
            for minutes in [10, 50, 30, 20, 40] {
                byAge.append(
                    try await emulator.state.addJob(
                        .init(cluster: cluster, name: "etl-\(minutes)", startOffset: "-\(minutes)m")))
            }
            let ages = byAge
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("5m"),
                safety: #"{"max_kills_per_cycle": 2, "max_kills_per_hour": 3}"#)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("first cycle") { await daemon.acceptedKills().count >= 2 }
                #expect(Set(await daemon.acceptedKills().prefix(2)) == [ages[1], ages[4]])
                try await eventually("third kill") { await daemon.acceptedKills().count >= 3 }
                #expect(await daemon.acceptedKills()[2] == ages[2])
                // Several more cycles: the hourly budget of 3 holds.
                try await Task.sleep(for: .seconds(3))
                #expect(await daemon.acceptedKills().count == 3, "\(daemon.events.transcript)")
                #expect(Set(daemon.events.jobIds(.deferred)).isSuperset(of: [ages[0], ages[3]]))
                #expect(daemon.events.lastStatus?.problem?.contains("hourly kill budget") == true)
            }
        }
    }

    @Test func theBreakerHoldsKillsUntilMatchesDrop() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-breaker")
            var ids: [String] = []
            for index in 0..<5 {
                ids.append(
                    try await emulator.state.addJob(.init(cluster: cluster, name: "etl-\(index)", startOffset: "-1h")))
            }
            let jobs = ids
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("5m"),
                safety: #"{"breaker_threshold": 3}"#)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("breaker open") {
                    daemon.events.notices.contains { $0.hasPrefix("breaker open: 5 jobs") }
                }
                try await Task.sleep(for: .seconds(2))
                #expect(await daemon.acceptedKills().isEmpty)
                #expect(Set(daemon.events.jobIds(.held)) == Set(jobs))
                #expect(daemon.events.lastStatus?.problem?.contains("breaker open") == true)
                // Someone ends three of them by hand; two matches are under the threshold. At once: with MRS's
                // usual delay a poll between the kills could still see one running and (rightly) kill it too.
                await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0))
                for id in jobs.prefix(3) { try await emulator.client().killJob(clusterId: cluster, jobId: id) }
                try await eventually("breaker closed") {
                    daemon.events.notices.contains { $0.hasPrefix("breaker closed") }
                }
                try await eventually("the other two killed") {
                    Set(await daemon.acceptedKills()).isSuperset(of: Set(jobs.suffix(2)))
                }
                #expect(await daemon.acceptedKills().count == 5)  // 3 by hand + 2 by the daemon
            }
        }
    }

    @Test func dryRunKillsNothing() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-dry")
            let id = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-x", startOffset: "-1h"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("5m"))
            try await DaemonHarness.run(emulator, config: config, dryRun: true) { daemon in
                try await eventually("would-kill") { daemon.events.jobIds(.wouldKill) == [id] }
                try await Task.sleep(for: .seconds(2))
                #expect(await emulator.state.kills().isEmpty)
                #expect(daemon.events.records(.wouldKill).count == 1, "reported once, not every cycle")
            }
        }
    }

    @Test func aHostClockTenMinutesAheadKillsNothingEarly() async throws {
        // The emulator's clock and Date run 10 minutes behind the host.
        try await EmulatorHarness.run(clockOffsetMillis: -600_000) { emulator in
            let cluster = await emulator.addCluster("c-skew")
            let soon = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-soon", startOffset: "-1s", queued: "0s"))
            // 5 minutes old by server time, 15 by the host's: under the 8-minute limit.
            let young = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-young", startOffset: "-5m", queued: "0s"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "soon", "match": {"job_name": ["etl-soon"]}, "max_runtime": "3s", "mode": "enforce"},
                     {"name": "young", "match": {"job_name": ["etl-young"]}, "max_runtime": "8m", "mode": "enforce"}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("etl-soon killed") { await daemon.acceptedKills() == [soon] }
                try await Task.sleep(for: .seconds(1))
                #expect(!(await daemon.acceptedKills()).contains(young))
                #expect(daemon.events.notices.contains { $0.contains("ahead of MRS server time") })
            }
            let kill = try #require(await emulator.state.kills().first)
            let started = try #require(try await emulator.client().showJob(clusterId: cluster, jobId: soon).startedTime)
            #expect(kill.receivedAt >= started + 3000, "killed \(started + 3000 - kill.receivedAt) ms early")
        }
    }

    @Test func aClusterAnswering500sDoesNotStopTheOthers() async throws {
        try await EmulatorHarness.run { emulator in
            await emulator.addCluster("c-good")
            await emulator.addCluster("c-bad")
            let good = try await emulator.state.addJob(.init(cluster: "c-good", name: "etl-1", startOffset: "-1h"))
            _ = try await emulator.state.addJob(.init(cluster: "c-bad", name: "etl-2", startOffset: "-1h"))
            var plan = FaultPlan()
            plan.rate500 = 1
            plan.paths = ["/clusters/c-bad/"]
            await emulator.state.setFaults(plan)
            let config = try DaemonHarness.config(
                emulator, clusters: ["c-good", "c-bad"],
                rules: DaemonHarness.enforcing("5m"))
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("good cluster's job killed") { await daemon.acceptedKills() == [good] }
                #expect(
                    daemon.events.notices.contains {
                        $0.hasPrefix("cluster c-bad could not be polled") && $0.contains("HTTP 500")
                    })
                try await eventually("status shows the failing cluster") {
                    daemon.events.lastStatus?.failedClusters == 1
                }
            }
        }
    }

    @Test func throttlingBurstsAreRetriedAndEveryKillStillLands() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-429")
            var ids: Set<String> = []
            for index in 0..<3 {
                ids.insert(
                    try await emulator.state.addJob(.init(cluster: cluster, name: "etl-\(index)", startOffset: "-1h")))
            }
            let jobs = ids
            var plan = FaultPlan()
            plan.rate429 = 0.5
            await emulator.state.setFaults(plan)
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("5m"))
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("all three killed", timeout: .seconds(40)) {
                    Set(await daemon.acceptedKills()) == jobs
                }
                #expect(daemon.events.records(.unkillable).isEmpty)
            }
        }
    }

    @Test func authenticationFailuresBackOffInsteadOfHammering() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-auth")
            let id = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            var plan = FaultPlan()
            plan.authFailure = true
            await emulator.state.setFaults(plan)
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("5m"))
            var timing = DaemonHarness.fastTiming
            timing.authBackoff = .seconds(6)
            try await DaemonHarness.run(emulator, config: config, timing: timing) { daemon in
                let before = await emulator.state.requestCount
                try await eventually("auth failure reported") {
                    daemon.events.lastStatus?.problem?.contains("auth failing (APIG.0301)") == true
                }
                // Poll interval 1 s, auth backoff 6 s: over 3 s at most two attempts (the one reported and at
                // most one more), not one a poll.
                try await Task.sleep(for: .seconds(3))
                #expect(await emulator.state.requestCount - before <= 2)
                await emulator.state.setFaults(FaultPlan())
                try await eventually("recovered and killed", timeout: .seconds(30)) {
                    await daemon.acceptedKills() == [id]
                }
            }
        }
    }

    @Test func aRestartInTheMiddleOfAVerificationResumesIt() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-restart")
            await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 2))
            let id = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("5m"))
            let directory = try DaemonHarness.freshStateDirectory()
            try await DaemonHarness.run(emulator, config: config, stateDirectory: directory) { daemon in
                try await eventually("kill sent") { await daemon.acceptedKills() == [id] }
            }
            let saved = try StateStore(directory: directory).load(now: 0)
            #expect(saved.state.pendingKills.map(\.jobId) == [id])
            #expect(saved.state.pendingKills.first?.accepted == true)
            try await DaemonHarness.run(emulator, config: config, stateDirectory: directory) { daemon in
                try await eventually("confirmed after restart") { daemon.events.jobIds(.killConfirmed) == [id] }
                #expect(daemon.events.notices.contains("resuming verification of 1 kill(s) from the saved state"))
            }
            #expect(await emulator.state.kills().count == 1, "the kill was sent again after the restart")
        }
    }

    @Test func aCorruptStateDatabaseIsMovedAsideAndTheDaemonCarriesOn() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-corrupt")
            let id = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-1h"))
            let directory = try DaemonHarness.freshStateDirectory()
            try Data("SQLite format 3\u{0}truncated".utf8).write(to: URL(fileURLWithPath: directory + "/state.sqlite"))
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: DaemonHarness.enforcing("5m"))
            try await DaemonHarness.run(emulator, config: config, stateDirectory: directory) { daemon in
                try await eventually("killed") { await daemon.acceptedKills() == [id] }
                #expect(
                    daemon.events.notices.contains {
                        $0.contains("state.sqlite is unreadable") && $0.contains("moved to")
                    })
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files.contains { $0.hasPrefix("state.sqlite.corrupt-") })
            #expect(try StateStore(directory: directory).load(now: 0).state.kills.count == 1)
        }
    }
}
