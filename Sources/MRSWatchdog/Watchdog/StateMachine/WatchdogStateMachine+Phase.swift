extension WatchdogStateMachine {
    /// Where the poll side is: one value, so "polling" and "stopping" cannot disagree.
    enum Phase: Sendable, Hashable {
        /// Waiting for the poll due at `nextPollAt` (server ms; nil: none is scheduled).
        case waiting(nextPollAt: Int64?)
        /// A poll round is listing clusters.
        case polling
        /// SIGTERM: no new poll, read or kill; what is in flight finishes.
        case stopping
    }

    /// When polls run: the phase; when the last poll started (the next never starts sooner than the floor
    /// after it, whatever asks for it: drop-ins renamed in and out, reloads in a loop, so nothing spends the
    /// account's shared read quota back to back); whether the next poll lists the clusters anew; and the
    /// authentication back-off (five failures lock an access key for 5 minutes, so after one nothing is sent
    /// until it has passed).
    struct PollSchedule: Sendable {
        private(set) var phase: Phase = .waiting(nextPollAt: nil)
        private var lastStartedAt: Int64?
        private var discoveryWanted = true
        /// No call before this server time (ms).
        private(set) var authBlockedUntil: Int64?
        private var authProblem: String?

        /// The authentication failure as the status line says it, while calls wait for the back-off.
        var authSummary: String? { authBlockedUntil != nil ? authProblem : nil }

        var isPolling: Bool { phase == .polling }
        var isStopping: Bool { phase == .stopping }

        /// When the scheduled poll may start: its time, or the floor after the last one if later.
        func pollDue(floorMillis: Int64) -> Int64? {
            guard case .waiting(let next?) = phase else { return nil }
            return max(next, lastStartedAt.map { $0 + floorMillis } ?? .min)
        }

        /// Starts the poll that is due at `now`; returns whether it lists the clusters anew, or nil when none
        /// starts.
        mutating func startPoll(now: Int64, floorMillis: Int64) -> Bool? {
            guard let due = pollDue(floorMillis: floorMillis), now >= due else { return nil }
            phase = .polling
            lastStartedAt = now
            defer { discoveryWanted = false }
            return discoveryWanted
        }

        /// The poll round ended: nothing is scheduled until `schedule`.
        mutating func pollEnded() {
            if phase == .polling { phase = .waiting(nextPollAt: nil) }
        }

        /// The next poll at `at`, unless a poll runs or the daemon stops.
        mutating func schedule(at: Int64) {
            if case .waiting = phase { phase = .waiting(nextPollAt: at) }
        }

        /// The next poll no later than `now` (still no sooner than the floor).
        mutating func pollSoon(now: Int64) {
            if case .waiting(let next) = phase { phase = .waiting(nextPollAt: min(next ?? now, now)) }
        }

        /// The next poll lists the clusters anew (discovery failed, or the config changed).
        mutating func wantDiscovery() { discoveryWanted = true }

        mutating func stop() { phase = .stopping }

        /// Whether calls wait for the back-off at `now` (nil: whenever it is, blocked at all).
        func authBlocked(at now: Int64?) -> Bool {
            guard let authBlockedUntil else { return false }
            return now.map { $0 < authBlockedUntil } ?? true
        }

        mutating func blockForAuth(until: Int64, problem: String) {
            authBlockedUntil = until
            authProblem = problem
        }

        /// A listing succeeded: the credentials work again.
        mutating func authWorks() {
            authBlockedUntil = nil
            authProblem = nil
        }

        /// Forgets a back-off that has passed at `now`.
        mutating func timerFired(now: Int64) {
            if let until = authBlockedUntil, now >= until { authBlockedUntil = nil }
        }
    }

    /// The shortest time between the starts of two polls, ms: a quarter of `poll_interval`, 5 s at most.
    var pollFloorMillis: Int64 { min(5_000, config.watch.pollIntervalMillis / 4) }

    /// The daemon's next poll after one ended: `poll_interval` later (±`pollJitter`), or when the
    /// authentication back-off ends.
    mutating func scheduleNextPoll(now: Int64, jitter: Double) -> [Action] {
        guard mode == .daemon else { return [] }
        if schedule.authBlocked(at: now), let until = schedule.authBlockedUntil {
            schedule.schedule(at: until)
        } else {
            schedule.schedule(
                at: now + Int64(Double(config.watch.pollIntervalMillis) * (1 + jitter * timing.pollJitter)))
        }
        return []
    }

    mutating func blockForAuth(_ error: HuaweiCloudError, now: Int64) -> [Action] {
        let retry = timing.authBackoff.wholeMilliseconds
        let notice = WatchdogNotice.authBackoff(error: error, retryMillis: retry)
        schedule.blockForAuth(until: now + retry, problem: notice.authSummary(error, retry))
        return [.emit(.notice(notice))]
    }
}
