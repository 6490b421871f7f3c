import Foundation
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// What people are told: which events become messages, and the JSON a webhook receives.
struct NotificationMessageTests {
    static let now: Int64 = 1_800_000_000_000

    static func record(_ action: DecisionRecord.Action) -> DecisionRecord {
        let job = JobExecution(
            jobId: "job-1", jobName: "etl \"big\"", user: "ana", queue: "default", jobStateText: "RUNNING",
            startedTime: now - 3 * 3_600_000)
        let rule = Rule(name: "dev-2h", match: JobMatcher(), maxRuntimeMillis: 7_200_000, mode: .enforce)
        let decision = Evaluator(rules: [rule], exemptions: [], dryRun: false)
            .decide(clusterId: "c-1", clusterTags: [:], job: job, now: now)
        return DecisionRecord(action: action, decision: decision)
    }

    @Test func aKillBecomesAJSONObjectWithTheJobAndTheRule() throws {
        let message = try #require(NotificationMessage.from(.decision(Self.record(.kill)), at: Self.now))
        #expect(message.event == .kill)
        #expect(message.subject == "mrs-watchdog: kill etl \"big\" on c-1")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(message.json.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "kill")
        #expect(object["job_name"] as? String == "etl \"big\"")
        #expect(object["user"] as? String == "ana")
        #expect(object["rule"] as? String == "dev-2h")
        #expect(object["runtime_sec"] as? Int == 10_800)
        #expect(object["limit_sec"] as? Int == 7_200)
        #expect(object["time"] as? String == "2027-01-15T08:00:00Z")
    }

    @Test func onlyWarnKillUnkillableKillLoopExtensionAndBreakerEventsAreAnnounced() throws {
        let announced: [DecisionRecord.Action] = [
            .warn, .kill, .unkillable, .killLoop, .extended, .extensionRefused, .extensionWithdrawn,
        ]
        for action in DecisionRecord.Action.allCases {
            let message = NotificationMessage.from(.decision(Self.record(action)), at: Self.now)
            #expect((message != nil) == announced.contains(action), "\(action)")
        }
        let loop = NotificationMessage.from(.decision(Self.record(.killLoop)), at: Self.now)
        #expect(loop?.event == .killLoop && loop?.json.contains(#""event":"kill-loop""#) == true)
        let refused = NotificationMessage.from(.decision(Self.record(.extensionRefused)), at: Self.now)
        #expect(refused?.event == .extension && refused?.subject.contains("extension-refused") == true)
        let open = try #require(
            NotificationMessage.from(.breaker(open: true, candidates: 30, threshold: 25), at: Self.now))
        #expect(open.event == .breaker)
        #expect(open.text.hasPrefix("breaker open: 30 jobs to kill > breaker_threshold 25"))
        #expect(NotificationMessage.from(.stopping, at: Self.now) == nil)
    }

    @Test func theNotificationsSectionLoadsWithDefaults() throws {
        let config = try ConfigLoader.parse(
            ConfigText(
                mrs: .init(region: "ap-southeast-1", projectId: "p"), watch: ConfigText.watching(["c"]),
                rules: #"[{"name": "r", "max_runtime": "1h"}]"#,
                more: """
                    "notifications": {"events": ["kill", "unkillable"],
                                      "webhook": {"url": "https://hooks.example.com/a", "timeout": "3s"},
                                      "smn": {"topic_urn": "urn:smn:ap-southeast-1:p:ops"}}
                    """
            ).description, file: "n.json"
        ).get()
        #expect(config.notifications.events == [.kill, .unkillable])
        #expect(config.notifications.webhook?.timeoutMillis == 3000)
        // The SMN endpoint follows the region's domain, as MRS does.
        #expect(config.notifications.smn?.endpoint.description == "https://smn.ap-southeast-1.myhuaweicloud.cn")
        #expect(config.notifications.smn?.timeoutMillis == 5000)
    }

    /// A job owner's 300 KB declaration in the reason, and a long name: the message stays within 4 KB, the
    /// ids whole, the long parts cut in the middle.
    @Test func aMessageIsBoundedWhateverTheJobCarries() throws {
        var record = Self.record(.warn)
        record.decision.job.jobName = String(repeating: "n", count: 5_000)
        record.decision.reason = "over max_runtime 2h; " + String(repeating: "x", count: 300_000)
        let message = try #require(NotificationMessage.from(.decision(record), at: Self.now))
        #expect(message.json.utf8.count <= NotificationMessage.maxBytes, "\(message.json.utf8.count) bytes")
        #expect(message.text.utf8.count <= NotificationMessage.maxBytes)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(message.json.utf8)) as? [String: Any])
        #expect(object["job_id"] as? String == "job-1")
        let reason = try #require(object["reason"] as? String)
        #expect(reason.hasPrefix("over max_runtime 2h; ") && reason.contains("bytes left out"))
    }

    /// SMN refuses a subject over 512 bytes: a name of control characters (each shown as a 4-byte escape)
    /// and wide characters still makes one it takes, cut on characters.
    @Test func theSubjectFitsSMNWhateverTheNameHolds() throws {
        var record = Self.record(.kill)
        record.decision.job.jobName = String(repeating: "\u{1B}作", count: 300)
        let message = try #require(NotificationMessage.from(.decision(record), at: Self.now))
        #expect(message.subject.utf8.count <= 512, "\(message.subject.utf8.count) bytes")
        #expect(message.subject.hasPrefix("mrs-watchdog: kill \\x1b作") && message.subject.hasSuffix(" on c-1"))
    }

    @Test func elisionNeverSplitsACharacter() {
        let text = String(repeating: "作业", count: 400)
        let cut = text.elidingMiddle(toBytes: 100)
        #expect(cut.utf8.count < 160 && cut.contains("bytes left out") && cut.hasPrefix("作业"))
        #expect("short".elidingMiddle(toBytes: 100) == "short")
    }
}
