extension WatchdogStateMachine {
    /// The breaker and the budgets: which of the jobs the rules say to kill go now (most overdue first), the
    /// rest held back until a budget refills, and how many single-job reads may leave. Requests are counted
    /// by server time (epoch ms) within a window 1.25 s longer than MRS's: a request counts from its answer
    /// (after the gateway counted it), and server time is only known to within a second (`Date` has whole
    /// seconds; under load `ServerClock` may step by up to one), yet the budget must hold on the gateway's side.
    package struct KillBudgets: Sendable {
        package struct Plan: Sendable, Hashable {
            /// Kill these now, most overdue first.
            package var kill: [Decision]
            /// Held back by a budget, most overdue first; they leave as the budget refills.
            package var deferred: [Decision]
            /// Why nothing or not everything is killed, for the operator; nil when everything goes.
            package var holdReason: String?
        }

        /// ms.
        let window: Int64
        private(set) var breakerOpen = false
        /// Kills sent since the last poll: the per-cycle budget.
        private(set) var killsSincePoll = 0
        /// Kill decisions a budget holds back, most overdue first: sent as the budgets refill, replaced by the
        /// next poll's (a job that ended drops out).
        var waiting: [Decision] = []
        /// Why the last plan did not send every kill; nil when it did.
        private(set) var holdReason: String?
        /// Server times (ms) of the kill requests answered and the single-job reads sent within the window:
        /// the per-minute budgets that keep the daemon under MRS's per-tenant throttles.
        private var killRequests: [Int64] = []
        private var readRequests: [Int64] = []

        init(rateWindow: Duration) {
            window = rateWindow.wholeMilliseconds + 1_250
        }

        /// A poll found `candidates` jobs to kill: the breaker opens above the threshold (a bad rule, a clock
        /// jump) and closes below it; the per-cycle count starts again. True when the breaker changed.
        mutating func pollFinished(candidates: Int, safety: WatchdogConfig.Safety) -> Bool {
            let wasOpen = breakerOpen
            breakerOpen = Self.breakerOpens(candidates: candidates, safety: safety)
            killsSincePoll = 0
            holdReason = nil
            waiting = []  // this poll's decisions replace them
            return breakerOpen != wasOpen
        }

        /// Reads that may leave now.
        mutating func readRoom(now: Int64, safety: WatchdogConfig.Safety) -> Int {
            safety.maxReadsPerMinute - Self.recent(&readRequests, now: now, window: window)
        }

        mutating func readSent(at now: Int64) { readRequests.append(now) }

        /// Kill requests that may leave now, `inFlight` (sent, not answered) counted.
        mutating func killRoom(now: Int64, inFlight: Int, safety: WatchdogConfig.Safety) -> Int {
            safety.maxKillsPerMinute - Self.recent(&killRequests, now: now, window: window) - inFlight
        }

        mutating func killAnswered(at now: Int64) { killRequests.append(now) }

        mutating func killSent() { killsSincePoll += 1 }

        /// When a read over its budget may leave; nil when the budget has room.
        func readSlotFrees(safety: WatchdogConfig.Safety) -> Int64? {
            Self.slotFrees(readRequests, limit: safety.maxReadsPerMinute, window: window)
        }

        /// When a waiting kill may leave: the later of the per-minute and hourly budgets' next slot; nil when
        /// none waits for one (or the breaker holds them).
        func killSlotFrees(safety: WatchdogConfig.Safety, killTimes: [Int64]) -> Int64? {
            guard !waiting.isEmpty, !breakerOpen else { return nil }
            return [
                Self.slotFrees(killRequests, limit: safety.maxKillsPerMinute, window: window),
                Self.slotFrees(killTimes, limit: safety.maxKillsPerHour, window: WatchdogState.hourMillis),
            ].compactMap { $0 }.max()
        }

        /// Plans `candidates` (no kill record yet, each once) against the budgets: what goes now, and what
        /// waits (kept in `waiting` unless the breaker is open, which drops them).
        /// - Parameter used: kill requests in flight and kept free for re-kills about to be decided.
        mutating func plan(
            _ candidates: [Decision], now: Int64, safety: WatchdogConfig.Safety, killedLastHour: Int, used: Int
        ) -> Plan {
            let plan = Self.plan(
                candidates: candidates, safety: safety, breakerOpen: breakerOpen, killedThisCycle: killsSincePoll,
                killedLastHour: killedLastHour,
                killRequestsLastMinute: Self.recent(&killRequests, now: now, window: window) + used, now: now)
            holdReason = plan.holdReason
            waiting = breakerOpen ? [] : plan.deferred
            return plan
        }

        /// True when this many kill candidates in one poll means something is wrong: kill nothing until the
        /// count drops.
        package static func breakerOpens(candidates: Int, safety: WatchdogConfig.Safety) -> Bool {
            candidates > safety.breakerThreshold
        }

        /// - Parameters:
        ///   - candidates: `kill` decisions for jobs with no kill record yet.
        ///   - killedThisCycle: kills already sent since the last poll.
        ///   - killedLastHour: first kills in the last hour.
        ///   - killRequestsLastMinute: kill requests (re-kills included) in the last minute.
        ///   - now: server time, epoch ms.
        /// - Returns: the kills to send now and the ones held back, with the budget that holds them.
        package static func plan(
            candidates: [Decision], safety: WatchdogConfig.Safety, breakerOpen: Bool, killedThisCycle: Int,
            killedLastHour: Int, killRequestsLastMinute: Int, now: Int64
        ) -> Plan {
            let ordered = candidates.sorted { lhs, rhs in
                let (left, right) = (now - (lhs.deadline ?? now), now - (rhs.deadline ?? now))
                return left != right ? left > right : JobKey(lhs) < JobKey(rhs)
            }
            if breakerOpen {
                return Plan(
                    kill: [], deferred: ordered,
                    holdReason: WatchdogNotice.breakerText(
                        open: true, candidates: ordered.count, threshold: safety.breakerThreshold))
            }
            // The tightest budget decides; the per-minute one keeps the tenant under MRS's stop-call throttle.
            let budgets = [
                (safety.maxKillsPerCycle - killedThisCycle, "per-cycle kill budget (\(safety.maxKillsPerCycle))"),
                (safety.maxKillsPerHour - killedLastHour, "hourly kill budget (\(safety.maxKillsPerHour))"),
                (
                    safety.maxKillsPerMinute - killRequestsLastMinute,
                    "per-minute kill budget for the MRS API (\(safety.maxKillsPerMinute))"
                ),
            ]
            let tightest = budgets.min { $0.0 < $1.0 }!
            let room = max(0, tightest.0)
            let kill = Array(ordered.prefix(room))
            let deferred = Array(ordered.dropFirst(room))
            let reason = deferred.isEmpty ? nil : "\(tightest.1) reached; \(deferred.count) kill(s) wait"
            return Plan(kill: kill, deferred: deferred, holdReason: reason)
        }

        /// When a budget of `limit` requests per `window` that is used up gets a slot back; nil when it has room.
        static func slotFrees(_ times: [Int64], limit: Int, window: Int64) -> Int64? {
            // A budget of 0 (killing paused) never frees a slot: the waiting kills wait for the next poll.
            guard limit > 0, let newest = times.last, times.count >= limit else { return nil }
            let inWindow = times.filter { $0 > newest - window }
            return inWindow.count >= limit ? inWindow[inWindow.count - limit] + window : nil
        }

        /// Requests of `times` within the window ending `now`, forgetting older ones.
        private static func recent(_ times: inout [Int64], now: Int64, window: Int64) -> Int {
            times.removeAll { $0 <= now - window }
            return times.count
        }
    }
}
