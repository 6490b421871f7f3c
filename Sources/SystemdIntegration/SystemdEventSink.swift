import MRSWatchdog
import Synchronization

/// Daemon events as systemd sees them: `READY=1`, `STATUS=`, `RELOADING=1` + `MONOTONIC_USEC=`, `STOPPING=1`,
/// one journal record per decision and per untracked YARN application a rule would kill. Outside systemd the
/// notifications are no-ops.
public final class SystemdEventSink: DaemonEventSink {
    /// Sends one notification (`SdNotifier.notify`; a test records them instead).
    let send: @Sendable ([String]) -> Void
    /// Decisions go to the journal as structured records only when running under systemd's journal.
    let journalRecords: Bool
    private let shown = Mutex(Shown())

    /// What STATUS says: the watchdog's line, then the YARN audit's fragment when there is one.
    private struct Shown {
        var watchdog: String?
        var yarn = ""
        var sent: String?
        /// After STOPPING=1 the status stays `stopping`.
        var stopping = false

        var composed: String? { watchdog.map { yarn.isEmpty ? $0 : "\($0) · \(yarn)" } }
    }

    public convenience init(notifier: SdNotifier = SdNotifier(), journalRecords: Bool) {
        self.init(journalRecords: journalRecords) { _ = notifier.notify($0) }
    }

    public init(journalRecords: Bool, send: @escaping @Sendable ([String]) -> Void) {
        self.send = send
        self.journalRecords = journalRecords
    }

    public func emit(_ event: DaemonEvent) {
        switch event {
        case .decision(let record):
            if journalRecords { JournalRecord.send(JournalRecord.fields(for: record)) }
        case .ready(let status):
            send(["READY=1", watchdogStatus(status.text)])
        case .progress(let status):
            // STATUS keeps its value until replaced: send only changes.
            if let changed = changedStatus({ $0.watchdog = status.text }) { send([changed]) }
        case .yarnAudited(let round):
            if journalRecords {
                for finding in round.newFindings { JournalRecord.send(JournalRecord.fields(for: finding)) }
            }
            if let changed = changedStatus({ $0.yarn = round.statusText }) { send([changed]) }
        case .notice, .cycle, .breaker, .configApplied:
            break  // logged by the log sink; the status line already carries the breaker
        case .reloading:
            send(["RELOADING=1", "MONOTONIC_USEC=\(SdNotifier.monotonicMicros())", status("reloading")])
        case .reloaded(let status, _):
            // READY=1 ends the reload whether or not the new file was accepted.
            send(["READY=1", watchdogStatus(status.text)])
        case .stopping:
            shown.withLock { $0.stopping = true }
            send(["STOPPING=1", status("stopping")])
        }
    }

    /// The `STATUS=` line after `change`, nil when it would say what was last sent (or nothing yet).
    private func changedStatus(_ change: (inout Shown) -> Void) -> String? {
        shown.withLock { shown in
            change(&shown)
            guard !shown.stopping, let text = shown.composed, text != shown.sent else { return nil }
            shown.sent = text
            return SdNotifier.statusLine(text)
        }
    }

    /// The `STATUS=` line for the watchdog's `text`, sent whatever was sent before.
    private func watchdogStatus(_ text: String) -> String {
        shown.withLock { shown in
            shown.watchdog = text
            shown.sent = shown.composed
            return SdNotifier.statusLine(shown.sent ?? text)
        }
    }

    /// A `STATUS=` line of its own (reloading, stopping), shown until the watchdog's next line.
    private func status(_ text: String) -> String {
        shown.withLock { $0.sent = text }
        return SdNotifier.statusLine(text)
    }
}
