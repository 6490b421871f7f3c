import MRSWatchdog
import Synchronization

/// Daemon events as systemd sees them: `READY=1`, `STATUS=`, `RELOADING=1` + `MONOTONIC_USEC=`, `STOPPING=1`,
/// and one journal record per decision. Outside systemd the notifications are no-ops.
public final class SystemdEventSink: DaemonEventSink {
    let notifier: SdNotifier
    /// Decisions go to the journal as structured records only when running under systemd's journal.
    let journalRecords: Bool
    private let lastStatus = Mutex<String?>(nil)

    public init(notifier: SdNotifier = SdNotifier(), journalRecords: Bool) {
        self.notifier = notifier
        self.journalRecords = journalRecords
    }

    public func emit(_ event: DaemonEvent) {
        switch event {
        case .decision(let record):
            if journalRecords { JournalRecord.send(JournalRecord.fields(for: record)) }
        case .ready(let status):
            notifier.notify(["READY=1", self.status(status.text)])
        case .progress(let status):
            // STATUS keeps its value until replaced: send only changes.
            let text = status.text
            if lastStatus.withLock({ previous in
                defer { previous = text }; return previous != text
            }) {
                notifier.notify([self.status(text)])
            }
        case .notice, .cycle, .breaker, .configApplied:
            break  // logged by the log sink; the status line already carries the breaker
        case .reloading:
            notifier.notify(["RELOADING=1", "MONOTONIC_USEC=\(SdNotifier.monotonicMicros())", status("reloading")])
        case .reloaded(let status, _):
            // READY=1 ends the reload whether or not the new file was accepted.
            notifier.notify(["READY=1", self.status(status.text)])
        case .stopping:
            notifier.notify(["STOPPING=1", status("stopping")])
        }
    }

    private func status(_ text: String) -> String {
        lastStatus.withLock { $0 = text }
        return SdNotifier.statusLine(text)
    }
}
