import Testing

@testable import MRSWatchdog

/// The breaker and the kill budgets: which kills go now, most overdue first, which wait and why; and the
/// budgets' own bookkeeping (the per-minute window, the read budget, the breaker across polls).
struct KillBudgetsTests {
    static let now: Int64 = 1_800_000_000_000

    static func overdue(_ id: String, byMinutes minutes: Int64) -> Decision {
        let job = JobExecution(
            jobId: id, jobName: "etl-\(id)", jobStateText: "RUNNING", startedTime: now - (minutes + 60) * 60_000)
        var decision = Evaluator(
            rules: [Rule(name: "r", match: JobMatcher(), maxRuntimeMillis: 3_600_000, mode: .enforce)], exemptions: [],
            dryRun: false
        ).decide(clusterId: "c", clusterTags: [:], job: job, now: now)
        decision.job.jobId = id
        return decision
    }

    static func safety(perCycle: Int = 10, perHour: Int = 50, breaker: Int = 25) -> WatchdogConfig.Safety {
        var safety = WatchdogConfig.Safety()
        safety.maxKillsPerCycle = perCycle
        safety.maxKillsPerHour = perHour
        safety.breakerThreshold = breaker
        return safety
    }

    @Test func theMostOverdueGoFirstAndTheRestWait() {
        let candidates = [
            Self.overdue("a", byMinutes: 5), Self.overdue("b", byMinutes: 50), Self.overdue("c", byMinutes: 20),
        ]
        #expect(candidates.allSatisfy { $0.kind == .kill })
        let plan = WatchdogStateMachine.KillBudgets.plan(
            candidates: candidates, safety: Self.safety(perCycle: 2), breakerOpen: false, killedThisCycle: 0,
            killedLastHour: 0, killRequestsLastMinute: 0, now: Self.now)
        #expect(plan.kill.map(\.job.jobId) == ["b", "c"])
        #expect(plan.deferred.map(\.job.jobId) == ["a"])
        #expect(plan.holdReason?.hasPrefix("per-cycle kill budget (2)") == true)
    }

    @Test(arguments: [
        (0, 0, 3, nil as String?), (1, 0, 2, "per-cycle"), (0, 48, 2, "hourly"), (0, 50, 0, "hourly"),
        (3, 0, 0, "per-cycle"),
    ])
    func budgetsLeaveRoomForWhatIsLeft(killedThisCycle: Int, killedLastHour: Int, kills: Int, reason: String?) {
        let candidates = (0..<3).map { Self.overdue("j\($0)", byMinutes: Int64($0 + 1)) }
        let plan = WatchdogStateMachine.KillBudgets.plan(
            candidates: candidates, safety: Self.safety(perCycle: 3, perHour: 50), breakerOpen: false,
            killedThisCycle: killedThisCycle, killedLastHour: killedLastHour, killRequestsLastMinute: 0, now: Self.now)
        #expect(plan.kill.count == kills)
        #expect(plan.kill.count + plan.deferred.count == 3)
        #expect(plan.holdReason?.contains(reason ?? "-") ?? (reason == nil))
    }

    @Test func anOpenBreakerKillsNothing() {
        let safety = Self.safety(breaker: 2)
        #expect(!WatchdogStateMachine.KillBudgets.breakerOpens(candidates: 2, safety: safety))
        #expect(WatchdogStateMachine.KillBudgets.breakerOpens(candidates: 3, safety: safety))
        let candidates = (0..<3).map { Self.overdue("j\($0)", byMinutes: 10) }
        let plan = WatchdogStateMachine.KillBudgets.plan(
            candidates: candidates, safety: safety, breakerOpen: true, killedThisCycle: 0, killedLastHour: 0,
            killRequestsLastMinute: 0, now: Self.now)
        #expect(plan.kill.isEmpty)
        #expect(plan.deferred.count == 3)
        #expect(plan.holdReason?.hasPrefix("breaker open") == true)
    }

    /// Kill requests count from their answer within a window 1.25 s longer than the configured one; a slot
    /// frees when the oldest leaves it.
    @Test func theMinuteBudgetCountsAnswersAndFreesTheOldestSlot() {
        var safety = Self.safety()
        safety.maxKillsPerMinute = 2
        var budgets = WatchdogStateMachine.KillBudgets(rateWindow: .seconds(60))
        let initial = budgets.killRoom(now: Self.now, inFlight: 0, safety: safety)
        #expect(initial == 2)
        budgets.killAnswered(at: Self.now)
        budgets.killAnswered(at: Self.now + 1_000)
        let full = budgets.killRoom(now: Self.now + 2_000, inFlight: 0, safety: safety)
        let withOneInFlight = budgets.killRoom(now: Self.now + 2_000, inFlight: 1, safety: safety)
        let later = budgets.killRoom(now: Self.now + 61_250, inFlight: 0, safety: safety)
        #expect(full == 0)
        #expect(withOneInFlight == -1, "in flight counts")
        #expect(later == 1, "the first left")
    }

    @Test func theReadBudgetSaysWhenItsNextSlotFrees() {
        var safety = Self.safety()
        safety.maxReadsPerMinute = 2
        var budgets = WatchdogStateMachine.KillBudgets(rateWindow: .seconds(60))
        #expect(budgets.readSlotFrees(safety: safety) == nil, "room")
        budgets.readSent(at: Self.now)
        budgets.readSent(at: Self.now + 500)
        let room = budgets.readRoom(now: Self.now + 600, safety: safety)
        #expect(room == 0)
        #expect(budgets.readSlotFrees(safety: safety) == Self.now + 61_250)
    }

    /// The breaker opens above the threshold and closes below it (each a change to report once); the kills
    /// it holds are dropped, not kept waiting, and nothing is planned while it is open.
    @Test func theBreakerChangesOncePerCrossingAndHoldsNothingBack() {
        let safety = Self.safety(breaker: 2)
        var budgets = WatchdogStateMachine.KillBudgets(rateWindow: .seconds(60))
        let opened = budgets.pollFinished(candidates: 3, safety: safety)
        let stillOpen = budgets.pollFinished(candidates: 5, safety: safety)
        #expect(opened, "opened")
        #expect(!stillOpen, "still open: no change")
        let plan = budgets.plan(
            [Self.overdue("a", byMinutes: 5)], now: Self.now, safety: safety, killedLastHour: 0, used: 0)
        #expect(plan.kill.isEmpty && budgets.waiting.isEmpty && budgets.breakerOpen)
        let closed = budgets.pollFinished(candidates: 1, safety: safety)
        #expect(closed, "closed")
        let open = budgets.plan(
            [Self.overdue("a", byMinutes: 5)], now: Self.now, safety: safety, killedLastHour: 0, used: 0)
        #expect(open.kill.map(\.job.jobId) == ["a"])
    }

    /// What a budget holds back waits (and says why) until the next poll replaces it.
    @Test func heldBackKillsWaitUntilTheNextPoll() {
        let safety = Self.safety(perCycle: 1)
        var budgets = WatchdogStateMachine.KillBudgets(rateWindow: .seconds(60))
        _ = budgets.pollFinished(candidates: 2, safety: safety)
        let plan = budgets.plan(
            [Self.overdue("a", byMinutes: 5), Self.overdue("b", byMinutes: 9)], now: Self.now, safety: safety,
            killedLastHour: 0, used: 0)
        budgets.killSent()
        #expect(plan.kill.map(\.job.jobId) == ["b"] && budgets.waiting.map(\.job.jobId) == ["a"])
        #expect(budgets.holdReason?.hasPrefix("per-cycle kill budget (1) reached") == true)
        _ = budgets.pollFinished(candidates: 0, safety: safety)
        #expect(budgets.waiting.isEmpty && budgets.holdReason == nil && budgets.killsSincePoll == 0)
    }
}
