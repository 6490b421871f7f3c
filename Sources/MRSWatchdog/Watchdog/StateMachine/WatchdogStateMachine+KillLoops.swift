extension WatchdogStateMachine {
    /// Kill loops: jobs of one cluster, job name and user killed `safety.kill_loop.after` times within the
    /// window (a scheduler resubmitting what was killed). Reported once per loop; the rule's `on_kill_loop`
    /// says whether the kill still goes.
    struct KillLoops: Sendable {
        /// Loops reported, by cluster, job name and user → server time (epoch ms).
        private var reported: [String: Int64] = [:]

        struct Verdict: Sendable, Hashable {
            /// The kill does not go (`on_kill_loop: observe`, a resubmission, no ceiling).
            var spared: Bool
            /// What to record, the first time this loop is seen within its window; nil after.
            var detail: String?
        }

        /// Whether killing `decision`'s job continues a kill loop, given the kills MRS accepted within
        /// `safety.kill_loop.within` (from the saved state, so across restarts); nil when it does not.
        mutating func check(
            _ decision: Decision, acceptedKills: [KillRecord], config: WatchdogConfig, now: Int64
        ) -> Verdict? {
            guard let name = decision.job.jobName else { return nil }
            let within = config.safety.killLoopWithinMillis
            // A user missing on either side (a record from before users were saved, a job MRS sent without
            // one) matches: a loop then stops or alerts a little more readily, never less.
            let counted = acceptedKills.filter { record in
                record.clusterId == decision.clusterId && record.jobName == name && record.jobId != decision.job.jobId
                    && (record.user == nil || decision.job.user == nil || record.user == decision.job.user)
            }
            guard counted.count >= config.safety.killLoopAfter else { return nil }
            let response = config.rule(named: decision.rule)?.onKillLoop ?? .alert
            // `observe` spares a resubmission only: a job submitted after the last kill it counted. One that
            // was already running (cheap decoys of its name killed meanwhile) is killed, and so is one that
            // another due enforce rule kills when that rule alerts on loops (a ceiling).
            let lastKill = counted.map(\.firstAttemptAt).max() ?? .min
            let resubmitted = (decision.job.submittedTime ?? decision.job.startedTime).map { $0 > lastKill } ?? false
            let ceiling = decision.matches.first { match in
                match.rule != decision.rule && !match.excluded && match.unknown == nil && match.mode == .enforce
                    && !match.outsideWindow && match.deadline.map { $0 <= now } == true
                    && config.rule(named: match.rule)?.onKillLoop != .observe
            }
            let spared = response == .observe && resubmitted && ceiling == nil
            let loop = [decision.clusterId, name, decision.job.user ?? ""].joined(separator: "\u{0}")
            guard (reported[loop] ?? .min) <= now - within else { return Verdict(spared: spared) }
            reported[loop] = now
            let outcome =
                spared
                ? "not killed until the loop passes (on_kill_loop: observe)"
                : response == .alert
                    ? "killed (on_kill_loop: alert); a scheduler may be resubmitting it"
                    : ceiling.map { "killed: rule \($0.rule) is over its limit too and alerts on loops" }
                        ?? "killed: it was submitted before the kills counted, so it is no resubmission"
            let detail =
                "\(counted.count) kills of \(name) (user \(decision.job.user ?? "unknown")) on this cluster within"
                + " \(DurationText.format(millis: within)); " + outcome
            return Verdict(spared: spared, detail: detail)
        }
    }

    /// Whether killing `decision`'s job continues a kill loop (`KillLoops`): the loop's record, once, and
    /// whether the kill is spared.
    mutating func killLoop(_ decision: Decision, now: Int64) -> (report: [Action], stopsKill: Bool)? {
        let accepted = state.acceptedKills(since: now - config.safety.killLoopWithinMillis)
        guard let verdict = killLoops.check(decision, acceptedKills: accepted, config: config, now: now) else {
            return nil
        }
        let report = verdict.detail.map {
            [decided(DecisionRecord(action: .killLoop, decision: decision, detail: $0), now: now)]
        }
        return (report ?? [], verdict.spared)
    }
}
