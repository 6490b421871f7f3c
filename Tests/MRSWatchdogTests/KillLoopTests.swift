import MRSWatchdog
import Testing

/// Kill loops: jobs of one (cluster, job name, user) killed `after` times within `within` — counted from the
/// saved kill records, so across restarts — are reported once per loop, then killed or left by the rule.
struct KillLoopTests {
    static let hour = Machine.hour
    static let minute = Machine.minute

    /// A state as loaded after a restart: `count` accepted kills of etl-nightly by etl, the last `gap` apart.
    static func state(kills count: Int, lastAgo: Int64 = hour, gap: Int64 = hour) -> WatchdogState {
        var kills: [JobKey: KillRecord] = [:]
        for index in 0..<count {
            var record = KillRecord(
                clusterId: "c1", jobId: "old-\(index)", status: .confirmed,
                firstAttemptAt: Machine.start - lastAgo - Int64(index) * gap)
            record.jobName = "etl-nightly"
            record.user = "etl"
            record.attempts = 1
            record.accepted = true
            record.resolvedAt = record.firstAttemptAt + 1000
            kills[record.key] = record
        }
        return WatchdogState(warned: [:], kills: kills, killTimes: [])
    }

    static func nightly(_ id: String, at now: Int64, user: String = "etl") -> JobExecution {
        JobExecution(
            jobId: id, jobName: "etl-nightly", user: user, jobStateText: "RUNNING",
            submittedTime: now - 2 * hour - 1000,
            startedTime: now - 2 * hour)
    }

    static func rule(_ response: String) -> String {
        #"{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "mode": "enforce", "on_kill_loop": "\#(response)"}"#
    }

    @Test func theFourthKillInADayIsReportedOnceAndStillKilledWhenTheRuleAlerts() throws {
        var harness = try Machine.Harness(state: Self.state(kills: 3), rule: Self.rule("alert"))
        let first = harness.poll([Self.nightly("j4", at: harness.now)])
        #expect(first.contains("kill-loop c1/j4") && first.contains("kill c1/j4"), "\(first)")
        _ = harness.killed("j4")
        harness.now += 10 * Self.minute
        let next = harness.poll([Self.nightly("j5", at: harness.now)])
        #expect(next.contains("kill c1/j5") && !next.contains("kill-loop c1/j5"), "once per loop: \(next)")
    }

    @Test func aRuleThatObservesStopsKillingAResubmissionUntilTheLoopPasses() throws {
        // Killed 15, 9 and 3 hours ago; j4 was submitted 2 hours ago, after them: a resubmission.
        var harness = try Machine.Harness(
            state: Self.state(kills: 3, lastAgo: 3 * Self.hour, gap: 6 * Self.hour), rule: Self.rule("observe"))
        let lines = harness.poll([Self.nightly("j4", at: harness.now)])
        #expect(lines.contains("kill-loop c1/j4") && !lines.contains("kill c1/j4"), "\(lines)")
        // The oldest of the three kills leaves the 24 h window 9 h later: two are not a loop.
        harness.now += 12 * Self.hour
        #expect(harness.poll([Self.nightly("j4", at: harness.now)]).contains("kill c1/j4"))
    }

    /// The job's owner lets three cheap decoys with the real job's name be killed while it runs: the real
    /// job was submitted before those kills, so it is no resubmission and is killed at its limit.
    @Test func decoysKilledWhileAJobRunsDoNotSpareIt() throws {
        var harness = try Machine.Harness(
            state: Self.state(kills: 3, lastAgo: 10 * Self.minute, gap: 10 * Self.minute), rule: Self.rule("observe"))
        let lines = harness.poll([Self.nightly("real", at: harness.now)])
        #expect(lines.contains("kill-loop c1/real") && lines.contains("kill c1/real"), "\(lines)")
        #expect(harness.records.first?.detail?.hasSuffix("so it is no resubmission") == true)
    }

    /// A resubmission the looping rule spares is still killed by a ceiling rule that is over its limit too
    /// and alerts on loops.
    @Test func aCeilingThatAlertsStillKillsAResubmission() throws {
        let ceiling =
            #"{"name": "ceiling", "max_runtime": "90m", "mode": "enforce", "on_kill_loop": "alert"}"#
        var harness = try Machine.Harness(
            state: Self.state(kills: 3, lastAgo: 3 * Self.hour, gap: 6 * Self.hour),
            rule: Self.rule("observe") + ", " + ceiling)
        let lines = harness.poll([Self.nightly("j4", at: harness.now)])
        #expect(lines.contains("kill c1/j4"), "\(lines)")
    }

    @Test func otherUsersOlderKillsAndFewerKillsAreNoLoop() throws {
        var harness = try Machine.Harness(state: Self.state(kills: 2), rule: Self.rule("observe"))
        #expect(harness.poll([Self.nightly("j4", at: harness.now)]).contains("kill c1/j4"), "two kills: no loop")
        var other = try Machine.Harness(state: Self.state(kills: 3), rule: Self.rule("observe"))
        #expect(other.poll([Self.nightly("j4", at: other.now, user: "bob")]).contains("kill c1/j4"), "another user")
        var old = try Machine.Harness(state: Self.state(kills: 3, lastAgo: 23 * Self.hour), rule: Self.rule("observe"))
        #expect(old.poll([Self.nightly("j4", at: old.now)]).contains("kill c1/j4"), "two of three older than 24h")
    }

    @Test func theWindowAndCountAreConfigurable() throws {
        let safety = #"{"kill_loop": {"after": 2, "within": "2h"}}"#
        var inside = try Machine.Harness(
            safety: safety, state: Self.state(kills: 2, lastAgo: 10 * Self.minute, gap: 30 * Self.minute),
            rule: Self.rule("observe"))
        #expect(inside.poll([Self.nightly("j4", at: inside.now)]).contains("kill-loop c1/j4"), "two within 2h")
        // Ten minutes and three hours ago: a loop under the default 24 h, not under 2 h.
        let spread = Self.state(kills: 2, lastAgo: 10 * Self.minute, gap: 3 * Self.hour)
        var narrow = try Machine.Harness(safety: safety, state: spread, rule: Self.rule("observe"))
        #expect(narrow.poll([Self.nightly("j4", at: narrow.now)]).contains("kill c1/j4"))
        var wide = try Machine.Harness(
            safety: #"{"kill_loop": {"after": 2}}"#, state: spread, rule: Self.rule("observe"))
        #expect(wide.poll([Self.nightly("j4", at: wide.now)]).contains("kill-loop c1/j4"))
    }

    @Test func recordsSavedWithoutAUserStillCount() throws {
        var state = Self.state(kills: 3, lastAgo: 3 * Self.hour)  // before j4 was submitted: it is a resubmission
        for var record in state.kills.values {
            record.user = nil
            state.record(record)
        }
        _ = state.takeChanges()
        var harness = try Machine.Harness(state: state, rule: Self.rule("observe"))
        let lines = harness.poll([Self.nightly("j4", at: harness.now)])
        #expect(lines.contains("kill-loop c1/j4") && !lines.contains("kill c1/j4"), "\(lines)")
    }
}
