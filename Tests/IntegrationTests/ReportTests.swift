import Foundation
import MRSEmulator
import MRSWatchdog
import Testing

/// `mrs-watchdog report` over a scripted week of decisions in a real state database.
struct ReportTests {
    static let hour: Int64 = 3_600_000
    static let day = 24 * hour

    /// A week: ana's etl job killed on three days (one confirmed late, with no user on the confirmation),
    /// bo warned twice, extended once and once unkillable, and a kill eight days ago that a 7-day report leaves out.
    static func week(now: Int64) -> [HistoryEntry] {
        func entry(
            _ daysAgo: Int64, _ action: DecisionRecord.Action, _ job: String, user: String?, rule: String = "etl-2h",
            elapsed: Int64? = nil, limit: Int64? = 2 * hour
        ) -> HistoryEntry {
            HistoryEntry(
                at: now - daysAgo * day, action: action, clusterId: "c1", jobId: job, jobName: "etl-\(job)", user: user,
                rule: rule, elapsedMillis: elapsed, limitMillis: elapsed == nil ? nil : limit)
        }
        return [
            entry(8, .kill, "old", user: "ana", elapsed: 3 * hour),
            entry(6, .kill, "a1", user: "ana", elapsed: 2 * hour + 30 * 60_000),
            entry(6, .killConfirmed, "a1", user: nil),
            entry(4, .warn, "b1", user: "bo", rule: "adhoc-1h"),
            entry(3, .kill, "a2", user: "ana", elapsed: 2 * hour),
            entry(3, .killConfirmed, "a2", user: "ana"),
            entry(2, .warn, "b2", user: "bo", rule: "adhoc-1h"),
            entry(2, .extended, "b2", user: "bo", rule: "adhoc-1h"),
            entry(2, .kill, "b2", user: "bo", rule: "adhoc-1h", elapsed: 90 * 60_000, limit: hour),
            entry(1, .unkillable, "b2", user: "bo", rule: "adhoc-1h"),
            entry(1, .wouldKill, "c1", user: "cy", rule: "prod-4h", elapsed: 5 * hour, limit: 4 * hour),
        ]
    }

    static func runReport(_ arguments: [String]) async throws -> (String, Int32) {
        let finished = try await ChildProcess.run("mrs-watchdog", ["report"] + arguments)
        return (finished.output, finished.status)
    }

    /// A fresh state directory whose database holds `week`.
    static func stateDirectoryWithAWeek() throws -> String {
        let directory = try DaemonHarness.freshStateDirectory()
        let store = StateStore(directory: directory)
        _ = try store.load(now: HostClock.nowMillis())
        var changes = StateChanges()
        changes.history = week(now: HostClock.nowMillis())
        try store.save(changes)
        return directory
    }

    @Test func aWeekOfDecisionsAddsUpPerUserAndPerRule() async throws {
        let directory = try Self.stateDirectoryWithAWeek()

        let (json, status) = try await Self.runReport(["--state-dir", directory, "--by", "user", "--json"])
        #expect(status == 0, "\(json)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        let rows = try #require(object["rows"] as? [[String: Any]])
        let ana = try #require(rows.first { $0["group"] as? String == "ana" })
        #expect(ana["kills"] as? Int == 2, "the kill 8 days ago is older than 7d")
        #expect(ana["confirmed"] as? Int == 2, "a confirmation without a user counts for its job's user")
        #expect(ana["runtime_at_kill_sec"] as? Int == 16_200 && ana["over_limit_sec"] as? Int == 1_800)
        let bo = try #require(rows.first { $0["group"] as? String == "bo" })
        #expect(bo["warnings"] as? Int == 2 && bo["kills"] as? Int == 1 && bo["unkillable"] as? Int == 1)
        #expect(bo["over_limit_sec"] as? Int == 1_800 && bo["extensions"] as? Int == 1)
        let total = try #require(object["total"] as? [String: Any])
        #expect(
            total["kills"] as? Int == 3 && total["warnings"] as? Int == 2
                && total["runtime_at_kill_sec"] as? Int == 21_600)
        #expect(!rows.contains { $0["group"] as? String == "cy" }, "would-kill is not a kill")

        let (table, _) = try await Self.runReport(["--state-dir", directory, "--since", "2d12h"])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("RULE") == true, "\(table)")
        let adhoc = lines.first { $0.hasPrefix("adhoc-1h ") }?.split(separator: " ").map(String.init)
        #expect(adhoc == ["adhoc-1h", "1", "0", "1", "1", "1", "0", "1h30m", "30m"], "2.5 days: \(table)")
        #expect(!lines.contains { $0.hasPrefix("etl-2h") }, "its kills are older")
        #expect(lines.contains { $0.hasPrefix("total") })
    }

    @Test func aMissingDatabaseIsAClearError() async throws {
        let (output, status) = try await Self.runReport(["--state-dir", "/nonexistent-state-dir"])
        #expect(status != 0)
        #expect(output.contains("no state database at /nonexistent-state-dir/state.sqlite"), "\(output)")
    }

    @Test func theDaemonWritesASummaryOfWhatItStoppedEachInterval() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-summary")
            let overdue = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-over", startOffset: "-90m", queued: "0s"))
            let config = try DaemonHarness.config(emulator, clusters: [cluster], rules: DaemonHarness.enforcing("1h"))
            var timing = DaemonHarness.fastTiming
            timing.summaryInterval = .seconds(3)
            try await DaemonHarness.run(emulator, config: config, timing: timing) { daemon in
                try await eventually("killed") { await daemon.acceptedKills() == [overdue] }
                @Sendable func summary() -> String? {
                    daemon.events.notices.first { $0.hasPrefix("in the last ") && $0.contains(": 1 killed") }
                }
                try await eventually(
                    "a summary with the kill", timeout: .seconds(20), transcript: { daemon.events.transcript }
                ) {
                    summary() != nil
                }
                let summary = try #require(summary())
                // 90 minutes old at the first poll; under load the kill may come seconds later, and server time
                // (read from late answers) may lag the emulator's by seconds.
                #expect(
                    summary.contains(
                        /the killed jobs had run 1h(29m5\ds|30m(\d+s)?) in all, (29m5\ds|30m(\d+s)?) of it over their limits/
                    ),
                    "\(summary)")
            }
        }
    }
}
