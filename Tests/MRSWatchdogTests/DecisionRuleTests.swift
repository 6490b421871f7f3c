import Foundation
import MRSWatchdog
import Testing

/// The decision rule (README, "How a decision is made"), as a table and as a property: a job is killed when
/// some enforce rule names it for certain, its deadline is reached on plausible times, inside that rule's
/// window, and no exemption might cover the job. What cannot be read in another rule never holds that kill.
struct DecisionRuleTests {
    static let (now, hour) = (FailClosedTests.now, FailClosedTests.hour)

    /// Rule A names the overdue job (SparkSubmit, `etl-*`, 1 h) in one of these ways.
    enum Certainty: String, CaseIterable, CustomTestStringConvertible {
        /// Match and exclude known; A applies.
        case applies
        /// A's match reads `queue`, which is missing.
        case matchUnknown
        /// A's exclude reads `user`, which is missing.
        case excludeUnknown
        /// A's exclude is known true.
        case excluded
        var testDescription: String { rawValue }
    }

    /// What else is around: rule B, an exemption, A's window.
    enum Context: String, CaseIterable, CustomTestStringConvertible {
        case nothing
        /// Enforce rule B reads `queue`, which is missing.
        case otherRuleUnknown
        /// Warn rule C applies for certain and is over its limit too.
        case warnRuleOver
        /// An exemption by job name that does not cover `etl-nightly`.
        case exemptionNotCovering
        /// An exemption by job id covers the job.
        case exemptionCovering
        /// A's window is closed now.
        case windowClosed
        /// `--dry-run`: every rule observes, and shows what enforcing would do.
        case dryRun
        var testDescription: String { rawValue }
    }

    static func rules(_ certainty: Certainty, _ context: Context) throws -> [Rule] {
        var match = JobMatcher()
        match.jobType = ["SparkSubmit"]
        match.jobName = [try Glob("etl-*")]
        var exclude: JobMatcher?
        switch certainty {
        case .applies: break
        case .matchUnknown: match.queue = [try Glob("def*")]
        case .excludeUnknown:
            exclude = JobMatcher()
            exclude?.user = [try Glob("platform-*")]
        case .excluded:
            exclude = JobMatcher()
            exclude?.jobType = ["SparkSubmit"]
        }
        var a = Rule(name: "A", match: match, exclude: exclude, maxRuntimeMillis: hour, mode: .enforce)
        if context == .windowClosed {
            // Closed for the whole of the job's overdue time: open 1 minute a day, 12 hours from now.
            let opens = Int((now / 60_000 + 12 * 60) % 1440)
            a.enforceDuring = EnforcementWindow(
                timeZone: TimeZone(identifier: "UTC")!, fromMinutes: opens, toMinutes: (opens + 1) % 1440)
        }
        var rules = [a]
        switch context {
        case .otherRuleUnknown:
            var batch = JobMatcher()
            batch.queue = [try Glob("batch")]
            rules.append(Rule(name: "B", match: batch, maxRuntimeMillis: hour / 2, mode: .enforce))
        case .warnRuleOver:
            rules.append(Rule(name: "C", maxRuntimeMillis: hour / 2, mode: .warn))
        default: break
        }
        return rules
    }

    static func exemptions(_ context: Context) throws -> [Exemption] {
        switch context {
        case .exemptionNotCovering:
            [Exemption(jobName: [try Glob("backfill-*")], untilMillis: now + hour, reason: "backfill")]
        case .exemptionCovering: [Exemption(jobId: "job-1", untilMillis: now + hour, reason: "approved")]
        default: []
        }
    }

    static func job(_ certainty: Certainty, _ context: Context) -> JobExecution {
        var job = FailClosedTests.overdue()
        if certainty == .matchUnknown || context == .otherRuleUnknown { job.queue = nil }
        if certainty == .excludeUnknown { job.user = nil }
        return job
    }

    /// The whole table: every certainty of A against every context.
    static let table: [(Certainty, Context, Decision.Kind)] = [
        (.applies, .nothing, .kill),
        (.applies, .otherRuleUnknown, .kill),
        (.applies, .warnRuleOver, .kill),
        (.applies, .exemptionNotCovering, .kill),
        (.applies, .exemptionCovering, .exempt),
        (.applies, .windowClosed, .wouldKill),
        (.applies, .dryRun, .wouldKill),
        (.matchUnknown, .nothing, .skippedUnknown),
        (.matchUnknown, .otherRuleUnknown, .skippedUnknown),
        (.matchUnknown, .warnRuleOver, .skippedUnknown),
        (.matchUnknown, .exemptionNotCovering, .skippedUnknown),
        (.matchUnknown, .exemptionCovering, .skippedUnknown),
        (.matchUnknown, .windowClosed, .skippedUnknown),
        (.matchUnknown, .dryRun, .skippedUnknown),
        (.excludeUnknown, .nothing, .skippedUnknown),
        (.excludeUnknown, .otherRuleUnknown, .skippedUnknown),
        (.excludeUnknown, .warnRuleOver, .skippedUnknown),
        (.excludeUnknown, .exemptionNotCovering, .skippedUnknown),
        (.excludeUnknown, .exemptionCovering, .skippedUnknown),
        (.excludeUnknown, .windowClosed, .skippedUnknown),
        (.excludeUnknown, .dryRun, .skippedUnknown),
        (.excluded, .nothing, .excluded),
        (.excluded, .otherRuleUnknown, .skippedUnknown),
        (.excluded, .warnRuleOver, .warn),
        (.excluded, .exemptionNotCovering, .excluded),
        (.excluded, .exemptionCovering, .excluded),
        (.excluded, .windowClosed, .excluded),
        (.excluded, .dryRun, .excluded),
    ]

    @Test func theTableCoversEveryCase() {
        #expect(Self.table.count == Certainty.allCases.count * Context.allCases.count)
    }

    @Test(arguments: table)
    func theDecisionTable(_ certainty: Certainty, _ context: Context, _ expected: Decision.Kind) throws {
        let decision = Evaluator(
            rules: try Self.rules(certainty, context), exemptions: try Self.exemptions(context),
            dryRun: context == .dryRun
        )
        .decide(clusterId: "c-1", clusterTags: [:], job: Self.job(certainty, context), now: Self.now)
        #expect(decision.kind == expected, "\(certainty) with \(context): \(decision.reason)")
        if expected == .kill { #expect(decision.rule == "A") }
    }

    @Test func aHeldJobStillWakesTheDaemonAtTheDeadlineOfTheRuleThatCanBeRead() throws {
        var job = Self.job(.applies, .otherRuleUnknown)
        job.startedTime = Self.now - 50 * 60_000
        let evaluator = Evaluator(rules: try Self.rules(.applies, .otherRuleUnknown), exemptions: [], dryRun: false)
        let before = evaluator.decide(clusterId: "c-1", clusterTags: [:], job: job, now: Self.now)
        #expect(before.kind == .skippedUnknown && before.rule == "B", "\(before.reason)")
        let deadline = Self.now + 10 * 60_000
        #expect(before.nextChangeAt == deadline, "A's deadline, when the kill becomes certain")
        let at = evaluator.decide(clusterId: "c-1", clusterTags: [:], job: job, now: deadline)
        #expect(at.kind == .kill && at.rule == "A")
    }

    /// Random rule sets and jobs; each field removed in turn. Removing a field never turns a kill into another
    /// verdict unless it feeds the killing rule's own match or exclude, or an exemption — and never
    /// turns a non-kill into a kill.
    @Test func removingAFieldNeverTurnsAKillIntoAnythingElseUnlessTheKillingRuleReadsIt() throws {
        let hour = Self.hour
        var random = SplitMix64(seed: 0xDEC1_5101)
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        let names = ["etl-*", "etl-nightly", "rep*", "*"]
        func matcher() throws -> JobMatcher {
            var matcher = JobMatcher()
            switch Int.random(in: 0..<5, using: &random) {
            case 0: matcher.jobName = [try Glob(pick(names))]
            case 1: matcher.queue = [try Glob(pick(["default", "batch", "prod*"]))]
            case 2: matcher.user = [try Glob(pick(["etl", "bi", "platform-?"]))]
            case 3: matcher.jobType = [pick(["SparkSubmit", "HiveSql"])]
            default: break
            }
            if Bool.random(using: &random) { matcher.queue = [try Glob(pick(["default", "batch"]))] }
            return matcher
        }
        let fields: [(String, WritableKeyPath<JobExecution, String?>)] = [
            ("job_name", \.jobName), ("user", \.user), ("queue", \.queue), ("job_type", \.jobType),
        ]
        var kills = 0
        var flips = 0
        for index in 0..<3_000 {
            var rules: [Rule] = []
            for number in 0..<Int.random(in: 1...4, using: &random) {
                rules.append(
                    Rule(
                        name: "r\(number)", match: try matcher(),
                        exclude: Bool.random(using: &random) ? try matcher() : nil,
                        maxRuntimeMillis: pick([hour, 2 * hour, 4 * hour]),
                        mode: pick([.enforce, .enforce, .warn, .observe])))
            }
            let exemptions =
                Int.random(in: 0..<4, using: &random) == 0
                ? [Exemption(jobName: [try Glob(pick(names))], untilMillis: Self.now + hour, reason: "x")] : []
            let evaluator = Evaluator(rules: rules, exemptions: exemptions, dryRun: false)
            var job = FailClosedTests.overdue()
            job.jobId = "j\(index)"
            job.jobName = pick(["etl-nightly", "etl-x", "report-1"])
            job.user = pick(["etl", "bi", "platform-a"])
            job.queue = pick(["default", "batch", "prod-1"])
            job.jobType = pick(["SparkSubmit", "HiveSql"])
            let full = evaluator.decide(clusterId: "c-1", clusterTags: [:], job: job, now: Self.now)
            if full.kind == .kill { kills += 1 }
            for (field, path) in fields {
                var missing = job
                missing[keyPath: path] = nil
                let decision = evaluator.decide(clusterId: "c-1", clusterTags: [:], job: missing, now: Self.now)
                if full.kind != .kill {
                    #expect(decision.kind != .kill, "removing \(field) made a kill: \(rules) \(job)")
                    continue
                }
                guard decision.kind != .kill else { continue }
                flips += 1
                // Only what could take the killing rule's verdict away may hold it.
                let killing = try #require(rules.first { $0.name == full.rule })
                // Its own match too: a rule whose match cannot be read names nobody for certain.
                let readsRule =
                    Self.reads(killing.match, field) || (killing.exclude.map { Self.reads($0, field) } ?? false)
                let readsExemption = field == "job_name" && !exemptions.isEmpty
                #expect(
                    readsRule || readsExemption,
                    "removing \(field) turned \(full.rule ?? "?")'s kill into \(decision.kind): \(decision.reason)")
            }
        }
        #expect(kills > 200, "the property must be exercised by real kills")
        #expect(flips > 10, "and by fields the killing rule reads")
    }

    /// Whether `matcher` reads `field`.
    static func reads(_ matcher: JobMatcher, _ field: String) -> Bool {
        switch field {
        case "job_name": !matcher.jobName.isEmpty || matcher.jobNameRegex != nil
        case "user": !matcher.user.isEmpty
        case "queue": !matcher.queue.isEmpty
        case "job_type": !matcher.jobType.isEmpty
        default: false
        }
    }
}
