import MRSWatchdog
import Testing

/// What the state keeps and prunes, the status line built from it, and the retry backoff.
struct WatchdogStateTests {
    static let now = KillBudgetsTests.now

    static func overdue(_ id: String, byMinutes minutes: Int64) -> Decision {
        KillBudgetsTests.overdue(id, byMinutes: minutes)
    }

    @Test func backoffGrowsIsCappedJitteredAndHonoursRetryAfter() {
        let backoff = Backoff(base: .seconds(1), cap: .seconds(8))
        #expect(backoff.delay(attempt: 0, draw: 0) == .milliseconds(500))
        #expect(backoff.delay(attempt: 0, draw: 0.999_999) < .seconds(1))
        #expect(backoff.delay(attempt: 2, draw: 0) == .seconds(2))
        #expect(backoff.delay(attempt: 10, draw: 0.5) == .seconds(6))
        #expect(backoff.delay(attempt: 60, draw: 0) == .seconds(4))
        #expect(backoff.delay(attempt: 0, draw: 0, retryAfterSeconds: 5) == .seconds(5))
        #expect(backoff.delay(attempt: 3, draw: 0.5, retryAfterSeconds: 1) == .seconds(6))
    }

    @Test func pruningKeepsPendingKillsAndTheLastHour() {
        let hour: Int64 = 3_600_000
        var pending = KillRecord(decision: Self.overdue("p", byMinutes: 1), at: Self.now - 100 * hour)
        pending.status = .pending
        var settled = KillRecord(decision: Self.overdue("s", byMinutes: 1), at: Self.now - 100 * hour)
        settled.status = .confirmed
        settled.resolvedAt = Self.now - 49 * hour
        var recent = KillRecord(decision: Self.overdue("r", byMinutes: 1), at: Self.now - 2 * hour)
        recent.status = .unkillable
        recent.resolvedAt = Self.now - hour
        let key = { (job: String) in JobKey(clusterId: "c", jobId: job) }
        var state = WatchdogState(
            warned: [key("old"): Self.now - 49 * hour, key("new"): Self.now - hour],
            kills: [key("p"): pending, key("s"): settled, key("r"): recent],
            killTimes: [Self.now - 2 * hour, Self.now - hour, Self.now - hour + 1, Self.now])
        #expect(state.changes.isEmpty, "a state as stored has nothing to save")
        #expect(state.killsInLastHour(now: Self.now) == 2)
        #expect(state.unkillableCount == 1)
        state.prune(now: Self.now)
        #expect(state.killTimes == [Self.now - hour + 1, Self.now])
        #expect(Set(state.warned.keys) == [key("new")])
        #expect(Set(state.kills.keys) == [key("p"), key("r")])
        #expect(state.pendingKills.map(\.jobId) == ["p"])
        #expect(state.takeChanges().prunedAt == Self.now, "the store prunes by the same cut-offs")
        #expect(state.changes.isEmpty)
    }

    @Test func theStatusLineLeadsWithTheProblem() {
        var line = StatusLine(
            clusters: 12, activeJobs: 340, sinceStart: DecisionTally(killed: 2, confirmed: 1, warned: 1),
            lastHour: DecisionTally(killed: 1, confirmed: 1), nextDeadline: 1_796_000_590_000)
        #expect(
            line.text
                == "watching 12 clusters · 340 active jobs · since start: 2 killed (1 confirmed), 1 warned · last hour: 1 killed (1 confirmed), 0 warned · next deadline 2026-11-30T01:03:10Z"
        )
        line.problem = "breaker open: more than 25 jobs to kill, not killing"
        line.failedClusters = 1
        line.unkillable = 1
        #expect(
            line.text.hasPrefix(
                "breaker open: more than 25 jobs to kill, not killing · watching 12 clusters (1 failing)"))
        #expect(line.text.contains("1 unkillable"))
    }
}
