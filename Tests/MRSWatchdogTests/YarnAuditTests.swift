import Foundation
import MRSWatchdog
import Testing

/// The YARN audit: a ResourceManager's application list read without trusting it, joined to MRS's job list.
struct YarnAuditTests {
    static let now: Int64 = 1_800_000_000_000
    static let hour: Int64 = 3_600_000

    static func fixture() throws -> YarnAppList {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/yarn-apps", withExtension: "json"))
        return try YarnAppList.read(Array(try Data(contentsOf: url)))
    }

    @Test func theReaderKeepsEveryReadableAppAndCountsTheRest() throws {
        let list = try Self.fixture()
        #expect(
            list.apps.map(\.id) == [
                "application_1764000000000_0007", "application_1764000000000_0006", "application_1764000000000_0042",
                "application_1764000000000_0043",
            ])
        // A time that is not a number, a bad id, no id, a bare string, an id given twice, an id seen before.
        #expect(list.malformed == 6)
        let shell = list.apps[2]
        #expect(shell.user == "alice" && shell.queue == "adhoc" && shell.applicationType == "SPARK")
        #expect(shell.tags == ["notebook", "team-a"])
        #expect(shell.startedTime == 1_799_988_000_000 && shell.elapsedTime == 12_000_000)
        #expect(shell.launchTime == 1_799_988_060_000)
        #expect(list.apps[3].tags == [] && list.apps[3].state == "ACCEPTED")
    }

    @Test(arguments: [
        (#"{"apps": null}"#, 0), (#"{"apps": {}}"#, 0), (#"{"apps": {"app": null}}"#, 0), (#"{}"#, 0),
        (#"{"apps": {"app": []}}"#, 0),
    ])
    func anEmptyListIsNoApps(body: String, count: Int) throws {
        #expect(try YarnAppList.read(Array(body.utf8)).apps.count == count)
    }

    @Test(arguments: [
        "<html>This is standby RM</html>", #"[]"#, #"{"apps": []}"#, #"{"apps": {"app": {"id": "x"}}}"#, "",
    ])
    func aBodyThatIsNotAnAppListFailsWhole(body: String) {
        #expect(throws: YarnAppList.ReadError.self) { try YarnAppList.read(Array(body.utf8)) }
    }

    @Test(arguments: [
        ("application_1764000000000_0007", true), ("application_1_12345", true),
        ("application_1764000000000_007", false),
        ("application__0007", false), ("application_17640000000a0_0007", false), ("app_1764000000000_0007", false),
        ("application_1764000000000_0007_1", false), ("application_1764000000000_-007", false),
    ])
    func applicationIds(text: String, valid: Bool) {
        #expect(YarnApplication.isApplicationId(text) == valid)
    }

    /// MRS lists one job whose real app is _0007 and whose launcher is _0006: both are tracked; the spark-shell
    /// and the Hive query are not, and the rules say what they would do to each.
    @Test func untrackedAppsAreThoseNoJobNamesAndTheRulesJudgeThem() throws {
        var match = JobMatcher()
        match.jobType = ["SparkSubmit"]
        let rule = Rule(name: "spark-2h", match: match, maxRuntimeMillis: 2 * Self.hour, mode: .enforce)
        let job = JobExecution(
            jobId: "j1", jobName: "etl-nightly", jobType: "SparkSubmit", jobStateText: "RUNNING",
            appId: "application_1764000000000_0007", launcherId: "application_1764000000000_0006")
        let audit = YarnAudit.audit(
            clusterId: "c1", clusterTags: [:], apps: try Self.fixture(), jobs: [job],
            evaluator: Evaluator(rules: [rule], exemptions: [], dryRun: false), now: Self.now)
        #expect(audit.listed == 4 && audit.tracked == 2 && audit.malformed == 6)
        #expect(audit.untracked.map(\.app.id) == ["application_1764000000000_0042", "application_1764000000000_0043"])
        let shell = audit.untracked[0].decision
        #expect(shell.kind == .kill && shell.rule == "spark-2h", "a SPARK app runs as SparkSubmit under the rules")
        #expect(shell.elapsedMillis == Self.now - 1_799_988_060_000, "running since its launch, not its submission")
        #expect(
            audit.untracked[1].decision.kind == .skippedUnknown,
            "a TEZ app has no MRS job type: whether a job_type rule names it is unknown, and said so")
    }

    /// A ResourceManager that ignores `limit` is not followed past it.
    @Test func theReaderStopsAtItsLimitAndSaysSo() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/yarn-apps", withExtension: "json"))
        let list = try YarnAppList.read(Array(try Data(contentsOf: url)), limit: 3)
        #expect(list.apps.count == 3 && list.malformed == 0 && list.cutOff)
        #expect(!(try Self.fixture()).cutOff)
    }

    /// MRS lists jobs submitted since an hour before the earliest application; an application without a start
    /// time could be anyone's, so the whole list is read.
    @Test func theJoinReadsMRSFromBeforeTheEarliestApplication() throws {
        #expect(YarnAudit.earliestStart(try Self.fixture()) == 1_799_988_000_000 - Self.hour)
        #expect(YarnAudit.earliestStart(YarnAppList()) == nil)
        #expect(YarnAudit.earliestStart(YarnAppList(apps: [YarnApplication(id: "application_1_0001")])) == 0)
    }

    /// A ResourceManager that lists ended applications despite `states` is not believed.
    @Test func anEndedApplicationIsNotCounted() throws {
        let apps = YarnAppList(apps: [
            YarnApplication(id: "application_1_0001", state: "FINISHED"),
            YarnApplication(id: "application_1_0002", state: "running", startedTime: 1, launchTime: 2),
        ])
        let audit = YarnAudit.audit(
            clusterId: "c1", clusterTags: nil, apps: apps, jobs: [],
            evaluator: Evaluator(rules: [], exemptions: [], dryRun: false), now: Self.now)
        #expect(audit.listed == 1 && audit.untracked.map(\.app.id) == ["application_1_0002"])
        #expect(YarnAudit.asJobExecution(apps.apps[1]).startedTime == 2, "states are read in any case")
    }

    @Test func withoutAnyJobEveryAppIsUntracked() throws {
        let audit = YarnAudit.audit(
            clusterId: "c1", clusterTags: nil, apps: try Self.fixture(), jobs: [],
            evaluator: Evaluator(rules: [], exemptions: [], dryRun: false), now: Self.now)
        #expect(audit.tracked == 0 && audit.untracked.count == 4)
    }
}
