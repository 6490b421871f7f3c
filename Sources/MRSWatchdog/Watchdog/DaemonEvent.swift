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
    /// Something an operator should read (start-up facts, MRS trouble, a corrupt state database).
    case notice(WatchdogNotice)
    case reloading
    /// A reload finished: applied, or refused with the reason (the old rules stay).
    case reloaded(StatusLine, failure: String?)
    /// A reloaded config took effect (before `reloaded`): components that read it, such as the notification
    /// channels, take it over.
    case configApplied(WatchdogConfig)
    /// A YARN audit round finished (`yarn.audit_in_daemon`), beside the watchdog: read-only figures and the
    /// untracked applications a rule would kill that are reported for the first time.
    case yarnAudited(YarnAuditRound)
    case stopping
}
