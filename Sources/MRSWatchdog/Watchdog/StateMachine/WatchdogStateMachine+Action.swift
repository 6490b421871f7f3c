extension WatchdogStateMachine {
    /// What the state machine asks its shell to do. Reads and kills are answered with `jobRead` /
    /// `jobReadFailed` and `killAnswered`; a started poll with `pollFinished`.
    public enum Action: Sendable {
        /// List the watched clusters' jobs (discovering the clusters first when `discover` is true). Only
        /// `timerFired` returns it; the shell runs the poll beside its loop (deadlines are met meanwhile) and
        /// answers with `pollFinished`.
        case startPoll(discover: Bool)
        /// Read one job (MRS API reference: ShowSingleJobExe).
        case readJob(JobKey)
        /// Send one kill (MRS API reference: StopJob); its intent was saved just before.
        case sendKill(JobKey)
        /// Save what changed in the state since the last save (`takeChanges()`, taken when this is performed, so
        /// a save never writes an older snapshot over a newer one) durably, in one transaction, before going on.
        case persist
        /// Report this to the sinks (log, journal, systemd, metrics, notifications).
        case emit(DaemonEvent)
        /// Report what was stopped between these server times (epoch ms), added up from the decision history
        /// in the state database (once a `summaryInterval`, a day).
        case summarize(sinceMillis: Int64, untilMillis: Int64)
    }
}
