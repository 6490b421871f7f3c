import Foundation
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// Extensions: the drop-in file, the directory it lives in, how a rule takes one, and what the daemon's
/// state machine does when one appears, is capped, refused, malformed or withdrawn.
struct ExtensionTests {
    static let start = Machine.start
    static let hour = Machine.hour
    static let minute = Machine.minute

    static func grant(_ job: String = "j1", until: Int64, cluster: String = "c1") -> JobExtension {
        JobExtension(
            clusterId: cluster, jobId: job, untilMillis: until, reason: "month-end close", grantedBy: "ana",
            createdMillis: Self.start, file: ExtensionFile.name(clusterId: cluster, jobId: job))
    }

    // MARK: The file

    @Test func whatExtendWritesReadsBackTheSame() throws {
        let text = ExtensionFile.render(
            clusterId: "c-1", jobId: "job_7", untilMillis: Self.start + Self.hour, reason: " month-end \"close\" ",
            createdMillis: Self.start)
        let read = try ExtensionFile.parse(text, file: "c-1.job_7.json", grantedBy: "ana")
        #expect(
            read
                == Self.grant("job_7", until: Self.start + Self.hour, cluster: "c-1").with(
                    reason: "month-end \"close\""))
    }

    @Test(arguments: [
        ("{", "invalid JSON at 1:2"),
        ("[]", "expected a JSON object, found an array"),
        (
            #"{"cluster_id":"c1","job_execution_id":"j1","until":"2026-11-30T14:00:00Z","reason":"x","created_at":"2026-11-30T12:00:00Z","by":"root"}"#,
            "unknown key 'by' at 1:"
        ),
        (
            #"{"cluster_id":"c1","job_execution_id":"j1","reason":"x","created_at":"2026-11-30T12:00:00Z"}"#,
            "missing 'until'"
        ),
        (
            #"{"cluster_id":"c1","job_execution_id":"j1","until":"tomorrow","reason":"x","created_at":"2026-11-30T12:00:00Z"}"#,
            "'until' at 1:52 is not an RFC 3339 time: 'tomorrow'"
        ),
        (
            #"{"cluster_id":"c1","job_execution_id":"../j1","until":"2026-11-30T14:00:00Z","reason":"x","created_at":"2026-11-30T12:00:00Z"}"#,
            "'job_execution_id' at 1:39 is not an MRS id"
        ),
        (
            #"{"cluster_id":"c1","job_execution_id":"j1","until":"2026-11-30T14:00:00Z","reason":"  ","created_at":"2026-11-30T12:00:00Z"}"#,
            "'reason' at 1:84 is empty"
        ),
        (
            #"{"cluster_id":"c1","job_execution_id":"j1","until":"2026-11-30T14:00:00Z","reason":"ok\u001b[2J","created_at":"2026-11-30T12:00:00Z"}"#,
            "has characters that cannot be shown: 'ok<U+001B escape>[2J'"
        ),
        (
            #"{"cluster_id":"c1","job_execution_id":"j1","until":7,"reason":"x","created_at":"2026-11-30T12:00:00Z"}"#,
            "'until' at 1:52 must be a string, found a number"
        ),
    ])
    func aMalformedFileSaysWhatAndWhere(text: String, problem: String) {
        #expect(throws: ExtensionFile.Malformed.self) {
            try ExtensionFile.parse(text, file: "f.json", grantedBy: "ana")
        }
        do {
            _ = try ExtensionFile.parse(text, file: "f.json", grantedBy: "ana")
        } catch {
            #expect(error.message.contains(problem), "\(error.message)")
        }
    }

    // MARK: The directory

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ext-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func theDirectoryReadsDropInsAndReportsTheBadOnes() throws {
        let path = try Self.temporaryDirectory()
        var directory = ExtensionDirectory(path: path)
        let written = try directory.write(
            ExtensionFile.render(
                clusterId: "c1", jobId: "j1", untilMillis: Self.start + Self.hour, reason: "r",
                createdMillis: Self.start),
            name: ExtensionFile.name(clusterId: "c1", jobId: "j1"))
        #expect(written == path + "/c1.j1.json")
        let mode = try FileManager.default.attributesOfItem(atPath: written)[.posixPermissions] as? Int
        #expect(mode == 0o644, "only its owner writes it; a colleague replaces it and then owns it")
        try "{".write(toFile: path + "/bad.json", atomically: false, encoding: .utf8)
        // A second file for j1 under another name cannot keep an extension alive.
        try ExtensionFile.render(
            clusterId: "c1", jobId: "j1", untilMillis: Self.start + 9 * Self.hour, reason: "r",
            createdMillis: Self.start
        ).write(toFile: path + "/mine.json", atomically: false, encoding: .utf8)
        try String(repeating: " ", count: 5000).write(toFile: path + "/big.json", atomically: false, encoding: .utf8)
        try "{}".write(toFile: path + "/.c1.j2.json.1.tmp", atomically: false, encoding: .utf8)
        try "{}".write(toFile: path + "/README", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path + "/link.json", withDestinationPath: written)

        let scan = directory.scan()
        #expect(scan.problem == nil)
        let me = try #require(ProcessInfo.processInfo.environment["USER"] ?? Optional(NSUserName()))
        #expect(scan.valid.map(\.jobId) == ["j1"])
        #expect(scan.valid.first?.grantedBy == me, "the file's owner")
        let problems = Dictionary(uniqueKeysWithValues: scan.malformed.map { ($0.file, $0.problem) })
        #expect(
            problems.keys.sorted() == ["bad.json", "big.json", "link.json", "mine.json"],
            "dot files and non-JSON are not read")
        #expect(problems["mine.json"] == "names job j1 on c1: it must be called c1.j1.json")
        #expect(problems["link.json"] == "a symbolic link (not followed)")
        #expect(problems["big.json"]?.contains("a drop-in is at most 4096") == true)
        #expect(scan.active(now: Self.start).count == 1)
        #expect(scan.active(now: Self.start + Self.hour).isEmpty, "run out")

        // Replaced (a new file renamed over it): read again, not taken from the cache.
        _ = try directory.write(
            ExtensionFile.render(
                clusterId: "c1", jobId: "j1", untilMillis: Self.start + 2 * Self.hour, reason: "r",
                createdMillis: Self.start),
            name: ExtensionFile.name(clusterId: "c1", jobId: "j1"))
        #expect(directory.scan().valid.first?.untilMillis == Self.start + 2 * Self.hour)

        // The directory cannot be listed any more (here: a file where it was): what was read stays in force.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".moved")
        try "x".write(toFile: path, atomically: false, encoding: .utf8)
        let unreadable = directory.scan()
        #expect(unreadable.problem?.hasPrefix("cannot list \(path): ") == true)
        #expect(unreadable.valid.map(\.untilMillis) == [Self.start + 2 * Self.hour])
        // Gone altogether: no extensions.
        try FileManager.default.removeItem(atPath: path)
        #expect(directory.scan() == ExtensionScan())
    }

    /// An extension in force that disappears, or whose file another user now owns, is recorded (journal,
    /// notification, history); one that ran out is not.
    @Test func anExtensionTakenAwayIsRecorded() throws {
        var harness = try Machine.Harness(rule: Self.extendable)
        func scanned(_ grants: [JobExtension]) -> [String] {
            harness.lines(
                harness.machine.extensionsScanned(ExtensionScan(entries: grants.map { .valid($0) }), now: harness.now))
        }
        let anas = Self.grant(until: Self.start + Self.hour)
        #expect(scanned([anas]) == [])
        #expect(scanned([]) == ["extension-withdrawn c1/j1"])
        #expect(scanned([anas]) == [])
        var cys = anas
        cys.grantedBy = "cy"
        let replaced = harness.machine.extensionsScanned(ExtensionScan(entries: [.valid(cys)]), now: harness.now)
        let record = replaced.compactMap { action -> DecisionRecord? in
            guard case .emit(.decision(let record)) = action else { return nil }
            return record
        }.first
        #expect(record?.action == .extensionWithdrawn)
        #expect(record?.detail == "the extension ana asked for (month-end close) was replaced by cy's")
        #expect(harness.machine.state.changes.history.last?.action == .extensionWithdrawn, "kept in the history")
        harness.now = Self.start + Self.hour
        #expect(scanned([]) == [], "run out: nothing taken away")
    }

    /// 1,005 drop-ins: the first 1,000 by name are read, the rest counted; the state machine reports the
    /// first 10 malformed ones one by one and the rest in one notice.
    @Test func aFloodOfDropInsIsReadAndReportedWithinBounds() throws {
        let path = try Self.temporaryDirectory()
        for index in 0..<1_005 {
            try "{".write(toFile: path + "/f\(String(format: "%04d", index)).json", atomically: false, encoding: .utf8)
        }
        var directory = ExtensionDirectory(path: path)
        let scan = directory.scan()
        let me = ExtensionDirectory.userName(getuid())
        #expect(scan.entries.count == ExtensionDirectory.maxEntriesPerOwner && scan.notRead == [me: 5])
        var harness = try Machine.Harness(rule: Self.extendable)
        let lines = harness.lines(harness.machine.extensionsScanned(scan, now: harness.now))
        #expect(lines.count == 12, "10 files, 1 for the rest, 1 for the unread: \(lines.count)")
        #expect(harness.lines(harness.machine.extensionsScanned(scan, now: harness.now)).isEmpty, "once")
        // A new drop-in (the directory changed) is seen at the next read.
        try FileManager.default.removeItem(atPath: path + "/f0000.json")
        #expect(directory.scan().notRead == [me: 4])
    }

    /// One member's 1,005 junk drop-ins, named to sort first, cannot push out another member's extension:
    /// the bound is per owner. Needs root to own files as two users.
    @Test func aFloodFromOneOwnerLeavesAnothersDropInRead() throws {
        guard getuid() == 0 else {
            print("SKIPPED aFloodFromOneOwnerLeavesAnothersDropInRead: needs root to chown files to a second user")
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "CI runs the tests as root")
            return
        }
        let path = try Self.temporaryDirectory()
        let other: uid_t = 65_534
        for index in 0..<1_005 {
            let file = path + "/a\(String(format: "%04d", index)).json"
            try "{".write(toFile: file, atomically: false, encoding: .utf8)
            #expect(chown(file, other, gid_t(other)) == 0)
        }
        var directory = ExtensionDirectory(path: path)
        _ = try directory.write(
            ExtensionFile.render(
                clusterId: "c1", jobId: "j1", untilMillis: Self.start + Self.hour, reason: "r",
                createdMillis: Self.start),
            name: ExtensionFile.name(clusterId: "c1", jobId: "j1"))
        let scan = directory.scan()
        #expect(scan.valid.map(\.jobId) == ["j1"], "root's drop-in is read")
        #expect(scan.notRead == [ExtensionDirectory.userName(other): 5])
        var harness = try Machine.Harness(rule: Self.extendable)
        let lines = harness.lines(harness.machine.extensionsScanned(scan, now: harness.now))
        #expect(
            lines.contains { $0.contains("\(ExtensionDirectory.userName(other)) has 1005 drop-ins") }, "\(lines)")
    }

    @Test func aMissingDirectoryHoldsNoExtensionsAndAWriteSaysWhatToDo() throws {
        var directory = ExtensionDirectory(path: "/nonexistent-extensions.d")
        #expect(directory.scan() == ExtensionScan())
        #expect(throws: ExtensionDirectory.WriteFailure.self) { try directory.write("{}", name: "x.json") }
        do {
            _ = try directory.write("{}", name: "x.json")
        } catch {
            #expect(
                error.description
                    == "/nonexistent-extensions.d does not exist (extensions.directory in the config names the daemon's)"
            )
        }
    }

    // MARK: How a rule takes one

    @Test func aRuleMovesItsDeadlineUpToItsCeilingAndNoFurther() {
        let ruleDeadline = Self.start + Self.hour
        let granted = AppliedExtension(
            Self.grant(until: ruleDeadline + 30 * Self.minute), ruleDeadline: ruleDeadline,
            maxExtensionMillis: Self.hour)
        #expect(granted.outcome == .granted && granted.deadline == ruleDeadline + 30 * Self.minute)
        let capped = AppliedExtension(
            Self.grant(until: ruleDeadline + 5 * Self.hour), ruleDeadline: ruleDeadline, maxExtensionMillis: Self.hour)
        #expect(capped.outcome == .capped(maxExtensionMillis: Self.hour) && capped.deadline == ruleDeadline + Self.hour)
        #expect(capped.text.contains("capped by max_extension 1h"))
        let refused = AppliedExtension(
            Self.grant(until: ruleDeadline + Self.hour), ruleDeadline: ruleDeadline, maxExtensionMillis: nil)
        #expect(refused.outcome == .refused && refused.deadline == ruleDeadline && !refused.moved)
        let earlier = AppliedExtension(
            Self.grant(until: ruleDeadline - 1), ruleDeadline: ruleDeadline, maxExtensionMillis: Self.hour)
        #expect(earlier.outcome == .notLater && earlier.deadline == ruleDeadline, "an extension never shortens")
    }

    static let extendable =
        #"{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "warn_before": "10m", "mode": "enforce", "max_extension": "2h"}"#

    @Test func theEvaluatorMovesTheWarningAndTheKillWithTheDeadline() throws {
        let config = try ConfigLoader.parse(
            "\(ConfigText(rules: "[\(Self.extendable)]"))", file: "t.json"
        ).get()
        let job = Machine.job("j1", ago: Self.hour + Self.minute)
        let plain = Evaluator(config: config)
        #expect(plain.decide(clusterId: "c1", clusterTags: [:], job: job, now: Self.start).kind == .kill)
        let extended = plain.with(ExtensionSet([Self.grant(until: Self.start + 30 * Self.minute)]))
        let decision = extended.decide(clusterId: "c1", clusterTags: [:], job: job, now: Self.start)
        #expect(decision.kind == .ok)
        #expect(decision.deadline == Self.start + 30 * Self.minute)
        #expect(decision.nextChangeAt == Self.start + 20 * Self.minute, "warned warn_before ahead of the new deadline")
        #expect(
            decision.reason
                == "over max_runtime 1h, within its extension; extended until 2027-01-15T08:30:00Z by ana: month-end close"
        )
        let warned = extended.decide(clusterId: "c1", clusterTags: [:], job: job, now: Self.start + 25 * Self.minute)
        #expect(warned.kind == .warn && warned.reason.hasPrefix("5m left before its extension runs out; extended"))
        let later = extended.decide(clusterId: "c1", clusterTags: [:], job: job, now: Self.start + 31 * Self.minute)
        #expect(later.kind == .kill)
        // Another job on the same cluster is not touched.
        #expect(
            extended.decide(
                clusterId: "c1", clusterTags: [:], job: Machine.job("j2", ago: Self.hour + 1), now: Self.start
            ).kind == .kill)
    }

    // MARK: The daemon's state machine

    @Test func anExtensionIsRecordedOnceAndAJobWarnedBeforeItIsWarnedAgain() throws {
        var harness = try Machine.Harness(rule: Self.extendable)
        // Its limit is 5 minutes away: in the 10-minute warning window.
        #expect(harness.poll([Machine.job("j1", ago: Self.hour - 5 * Self.minute)]) == ["warn c1/j1"])
        #expect(
            harness.records.last?.detail == #"for more time: mrs-watchdog extend --cluster c1 j1 --by 2h --reason "…""#)

        // 3 more minutes: the new deadline is still within warn_before, so the owner hears of it again.
        let until = Self.start + 8 * Self.minute
        let scanned = harness.machine.extensionsScanned(
            ExtensionScan(entries: [.valid(Self.grant(until: until))]), now: harness.now)
        #expect(harness.lines(scanned) == [])
        #expect(harness.lines(harness.machine.timerFired(now: harness.now)) == ["poll"], "a change is applied at once")
        #expect(
            harness.poll([Machine.job("j1", ago: Self.hour - 5 * Self.minute)]) == ["extended c1/j1", "warn c1/j1"])
        #expect(harness.records.last?.decision.deadline == until)
        #expect(harness.poll([Machine.job("j1", ago: Self.hour - 4 * Self.minute)]) == [], "each once")
        #expect(harness.machine.currentStatus.text.contains("1 extension in force"))
        // Past its own limit, it is not killed until the extension runs out.
        harness.now = Self.start + 6 * Self.minute
        #expect(harness.poll([Machine.job("j1", ago: Self.hour + Self.minute)]) == [])
        harness.now = until + 1
        #expect(
            harness.poll([Machine.job("j1", ago: Self.hour + 3 * Self.minute + 1)]) == [
                "persist", "kill c1/j1", "persist",
            ])
    }

    /// An operator renames a drop-in in and out after every read: each change asks for a poll at once, but
    /// polls start no closer than the floor (a quarter of poll_interval, 5 s at most).
    @Test func dropInsRenamedInAndOutCannotMakePollsBackToBack() throws {
        var harness = try Machine.Harness(rule: Self.extendable)
        #expect(harness.timer() == ["poll"])
        _ = harness.poll([])
        var started: [Int64] = []
        for step in 0..<40 {
            harness.now += 500
            let entries: [ExtensionScan.Entry] =
                step % 2 == 0 ? [.valid(Self.grant(until: Self.start + Self.hour))] : []
            _ = harness.machine.extensionsScanned(ExtensionScan(entries: entries), now: harness.now)
            if harness.timer().contains("poll") {
                started.append(harness.now)
                _ = harness.poll([])
            }
        }
        #expect(started.count >= 3, "changes are still applied: \(started)")
        let gaps = zip(started.dropFirst(), started).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 5_000 }, "polls \(gaps) ms apart")
        #expect(harness.machine.nextWake().map { $0 >= started.last! + 5_000 } == true)
    }

    @Test func aKillWaitingForABudgetIsNotSentOnceAnExtensionForItsJobAppears() throws {
        var harness = try Machine.Harness(safety: #"{"max_kills_per_minute": 1}"#, rule: Self.extendable)
        let jobs = [
            Machine.job("j1", ago: Self.hour + 2 * Self.minute), Machine.job("j2", ago: Self.hour + Self.minute),
        ]
        #expect(harness.poll(jobs) == ["deferred c1/j2", "persist", "kill c1/j1", "persist"])
        _ = harness.killed("j1")
        _ = harness.machine.extensionsScanned(
            ExtensionScan(entries: [.valid(Self.grant("j2", until: Self.start + Self.hour))]), now: harness.now)
        // The budget's slot frees: no kill for j2, but a poll that decides again with the extension.
        #expect(harness.timer(after: 62_000).filter { $0.hasPrefix("kill") } == [])
        #expect(harness.poll(jobs).contains("extended c1/j2"))
        #expect(harness.timer(after: 62_000).filter { $0.hasPrefix("kill") } == [])
    }

    @Test func aPollListedWithoutANewExtensionKillsNothingAndIsRepeatedAtOnce() throws {
        var harness = try Machine.Harness(rule: Self.extendable)
        let listedWith = harness.machine.evaluator  // the poll started before the file was written
        _ = harness.machine.extensionsScanned(
            ExtensionScan(entries: [.valid(Self.grant(until: Self.start + Self.hour))]), now: harness.now)
        #expect(harness.poll([Machine.job("j1", ago: Self.hour + 1)], evaluator: listedWith) == [])
        #expect(harness.machine.nextWake() == harness.now, "the next poll at once")
        #expect(harness.poll([Machine.job("j1", ago: Self.hour + 2)]) == ["extended c1/j1"])
    }

    @Test func aRefusedExtensionIsReportedAndTheJobIsKilledAtItsDeadline() throws {
        var harness = try Machine.Harness()  // the rule has no max_extension
        _ = harness.machine.extensionsScanned(
            ExtensionScan(entries: [.valid(Self.grant(until: Self.start + Self.hour))]), now: harness.now)
        let actions = harness.poll([Machine.job("j1", ago: Self.hour + 1)])
        #expect(actions == ["extension-refused c1/j1", "persist", "kill c1/j1", "persist"])
    }

    @Test func aMalformedFileIsReportedOnceAndAWithdrawnExtensionBringsTheKillBack() throws {
        var harness = try Machine.Harness(rule: Self.extendable)
        let bad = ExtensionScan.Entry.malformed(file: "c1.j1.json", owner: "bo", problem: "invalid JSON at 1:2: x")
        let good = ExtensionScan.Entry.valid(Self.grant(until: Self.start + Self.hour))
        let first = harness.lines(
            harness.machine.extensionsScanned(ExtensionScan(entries: [bad, good]), now: harness.now))
        #expect(
            first == [
                "notice: extension /etc/mrs-watchdog/extensions.d/c1.j1.json (owner bo): invalid JSON at 1:2: x; it changes nothing"
            ])
        #expect(harness.machine.extensionsScanned(ExtensionScan(entries: [bad, good]), now: harness.now).isEmpty)
        _ = harness.machine.timerFired(now: harness.now)
        #expect(harness.poll([Machine.job("j1", ago: Self.hour + 1)]) == ["extended c1/j1"])
        // The file is deleted: recorded, a poll as soon as the floor allows (5 s after the last), and the job
        // is over its own limit.
        #expect(
            harness.lines(harness.machine.extensionsScanned(ExtensionScan(entries: [bad]), now: harness.now))
                == ["extension-withdrawn c1/j1"])
        #expect(harness.machine.nextWake() == harness.now + 5_000)
        #expect(harness.lines(harness.machine.timerFired(now: harness.now + 5_000)) == ["poll"])
        harness.now += 5_000
        #expect(harness.poll([Machine.job("j1", ago: Self.hour + 5_002)]) == ["persist", "kill c1/j1", "persist"])
    }
}

extension JobExtension {
    func with(reason: String) -> JobExtension {
        var copy = self
        copy.reason = reason
        return copy
    }
}
