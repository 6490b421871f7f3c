import MRSWatchdog
import Synchronization

/// The daemon on a terminal: the active jobs with their runtime against the limit and the decision, the
/// latest actions, and the status line, redrawn as things happen. Used when stdout is a TTY.
final class LiveView: DaemonEventSink {
    private struct Screen {
        var report: CycleReport?
        var status = "starting: reading credentials and polling MRS…"
        var recent: [String] = []
    }

    private let screen = Mutex(Screen())
    static let recentLines = 10
    static let tableRows = 30

    func emit(_ event: DaemonEvent) {
        let text = screen.withLock { screen -> String? in
            switch event {
            case .cycle(let report):
                screen.report = report
            case .ready(let status), .progress(let status), .reloaded(let status, nil):
                screen.status = status.text
            case .reloaded(_, let failure?):
                screen.recent.append("reload refused: \(failure)")
            case .decision(let record):
                screen.recent.append(
                    "\(RFC3339.format(epochMillis: HostClock.nowMillis()).suffix(9)) \(record.summary)")
            case .notice(let notice):
                screen.recent.append(notice.text)
            case .breaker(let open, let candidates, let threshold):
                screen.recent.append(
                    open ? "BREAKER OPEN: \(candidates) jobs to kill > \(threshold); killing none" : "breaker closed")
            case .reloading:
                screen.status = "reloading…"
            case .stopping:
                screen.status = "stopping…"
            case .configApplied:
                break  // `reloaded` follows with the status
            }
            screen.recent = Array(screen.recent.suffix(Self.recentLines))
            return Self.render(screen)
        }
        if let text { Console.out(text) }
    }

    /// Clear the terminal, then the table, the recent actions and the status line.
    private static func render(_ screen: Screen) -> String {
        var out = "\u{1B}[H\u{1B}[2J"
        if let report = screen.report {
            let active = report.activeJobs.values.reduce(0, +)
            out += "mrs-watchdog · \(report.clusters.count) cluster(s) · \(active) active job(s)"
            out += " · at \(RFC3339.format(epochMillis: report.at)) (MRS time)\n\n"
            let shown = Array(report.decisions.prefix(Self.tableRows))
            out += shown.isEmpty ? "no active job is near a limit\n" : DecisionTable.render(shown) + "\n"
            let hidden = active - shown.count
            if hidden > 0 { out += "(\(hidden) more job(s), not near a limit or named by no rule)\n" }
            for (cluster, error) in report.failures.sorted(by: { $0.key < $1.key }) {
                out += "cluster \(cluster) could not be polled: \(error)\n"
            }
        }
        out +=
            "\nrecent:\n" + (screen.recent.isEmpty ? "  (nothing yet)\n" : screen.recent.map { "  \($0)\n" }.joined())
        out += "\n\(screen.status)\nCtrl-C stops."
        return out
    }
}
