import MRSWatchdog
import Testing

/// What the daemon reports of its YARN audit rounds: figures per cluster, and each untracked application a
/// rule would kill reported once while it runs.
struct YarnFlaggedAppsTests {
    static let now: Int64 = 1_800_000_000_000
    static let hour: Int64 = 3_600_000

    /// Rule `spark-2h` enforces 2 h on Spark, rule `flink-1h` observes 1 h on Flink: kill and would-kill.
    static let evaluator: Evaluator = {
        var spark = JobMatcher()
        spark.jobType = ["SparkSubmit"]
        var flink = JobMatcher()
        flink.jobType = ["Flink"]
        return Evaluator(
            rules: [
                Rule(name: "spark-2h", match: spark, maxRuntimeMillis: 2 * hour, mode: .enforce),
                Rule(name: "flink-1h", match: flink, maxRuntimeMillis: hour, mode: .observe),
            ], exemptions: [], dryRun: false)
    }()

    /// A running application of `type` launched `hours` ago, its sequence number `sequence`.
    static func app(_ sequence: Int, _ type: String, runningFor hours: Int64) -> YarnApplication {
        let started = now - hours * hour
        return YarnApplication(
            id: "application_1764000000000_\(1000 + sequence)", name: "app-\(sequence)", applicationType: type,
            state: "RUNNING", startedTime: started, launchTime: started, elapsedTime: hours * hour)
    }

    static func report(_ apps: [YarnApplication], tracking: [String] = [], watched: Bool = true) -> YarnAuditor.Report {
        let jobs = tracking.map { JobExecution(jobId: "job-\($0)", jobStateText: "RUNNING", appId: $0) }
        let audit = YarnAudit.audit(
            clusterId: "c1", clusterTags: nil, apps: YarnAppList(apps: apps), jobs: jobs, evaluator: evaluator,
            now: now)
        return .init(clusters: [.init(audit: audit, resourceManager: "http://rm1:8088", watched: watched)])
    }

    @Test func aRoundCountsTrackedAndUntrackedAppsAndHowLongTheUntrackedOnesRan() throws {
        let apps = [
            Self.app(1, "SPARK", runningFor: 3), Self.app(2, "SPARK", runningFor: 1),
            Self.app(3, "TEZ", runningFor: 30),
            Self.app(4, "MAPREDUCE", runningFor: 6),
        ]
        var flagged = YarnFlaggedApps()
        let round = flagged.round(Self.report(apps, tracking: [apps[3].id]))
        let figures = try #require(round.clusters.first)
        #expect(figures.tracked == 1 && figures.untracked == 3 && figures.seen == 1)
        #expect(
            figures.untrackedRunningOver == [2, 1, 1],
            "over 1 h: 3 h and 30 h (1 h is not over 1 h); over 5 and 24 h: 30 h")
        #expect(round.statusText == "YARN: mrs-watchdog sees 1 of 4 apps")
        #expect(round.newFindings.map(\.app.id) == [apps[0].id], "only the Spark app over 2 h is one a rule would kill")

        let unwatched = flagged.round(Self.report(apps, tracking: [apps[3].id], watched: false))
        #expect(unwatched.statusText == "YARN: mrs-watchdog sees 0 of 4 apps")
    }

    @Test func anAppARuleWouldKillIsReportedOnceWhileItRuns() {
        let spark = Self.app(1, "SPARK", runningFor: 3)
        let flink = Self.app(2, "Apache Flink", runningFor: 2)
        var flagged = YarnFlaggedApps()
        let first = flagged.round(Self.report([spark, flink]))
        #expect(first.newFindings.map(\.app.id) == [spark.id, flink.id])
        #expect(first.newFindings.map(\.decision.kind) == [.kill, .wouldKill])
        #expect(flagged.round(Self.report([spark, flink])).newFindings.isEmpty, "the same apps: nothing new")

        // The ResourceManager fails for a round: its apps are not new again when it answers.
        let failed = flagged.round(.init(clusters: [], failures: ["c1": "YARN: no active ResourceManager"]))
        #expect(failed.newFindings.isEmpty && failed.clusters.isEmpty)
        #expect(failed.statusText == "YARN: 1 cluster not audited")
        let third = Self.app(3, "SPARK", runningFor: 4)
        #expect(flagged.round(Self.report([spark, flink, third])).newFindings.map(\.app.id) == [third.id])

        // Once MRS job management tracks it, it is no longer reported; an app that ended is forgotten.
        #expect(flagged.round(Self.report([spark, flink, third], tracking: [third.id])).newFindings.isEmpty)
        #expect(flagged.round(Self.report([flink])).newFindings.isEmpty)
        #expect(flagged.round(Self.report([flink, third])).newFindings.map(\.app.id) == [third.id])
    }

    @Test func aFindingSaysWhatWouldBeDoneAndThatNothingIs() throws {
        var flagged = YarnFlaggedApps()
        let finding = try #require(flagged.round(Self.report([Self.app(1, "SPARK", runningFor: 3)])).newFindings.first)
        #expect(finding.summary.hasPrefix("yarn-untracked c1/application_1764000000000_1001 app-1 rule spark-2h: "))
        #expect(finding.summary.contains("reported, never killed"))
        #expect(finding.metadata["yarn.application.id"] == "application_1764000000000_1001")
        #expect(finding.metadata["rule.name"] == "spark-2h" && finding.metadata["job.runtime"] == "3h")
    }
}
