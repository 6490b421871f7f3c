import MRSWatchdog
import Testing

/// Table-driven checks of the pure evaluator. Times are epoch ms; `now` is fixed.
struct EvaluatorTests {
    static let now: Int64 = 1_800_000_000_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let devTags = ["env": "dev"]

    static func sparkRule(mode: RuleMode = .enforce, clock: RuntimeClock = .running, warn: Int64? = 10 * minute) -> Rule
    {
        var match = JobMatcher()
        match.clusterTags = ["env": "dev"]
        match.jobType = ["SparkSubmit"]
        match.jobName = [try! Glob("etl-*")]
        return Rule(
            name: "dev-spark-2h", match: match, maxRuntimeMillis: 2 * hour, clock: clock, warnBeforeMillis: warn,
            mode: mode)
    }

    static func running(_ name: String = "etl-nightly", startedAgo: Int64, type: String = "SparkSubmit") -> JobExecution
    {
        JobExecution(
            jobId: "job-1", jobName: name, user: "etl", queue: "default", jobType: type, jobStateText: "RUNNING",
            jobResult: "UNDEFINED", submittedTime: now - startedAgo - minute, startedTime: now - startedAgo)
    }

    func decide(
        _ rules: [Rule], _ job: JobExecution, tags: [String: String]? = devTags, exemptions: [Exemption] = [],
        dryRun: Bool = false
    ) -> Decision {
        Evaluator(rules: rules, exemptions: exemptions, dryRun: dryRun)
            .decide(clusterId: "c-1", clusterTags: tags, job: job, now: Self.now)
    }

    @Test func oneMillisecondUnderTheLimitIsNotKilled() {
        let decision = decide([Self.sparkRule()], Self.running(startedAgo: 2 * Self.hour - 1))
        #expect(decision.kind == .warn)
        #expect(decision.deadline == Self.now + 1)
        #expect(decision.nextChangeAt == Self.now + 1)
    }

    @Test func exactlyAtTheLimitIsKilled() {
        let decision = decide([Self.sparkRule()], Self.running(startedAgo: 2 * Self.hour))
        #expect(decision.kind == .kill)
        #expect(decision.rule == "dev-spark-2h")
        #expect(decision.elapsedMillis == 2 * Self.hour)
        #expect(decision.limitMillis == 2 * Self.hour)
        #expect(decision.clock == .running)
    }

    @Test func beforeTheWarningWindowItIsOkAndWakesAtTheWarning() {
        let decision = decide([Self.sparkRule()], Self.running(startedAgo: Self.hour))
        #expect(decision.kind == .ok)
        #expect(decision.nextChangeAt == Self.now + 50 * Self.minute)
    }

    @Test(arguments: [
        (RuleMode.observe, Decision.Kind.wouldKill), (.warn, .warn), (.enforce, .kill),
    ])
    func modesDecideWhatHappensOverTheLimit(_ mode: RuleMode, _ expected: Decision.Kind) {
        #expect(decide([Self.sparkRule(mode: mode)], Self.running(startedAgo: 3 * Self.hour)).kind == expected)
    }

    @Test func dryRunTurnsEnforceIntoObserve() {
        #expect(decide([Self.sparkRule()], Self.running(startedAgo: 3 * Self.hour), dryRun: true).kind == .wouldKill)
    }

    @Test(arguments: [
        ("adhoc-query", "SparkSubmit", ["env": "dev"]),  // name does not match
        ("etl-nightly", "HiveSql", ["env": "dev"]),  // type does not match
        ("etl-nightly", "SparkSubmit", ["env": "prod"]),  // cluster tags do not match
    ])
    func jobsNoRuleNamesAreNeverKilled(_ name: String, _ type: String, _ tags: [String: String]) {
        let decision = decide(
            [Self.sparkRule()], Self.running(name, startedAgo: 10 * Self.hour, type: type), tags: tags)
        #expect(decision.kind == .unmatched)
    }

    @Test func anExcludeHitWins() {
        var rule = Self.sparkRule()
        var exclude = JobMatcher()
        exclude.user = [try! Glob("et?")]
        rule.exclude = exclude
        let decision = decide([rule], Self.running(startedAgo: 10 * Self.hour))
        #expect(decision.kind == .excluded)
    }

    @Test func anExemptionWinsUntilItExpires() {
        let job = Self.running(startedAgo: 10 * Self.hour)
        let active = Exemption(jobId: "job-1", untilMillis: Self.now + 1, reason: "backfill")
        #expect(decide([Self.sparkRule()], job, exemptions: [active]).kind == .exempt)
        let expired = Exemption(jobId: "job-1", untilMillis: Self.now, reason: "backfill")
        #expect(decide([Self.sparkRule()], job, exemptions: [expired]).kind == .kill)
        let byCluster = Exemption(
            clusterId: "c-1", jobName: [try! Glob("etl-*")], untilMillis: Self.now + Self.hour, reason: "q-end")
        #expect(decide([Self.sparkRule()], job, exemptions: [byCluster]).kind == .exempt)
        let otherCluster = Exemption(clusterId: "c-2", untilMillis: Self.now + Self.hour, reason: "q-end")
        #expect(decide([Self.sparkRule()], job, exemptions: [otherCluster]).kind == .kill)
    }

    @Test func theSubmittedClockCountsQueueTimeToo() {
        var job = Self.running(startedAgo: 2 * Self.hour - 30 * Self.minute)
        job.submittedTime = Self.now - 2 * Self.hour
        #expect(decide([Self.sparkRule(clock: .running)], job).kind != .kill)
        #expect(decide([Self.sparkRule(clock: .submitted)], job).kind == .kill)
    }

    @Test func maxQueuedLimitsTimeInTheQueue() {
        let rule = Rule(name: "queue-30m", maxQueuedMillis: 30 * Self.minute, mode: .enforce)
        let queued = JobExecution(
            jobId: "q", jobName: "etl-x", jobType: "SparkSubmit", jobStateText: "ACCEPTED",
            submittedTime: Self.now - 30 * Self.minute)
        #expect(decide([rule], queued).kind == .kill)
        var fresh = queued
        fresh.submittedTime = Self.now - 29 * Self.minute
        #expect(decide([rule], fresh).kind == .ok)
        // Once running, max_queued no longer applies.
        #expect(decide([rule], Self.running(startedAgo: 10 * Self.hour)).kind == .ok)
    }

    @Test func theEarliestDeadlineWinsAndExplainListsEveryRule() {
        var short = Self.sparkRule()
        short.name = "short-1h"
        short.maxRuntimeMillis = Self.hour
        short.warnBeforeMillis = nil
        var long = Self.sparkRule()
        long.warnBeforeMillis = nil
        let decision = decide([long, short], Self.running(startedAgo: 30 * Self.minute))
        #expect(decision.rule == "short-1h")
        #expect(decision.deadline == Self.now + 30 * Self.minute)
        #expect(decision.matches.map(\.rule) == ["dev-spark-2h", "short-1h"])
    }

    @Test func anEnforceRuleOverItsLimitWinsOverAnEarlierObserveRule() {
        var observe = Self.sparkRule(mode: .observe)
        observe.name = "observe-1h"
        observe.maxRuntimeMillis = Self.hour
        let decision = decide([observe, Self.sparkRule()], Self.running(startedAgo: 3 * Self.hour))
        #expect(decision.kind == .kill)
        #expect(decision.rule == "dev-spark-2h")
    }

    @Test(arguments: [
        ("started_time missing", Optional<Int64>.none, "RUNNING"),
        ("started_time in the future", Optional(now + 5000), "RUNNING"),
    ])
    func missingOrFutureTimestampsFailClosed(_ label: String, _ started: Int64?, _ state: String) {
        var job = Self.running(startedAgo: 10 * Self.hour)
        job.startedTime = started
        let decision = decide([Self.sparkRule()], job)
        #expect(decision.kind == .skippedUnknown, "\(label)")
    }

    @Test func unreadableClusterTagsFailClosed() {
        #expect(decide([Self.sparkRule()], Self.running(startedAgo: 10 * Self.hour), tags: nil).kind == .skippedUnknown)
    }

    @Test func unknownStatesFailClosedAndEndedJobsAreLeftAlone() {
        var odd = Self.running(startedAgo: 10 * Self.hour)
        odd.jobStateText = "PAUSED"
        #expect(decide([Self.sparkRule()], odd).kind == .skippedUnknown)
        var done = Self.running(startedAgo: 10 * Self.hour)
        done.jobStateText = "FINISHED"
        #expect(decide([Self.sparkRule()], done).kind == .ok)
        var lowercase = Self.running(startedAgo: 10 * Self.hour)
        lowercase.jobStateText = "running"
        #expect(decide([Self.sparkRule()], lowercase).kind == .kill)
    }

    @Test(arguments: [
        ("RUNNING", JobState.running), ("Running", .running), ("new_saving", .newSaving), ("New", .new),
        ("RUNNİNG", nil), ("ſubmitted", nil), ("RUNNINGX", nil), ("RUNNIN", nil), ("", nil), ("KILLED ", nil),
    ])
    func jobStatesFoldASCIILettersOnly(_ text: String, _ expected: JobState?) {
        #expect(JobState(wire: text) == expected)
    }

    @Test func everyJobStateIsReadFromItsWireName() {
        for state in JobState.allCases { #expect(JobState(wire: state.rawValue.lowercased()) == state) }
    }

    @Test func theSameInputGivesTheSameOutput() {
        let job = Self.running(startedAgo: 90 * Self.minute)
        #expect(decide([Self.sparkRule()], job) == decide([Self.sparkRule()], job))
    }

    @Test(arguments: [
        ("etl-*", "etl-nightly", true), ("etl-*", "xetl-nightly", false), ("job-??", "job-42", true),
        ("job-??", "job-4", false), ("*", "", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
    ])
    func globsMatchWholeNames(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try Glob(pattern).matches(text) == expected)
    }
}
