import MRSWatchdog
import Testing
import WatchdogTestSupport

/// Limits a job declares itself, capped by the rule: every form they come in, and what malformed values do
/// (the rule's own limit applies; never an earlier kill).
struct DeclaredLimitTests {
    static let hour = EvaluatorTests.hour
    static let minute = EvaluatorTests.minute
    static let keys = [
        "watchdog.max_runtime", "spark.application.timeout.alarm", "mapreduce.application.timeout.alarm",
    ]

    static func job(arguments: String? = nil, properties: String? = nil, startedAgo: Int64 = 0) -> JobExecution {
        var job = EvaluatorTests.running(startedAgo: startedAgo)
        job.arguments = arguments
        job.properties = properties
        return job
    }

    static func declared(
        arguments: String? = nil, properties: String? = nil, raiseTo: Int64? = nil, rule: Int64 = 2 * hour
    ) -> DeclaredLimit? {
        DeclaredLimit.of(
            job(arguments: arguments, properties: properties),
            policy: DeclaredLimitPolicy(keys: keys, allowRaiseToMillis: raiseTo), ruleMillis: rule)
    }

    @Test(
        arguments: [
            (nil, "{watchdog.max_runtime=1h, spark.executor.memory=4g}"),
            (nil, #"{"watchdog.max_runtime": "1h", "other": 3}"#),
            (nil, "{watchdog.max_runtime='1h'}"),
            ("[--class, x.Main, --conf, watchdog.max_runtime=1h, obs://b/x.jar]", nil),
            ("[--conf=watchdog.max_runtime=1h]", nil),
            ("[-Dwatchdog.max_runtime=1h, obs://b/x.jar]", nil),
            (#"["--conf", "watchdog.max_runtime=1h"]"#, nil),
            ("--class x.Main --conf watchdog.max_runtime=1h --verbose", nil),
            ("[--conf, spark.application.timeout.alarm=3600000]", nil),
            (nil, "{mapreduce.application.timeout.alarm=3600000}"),
        ] as [(String?, String?)])
    func everyFormIsRead(arguments: String?, properties: String?) throws {
        let limit = try #require(Self.declared(arguments: arguments, properties: properties))
        #expect(limit.declaredMillis == Self.hour)
        #expect(limit.effectiveMillis == Self.hour)
        #expect(limit.outcome == .lowered)
    }

    @Test func aJobThatDeclaresNothingLeavesTheRuleAlone() {
        #expect(Self.declared(arguments: "[--conf, spark.executor.memory=4g]", properties: "{k=v}") == nil)
        #expect(Self.declared() == nil)
        #expect(Self.declared(properties: "{other.max_runtime=1h}") == nil, "only the rule's keys")
    }

    @Test func theFirstKeyOfTheRuleWins() {
        let limit = Self.declared(
            arguments: "[--conf, spark.application.timeout.alarm=1800000]", properties: "{watchdog.max_runtime=1h}")
        #expect(limit?.key == "watchdog.max_runtime" && limit?.effectiveMillis == Self.hour)
    }

    @Test func raisingNeedsAllowRaiseToAndStopsThere() {
        let never = Self.declared(properties: "{watchdog.max_runtime=4h}")
        #expect(never?.outcome == .notRaised && never?.effectiveMillis == 2 * Self.hour)
        let raised = Self.declared(properties: "{watchdog.max_runtime=4h}", raiseTo: 8 * Self.hour)
        #expect(raised?.outcome == .raised(ceilingMillis: 8 * Self.hour) && raised?.effectiveMillis == 4 * Self.hour)
        let capped = Self.declared(properties: "{watchdog.max_runtime=12h}", raiseTo: 8 * Self.hour)
        #expect(capped?.outcome == .capped(ceilingMillis: 8 * Self.hour) && capped?.effectiveMillis == 8 * Self.hour)
        #expect(capped?.text == "the job declares 12h (watchdog.max_runtime); capped at allow_raise_to 8h")
    }

    @Test(arguments: [
        "{watchdog.max_runtime=4 hours}", "{watchdog.max_runtime=2h 30m}", "{watchdog.max_runtime='2h 30m'}",
        "{watchdog.max_runtime=}", "{watchdog.max_runtime=-1h}",
        "{watchdog.max_runtime=30s}", "{spark.application.timeout.alarm=1h}", "{spark.application.timeout.alarm=3600}",
        "{spark.application.timeout.alarm=99999999999999999999}", "{watchdog.max_runtime=1h, watchdog.max_runtime=3h}",
    ])
    func aMalformedValueLeavesTheRulesLimit(properties: String) throws {
        let limit = try #require(Self.declared(properties: properties, raiseTo: 8 * Self.hour))
        #expect(limit.isMalformed, "\(properties): \(limit.outcome)")
        #expect(limit.effectiveMillis == 2 * Self.hour)
        #expect(limit.text.hasSuffix("the rule's 2h applies"))
    }

    @Test(arguments: [
        "{watchdog.max_runtime=1h, watchdog.max_runtime=60m}", "{watchdog.max_runtime=1h, watchdog.max_runtime=3600s}",
        "{watchdog.max_runtime=1h, spark.application.timeout.alarm=3600000}",
    ])
    func theSameLimitInOtherWordsIsOneDeclaration(properties: String) throws {
        let limit = try #require(Self.declared(properties: properties))
        #expect(!limit.isMalformed && limit.effectiveMillis == Self.hour, "\(properties): \(limit.text)")
    }

    @Test func minIsTheShortestLimitTaken() throws {
        func declared(_ value: String) -> DeclaredLimit? {
            DeclaredLimit.of(
                Self.job(properties: "{watchdog.max_runtime=\(value)}"),
                policy: DeclaredLimitPolicy(keys: Self.keys, minimumMillis: 30 * Self.minute), ruleMillis: 2 * Self.hour
            )
        }
        #expect(declared("30m")?.effectiveMillis == 30 * Self.minute, "exactly min is taken")
        let under = try #require(declared("1799s"))
        #expect(under.isMalformed && under.effectiveMillis == 2 * Self.hour)
    }

    @Test func aUnitSlipIsReportedWithBothReadings() throws {
        let limit = try #require(Self.declared(properties: "{spark.application.timeout.alarm=86400}"))
        #expect(limit.isMalformed && limit.effectiveMillis == 2 * Self.hour)
        #expect(limit.text.contains("86400 ms is 1m26s; as seconds it would be 1d"), "\(limit.text)")
    }

    // MARK: In the evaluator

    static func rule(raiseTo: Int64? = nil) -> Rule {
        var rule = EvaluatorTests.sparkRule(warn: nil)
        rule.declaredLimit = DeclaredLimitPolicy(keys: keys, allowRaiseToMillis: raiseTo)
        return rule
    }

    func decide(_ rule: Rule, _ job: JobExecution) -> Decision {
        Evaluator(rules: [rule], exemptions: [], dryRun: false)
            .decide(clusterId: "c-1", clusterTags: EvaluatorTests.devTags, job: job, now: EvaluatorTests.now)
    }

    @Test func aLowerDeclaredLimitKillsSoonerAndExplainSaysWhy() {
        let decision = decide(
            Self.rule(), Self.job(properties: "{watchdog.max_runtime=1h}", startedAgo: 90 * Self.minute))
        #expect(decision.kind == .kill)
        #expect(decision.limitMillis == Self.hour)
        #expect(
            decision.reason
                == "over max_runtime 1h; limit 1h declared by the job (watchdog.max_runtime), rule ceiling 2h")
    }

    @Test func aHigherDeclaredLimitWithinTheCeilingDefersTheKill() {
        let job = Self.job(properties: "{watchdog.max_runtime=4h}", startedAgo: 3 * Self.hour)
        let decision = decide(Self.rule(raiseTo: 8 * Self.hour), job)
        #expect(decision.kind == .ok)
        #expect(decision.deadline == EvaluatorTests.now + Self.hour)
        #expect(decide(Self.rule(), job).kind == .kill, "without allow_raise_to the rule's 2h holds")
    }

    @Test func aMalformedDeclarationNeverMakesAKillEarlier() {
        let young = decide(
            Self.rule(), Self.job(properties: "{watchdog.max_runtime=1 hour}", startedAgo: 90 * Self.minute))
        #expect(young.kind == .ok && young.limitMillis == 2 * Self.hour)
        #expect(young.reason.contains("cannot be used"))
        let old = decide(Self.rule(), Self.job(properties: "{watchdog.max_runtime=1 hour}", startedAgo: 3 * Self.hour))
        #expect(old.kind == .kill && old.limitMillis == 2 * Self.hour, "the rule's own limit still holds")
    }

    /// A 300 KB declared value is quoted in the reason by its two ends only: the reason goes to the journal,
    /// notifications and `explain`, and its size is the job owner's choice.
    @Test(arguments: ["watchdog.max_runtime", "spark.application.timeout.alarm"])
    func aHugeMalformedDeclarationIsQuotedShort(_ key: String) {
        let value = "1h " + String(repeating: "x", count: 300_000)
        let decision = decide(Self.rule(), Self.job(properties: "{\(key)=\(value)}", startedAgo: 3 * Self.hour))
        #expect(decision.kind == .kill && decision.limitMillis == 2 * Self.hour)
        #expect(decision.reason.utf8.count < 400 && decision.reason.contains("bytes left out"), "\(decision.reason)")
    }

    @Test func aRuleWithoutDeclaredLimitIgnoresDeclarations() {
        let decision = decide(
            EvaluatorTests.sparkRule(warn: nil),
            Self.job(properties: "{watchdog.max_runtime=1h}", startedAgo: 90 * Self.minute))
        #expect(decision.kind == .ok && decision.declared == nil)
    }

    @Test func theConfigReadsDeclaredLimit() throws {
        let text = ConfigText(
            watch: ConfigText.watching(["c1"]),
            rules: """
                [{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce",
                  "declared_limit": {"keys": ["watchdog.max_runtime"], "allow_raise_to": "8h"}}]
                """
        ).description
        let config = try ConfigLoader.parse(text, file: "t.json").get()
        #expect(
            config.rules[0].declaredLimit
                == DeclaredLimitPolicy(keys: ["watchdog.max_runtime"], allowRaiseToMillis: 8 * Self.hour))
    }
}

/// The daemon's side: a declaration that cannot be read is reported once per job, not every poll.
struct DeclaredLimitReportTests {
    @Test func anUnreadableDeclarationIsReportedOncePerJob() throws {
        var harness = try WatchdogStateMachineTests.Harness(
            rule: #"""
                {"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "mode": "enforce",
                 "declared_limit": {"keys": ["watchdog.max_runtime"]}}
                """#)
        var job = WatchdogStateMachineTests.job("j1", ago: 10 * WatchdogStateMachineTests.minute)
        job.properties = "{watchdog.max_runtime=soon}"
        let first = harness.poll([job])
        #expect(
            first.filter { $0.hasPrefix("notice: job c1/j1: the job's watchdog.max_runtime cannot be used") }.count
                == 1, "\(first)")
        harness.now += WatchdogStateMachineTests.minute
        #expect(!harness.poll([job]).contains { $0.hasPrefix("notice:") }, "not again")
        job.properties = "{watchdog.max_runtime=30m}"
        harness.now += WatchdogStateMachineTests.minute
        _ = harness.poll([job])
        job.properties = "{watchdog.max_runtime=later}"
        harness.now += WatchdogStateMachineTests.minute
        #expect(harness.poll([job]).contains { $0.hasPrefix("notice: job c1/j1") }, "unreadable again: reported again")
    }
}
