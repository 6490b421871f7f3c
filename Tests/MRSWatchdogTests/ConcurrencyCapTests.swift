import MRSWatchdog
import Testing
import WatchdogTestSupport

/// `max_active` caps: the newest jobs beyond the cap get the rule's mode; ties, modes, clocks, groups and
/// missing fields (fail closed).
struct ConcurrencyCapTests {
    static let now = EvaluatorTests.now
    static let minute = EvaluatorTests.minute

    static func rule(
        count: Int = 2, per: ConcurrencyCap.Group = .user, clock: RuntimeClock = .submitted, mode: RuleMode = .enforce
    ) -> Rule {
        var match = JobMatcher()
        match.jobName = [try! Glob("etl-*")]
        var rule = Rule(name: "cap", match: match, mode: mode)
        rule.maxActive = ConcurrencyCap(count: count, per: per, clock: clock)
        return rule
    }

    static func job(
        _ id: String, user: String? = "a", queue: String? = "q", submittedAgo: Int64, state: String = "RUNNING"
    ) -> JobExecution {
        JobExecution(
            jobId: id, jobName: "etl-\(id)", user: user, queue: queue, jobType: "SparkSubmit", jobStateText: state,
            submittedTime: now - submittedAgo * minute,
            startedTime: state == "RUNNING" ? now - submittedAgo * minute + 1000 : nil)
    }

    static func over(
        _ jobs: [JobExecution], rule: Rule = rule(), also: [Rule] = [], exemptions: [Exemption] = [],
        dryRun: Bool = false, beingKilled: Set<String> = []
    ) -> [String: Decision] {
        let evaluator = Evaluator(rules: [rule] + also, exemptions: exemptions, dryRun: dryRun)
        var counter = ConcurrencyCounter(rules: evaluator.rules, dryRun: evaluator.dryRun)
        for job in jobs {
            counter.add(evaluator.decide(clusterId: "c1", clusterTags: [:], job: job, now: now), now: now)
        }
        return Dictionary(
            uniqueKeysWithValues: counter.overCap(now: now, beingKilled: beingKilled.contains).map {
                ($0.decision.job.jobId, $0.decision)
            })
    }

    @Test func theNewestBeyondTheCapAreChosenPerUser() {
        let chosen = Self.over([
            Self.job("a1", submittedAgo: 30), Self.job("a2", submittedAgo: 20), Self.job("a3", submittedAgo: 10),
            Self.job("a4", submittedAgo: 5), Self.job("b1", user: "b", submittedAgo: 1),
            Self.job("b2", user: "b", submittedAgo: 2),
        ])
        #expect(Set(chosen.keys) == ["a3", "a4"])
        #expect(chosen["a4"]?.kind == .kill)
        #expect(chosen["a4"]?.reason == "over max_active 2 per user a: number 4 of 4 by submitted_time")
    }

    @Test func tiesGoByJobId() {
        let chosen = Self.over([
            Self.job("a-2", submittedAgo: 10), Self.job("a-1", submittedAgo: 10), Self.job("a-0", submittedAgo: 20),
        ])
        #expect(Set(chosen.keys) == ["a-2"])
    }

    @Test func aMissingGroupFieldIsSkippedAndNotCounted() {
        let chosen = Self.over([
            Self.job("a1", submittedAgo: 30), Self.job("a2", submittedAgo: 20),
            Self.job("x", user: nil, submittedAgo: 10),
        ])
        #expect(chosen["x"]?.kind == .skippedUnknown && chosen["x"]?.unknownField == "user")
        #expect(chosen["a1"] == nil && chosen["a2"] == nil, "user a has two known jobs: within the cap")
        let observe = Self.over([Self.job("x", user: nil, submittedAgo: 10)], rule: Self.rule(mode: .observe))
        #expect(observe.isEmpty, "an observe cap just does not count it")
    }

    @Test func theRulesModeApplies() {
        let jobs = (1...3).map { Self.job("a\($0)", submittedAgo: Int64(10 * $0)) }
        #expect(Self.over(jobs, rule: Self.rule(mode: .warn))["a1"]?.kind == .warn)
        #expect(Self.over(jobs, rule: Self.rule(mode: .observe))["a1"]?.kind == .wouldKill)
        #expect(Self.over(jobs, dryRun: true)["a1"]?.kind == .wouldKill)
    }

    @Test func theRunningClockCountsRunningJobsOnly() {
        let jobs = [
            Self.job("a1", submittedAgo: 30), Self.job("a2", submittedAgo: 20),
            Self.job("a3", submittedAgo: 10, state: "ACCEPTED"),
        ]
        #expect(Self.over(jobs, rule: Self.rule(clock: .running)).isEmpty)
        #expect(Set(Self.over(jobs).keys) == ["a3"], "submitted: the queued one counts and is the newest")
    }

    @Test func perQueueAndPerCluster() {
        let jobs = [
            Self.job("a1", queue: "q1", submittedAgo: 30), Self.job("b1", user: "b", queue: "q1", submittedAgo: 20),
            Self.job("c1", user: "c", queue: "q2", submittedAgo: 10),
        ]
        #expect(Set(Self.over(jobs, rule: Self.rule(count: 1, per: .queue)).keys) == ["b1"])
        #expect(Set(Self.over(jobs, rule: Self.rule(count: 1, per: .cluster)).keys) == ["b1", "c1"])
    }

    @Test func anExemptJobIsNeverChosen() {
        let exemption = Exemption(
            jobId: "a3", clusterId: nil, jobName: [], untilMillis: Self.now + 60 * Self.minute, reason: "t")
        let jobs = (1...3).map { Self.job("a\($0)", submittedAgo: Int64(40 - 10 * $0)) }
        #expect(Self.over(jobs, exemptions: [exemption]).isEmpty, "a3 is the newest, and exempt")
    }

    @Test func aJobHeldByAnotherRuleThatCannotBeReadCountsAndCanBeChosen() {
        // "batch" limits the queue time on queue batch; MRS did not send the queue of some jobs, so that rule
        // cannot be read for them, which cannot take the cap's kill away.
        var match = JobMatcher()
        match.queue = [try! Glob("batch")]
        var batch = Rule(name: "batch", match: match, mode: .enforce)
        batch.maxQueuedMillis = 30 * Self.minute
        let newest = Self.over(
            [
                Self.job("a1", submittedAgo: 30), Self.job("a2", submittedAgo: 20),
                Self.job("a3", queue: nil, submittedAgo: 10),
            ],
            also: [batch])
        #expect(newest["a3"]?.kind == .kill && newest["a3"]?.rule == "cap" && newest["a3"]?.unknownField == nil)
        let oldest = Self.over(
            [
                Self.job("a1", queue: nil, submittedAgo: 30), Self.job("a2", submittedAgo: 20),
                Self.job("a3", submittedAgo: 10),
            ],
            also: [batch])
        #expect(Set(oldest.keys) == ["a3"], "a1 still runs, so a3 is number 3 of 3")
    }

    @Test func aJobAnExemptionMightCoverCountsButIsNeverChosen() {
        var match = JobMatcher()
        match.user = [try! Glob("a")]
        var rule = Rule(name: "cap", match: match, mode: .enforce)
        rule.maxActive = ConcurrencyCap(count: 2, per: .user, clock: .submitted)
        let exemption = Exemption(
            jobName: [try! Glob("etl-keep")], untilMillis: Self.now + 60 * Self.minute, reason: "t")
        var nameless = Self.job("a2", submittedAgo: 20)
        nameless.jobName = nil
        let jobs = [Self.job("a1", submittedAgo: 30), nameless, Self.job("a3", submittedAgo: 10)]
        let chosen = Self.over(jobs, rule: rule, exemptions: [exemption])
        #expect(Set(chosen.keys) == ["a3"], "a2 counts, so a3 is number 3 of 3")
        rule.maxActive = ConcurrencyCap(count: 1, per: .user, clock: .submitted)
        #expect(
            Set(Self.over(jobs, rule: rule, exemptions: [exemption]).keys) == ["a3"], "a2 may be exempt: never chosen")
    }

    @Test func jobsAlreadyBeingKilledLeaveTheirPlace() {
        let jobs = (1...3).map { Self.job("a\($0)", submittedAgo: Int64(40 - 10 * $0)) }
        #expect(Set(Self.over(jobs).keys) == ["a3"])
        #expect(Self.over(jobs, beingKilled: ["a1"]).isEmpty, "a1 is leaving: a2 and a3 fit")
        // A job over its runtime is killed for that; it does not count towards the cap.
        var rule = Self.rule()
        rule.maxRuntimeMillis = 25 * Self.minute
        #expect(Self.over(jobs, rule: rule).isEmpty, "a1 (30 min) is killed for its runtime; a2 and a3 fit")
    }

    @Test func implausibleTimesAreSkippedAndNotCounted() {
        var seconds = Self.job("a3", submittedAgo: 5)
        seconds.submittedTime = seconds.submittedTime.map { $0 / 1000 }
        let chosen = Self.over([Self.job("a1", submittedAgo: 30), Self.job("a2", submittedAgo: 20), seconds])
        #expect(chosen["a3"]?.kind == .skippedUnknown && chosen["a3"]?.unknownField == "submitted_time")
        #expect(chosen["a1"] == nil && chosen["a2"] == nil)
    }

    @Test func outsideItsWindowACapReports() {
        var rule = Self.rule()
        rule.enforceDuring = EnforcementWindowTests.window("UTC", [], from: "00:00", to: "01:00")
        let jobs = (1...3).map { Self.job("a\($0)", submittedAgo: Int64(10 * $0)) }
        let chosen = Self.over(jobs, rule: rule)
        #expect(
            chosen["a1"]?.kind == .wouldKill && chosen["a1"]?.reason.hasSuffix("outside the enforcement window") == true
        )
    }

    @Test func explainAndPlanApplyTheCapsToo() {
        let evaluator = Evaluator(rules: [Self.rule(count: 1)], exemptions: [], dryRun: false)
        let decisions = evaluator.decideAll(
            clusterId: "c1", clusterTags: [:],
            jobs: [Self.job("a1", submittedAgo: 20), Self.job("a2", submittedAgo: 10)],
            now: Self.now)
        #expect(decisions.map(\.kind) == [.ok, .kill])
        #expect(decisions[1].limitMillis == nil && decisions[1].deadline == nil, "a count decided, not a time")
    }

    @Test func theConfigReadsMaxActive() throws {
        let text = ConfigText(
            watch: ConfigText.watching(["c1"]),
            rules:
                #"[{"name": "r", "match": {"job_name": ["etl-*"]}, "mode": "enforce", "max_active": {"count": 5, "per": "user"}}]"#
        ).description
        let rule = try ConfigLoader.parse(text, file: "t.json").get().rules[0]
        #expect(rule.maxActive == ConcurrencyCap(count: 5, per: .user, clock: .submitted))
    }
}

extension ConcurrencyCapTests {
    // MARK: Through the state machine

    @Test func theMachineKillsTheNewestJobBeyondAUsersCapOnly() throws {
        let rule =
            #"{"name": "r", "match": {"job_name": ["etl-*"]}, "mode": "enforce", "max_active": {"count": 1, "per": "user"}}"#
        var harness = try Machine.Harness(rule: rule)
        var jobs = [Machine.job("a1", ago: 30 * Self.minute), Machine.job("a2", ago: 10 * Self.minute)]
        jobs[0].user = "ana"
        jobs[1].user = "ana"
        var other = Machine.job("b1", ago: 5 * Self.minute)
        other.user = "bo"
        #expect(harness.poll(jobs + [other]) == ["persist", "kill c1/a2", "persist"])
        let decision = try #require(harness.lastCycle?.decisions.first { $0.job.jobId == "a2" })
        #expect(decision.reason == "over max_active 1 per user ana: number 2 of 2 by submitted_time")
        harness.now += Self.minute
        #expect(harness.poll(jobs + [other]) == [], "a2, still listed while its kill is verified, is not killed again")
    }
}
