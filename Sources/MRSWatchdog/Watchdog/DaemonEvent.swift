import Logging

/// What the daemon reports as it works. Sinks (log lines, systemd notifications, journal records) turn
/// these into their own form; the daemon itself knows nothing about any of them.
public enum DaemonEvent: Sendable {
    /// One decision acted on (or deliberately not acted on) about one job.
    case decision(DecisionRecord)
    /// The first poll round has been attempted: the daemon is ready.
    case ready(StatusLine)
    /// A cycle (or a deadline wake) finished; the loop is making progress.
    case progress(StatusLine)
    /// A poll cycle was evaluated: every active job's decision and how the clusters answered.
    case cycle(CycleReport)
    /// The breaker opened (too many jobs due for a kill in one poll: none is killed) or closed again.
    case breaker(open: Bool, candidates: Int, threshold: Int)
    /// Something an operator should read (start-up facts, breaker, auth trouble, a corrupt state file).
    case notice(Severity, String)
    case reloading
    /// A reload finished: applied, or refused with the reason (the old rules stay).
    case reloaded(StatusLine, failure: String?)
    /// A reloaded config took effect (before `reloaded`): components that read it, such as the notification
    /// channels, take it over.
    case configApplied(WatchdogConfig)
    case stopping

    public enum Severity: String, Sendable {
        case info, warning, error
    }
}

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
    }

    public var action: Action
    public var decision: Decision
    /// Extra words: an error, a final state, a budget.
    public var detail: String?

    public init(action: Action, decision: Decision, detail: String? = nil) {
        self.action = action
        self.decision = decision
        self.detail = detail
    }

    /// How loud the record is: kills and warnings are notices, failures errors, the rest information.
    public var level: Logger.Level {
        switch action {
        case .kill, .killRetried, .killConfirmed, .warn, .gone: return .notice
        case .killFailed, .unkillable: return .error
        case .wouldKill, .skipped, .deferred, .held: return .info
        }
    }

    /// One readable line, e.g. `kill c1/job-7 etl-big (user ana) rule dev-2h: over max_runtime 2h, running 2h0m3s`.
    public var summary: String {
        let job = decision.job
        var text = "\(action.rawValue) \(JobKey(decision))"
        if let name = job.jobName { text += " \(name)" }
        if let user = job.user { text += " (user \(user))" }
        if let rule = decision.rule { text += " rule \(rule)" }
        text += ": \(decision.reason)"
        if let elapsed = decision.elapsedMillis { text += ", at \(DurationText.format(millis: elapsed))" }
        if let detail { text += " — \(detail)" }
        return text
    }
}

/// Where daemon events go.
public protocol DaemonEventSink: Sendable {
    func emit(_ event: DaemonEvent)
}
