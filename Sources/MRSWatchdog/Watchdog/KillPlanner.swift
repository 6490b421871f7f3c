/// Which of the jobs the rules say to kill are killed now: the breaker and the budgets, most overdue first.
/// Pure: the caller passes the counts and the time.
public enum KillPlanner {
    public struct Plan: Sendable, Hashable {
        /// Kill these now, most overdue first.
        public var kill: [Decision]
        /// Held back by a budget, most overdue first; they leave as the budget refills.
        public var deferred: [Decision]
        /// Why nothing or not everything is killed, for the operator; nil when everything goes.
        public var holdReason: String?
    }

    /// True when this many kill candidates in one poll means something is wrong (a bad rule, a clock jump):
    /// kill nothing until the count drops.
    public static func breakerOpens(candidates: Int, safety: WatchdogConfig.Safety) -> Bool {
        candidates > safety.breakerThreshold
    }

    /// - Parameters:
    ///   - candidates: `kill` decisions for jobs with no kill record yet.
    ///   - killedThisCycle: kills already sent since the last poll.
    ///   - killedLastHour: first kills in the last hour.
    ///   - killRequestsLastMinute: kill requests (re-kills included) in the last minute.
    ///   - now: server time, epoch ms.
    /// - Returns: the kills to send now and the ones held back, with the budget that holds them.
    public static func plan(
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
                holdReason: "breaker open: more than \(safety.breakerThreshold) jobs to kill, not killing")
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
}
