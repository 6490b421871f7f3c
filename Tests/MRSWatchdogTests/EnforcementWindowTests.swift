import Foundation
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// Enforcement windows: over midnight, weekends, DST forward and back in two zones, excepted dates; and what
/// the evaluator makes of a kill that falls outside the window.
struct EnforcementWindowTests {
    static func at(_ text: String) -> Int64 { RFC3339.parse(text)! }

    static func window(
        _ zone: String, _ days: [EnforcementWindow.Weekday] = EnforcementWindow.Weekday.allCases, from: String,
        to: String, except: Set<String> = []
    ) -> EnforcementWindow {
        func minutes(_ text: String) -> Int { Int(text.prefix(2))! * 60 + Int(text.suffix(2))! }
        return EnforcementWindow(
            timeZone: EnforcementWindow.zone(named: zone)!, days: Set(days), fromMinutes: minutes(from),
            toMinutes: minutes(to), exceptDates: except)
    }

    /// Shanghai (UTC+8, no DST), weeknights 20:00–06:00.
    static let weeknights = window("Asia/Shanghai", [.mon, .tue, .wed, .thu, .fri], from: "20:00", to: "06:00")

    @Test(arguments: [
        ("2026-11-30T11:59:00Z", false),  // Mon 19:59 local
        ("2026-11-30T12:00:00Z", true),  // Mon 20:00
        ("2026-11-30T21:59:00Z", true),  // Tue 05:59, over midnight
        ("2026-11-30T22:00:00Z", false),  // Tue 06:00
        ("2026-12-04T19:00:00Z", true),  // Sat 03:00, still Friday's window
        ("2026-12-05T13:00:00Z", false),  // Sat 21:00: no window opens on Saturday
        ("2026-12-06T19:00:00Z", false),  // Mon 03:00: no window opened on Sunday
    ])
    func overMidnightAndWeekends(_ instant: String, _ inside: Bool) {
        #expect(Self.weeknights.contains(Self.at(instant)) == inside, "\(instant)")
    }

    @Test func theNextOpeningSkipsTheWeekend() {
        #expect(
            Self.weeknights.nextOpening(atOrAfter: Self.at("2026-12-05T13:00:00Z")) == Self.at("2026-12-07T12:00:00Z"))
        let inside = Self.at("2026-11-30T15:00:00Z")
        #expect(Self.weeknights.nextOpening(atOrAfter: inside) == inside, "inside: now")
    }

    @Test func springForward() {
        // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT. A window from 02:30 opens after the gap.
        let newYork = Self.window("America/New_York", from: "02:30", to: "04:00")
        #expect(newYork.nextOpening(atOrAfter: Self.at("2026-03-08T06:00:00Z")) == Self.at("2026-03-08T07:30:00Z"))
        #expect(newYork.contains(Self.at("2026-03-08T07:59:00Z")) && !newYork.contains(Self.at("2026-03-08T08:00:00Z")))
        // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST; the night 22:00–06:00 is an hour shorter.
        let berlin = Self.window("Europe/Berlin", from: "22:00", to: "06:00")
        #expect(berlin.contains(Self.at("2026-03-28T21:00:00Z")) && !berlin.contains(Self.at("2026-03-28T20:59:00Z")))
        #expect(berlin.contains(Self.at("2026-03-29T03:59:00Z")) && !berlin.contains(Self.at("2026-03-29T04:00:00Z")))
    }

    @Test func fallBack() {
        // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens twice and the first one opens.
        let newYork = Self.window("America/New_York", from: "01:30", to: "02:30")
        #expect(newYork.nextOpening(atOrAfter: Self.at("2026-11-01T04:00:00Z")) == Self.at("2026-11-01T05:30:00Z"))
        #expect(newYork.contains(Self.at("2026-11-01T07:29:00Z")) && !newYork.contains(Self.at("2026-11-01T07:30:00Z")))
        // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET; the night 20:00–06:00 is an hour longer.
        let berlin = Self.window("Europe/Berlin", from: "20:00", to: "06:00")
        #expect(berlin.contains(Self.at("2026-10-24T18:00:00Z")) && !berlin.contains(Self.at("2026-10-24T17:59:00Z")))
        #expect(berlin.contains(Self.at("2026-10-25T04:59:00Z")) && !berlin.contains(Self.at("2026-10-25T05:00:00Z")))
    }

    @Test func exceptedDatesOpenNoWindow() {
        let everyDay = Self.window("Asia/Shanghai", from: "00:00", to: "00:00", except: ["2026-10-01"])
        #expect(everyDay.contains(Self.at("2026-09-30T12:00:00Z")), "a whole-day window")
        #expect(!everyDay.contains(Self.at("2026-10-01T04:00:00Z")), "the holiday, 12:00 local")
        #expect(everyDay.nextOpening(atOrAfter: Self.at("2026-10-01T04:00:00Z")) == Self.at("2026-10-01T16:00:00Z"))
        let never = Self.window("UTC", [], from: "00:00", to: "01:00")
        #expect(never.nextOpening(atOrAfter: Self.at("2026-10-01T04:00:00Z")) == nil)
    }

    @Test func abbreviationsAreNotTimeZones() {
        #expect(EnforcementWindow.zone(named: "CST") == nil)
        #expect(EnforcementWindow.zone(named: "Asia/Shanghai") != nil && EnforcementWindow.zone(named: "UTC") != nil)
        #expect(EnforcementWindow.zone(named: "Mars/Olympus") == nil)
    }

    // MARK: In the evaluator

    static func decide(now: String, started: String) -> Decision {
        var rule = EvaluatorTests.sparkRule(warn: 10 * EvaluatorTests.minute)
        rule.enforceDuring = weeknights
        var job = EvaluatorTests.running(startedAgo: 0)
        job.startedTime = at(started)
        job.submittedTime = at(started) - 1000
        return Evaluator(rules: [rule], exemptions: [], dryRun: false)
            .decide(clusterId: "c-1", clusterTags: EvaluatorTests.devTags, job: job, now: at(now))
    }

    @Test func aJobDueOutsideTheWindowIsReportedWarnedBeforeItOpensAndKilledWhenItDoes() {
        // Started Mon 13:00 local, 2 h limit: due at 15:00, the window opens at 20:00 (12:00Z).
        let started = "2026-11-30T05:00:00Z"
        let afternoon = Self.decide(now: "2026-11-30T08:00:00Z", started: started)
        #expect(afternoon.kind == .wouldKill)
        #expect(
            afternoon.reason
                == "over max_runtime 2h, outside the enforcement window; killed when it opens at 2026-11-30T12:00:00Z")
        #expect(afternoon.nextChangeAt == Self.at("2026-11-30T11:50:00Z"), "wakes for the warning")
        #expect(Self.decide(now: "2026-11-30T11:50:00Z", started: started).kind == .warn)
        #expect(Self.decide(now: "2026-11-30T12:00:00Z", started: started).kind == .kill)
    }

    @Test func aDeadlineInsideTheWindowIsUnchanged() {
        // Started Mon 19:00 local: due at 21:00, inside the window.
        let decision = Self.decide(now: "2026-11-30T12:30:00Z", started: "2026-11-30T11:00:00Z")
        #expect(decision.kind == .ok && decision.nextChangeAt == Self.at("2026-11-30T12:50:00Z"))
        #expect(Self.decide(now: "2026-11-30T13:00:00Z", started: "2026-11-30T11:00:00Z").kind == .kill)
    }

    @Test func theConfigReadsEnforceDuring() throws {
        let text = ConfigText(
            watch: ConfigText.watching(["c1"]),
            rules: """
                [{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce",
                  "enforce_during": {"timezone": "Asia/Shanghai", "days": ["mon", "tue", "wed", "thu", "fri"],
                                     "from": "20:00", "to": "06:00", "except_dates": ["2026-10-01"]}}]
                """
        ).description
        let window = try #require(try ConfigLoader.parse(text, file: "t.json").get().rules[0].enforceDuring)
        #expect(
            window
                == Self.window(
                    "Asia/Shanghai", [.mon, .tue, .wed, .thu, .fri], from: "20:00", to: "06:00", except: ["2026-10-01"])
        )
    }
}

extension EnforcementWindowTests {
    // MARK: Through the state machine

    @Test func theMachineKillsAJobHeldByAClosedWindowWhenItOpensAndNotBefore() throws {
        // The machine starts at 08:00Z; the window opens at 08:01Z, within the poll's deadline horizon.
        let rule = """
            {"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "mode": "enforce",
             "enforce_during": {"timezone": "UTC", "from": "08:01", "to": "12:00"}}
            """
        var harness = try Machine.Harness(rule: rule)
        let hour = Machine.hour
        #expect(harness.poll([Machine.job("j1", ago: 2 * hour)]) == ["would-kill c1/j1"])
        #expect(harness.machine.nextWake() == Machine.start + Machine.minute, "it wakes when the window opens")
        #expect(harness.timer(after: Machine.minute - 1) == [])
        #expect(harness.timer(after: 1) == ["read c1/j1"])
        #expect(
            harness.read(Machine.job("j1", ago: 2 * hour + Machine.minute, at: harness.now)) == [
                "persist", "kill c1/j1", "persist",
            ])
    }
}
