import MRSWatchdog
import Testing
import WatchdogTestSupport

/// `require_notice`: no kill until a warning was delivered at least `warn_before` earlier. The state machine
/// sends the warning if none went out, waits for the dispatcher's word that it arrived, sends it again after
/// a failed delivery, and shows failing channels in STATUS.
struct RequireNoticeTests {
    static let minute = Machine.minute
    static let hour = Machine.hour

    static let rule =
        #"{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "warn_before": "10m", "mode": "enforce", "require_notice": true}"#
    static let notifications = #""notifications": {"webhook": {"url": "https://hooks.example.com/w"}}"#

    static func harness() throws -> Machine.Harness {
        try Machine.Harness(rule: rule, extra: notifications)
    }

    static func delivered(_ harness: inout Machine.Harness, _ id: String, failure: String? = nil) -> [String] {
        harness.lines(
            harness.machine.notificationDelivered(
                NotificationDelivery(channel: "webhook", event: .warn, job: harness.key(id), failure: failure),
                now: harness.now))
    }

    @Test func aJobFoundOverItsLimitIsWarnedAndKilledWarnBeforeAfterTheWarningArrives() throws {
        var harness = try Self.harness()
        let job = { (ago: Int64) in Machine.job("j1", ago: ago, at: harness.now) }
        #expect(harness.poll([job(Self.hour + Self.minute)]) == ["warn c1/j1", "awaiting-notice c1/j1"])
        #expect(harness.records.first?.decision.kind == .warn)
        #expect(harness.records.last?.detail?.hasPrefix("no warning delivered yet; killed 10m after one is") == true)
        #expect(harness.poll([job(Self.hour + Self.minute)]) == [], "the warning is on its way; reported once")

        harness.now += 30_000
        #expect(Self.delivered(&harness, "j1") == [])
        #expect(harness.machine.nextWake() == harness.now + 10 * Self.minute, "read again when the wait is over")
        harness.now += 5 * Self.minute
        #expect(harness.poll([job(Self.hour + 6 * Self.minute)]) == [], "5 minutes after delivery: still waiting")
        harness.now += 5 * Self.minute
        #expect(harness.timer() == ["read c1/j1"])
        #expect(harness.read(job(Self.hour + 11 * Self.minute)) == ["persist", "kill c1/j1", "persist"])
    }

    @Test func aWarningDeliveredInTimeDoesNotMoveTheKill() throws {
        var harness = try Self.harness()
        let start = harness.now
        #expect(harness.poll([Machine.job("j1", ago: 50 * Self.minute, at: start)]) == ["warn c1/j1"])
        #expect(Self.delivered(&harness, "j1") == [])
        harness.now = start + 10 * Self.minute
        #expect(
            harness.poll([Machine.job("j1", ago: Self.hour, at: harness.now)]) == ["persist", "kill c1/j1", "persist"])
    }

    @Test func aFailedDeliveryIsSentAgainAfterTheRetryIntervalAndShownInStatus() throws {
        var harness = try Self.harness()
        let job = { (ago: Int64) in Machine.job("j1", ago: ago, at: harness.now) }
        _ = harness.poll([job(Self.hour + Self.minute)])
        #expect(Self.delivered(&harness, "j1", failure: "HTTP 503") == [])
        #expect(harness.machine.currentStatus.text.hasPrefix("notifications failing: webhook (1)"))
        #expect(harness.poll([job(Self.hour + Self.minute)]) == [], "too soon to try again")
        harness.now += 5 * Self.minute  // DaemonTiming.noticeRetry
        #expect(harness.poll([job(Self.hour + 6 * Self.minute)]) == ["warn c1/j1"], "sent again, never killed")
        #expect(Self.delivered(&harness, "j1") == [])
        #expect(!harness.machine.currentStatus.text.contains("notifications failing"))
        harness.now += 10 * Self.minute
        #expect(harness.poll([job(Self.hour + 16 * Self.minute)]) == ["persist", "kill c1/j1", "persist"])
    }

    /// Every warning fails (the receiver is down, or the job's owner answers 500 on purpose): the kill is
    /// held no longer than `notice_max_hold` (30 m by default) and then goes, saying why it went unannounced.
    @Test func aKillNoWarningCanReachGoesAfterNoticeMaxHold() throws {
        var harness = try Self.harness()
        let start = harness.now
        let job = { Machine.job("j1", ago: Self.hour + Self.minute + (harness.now - start), at: harness.now) }
        #expect(harness.poll([job()]) == ["warn c1/j1", "awaiting-notice c1/j1"])
        for _ in 0..<5 {
            #expect(Self.delivered(&harness, "j1", failure: "HTTP 500") == [])
            harness.now += 5 * Self.minute
            #expect(harness.poll([job()]) == ["warn c1/j1"], "sent again, still held")
        }
        #expect(Self.delivered(&harness, "j1", failure: "HTTP 500") == [])
        harness.now = start + 30 * Self.minute - 1
        #expect(harness.poll([job()]) == [], "held until 30 minutes have passed")
        harness.now = start + 30 * Self.minute
        #expect(harness.poll([job()]) == ["persist", "kill c1/j1", "persist"])
        let answered = harness.machine.killAnswered(harness.key("j1"), failure: nil, now: harness.now)
        let kill = answered.compactMap { action -> DecisionRecord? in
            guard case .emit(.decision(let record)) = action, record.action == .kill else { return nil }
            return record
        }.first
        #expect(
            kill?.decision.reason.contains("no warning could be delivered within notice_max_hold 30m") == true,
            "\(kill?.decision.reason ?? "no kill record")")
    }

    @Test func noticeMaxHoldIsReadAndNeedsRequireNotice() throws {
        let rule = try ConfigLoader.parse(
            "\(ConfigText(rules: "[\(Self.rule.dropLast()), \"notice_max_hold\": \"2h\"}]", more: Self.notifications))",
            file: "t.json"
        ).get().rules[0]
        #expect(rule.noticeMaxHoldMillis == 2 * Self.hour)
        let refused = ConfigLoader.parse(
            "\(ConfigText(rules: #"[{"name": "r", "max_runtime": "1h", "mode": "enforce", "notice_max_hold": "2h"}]"#))",
            file: "t.json")
        guard case .failure(let error) = refused else {
            Issue.record("accepted without require_notice")
            return
        }
        #expect("\(error)".contains("notice_max_hold needs require_notice"))
    }

    @Test func aCapKillWaitsForADeliveredWarningToo() throws {
        let cap =
            #"{"name": "r", "match": {"job_name": ["etl-*"]}, "max_active": {"count": 1, "per": "cluster"}, "warn_before": "10m", "mode": "enforce", "require_notice": true}"#
        var harness = try Machine.Harness(rule: cap, extra: Self.notifications)
        let jobs = [Machine.job("j1", ago: 2 * Self.minute), Machine.job("j2", ago: Self.minute)]
        #expect(harness.poll(jobs) == ["warn c1/j2", "awaiting-notice c1/j2"])
        #expect(Self.delivered(&harness, "j2") == [])
        harness.now += 10 * Self.minute
        #expect(harness.poll(jobs) == ["persist", "kill c1/j2", "persist"])
    }

    @Test func explainSaysTheKillWaitsForADeliveredWarning() throws {
        let config = try ConfigLoader.parse(
            "\(ConfigText(rules: "[\(Self.rule)]", more: Self.notifications))", file: "t.json"
        ).get()
        let decision = Evaluator(config: config).decide(
            clusterId: "c1", clusterTags: [:], job: Machine.job("j1", ago: 2 * Self.hour), now: Machine.start)
        #expect(decision.kind == .kill)
        #expect(
            decision.reason
                == "over max_runtime 1h; killed only once a warning was delivered 10m earlier (require_notice)")
    }
}
