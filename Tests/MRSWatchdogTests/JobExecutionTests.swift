import MRSWatchdog
import Testing

/// `JobExecution` keeps its fields behind one copy-on-write reference: it must still behave as a value.
struct JobExecutionTests {
    static let job = JobExecution(
        jobId: "job-1", jobName: "etl-nightly", user: "ana", queue: "default", jobType: "SparkSubmit",
        jobStateText: "RUNNING", submittedTime: 1_000, startedTime: 2_000, arguments: "[--class, x.Main]")

    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = Self.job
        var copy = original
        copy.jobName = "etl-other"
        copy.startedTime = nil
        copy.unreadableTimes.append("finished_time")
        #expect(original.jobName == "etl-nightly" && original.startedTime == 2_000 && original.unreadableTimes.isEmpty)
        #expect(copy.jobName == "etl-other" && copy.startedTime == nil && copy.unreadableTimes == ["finished_time"])
        #expect(copy != original)
    }

    @Test func jobsWithTheSameFieldsAreEqualAndHashAlike() {
        var rebuilt = JobExecution(jobId: "job-1")
        for (key, value) in [
            (\JobExecution.jobName, "etl-nightly"), (\.user, "ana"), (\.queue, "default"), (\.jobType, "SparkSubmit"),
            (\.jobStateText, "RUNNING"), (\.arguments, "[--class, x.Main]"),
        ] {
            rebuilt[keyPath: key] = value
        }
        rebuilt.submittedTime = 1_000
        rebuilt.startedTime = 2_000
        #expect(rebuilt == Self.job)
        #expect(Set([rebuilt, Self.job]).count == 1)
        rebuilt.unreadableTimes = ["started_time"]
        #expect(rebuilt != Self.job, "a time that could not be read is part of the job")
    }

    @Test func itPrintsItsFields() {
        let text = "\(Self.job)"
        #expect(text.contains("jobId: \"job-1\"") && text.contains("startedTime: Optional(2000)"), "\(text)")
    }
}
