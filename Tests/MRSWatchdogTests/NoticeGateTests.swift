import Testing

@testable import MRSWatchdog

/// `require_notice` on its own: what the gate answers for one held kill as warnings are sent, fail, are
/// delivered, or never are.
struct NoticeGateTests {
    typealias Gate = WatchdogStateMachine.NoticeGate
    static let now: Int64 = 1_800_000_000_000
    static let minute: Int64 = 60_000
    static let key = JobKey(clusterId: "c", jobId: "j")

    static func check(_ gate: inout Gate, at time: Int64) -> Gate.Verdict {
        gate.check(key, waitMillis: 10 * minute, maxHoldMillis: 30 * minute, retryMillis: 5 * minute, now: time)
    }

    static func delivered(_ failure: String? = nil) -> NotificationDelivery {
        NotificationDelivery(channel: "webhook", event: .warn, job: key, failure: failure)
    }

    @Test func aKillWaitsForAWarningThenWarnBeforeAfterItsDelivery() {
        var gate = Gate()
        guard case .hold(true, let wake, _) = Self.check(&gate, at: Self.now) else {
            Issue.record("the first check asks for a warning")
            return
        }
        #expect(wake == Self.now + 5 * Self.minute, "decided again at the retry")
        gate.warningSent(Self.key, at: Self.now)
        guard case .hold(false, _, _) = Self.check(&gate, at: Self.now + Self.minute) else {
            Issue.record("no second warning within the retry")
            return
        }
        let goes = gate.deliveryFinished(Self.delivered(), now: Self.now + 2 * Self.minute)
        #expect(goes?.1 == Self.now + 12 * Self.minute, "warn_before after the delivery")
        let waiting = Self.check(&gate, at: Self.now + 11 * Self.minute)
        #expect(
            waiting
                == .hold(
                    warnNow: false, wakeAt: Self.now + 12 * Self.minute,
                    detail:
                        "warning delivered at 2027-01-15T08:02:00Z; killed from 2027-01-15T08:12:00Z (require_notice)"))
        let goes12 = Self.check(&gate, at: Self.now + 12 * Self.minute)
        #expect(goes12 == .go)
    }

    @Test func aWarningNoOneTakesIsSentAgainAndTheKillGoesAtTheMaximumHold() {
        var gate = Gate()
        var warnings = 0
        var time = Self.now
        while case .hold(let warnNow, let wake, _) = Self.check(&gate, at: time) {
            if warnNow {
                warnings += 1
                gate.warningSent(Self.key, at: time)
                _ = gate.deliveryFinished(Self.delivered("HTTP 500"), now: time)
            }
            #expect(wake > time && wake <= Self.now + 30 * Self.minute)
            time = wake
        }
        #expect(time == Self.now + 30 * Self.minute, "held to the maximum, never longer")
        #expect(warnings == 6, "one every 5 minutes for 30 minutes")
        #expect(gate.failingSummary == "notifications failing: webhook (6)")
        var fresh = Gate()
        _ = Self.check(&fresh, at: Self.now)
        let unannounced = Self.check(&fresh, at: Self.now + 30 * Self.minute)
        #expect(unannounced == .goUnannounced(maxHoldMillis: 30 * Self.minute))
    }

    @Test func aDeliveryClearsItsChannelAndWarnedMarksBoundWhatIsRemembered() {
        var gate = Gate()
        _ = gate.deliveryFinished(Self.delivered("timeout"), now: Self.now)
        #expect(gate.failingSummary == "notifications failing: webhook (1)")
        _ = gate.deliveryFinished(Self.delivered(), now: Self.now + 1)
        #expect(gate.failingSummary == nil)
        gate.keep(whileWarned: { _ in false })
        guard case .hold(true, _, _) = Self.check(&gate, at: Self.now + 2) else {
            Issue.record("forgotten: the next check asks for a new warning")
            return
        }
    }
}
