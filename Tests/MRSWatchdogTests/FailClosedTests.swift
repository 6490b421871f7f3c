import Foundation
import MRSWatchdog
import Testing
import WatchdogTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// "When in doubt, don't": every kind of odd input an enforce decision depends on — implausible timestamps,
/// fields MRS did not send, glob syntax that would silently never match — gives `skipped-unknown` or a config
/// error, never a kill. Each kind is checked over its whole table, not one example.
struct FailClosedTests {
    static let now: Int64 = 1_800_000_000_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000

    static func decide(
        _ rules: [Rule], _ job: JobExecution, tags: [String: String]? = ["env": "dev"], exemptions: [Exemption] = []
    ) -> Decision {
        Evaluator(rules: rules, exemptions: exemptions, dryRun: false).decide(
            clusterId: "c-1", clusterTags: tags, job: job, now: now)
    }

    /// A job that every rule below names, over every limit (3 h running, queued 3 h before that).
    static func overdue(state: String = "RUNNING") -> JobExecution {
        JobExecution(
            jobId: "job-1", jobName: "etl-nightly", user: "etl", queue: "default", jobType: "SparkSubmit",
            jobStateText: state, jobResult: "UNDEFINED", submittedTime: now - 6 * hour,
            startedTime: state == "RUNNING" ? now - 3 * hour : nil)
    }

    // MARK: 1. Implausible timestamps

    enum Clock: String, CaseIterable, CustomTestStringConvertible {
        case running, submitted, queued
        var testDescription: String { rawValue }

        var rule: Rule {
            switch self {
            case .running: Rule(name: "r", maxRuntimeMillis: hour, clock: .running, mode: .enforce)
            case .submitted: Rule(name: "r", maxRuntimeMillis: hour, clock: .submitted, mode: .enforce)
            case .queued: Rule(name: "r", maxQueuedMillis: hour, mode: .enforce)
            }
        }

        var state: String { self == .queued ? "ACCEPTED" : "RUNNING" }
    }

    /// Each shape: what is changed, the field the reason must name, and a value it must quote.
    struct TimestampShape: CustomTestStringConvertible, Sendable {
        var name: String
        var field: String
        var change: @Sendable (inout JobExecution) -> Void
        var testDescription: String { name }
    }

    static let implausible: [TimestampShape] = [
        TimestampShape(name: "epoch seconds", field: "submitted_time") { job in
            job.submittedTime = job.submittedTime.map { $0 / 1000 }
            job.startedTime = job.startedTime.map { $0 / 1000 }
        },
        TimestampShape(name: "before 2010 in ms", field: "submitted_time") { $0.submittedTime = 1_200_000_000_000 },
        TimestampShape(name: "started_time in seconds only", field: "started_time") { job in
            job.startedTime = job.startedTime.map { $0 / 1000 }
            if job.startedTime == nil { job.startedTime = 1_796_079_600 }
        },
        TimestampShape(name: "submitted in the future", field: "submitted_time") {
            $0.submittedTime = now + 10 * minute
        },
        TimestampShape(name: "started in the future", field: "started_time") { $0.startedTime = now + 10 * minute },
        TimestampShape(name: "finished_time on an active job", field: "finished_time") {
            $0.finishedTime = now - minute
        },
        TimestampShape(name: "started 10 minutes before submitted", field: "started_time") { job in
            job.startedTime = job.submittedTime.map { $0 - 10 * minute }
        },
    ]

    @Test(arguments: implausible, Clock.allCases)
    func implausibleTimestampsAreNeverKilled(_ shape: TimestampShape, _ clock: Clock) throws {
        var job = Self.overdue(state: clock.state)
        shape.change(&job)
        let decision = Self.decide([clock.rule], job)
        // The running clock does not read any timestamp of a queued job, and a shape that only touches
        // started_time leaves a queued job's submitted_time plausible; otherwise: never a kill.
        #expect(decision.kind != .kill)
        if decision.kind == .skippedUnknown {
            #expect(decision.unknownField == shape.field, "\(decision.reason)")
            #expect(decision.reason.contains(shape.field))
        } else {
            #expect(clock == .queued, "\(shape.name) under the \(clock) clock: \(decision.kind) — \(decision.reason)")
        }
    }

    @Test func secondsTimestampsNameTheFieldAndTheValue() {
        var job = Self.overdue()
        job.submittedTime = 1_796_079_600
        job.startedTime = 1_796_079_660
        let decision = Self.decide([Clock.running.rule], job)
        #expect(decision.kind == .skippedUnknown)
        #expect(decision.reason.contains("1796079600"))
        #expect(decision.reason.contains("seconds"))
    }

    @Test(arguments: Clock.allCases)
    func plausibleTimestampsStillKill(_ clock: Clock) {
        var job = Self.overdue(state: clock.state)
        // Clocks of different services disagree a little: a start 30 s before submission is tolerated.
        if clock != .queued { job.startedTime = job.submittedTime! - 30_000 }
        #expect(Self.decide([clock.rule], job).kind == .kill)
    }

    // MARK: 2. Three-valued matching

    enum Key: String, CaseIterable, CustomTestStringConvertible {
        case jobType = "job_type", jobName = "job_name", jobNameRegex = "job_name_regex", user, queue
        case clusterTags = "cluster_tags"
        var testDescription: String { rawValue }

        /// The field the key reads.
        var field: String { self == .jobNameRegex ? "job_name" : rawValue }

        /// A matcher on this key that the overdue job's value satisfies (or, with `hit` false, does not).
        func matcher(hit: Bool) throws -> JobMatcher {
            var matcher = JobMatcher()
            switch self {
            case .jobType: matcher.jobType = [hit ? "sparksubmit" : "HiveSql"]
            case .jobName: matcher.jobName = [try Glob(hit ? "etl-*" : "report-*")]
            case .jobNameRegex: matcher.jobNameRegex = try AnchoredRegex(hit ? "etl-.*" : "report-.*")
            case .user: matcher.user = [try Glob(hit ? "et?" : "bi")]
            case .queue: matcher.queue = [try Glob(hit ? "def*" : "prod*")]
            case .clusterTags: matcher.clusterTags = ["env": hit ? "dev" : "prod"]
            }
            return matcher
        }

        /// The overdue job with this key's field absent (nil) or empty; tags nil either way for cluster_tags.
        func without(empty: Bool) -> (JobExecution, [String: String]?) {
            var job = FailClosedTests.overdue()
            let value: String? = empty ? "" : nil
            switch self {
            case .jobType: job.jobType = value
            case .jobName, .jobNameRegex: job.jobName = value
            case .user: job.user = value
            case .queue: job.queue = value
            case .clusterTags: return (job, nil)
            }
            return (job, ["env": "dev"])
        }
    }

    enum Presence: String, CaseIterable, CustomTestStringConvertible {
        case hit, miss, absent, empty
        var testDescription: String { rawValue }
    }

    enum Section: String, CaseIterable, CustomTestStringConvertible {
        case match, exclude
        var testDescription: String { rawValue }
    }

    @Test(arguments: Key.allCases, Presence.allCases)
    func everyMatcherKeyIsThreeValued(_ key: Key, _ presence: Presence) throws {
        for section in Section.allCases {
            var rule = Rule(name: "r", maxRuntimeMillis: Self.hour, mode: .enforce)
            let condition = try key.matcher(hit: presence != .miss)
            if section == .match { rule.match = condition } else { rule.exclude = condition }
            var job = Self.overdue()
            var tags: [String: String]? = ["env": "dev"]
            if presence == .absent || presence == .empty { (job, tags) = key.without(empty: presence == .empty) }
            let decision = Self.decide([rule], job, tags: tags)
            let expected: Decision.Kind =
                switch (section, presence) {
                case (_, .absent), (_, .empty): .skippedUnknown
                case (.match, .hit), (.exclude, .miss): .kill
                case (.match, .miss): .unmatched
                case (.exclude, .hit): .excluded
                }
            #expect(decision.kind == expected, "\(section).\(key) \(presence): \(decision.reason)")
            if expected == .skippedUnknown {
                #expect(decision.reason.hasPrefix("\(section).\(key.rawValue) needs "), "\(decision.reason)")
                #expect(decision.unknownField == key.field)
            }
        }
    }

    @Test func aMatchThatIsFalseOnThePresentFieldsStaysFalse() throws {
        var match = JobMatcher()
        match.jobType = ["HiveSql"]
        match.queue = [try Glob("adhoc")]
        var job = Self.overdue()
        job.queue = nil
        #expect(
            Self.decide([Rule(name: "r", match: match, maxRuntimeMillis: Self.hour, mode: .enforce)], job).kind
                == .unmatched)
    }

    @Test(arguments: [RuleMode.observe, .warn])
    func anUnknownConditionOnlyHoldsBackEnforceRules(_ mode: RuleMode) throws {
        var exclude = JobMatcher()
        exclude.queue = [try Glob("prod*")]
        var job = Self.overdue()
        job.queue = nil
        let decision = Self.decide([Rule(name: "r", exclude: exclude, maxRuntimeMillis: Self.hour, mode: mode)], job)
        #expect(decision.kind == .ok)
        #expect(decision.matches.first?.unknown == "exclude.queue needs queue, which MRS did not send")
    }

    @Test func anEnforceRuleStillKillsWhenAnotherRulesConditionIsUnknownButDoesNotApply() throws {
        // The unknown rule is observe-only; the enforce rule is fully known.
        var observeMatch = JobMatcher()
        observeMatch.queue = [try Glob("adhoc")]
        var job = Self.overdue()
        job.queue = nil
        let rules = [
            Rule(name: "observe-adhoc", match: observeMatch, maxRuntimeMillis: Self.hour, mode: .observe),
            Rule(name: "all-1h", maxRuntimeMillis: Self.hour, mode: .enforce),
        ]
        #expect(Self.decide(rules, job).kind == .kill)
    }

    @Test func anExemptionByNameIsUnknownWhenTheNameIsMissing() throws {
        var job = Self.overdue()
        job.jobName = nil
        let exemption = Exemption(
            clusterId: "c-1", jobName: [try Glob("etl-*")], untilMillis: Self.now + Self.hour, reason: "backfill")
        let decision = Self.decide(
            [Rule(name: "all", maxRuntimeMillis: Self.hour, mode: .enforce)], job, exemptions: [exemption])
        #expect(decision.kind == .skippedUnknown)
        #expect(decision.reason == "exemptions.job_name needs job_name, which MRS did not send")
        // Another cluster's exemption is a clear no: the job is killed.
        let elsewhere = Exemption(
            clusterId: "c-2", jobName: [try Glob("etl-*")], untilMillis: Self.now + Self.hour, reason: "backfill")
        #expect(
            Self.decide([Rule(name: "all", maxRuntimeMillis: Self.hour, mode: .enforce)], job, exemptions: [elsewhere])
                .kind == .kill)
    }

    @Test func unreadableTagsOnlyMatterToRulesOnTags() {
        let plain = Rule(name: "all", maxRuntimeMillis: Self.hour, mode: .enforce)
        #expect(Self.decide([plain], Self.overdue(), tags: nil).kind == .kill)
        var onTags = plain
        onTags.match.clusterTags = ["env": "dev"]
        let decision = Self.decide([onTags], Self.overdue(), tags: nil)
        #expect(decision.kind == .skippedUnknown)
        #expect(decision.reason == "match.cluster_tags needs the cluster's tags, which could not be read")
    }

    // MARK: 3. Globs as fnmatch reads them

    @Test(arguments: [
        ("etl-[0-9]*", "etl-2024-backfill", true), ("etl-[0-9]*", "etl-x", false), ("etl-[!0-9]*", "etl-x", true),
        ("etl-[^0-9]*", "etl-2", false), ("[a-c]x", "bx", true), ("[a-c]x", "dx", false), ("[]a]", "]", true),
        ("[a-]", "-", true), ("job-[A-Z][a-z]", "job-Ab", true), ("a\\*", "a*", true), ("a\\*", "ab", false),
        ("etl-?", "etl-é", true),
    ])
    func bracketClassesMatchAsFnmatchDoes(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try Glob(pattern).matches(text) == expected)
    }

    /// Patterns and names over a small alphabet, judged by `Glob` and by the C library's fnmatch(3): every
    /// pattern `Glob` accepts must agree with it (patterns it refuses are refused with a reason).
    @Test func globsAgreeWithFnmatch() {
        var random = SplitMix64(seed: 0xF17A_7C4)
        let patternAlphabet: [Character] = ["a", "b", "-", "*", "?", "[", "]", "!", "^"]
        let textAlphabet: [Character] = ["a", "b", "-", "]", "!"]
        var compared = 0
        for _ in 0..<20_000 {
            let pattern = String(
                (0..<Int.random(in: 1...7, using: &random)).map { _ in patternAlphabet.randomElement(using: &random)! })
            let text = String(
                (0..<Int.random(in: 0...6, using: &random)).map { _ in textAlphabet.randomElement(using: &random)! })
            guard let glob = try? Glob(pattern) else { continue }
            compared += 1
            #expect(glob.matches(text) == (fnmatch(pattern, text, 0) == 0), "'\(pattern)' on '\(text)'")
        }
        #expect(compared > 10_000)
    }

    @Test(arguments: [
        ("{etl,report}-*", Glob.SyntaxError.braces), ("[[:digit:]]*", .posixClass), ("x[[=a=]]", .posixClass),
        ("etl-[0-9", .unclosedClass), ("etl-[]", .unclosedClass),
        ("etl-[!]", .unclosedClass), ("etl-\\", .trailingBackslash), ("[z-a]*", .reversedRange("z-a")),
    ])
    func unsupportedSyntaxIsRefused(_ pattern: String, _ error: Glob.SyntaxError) {
        #expect(throws: error) { try Glob(pattern) }
    }

    @Test(arguments: [
        ("etl.daily", "'.'"), ("etl [0-9]", "' '"), ("etl-[.]*", "the character class"), ("etl/*", "'/'"),
    ])
    func jobNamePatternsThatCanNeverMatchAreRefusedWithTheirPosition(_ pattern: String, _ part: String) throws {
        // Line 1 is mrs, line 2 opens the rules, the exclusion is alone on line 3.
        let text = ConfigText(
            rules: """
                [{"name": "r", "max_runtime": "2h",
                  "exclude": {"job_name": ["ok-*", "\(pattern)"]}}]
                """
        ).description
        guard case .failure(let error) = ConfigLoader.parse(text, file: "g.json") else {
            Issue.record("'\(pattern)' was accepted")
            return
        }
        let issue = try #require(error.issues.first)
        #expect(issue.path == "rules[0].exclude.job_name[1]")
        #expect(issue.position.line == 3)
        #expect(issue.message.contains("can never match an MRS job name"))
        #expect(issue.message.contains(part))
    }

    @Test func queueAndUserPatternsKeepTheirOwnCharacters() throws {
        let text = ConfigText(
            watch: ConfigText.watching(["c"]),
            rules: #"[{"name": "r", "max_runtime": "2h", "match": {"queue": ["root.etl"], "user": ["svc.etl"]}}]"#
        ).description
        let config = try ConfigLoader.parse(text, file: "q.json").get()
        #expect(config.rules[0].match.queue.map(\.pattern) == ["root.etl"])
    }

    // MARK: 4. One unreadable entry does not take a list down

    @Test func aClusterEntryWithoutAnIdIsSkippedAndTheOthersAreKept() throws {
        let body = #"""
            {"clusterTotal": 3, "clusters": [
              {"clusterId": "c-1", "clusterName": "a", "clusterState": "running", "tags": "env=dev"},
              {"clusterName": "broken", "clusterState": "running"},
              {"clusterId": "c-3", "clusterName": "c", "clusterState": "running", "tags": "k=v,bad"}]}
            """#
        let clusters = try SavedResponses.clusters(from: Data(body.utf8))
        #expect(clusters.map(\.clusterId) == ["c-1", "c-3"])
        #expect(clusters[0].tags == ["env": "dev"])
        #expect(clusters[1].tags == nil, "unreadable tags are unknown, not empty")
    }

    @Test func aMissingTagsFieldIsUnknownAndAnEmptyOneIsNoTags() throws {
        let body =
            #"{"clusters": [{"clusterId": "c-1"}, {"clusterId": "c-2", "tags": ""}, {"clusterId": "c-3", "tags": null}]}"#
        let clusters = try SavedResponses.clusters(from: Data(body.utf8))
        #expect(clusters.map(\.tags) == [nil, [:], nil])
        // Written back out, unknown stays unknown (what `clusters --json` saves for `explain`).
        let again = try SavedResponses.clusters(from: Data(SavedResponses.clusterListJSON(clusters).utf8))
        #expect(again.map(\.tags) == [nil, [:], nil])
    }

    @Test func aClusterWithUnknownTagsIsNotWatchedWhenAnExclusionCouldMeanIt() throws {
        let text = ConfigText(
            watch: ConfigText.watching(["c-1"], #""cluster_tags": {"env": "dev"}"#),
            rules: #"[{"name": "r", "max_runtime": "2h"}]"#
        ).description
        var config = try ConfigLoader.parse(text, file: "w.json").get()
        let unknown = Cluster(clusterId: "c-1", tags: nil)
        #expect(config.watches(unknown), "named by id, nothing excluded by tag")
        #expect(!config.watches(Cluster(clusterId: "c-2", tags: nil)), "unknown tags select nothing")
        config.watch.excludeClusterTags = ["env": "prod"]
        #expect(!config.watches(unknown), "it might be a prod cluster")
        #expect(config.watches(Cluster(clusterId: "c-1", tags: ["env": "dev"])))
        #expect(!config.watches(Cluster(clusterId: "c-1", tags: ["env": "prod"])))
    }

    @Test(arguments: [
        (#""match": {"job_type": ["Spark*"]}"#, "rules[0].match.job_type[0]", "is not an MRS job type"),
        (#""match": {"job_type": ["SparkSubmt"]}"#, "rules[0].match.job_type[0]", "did you mean 'SparkSubmit'"),
        (#""exclude": {"cluster_tags": {"env": "prod*"}}"#, "rules[0].exclude.cluster_tags.env", "cannot contain '*'"),
        (#""exclude": {"cluster_tags": {"a,b": "x"}}"#, "rules[0].exclude.cluster_tags.a,b", "cannot contain ','"),
        (#""match": {"cluster_ids": ["c-1\u00a0"]}"#, "rules[0].match.cluster_ids[0]", "U+00A0 no-break space"),
        (#""match": {"user": ["etl\u200b"]}"#, "rules[0].match.user[0]", "U+200B zero-width space"),
    ])
    func conditionsThatCanNeverMatchAreRefused(_ condition: String, _ path: String, _ message: String) throws {
        let text = ConfigText(
            watch: ConfigText.watching(["c"]), rules: #"[{"name": "r", "max_runtime": "2h", \#(condition)}]"#
        ).description
        guard case .failure(let error) = ConfigLoader.parse(text, file: "c.json") else {
            Issue.record("accepted: \(condition)")
            return
        }
        #expect(error.issues.contains { $0.path == path && $0.description.contains(message) }, "\(error)")
    }

    @Test func aTagSelectorMayAskForAnyValue() throws {
        let text = ConfigText(
            watch: #"{"cluster_tags": {"team": "*"}}"#,
            rules: #"[{"name": "r", "max_runtime": "2h", "match": {"job_type": ["sparksubmit"]}}]"#
        ).description
        let config = try ConfigLoader.parse(text, file: "t.json").get()
        #expect(config.watch.clusterTags == ["team": "*"])
    }

    // MARK: 6. Invisible characters

    static let valid = ConfigText(
        watch: ConfigText.watching(["c"]), rules: #"[{"name": "r", "max_runtime": "2h"}]"#
    ).description

    @Test func aLeadingByteOrderMarkIsAccepted() throws {
        let config = try ConfigLoader.parse("\u{FEFF}" + Self.valid, file: "bom.json").get()
        #expect(config.rules.count == 1)
    }

    @Test(arguments: [
        ("\u{00A0}", "U+00A0 no-break space"), ("\u{200B}", "U+200B zero-width space"),
        ("\u{FEFF}", "U+FEFF byte-order mark"), ("\u{0007}", "U+0007"),
    ])
    func invisibleCharactersAreShownByCodePoint(_ character: String, _ shown: String) {
        // Inside a key: an unknown key whose name looks right.
        let inKey = Self.valid.replacingOccurrences(of: "\"max_runtime\"", with: "\"max_runtime\(character)\"")
        // Between tokens: where JSON allows only space, tab and line breaks.
        let between = Self.valid.replacingOccurrences(of: "\"rules\":", with: "\"rules\":\(character)")
        for text in [inKey, between] {
            guard case .failure(let error) = ConfigLoader.parse(text, file: "x.json") else {
                Issue.record("accepted")
                continue
            }
            #expect(error.description.contains(shown), "\(error)")
            #expect(!error.description.unicodeScalars.contains(character.unicodeScalars.first!))
        }
    }
}
