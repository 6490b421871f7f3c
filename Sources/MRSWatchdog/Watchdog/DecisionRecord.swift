import Logging

/// One journal-worthy decision: the evaluator's decision and what the daemon did about it.
public struct DecisionRecord: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case warn
        /// The kill request was accepted; verification follows.
        case kill
        case killRetried = "kill-retried"
        case killConfirmed = "kill-confirmed"
        case killFailed = "kill-failed"
        case unkillable
        /// The job ended by itself before the kill took.
        case gone
        case wouldKill = "would-kill"
        case skipped
        /// Over its limit but held back by a kill budget.
        case deferred
        /// Over its limit but held back by the open breaker.
        case held
        /// Jobs of this (cluster, job name, user) were killed `safety.kill_loop.after` times within its window:
        /// a scheduler is probably resubmitting what is killed. Once per loop; killed or not by `on_kill_loop`.
        case killLoop = "kill-loop"
        /// An extension (`mrs-watchdog extend`) moved the job's deadline; once per extension file.
        case extended
        /// An extension was asked for a job whose rule grants none, or for less time than the rule gives.
        case extensionRefused = "extension-refused"
        /// An extension in force disappeared before it ran out, or its file changed owner: someone else may
        /// have taken it away (the directory is sticky, so only its owner or root can). Once per change.
        case extensionWithdrawn = "extension-withdrawn"
        /// Over the limit of a `require_notice` rule, but no warning was delivered `warn_before` earlier yet:
        /// the kill waits. Once per job.
        case awaitingNotice = "awaiting-notice"
    }

    public var action: Action
    public var decision: Decision
    /// Extra words: an error, a final state, a budget.
    public var detail: String?
    /// The job's cluster's tags as last read (nil: unknown), for routing notices to the job's owner.
    public var clusterTags: [String: String]?

    public init(action: Action, decision: Decision, detail: String? = nil) {
        self.action = action
        self.decision = decision
        self.detail = detail
    }

    /// How loud the record is: kills and warnings are notices, failures errors, the rest information.
    public var level: Logger.Level {
        switch action {
        case .kill, .killRetried, .killConfirmed, .warn, .gone, .extended: return .notice
        case .extensionRefused, .extensionWithdrawn: return .warning
        case .killFailed, .unkillable, .killLoop: return .error
        case .wouldKill, .skipped, .deferred, .held, .awaitingNotice: return .info
        }
    }

    /// One readable line, e.g. `kill c1/job-7 etl-big (user ana) rule dev-2h: over max_runtime 2h, running 2h0m3s`.
    public var summary: String { summary(naming: "\(JobKey(decision))") }

    /// The summary with the job named as `job` (the live view shows a short id).
    public func summary(naming jobName: String) -> String {
        decision.line(action: action.rawValue, subject: jobName, detail: detail)
    }

    /// The facts under dotted keys, for structured log lines (the message is the action).
    public var metadata: [String: String] {
        var fields = decision.logMetadata
        fields["job.id"] = decision.job.jobId
        fields["detail"] = detail
        return fields
    }
}
