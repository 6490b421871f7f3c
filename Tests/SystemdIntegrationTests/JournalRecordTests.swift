import Logging
import MRSWatchdog
import Synchronization
import SystemdIntegration
import Testing

/// The structured journal record of a decision, and the check that decides whether stderr is the journal.
struct JournalRecordTests {
    /// A name with a NUL, a line break and a priority prefix: every field stays one line with no NUL or
    /// control character, the characters shown as escapes.
    @Test func noFieldCarriesANulALineBreakOrAControlCharacter() {
        let now: Int64 = 1_800_000_000_000
        let job = JobExecution(
            jobId: "job-7", jobName: "etl\u{0}x\n<0>forged\u{1B}[2J\u{202E}", user: "ana", jobStateText: "RUNNING",
            startedTime: now - 7_203_000)
        let rule = Rule(name: "dev-2h", match: JobMatcher(), maxRuntimeMillis: 7_200_000, mode: .enforce)
        let decision = Evaluator(rules: [rule], exemptions: [], dryRun: false)
            .decide(clusterId: "c-1", clusterTags: [:], job: job, now: now)
        let fields = JournalRecord.fields(for: DecisionRecord(action: .kill, decision: decision))
        for field in fields {
            #expect(
                !field.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{202E}" }, "\(field)")
        }
        #expect(fields.contains("MRS_JOB_NAME=etl\\x00x\\x0a<0>forged\\x1b[2J\\u202e"))
    }

    /// An untracked YARN application a rule would kill: its own record, queryable, every field one safe line.
    @Test func anUntrackedYarnAppHasARecordOfItsOwn() throws {
        let now: Int64 = 1_800_000_000_000
        let app = YarnApplication(
            id: "application_1764000000000_0042", user: "eve", name: "shell\n<0>forged\u{1B}[2J",
            applicationType: "SPARK",
            state: "RUNNING", startedTime: now - 10_800_000, launchTime: now - 10_800_000, elapsedTime: 10_800_000)
        var match = JobMatcher()
        match.jobType = ["SparkSubmit"]
        let rule = Rule(name: "spark-2h", match: match, maxRuntimeMillis: 7_200_000, mode: .enforce)
        let audit = YarnAudit.audit(
            clusterId: "c-1", clusterTags: nil, apps: YarnAppList(apps: [app]), jobs: [],
            evaluator: Evaluator(rules: [rule], exemptions: [], dryRun: false), now: now)
        var flagged = YarnFlaggedApps()
        let round = flagged.round(.init(clusters: [.init(audit: audit, resourceManager: "http://rm:8088")]))
        let fields = JournalRecord.fields(for: try #require(round.newFindings.first))
        #expect(fields.contains("WATCHDOG_DECISION=yarn-untracked"))
        #expect(fields.contains("YARN_APPLICATION_ID=application_1764000000000_0042"))
        #expect(fields.contains("YARN_APPLICATION_TYPE=SPARK") && fields.contains("WATCHDOG_RULE=spark-2h"))
        #expect(fields.contains("WATCHDOG_RUNTIME_SEC=10800") && fields.contains("PRIORITY=4"))
        #expect(!fields.contains { $0.hasPrefix("MRS_JOB_ID=") }, "not an MRS job: nothing names it as one")
        for field in fields {
            #expect(!field.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(field)")
        }
    }

    /// A job owner's 300 KB declared value quoted in a warning: the line stays one line under journald's
    /// `LineMax` (48 KB), so no part of it is read as a new entry with a priority of its own.
    @Test func aLogLineIsBoundedWhateverItQuotes() {
        let value =
            String(repeating: "9", count: 100_000) + "\u{0}<0>nul\n<0>forged" + String(repeating: "x", count: 200_000)
        for toJournal in [true, false] {
            let line = JournalLogHandler.line(
                level: .warning, message: "declared limit unreadable: '\(value)'", metadata: ["job": "\(value)"],
                label: "mrs-watchdog", toJournal: toJournal, epochMillis: 0)
            #expect(line.hasPrefix(toJournal ? "<4>declared limit unreadable: '999" : "1970-01-01T00:00:00Z warning"))
            #expect(line.utf8.count <= JournalLogHandler.maxLineBytes + 64, "\(line.utf8.count) bytes")
            #expect(!line.contains("\n") && !line.contains("\u{0}") && line.contains("bytes left out"))
        }
        let short = JournalLogHandler.line(
            level: .info, message: "kill", metadata: ["job": "j-1"], label: "l", toJournal: true, epochMillis: 0)
        #expect(short == "<6>kill job=j-1")
    }

    /// `STATUS=` is one assignment of the notify message: a line break cannot add another, an escape cannot
    /// reach `systemctl status`, and its size is bounded.
    @Test func theStatusIsOneSafeBoundedLine() {
        #expect(SdNotifier.statusLine("reload failed\nREADY=1\u{1B}[2J") == "STATUS=reload failed READY=1\\x1b[2J")
        #expect(SdNotifier.statusLine(String(repeating: "x", count: 10_000)).utf8.count < 1_100)
    }

    @Test func aKillRecordCarriesEveryQueryableField() {
        let now: Int64 = 1_800_000_000_000
        let job = JobExecution(
            jobId: "job-7", jobName: "etl-big", user: "ana", queue: "default", jobType: "SparkSubmit",
            jobStateText: "RUNNING", startedTime: now - 7_203_000)
        let rule = Rule(name: "dev-2h", match: JobMatcher(), maxRuntimeMillis: 7_200_000, mode: .enforce)
        let decision = Evaluator(rules: [rule], exemptions: [], dryRun: false)
            .decide(clusterId: "c-1", clusterTags: [:], job: job, now: now)
        let fields = JournalRecord.fields(for: DecisionRecord(action: .kill, decision: decision))
        for expected in [
            "PRIORITY=5", "SYSLOG_IDENTIFIER=mrs-watchdog", "MRS_CLUSTER_ID=c-1", "MRS_JOB_ID=job-7",
            "MRS_JOB_NAME=etl-big",
            "MRS_USER=ana", "MRS_QUEUE=default", "WATCHDOG_RULE=dev-2h", "WATCHDOG_DECISION=kill",
            "WATCHDOG_RUNTIME_SEC=7203", "WATCHDOG_LIMIT_SEC=7200",
        ] {
            #expect(fields.contains(expected), "missing \(expected) in \(fields)")
        }
        #expect(fields.first?.hasPrefix("MESSAGE=kill c-1/job-7 etl-big (user ana) rule dev-2h") == true)
        // Upper-case names, digits and underscores, not starting with "_".
        for field in fields {
            let name = field.prefix { $0 != "=" }
            #expect(!name.hasPrefix("_") && name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }, "\(name)")
        }
    }

    @Test func fieldsStayOnOneLineAndAbsentFactsAreLeftOut() {
        let job = JobExecution(jobId: "j", jobStateText: "RUNNING")
        let decision = Evaluator(rules: [], exemptions: [], dryRun: false)
            .decide(clusterId: "c", clusterTags: [:], job: job, now: 0)
        let fields = JournalRecord.fields(
            for: DecisionRecord(action: .killFailed, decision: decision, detail: "line one\nline two"))
        #expect(fields.contains("WATCHDOG_DETAIL=line one\\x0aline two"))
        #expect(fields.contains("PRIORITY=3"))
        #expect(!fields.contains { $0.hasPrefix("MRS_USER=") || $0.hasPrefix("WATCHDOG_LIMIT_SEC=") })
    }

    @Test func stderrIsTheJournalOnlyWhenDeviceAndInodeMatch() {
        #expect(!JournalStream.stderrIsJournal(environment: [:]))
        #expect(!JournalStream.stderrIsJournal(environment: ["JOURNAL_STREAM": "garbage"]))
        #expect(!JournalStream.stderrIsJournal(environment: ["JOURNAL_STREAM": "1:1"]))
    }
}

/// What `STATUS=` says: the watchdog's line, the YARN audit's fragment after it, only changes sent, and
/// `stopping` kept to the end.
struct SystemdStatusTests {
    final class Sent: Sendable {
        private let lines = Mutex<[[String]]>([])
        func add(_ assignments: [String]) { lines.withLock { $0.append(assignments) } }
        /// Everything sent since the last call.
        func take() -> [[String]] {
            lines.withLock { lines in
                defer { lines = [] }
                return lines
            }
        }
    }

    @Test func theYarnFragmentFollowsTheWatchdogLineAndStoppingStays() {
        let sent = Sent()
        let sink = SystemdEventSink(journalRecords: false) { sent.add($0) }
        let audited = YarnAuditRound(clusters: [
            .init(clusterId: "c1", tracked: 6, untracked: 2, seen: 6, untrackedRunningOver: [1, 0, 0], malformed: 0)
        ])
        sink.emit(.yarnAudited(audited))
        #expect(sent.take().isEmpty, "nothing before the watchdog's first line")
        sink.emit(.ready(StatusLine(clusters: 1)))
        let first =
            "watching 1 cluster · 0 active jobs · since start: 0 killed (0 confirmed), 0 warned · last hour: 0 killed (0 confirmed), 0 warned"
        #expect(sent.take() == [["READY=1", "STATUS=\(first) · YARN: mrs-watchdog sees 6 of 8 apps"]])
        sink.emit(.progress(StatusLine(clusters: 1)))
        sink.emit(.yarnAudited(audited))
        #expect(sent.take().isEmpty, "unchanged: not sent again")
        sink.emit(.yarnAudited(YarnAuditRound(failures: ["c1": "YARN: no active ResourceManager"])))
        #expect(sent.take() == [["STATUS=\(first) · YARN: 1 cluster not audited"]])
        sink.emit(.yarnAudited(YarnAuditRound()))
        #expect(sent.take() == [["STATUS=\(first)"]], "turned off: the fragment goes")
        sink.emit(.stopping)
        #expect(sent.take() == [["STOPPING=1", "STATUS=stopping"]])
        sink.emit(.yarnAudited(audited))
        sink.emit(.progress(StatusLine(clusters: 2)))
        #expect(sent.take().isEmpty, "stopping is the last word")
    }
}
