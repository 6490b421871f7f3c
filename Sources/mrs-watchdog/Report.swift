import ArgumentParser
import MRSWatchdog

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension WatchdogCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What was stopped: kills, confirmations, unkillables, warnings and kill loops per group.",
            discussion: """
                Read from the decision history in STATE_DIR/state.sqlite (kept --history-days, 30 by default), \
                which the daemon writes as it decides; safe to run while it runs. Runtime at kill and time over \
                the limit are measured, not estimated savings.
                """)

        @Option(help: "Where state.sqlite lives (default: $STATE_DIRECTORY, else /var/lib/mrs-watchdog).")
        var stateDir: String?

        @Option(help: "How far back, a duration such as 7d or 24h.")
        var since = "7d"

        @Option(help: "Group by rule, user or cluster.")
        var by: KillReport.Grouping = .rule

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let span: Int64
            do {
                span = try DurationText.parseMillis(since)
            } catch {
                throw ValidationError("--since: \(error)")
            }
            let directory = Run.stateDirectory(stateDir, environment: ProcessInfo.processInfo.environment)
            let path = StateStore(directory: directory).path
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("no state database at \(path): has the daemon run with this --state-dir?")
            }
            let now = HostClock.nowMillis()
            let history: [HistoryEntry]
            do {
                history = try StateStore.history(path: path, since: now - span)
            } catch {
                throw CommandFailure("cannot read \(path): \(error)")
            }
            let report = KillReport(history: history, by: by)
            if json {
                Console.out(report.json())
                return
            }
            Console.out(report.table())
            Console.out("")
            Console.out("since \(RFC3339.format(epochMillis: now - span)) (\(since)), from \(path)")
        }
    }
}

extension KillReport.Grouping: ExpressibleByArgument {}
