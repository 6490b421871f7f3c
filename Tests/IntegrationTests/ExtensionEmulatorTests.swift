import Foundation
import MRSEmulator
import MRSWatchdog
import Testing

/// Extensions end to end: `mrs-watchdog extend` (the real executable) writes a drop-in, the daemon running
/// against the emulator reads it without a reload and the kill moves — never past the rule's max_extension,
/// never for a rule without one, and never because of a malformed or expired file.
@Suite(.timeLimit(.minutes(2)))
struct ExtensionEmulatorTests {
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ext-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func extend(_ directory: String, cluster: String, job: String, by: String) async throws -> String {
        let finished = try await ChildProcess.run(
            "mrs-watchdog",
            ["extend", "--cluster", cluster, job, "--by", by, "--reason", "month-end close", "--dir", directory])
        try #require(finished.status == 0, "\(finished.output)")
        return finished.stdout
    }

    /// Until when the drop-in `extend` wrote for `job` asks, epoch ms.
    static func until(_ directory: String, cluster: String, job: String) throws -> Int64 {
        let name = ExtensionFile.name(clusterId: cluster, jobId: job)
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        return try ExtensionFile.parse(text, file: name, grantedBy: "").untilMillis
    }

    static func config(
        _ emulator: EmulatorHarness, cluster: String, directory: String, rules: String
    ) throws
        -> WatchdogConfig
    {
        try DaemonHarness.config(
            emulator, clusters: [cluster], rules: rules, more: #""extensions": {"directory": "\#(directory)"}"#)
    }

    @Test func anExtensionWrittenByTheCommandMovesTheKillOfARunningDaemon() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-extend")
            // Both are 15 s from their 30 s limit (time for a first poll and the `extend` command on a loaded
            // machine) and inside their 25 s warning window.
            let extended = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-extended", startOffset: "-15s", queued: "0s"))
            let plain = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-plain", startOffset: "-15s", queued: "0s"))
            let directory = try Self.directory()
            let config = try Self.config(
                emulator, cluster: cluster, directory: directory,
                rules: """
                    [{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "30s", "warn_before": "25s",
                      "max_extension": "1h", "mode": "enforce"}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("both warned") { daemon.events.jobIds(.warn).count == 2 }
                let warning = try #require(daemon.events.records(.warn).first { $0.decision.job.jobId == extended })
                #expect(
                    warning.detail
                        == "for more time: mrs-watchdog extend --cluster \(cluster) \(extended) --by 1h --dir \(directory) --reason \"…\""
                )

                let printed = try await Self.extend(directory, cluster: cluster, job: extended, by: "20s")
                #expect(printed.contains("may run until"), "\(printed)")
                let until = try Self.until(directory, cluster: cluster, job: extended)
                try await eventually("the extension is applied", transcript: { daemon.events.transcript }) {
                    !daemon.events.records(.extended).isEmpty
                }
                let record = try #require(daemon.events.records(.extended).first)
                let me = ExtensionDirectoryUser.current
                #expect(record.decision.job.jobId == extended)
                #expect(record.detail?.hasSuffix("by \(me): month-end close") == true, "\(record.detail ?? "")")
                #expect(record.decision.deadline == until)

                try await eventually("the other job is killed at its limit", timeout: .seconds(30)) {
                    await daemon.acceptedKills() == [plain]
                }
                #expect(daemon.events.jobIds(.warn).filter { $0 == extended }.count == 2, "warned again")
                try await eventually("the extended job is killed when its extension runs out", timeout: .seconds(40)) {
                    await daemon.acceptedKills() == [plain, extended]
                }
                let kill = try #require(await emulator.state.kills().first { $0.jobId == extended })
                #expect(
                    kill.receivedAt >= until - 1_000, "not before the extension ran out (server time has whole seconds)"
                )
                // Once run out, an extension is ignored: the kill is the rule's own. (The record follows MRS's
                // answer, which the emulator logs first.)
                try await eventually("the kill's record") { daemon.events.jobIds(.kill).contains(extended) }
                let reason = daemon.events.records(.kill).first { $0.decision.job.jobId == extended }?.decision.reason
                #expect(reason == "over max_runtime 30s", "\(reason ?? "")")
            }
        }
    }

    @Test func anExtensionPastMaxExtensionIsCappedAndARuleWithoutOneRefusesIt() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-cap")
            // Deadlines 10 s (refused) and 16 s (capped) away: the first poll comes before both.
            let capped = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-capped", startOffset: "-20s", queued: "0s"))
            let refused = try await emulator.state.addJob(
                .init(cluster: cluster, name: "adhoc-refused", startOffset: "-20s", queued: "0s"))
            let directory = try Self.directory()
            for job in [capped, refused] { _ = try await Self.extend(directory, cluster: cluster, job: job, by: "1h") }
            let config = try Self.config(
                emulator, cluster: cluster, directory: directory,
                rules: """
                    [{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "30s", "max_extension": "6s",
                      "mode": "enforce"},
                     {"name": "adhoc", "match": {"job_name": ["adhoc-*"]}, "max_runtime": "30s", "mode": "enforce"}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("both reported") {
                    !daemon.events.records(.extended).isEmpty && !daemon.events.records(.extensionRefused).isEmpty
                }
                let cap = try #require(daemon.events.records(.extended).first)
                #expect(cap.decision.job.jobId == capped)
                #expect(cap.detail?.contains("capped by max_extension 6s") == true, "\(cap.detail ?? "")")
                let refusal = try #require(daemon.events.records(.extensionRefused).first)
                #expect(refusal.decision.job.jobId == refused)
                #expect(refusal.detail?.hasPrefix("extension refused: the rule has no max_extension") == true)

                try await eventually("the refused one is killed at its limit", timeout: .seconds(30)) {
                    await daemon.acceptedKills() == [refused]
                }
                try await eventually("the capped one 6 s later, not an hour later", timeout: .seconds(30)) {
                    await daemon.acceptedKills() == [refused, capped]
                }
                // Never before the capped extension ends: 30 s + 6 s after the job started.
                let started = try #require(
                    try await emulator.client().showJob(clusterId: cluster, jobId: capped).startedTime)
                let kill = try #require(await emulator.state.kills().first { $0.jobId == capped })
                #expect(kill.receivedAt >= started + 36_000, "killed \(started + 36_000 - kill.receivedAt) ms early")
            }
        }
    }

    /// A request more than a year ahead is a typo (`--by 100000d`): refused with a usage error, nothing written.
    @Test(arguments: [["--by", "100000d"], ["--by", "367d"], ["--until", "2099-01-01T00:00:00Z"]])
    func aRequestMoreThanAYearAheadIsRefused(_ request: [String]) async throws {
        let directory = try Self.directory()
        let finished = try await ChildProcess.run(
            "mrs-watchdog",
            ["extend", "--cluster", "c-1", "job-1"] + request + ["--reason", "typo", "--dir", directory])
        #expect(finished.status == 64, "\(finished.output)")
        #expect(
            finished.output.contains("\(request.joined(separator: " ")) is more than a year ahead"),
            "\(finished.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        _ = try await Self.extend(directory, cluster: "c-1", job: "job-1", by: "365d")
    }

    @Test func aMalformedOrExpiredDropInChangesNothing() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-bad")
            let job = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-over", startOffset: "-40s", queued: "0s"))
            let other = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-expired", startOffset: "-40s", queued: "0s"))
            let directory = try Self.directory()
            try #"{"cluster_id": "\#(cluster)", "job_execution_id": "\#(job)", "until": "in an hour"}"#.write(
                toFile: directory + "/" + ExtensionFile.name(clusterId: cluster, jobId: job), atomically: true,
                encoding: .utf8)
            let now = HostClock.nowMillis()
            try ExtensionFile.render(
                clusterId: cluster, jobId: other, untilMillis: now - 1_000, reason: "yesterday's close",
                createdMillis: now - 3_600_000
            ).write(
                toFile: directory + "/" + ExtensionFile.name(clusterId: cluster, jobId: other), atomically: true,
                encoding: .utf8)

            let listed = try await ChildProcess.run("mrs-watchdog", ["extensions", "--dir", directory, "--all"])
            #expect(listed.status == 1, "a malformed file is an exit status too: \(listed.output)")
            #expect(listed.stdout.contains("malformed") && listed.stdout.contains("expired"), "\(listed.stdout)")
            #expect(listed.stdout.contains("1 malformed, changing nothing"), "\(listed.stdout)")
            #expect(listed.stdout.contains("'until' at 1:"), "\(listed.stdout)")

            let config = try Self.config(
                emulator, cluster: cluster, directory: directory,
                rules:
                    #"[{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "30s", "max_extension": "1h", "mode": "enforce"}]"#
            )
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("both killed as if there were no files") {
                    Set(await daemon.acceptedKills()) == [job, other]
                }
                let malformed = daemon.events.notices.filter { $0.hasPrefix("extension \(directory)/") }
                #expect(malformed.count == 1, "\(malformed)")
                #expect(
                    malformed.first?.contains("'until' at 1:") == true
                        && malformed.first?.contains("is not an RFC 3339 time") == true, "\(malformed)")
                #expect(daemon.events.records(.extended).isEmpty && daemon.events.records(.extensionRefused).isEmpty)
            }
        }
    }
}

/// The name `extend` records for the user running the tests.
enum ExtensionDirectoryUser {
    static var current: String {
        String(cString: getpwuid(getuid()).pointee.pw_name)
    }
}
