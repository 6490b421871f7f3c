/// Which of the jobs the rules say to kill are killed now: the breaker and the budgets, most overdue first.
/// Pure: the caller passes the counts and the time.
public enum KillPlanner {
    public struct Plan: Sendable, Hashable {
        /// Kill these now, most overdue first.
        public var kill: [Decision]
        /// Held back by a budget; they come up again at the next slot.
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
    public static func plan(
        candidates: [Decision], safety: WatchdogConfig.Safety, breakerOpen: Bool, killedThisCycle: Int,
        killedLastHour: Int, now: Int64
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
        let room = max(0, min(safety.maxKillsPerCycle - killedThisCycle, safety.maxKillsPerHour - killedLastHour))
        let kill = Array(ordered.prefix(room))
        let deferred = Array(ordered.dropFirst(room))
        var reason: String?
        if !deferred.isEmpty {
            reason =
                safety.maxKillsPerHour - killedLastHour <= safety.maxKillsPerCycle - killedThisCycle
                ? "hourly kill budget (\(safety.maxKillsPerHour)) reached; \(deferred.count) kill(s) wait"
                : "per-cycle kill budget (\(safety.maxKillsPerCycle)) reached; \(deferred.count) kill(s) wait"
        }
        return Plan(kill: kill, deferred: deferred, holdReason: reason)
    }
}
