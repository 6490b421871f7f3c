import Foundation
import MRSWatchdog
import Testing

/// The job list and job detail responses read from their bytes: every shape MRS is known to send, and every
/// shape that must fail the response rather than be guessed at.
struct JobResponseReaderTests {
    static func list(_ text: String) throws -> JobResponseReader.List {
        try JobResponseReader.list(Array(text.utf8))
    }

    @Test func fieldsAreReadAsTheyComeStringsOrNumbers() throws {
        let page = try Self.list(
            """
            \u{FEFF} {"total_record": "2", "unknown": {"a": [1, {"b": null}]}, "job_list": [
              {"job_id": "j1", "job_name": "etl-1", "user": "ana", "queue": "default", "job_type": "SparkSubmit",
               "job_state": "RUNNING", "job_result": "UNDEFINED", "submitted_time": 1700000000000,
               "started_time": "1700000001000", "finished_time": 0, "elapsed_time": 5, "job_progress": 0.5,
               "arguments": "[--class, A]", "properties": "{k=v}", "app_id": "application_1_0001",
               "launcher_id": "application_1_0002"},
              {"job_id": 42, "job_name": 7, "submitted_time": 1.7000000005e12, "started_time": -1,
               "job_state": "PAUSED", "properties": {"b": 2, "a": "x", "c": true, "d": 1.5}}
            ]}
            """)
        #expect(page.totalRecord == 2)
        #expect(page.malformed.isEmpty)
        #expect(
            page.jobs.first
                == JobExecution(
                    jobId: "j1", jobName: "etl-1", user: "ana", queue: "default", jobType: "SparkSubmit",
                    jobStateText: "RUNNING", jobResult: "UNDEFINED", submittedTime: 1_700_000_000_000,
                    startedTime: 1_700_000_001_000, finishedTime: nil, arguments: "[--class, A]",
                    properties: "{k=v}", appId: "application_1_0001", launcherId: "application_1_0002"))
        let second = try #require(page.jobs.last)
        #expect(second.jobId == "42" && second.jobName == "7")
        #expect(second.submittedTime == 1_700_000_000_500 && second.startedTime == nil)
        #expect(second.jobStateText == "PAUSED" && second.state == nil, "an unknown state is kept, not guessed")
        #expect(second.properties == "{a=x, b=2, c=true, d=1.5}")
    }

    /// A properties object whose secret value holds `, k=v`: masked by its key before it becomes map text,
    /// where the split would be ambiguous.
    @Test func aPropertiesObjectIsMaskedByKeyBeforeItBecomesText() throws {
        let page = try Self.list(
            #"{"job_list": [{"job_id": "j", "properties": {"fs.obs.secret.key": "S3, spark.x=LEAK", "a": "y"}}]}"#)
        #expect(page.jobs.first?.properties == "{a=y, fs.obs.secret.key=***}")
    }

    @Test func entriesThatCannotBeReadAreSkippedByIndex() throws {
        let page = try Self.list(
            #"{"job_list": [{"job_id": "a"}, 5, {"job_name": "no id"}, {"job_id": ""}, null, [], {"job_id": "b"}]}"#)
        #expect(page.jobs.map(\.jobId) == ["a", "b"])
        #expect(page.malformed == [1, 2, 3, 4, 5])
        #expect(try Self.list(#"{"job_list": null}"#).jobs.isEmpty)
        #expect(
            try Self.list(#"{"job_list": [{"job_id": "a",}, ],}"#).jobs.count == 1, "trailing commas, as Foundation")
        #expect(try Self.list(#"{"total_record": 2.0, "job_list": [{"job_id": 1.0}]}"#).jobs.first?.jobId == "1")
        #expect(try Self.list(#"{"total_record": 2.0}"#).totalRecord == 2)
        #expect(try Self.list(#"{}"#).totalRecord == nil)
    }

    @Test func escapesAreResolvedAndSecretsMasked() throws {
        let page = try Self.list(
            #"{"job_list": [{"job_id": "j\u002f1\ud83d\ude00", "job_name": "a\"b\\c\n\t\/é", "#
                + #""arguments": "--conf fs.obs.secret.key=hunter2"}]}"#)
        let job = try #require(page.jobs.first)
        #expect(job.jobId == "j/1😀")
        #expect(job.jobName == "a\"b\\c\n\t/é")
        #expect(job.arguments?.contains("hunter2") == false)
    }

    @Test(arguments: [
        (#"{"job_list": {"job_id": "a"}}"#, "job_list is not an array"),
        (#"{"job_list": [], "job_list": []}"#, "job_list is given twice"),
        (#"{"job_list": [{"job_id": "a"}]} x"#, "unexpected data after the JSON value"),
        (#"[{"job_id": "a"}]"#, "expected an object"),
        (#"{"job_list": [{"job_id": "a"]}"#, "expected ',' or '}' in an object"),
        (#"{"job_list": [{"job_id": 01}]}"#, "malformed number"),
        (#"{"job_list": [{"job_id": "a"#, "unterminated string"),
        (#"{"job_list": [{"job_id": "\u12"#, "unterminated string"),
        (String(repeating: "[", count: 70), "expected an object"),
        (#"{"total_record": 1, "x": "# + String(repeating: "[", count: 70), "nested too deeply"),
    ])
    func whatIsNotJSONOfTheListsShapeFailsTheResponse(_ text: String, _ message: String) {
        #expect(throws: JobResponseReader.SyntaxError.self) { try Self.list(text) }
        do {
            _ = try Self.list(text)
        } catch {
            #expect((error as? JobResponseReader.SyntaxError)?.message == message)
        }
    }

    /// Content that cannot be read costs the field (absent, which fails closed) or, for `job_id` and fields
    /// given twice, the entry — never the page, so one odd job cannot hide the cluster's other jobs.
    @Test func oddContentCostsTheFieldOrTheEntryNotThePage() throws {
        let bytes =
            Array(#"{"job_list": [{"job_id": "\ud800"}, {"job_id": "b", "job_name": "\x", "user": "u"#.utf8)
            + [0xFF] + Array(#"", "queue": "q"#.utf8) + [0x01]
            + Array(#"", "started_time": 1e999, "job_type": "\ud83d\ude00"}, {"job_id": "c", "#.utf8)
            + Array(#""job_state": "FINISHED", "job_state": "RUNNING"}, {"job_id": "d", "#.utf8)
            + Array(#""properties": {"k": 1, "k": 2}}]}"#.utf8)
        let page = try JobResponseReader.list(bytes)
        #expect(page.malformed == [0, 2], "an unreadable job_id, a job_state given twice")
        let b = try #require(page.jobs.first)
        #expect(b.jobId == "b")
        #expect(b.jobName == nil && b.user == nil && b.queue == nil && b.startedTime == nil)
        #expect(b.unreadableTimes == ["started_time"], "sent but unreadable is not the same as absent")
        #expect(b.jobType == "😀", "a paired surrogate escape is one character")
        #expect(page.jobs.last?.jobId == "d")
        #expect(page.jobs.last?.properties == nil, "a properties key given twice")
    }

    /// A time that was sent but cannot be read, or a key that cannot be read (it could be a second
    /// `job_state`), never leaves a job killable.
    @Test func unreadableTimesAndKeysFailClosed() throws {
        let page = try Self.list(
            #"{"job_list": [{"job_id": "a", "job_state": "RUNNING", "started_time": 1700000000000, "#
                + #""submitted_time": 1699999999000, "finished_time": "soon", "job_name": "etl-a"}, "#
                + #"{"job_id": "b", "job_state": "RUNNING", "job_\x": "FINISHED"}]}"#)
        #expect(page.malformed == [1], "an unreadable key might be a second job_state")
        let job = try #require(page.jobs.first)
        #expect(job.finishedTime == nil && job.unreadableTimes == ["finished_time"])
        var rule = Rule(name: "r", maxRuntimeMillis: 60_000, mode: .enforce)
        rule.match.jobName = [try Glob("etl-*")]
        let decision = Evaluator(rules: [rule], exemptions: [], dryRun: false)
            .decide(clusterId: "c", clusterTags: [:], job: job, now: 1_700_000_100_000)
        #expect(decision.kind == .skippedUnknown && decision.unknownField == "finished_time")
        #expect(JobState(wire: "runn\u{131}ng") == nil && JobState(wire: "running") == .running, "ASCII folding only")
    }

    @Test func aDetailNeedsAJobWithAnId() throws {
        let job = try JobResponseReader.detail(Array(#"{"job_detail": {"job_id": "j", "job_state": "KILLED"}}"#.utf8))
        #expect(job.jobId == "j" && job.isTerminal)
        #expect(throws: JobResponseReader.SyntaxError.self) {
            try JobResponseReader.detail(Array(#"{"job_detail": {"job_name": "x"}}"#.utf8))
        }
        #expect(throws: JobResponseReader.SyntaxError.self) { try JobResponseReader.detail(Array("{}".utf8)) }
    }

    @Test func whatTheEmulatorWritesReadsBackTheSame() throws {
        let fixture = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/jobs-1000.json")
        let saved = try SavedResponses.jobs(from: Data(contentsOf: fixture))
        #expect(saved.jobs.count > 0)
        let again = try SavedResponses.jobs(from: Data(SavedResponses.jobListJSON(saved.jobs).utf8))
        #expect(again.jobs == saved.jobs)
        #expect(again.malformed == 0)
    }
}
