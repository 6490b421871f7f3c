import CoreMetrics
import Synchronization

/// Daemon events as swift-metrics figures (Prometheus names): polls, active jobs per cluster, decisions by
/// kind and rule, kills by outcome, jobs skipped for an unknown fact by field, the breaker, cycle durations
/// the time to the next deadline, kills and warnings in the last hour, the extensions in force, when a
/// cluster was last polled without failure, and the YARN audit's applications by cluster.
/// Through the swift-metrics API only: the backend is whatever the process (or a test) bound.
public final class MetricsEventSink: DaemonEventSink {
    /// The clusters `mrs_watchdog_active_jobs` has a series for. Which clusters are watched can come from
    /// the endpoint (discovery by tags): a cluster no longer watched loses its series, so their number
    /// follows the watched set instead of growing with every id ever listed.
    private let activeJobsClusters = Mutex<Set<String>>([])
    /// The clusters the YARN gauges have series for: one not audited in the last round (failed, or gone from
    /// the config) loses them, as an unknown figure must not read as the last known one.
    private let yarnClusters = Mutex<Set<String>>([])

    public init() {}

    public func emit(_ event: DaemonEvent) {
        switch event {
        case .cycle(let report):
            let failed = Set(report.failures.keys)
            for cluster in Self.relabel(activeJobsClusters, to: Set(report.clusters)) {
                Gauge(label: "mrs_watchdog_active_jobs", dimensions: [("cluster", cluster)]).destroy()
            }
            for cluster in report.clusters {
                Counter(
                    label: "mrs_watchdog_polls_total",
                    dimensions: [("result", failed.contains(cluster) ? "error" : "ok")]
                ).increment()
                guard !failed.contains(cluster) else { continue }
                Gauge(label: "mrs_watchdog_active_jobs", dimensions: [("cluster", cluster)]).record(
                    report.activeJobs[cluster] ?? 0)
            }
            // When the daemon last saw MRS answer a cluster's listing (server time, epoch seconds): a gauge that
            // stops moving is a stalled or locked-out daemon, whatever its other figures say.
            if report.clusters.contains(where: { !failed.contains($0) }) {
                Gauge(label: "mrs_watchdog_last_successful_poll_timestamp_seconds").record(Double(report.at) / 1000)
            }
            Timer(label: "mrs_watchdog_cycle_duration_seconds").recordNanoseconds(report.duration.nanoseconds)
            Gauge(label: "mrs_watchdog_breaker_open").record(report.breakerOpen ? 1 : 0)
            Gauge(label: "mrs_watchdog_next_deadline_seconds").record(
                report.nextDeadline.map { Double($0 - report.at) / 1000 } ?? -1)
        case .decision(let record):
            Counter(
                label: "mrs_watchdog_decisions_total",
                dimensions: [("decision", record.action.rawValue), ("rule", record.decision.rule ?? "")]
            ).increment()
            if record.action == .killLoop {
                Counter(label: "mrs_watchdog_kill_loops_total", dimensions: [("rule", record.decision.rule ?? "")])
                    .increment()
            }
            if let result = Self.killResult(record.action) {
                Counter(label: "mrs_watchdog_kills_total", dimensions: [("result", result)]).increment()
            }
            if record.action == .kill, let elapsed = record.decision.elapsedMillis {
                // Runtime the killed jobs had at the kill: measured, not a guess at what was saved.
                Counter(label: "mrs_watchdog_killed_runtime_seconds_total").increment(by: elapsed / 1000)
            }
            if record.action == .skipped {
                // Once per job (the daemon reports skips once): which missing or implausible field held it back.
                Counter(
                    label: "mrs_watchdog_skipped_unknown_total",
                    dimensions: [("field", record.decision.unknownField ?? "unknown")]
                ).increment()
            }
        case .breaker(let open, _, _):
            Gauge(label: "mrs_watchdog_breaker_open").record(open ? 1 : 0)
        case .progress(let status):
            Gauge(label: "mrs_watchdog_kills_waiting").record(status.waitingKills)
            // Since start is what the counters above add up to; the last hour comes from the saved state, so a
            // restart does not zero it.
            let hour = status.lastHour
            for (result, count) in [
                ("requested", hour.killed), ("confirmed", hour.confirmed), ("unkillable", hour.unkillable),
            ] {
                Gauge(label: "mrs_watchdog_kills_last_hour", dimensions: [("result", result)]).record(count)
            }
            Gauge(label: "mrs_watchdog_warnings_last_hour").record(hour.warned)
            Gauge(label: "mrs_watchdog_extensions_active").record(status.extensions)
        case .yarnAudited(let round):
            recordYarn(round)
        case .ready, .notice, .reloading, .reloaded, .configApplied, .stopping:
            break
        }
    }

    /// `mrs_watchdog_yarn_apps{cluster,tracked}`, `mrs_watchdog_yarn_untracked_apps_running_over{cluster,over}`
    /// and `mrs_watchdog_yarn_audit_failures_total{cluster}`.
    private func recordYarn(_ round: YarnAuditRound) {
        let audited = Set(round.clusters.map(\.clusterId))
        for cluster in Self.relabel(yarnClusters, to: audited) {
            for tracked in ["true", "false"] {
                Gauge(label: "mrs_watchdog_yarn_apps", dimensions: [("cluster", cluster), ("tracked", tracked)])
                    .destroy()
            }
            for threshold in YarnAuditRound.runningOverThresholds {
                Gauge(
                    label: "mrs_watchdog_yarn_untracked_apps_running_over",
                    dimensions: [("cluster", cluster), ("over", threshold.label)]
                ).destroy()
            }
        }
        for figures in round.clusters {
            let cluster = figures.clusterId
            Gauge(label: "mrs_watchdog_yarn_apps", dimensions: [("cluster", cluster), ("tracked", "true")])
                .record(figures.tracked)
            Gauge(label: "mrs_watchdog_yarn_apps", dimensions: [("cluster", cluster), ("tracked", "false")])
                .record(figures.untracked)
            for (threshold, count) in zip(YarnAuditRound.runningOverThresholds, figures.untrackedRunningOver) {
                Gauge(
                    label: "mrs_watchdog_yarn_untracked_apps_running_over",
                    dimensions: [("cluster", cluster), ("over", threshold.label)]
                ).record(count)
            }
        }
        for cluster in round.failures.keys {
            Counter(label: "mrs_watchdog_yarn_audit_failures_total", dimensions: [("cluster", cluster)]).increment()
        }
    }

    /// Makes `current` the clusters with series; returns those that had series and lose them.
    private static func relabel(_ labelled: borrowing Mutex<Set<String>>, to current: Set<String>) -> Set<String> {
        labelled.withLock { labelled in
            defer { labelled = current }
            return labelled.subtracting(current)
        }
    }

    static func killResult(_ action: DecisionRecord.Action) -> String? {
        switch action {
        case .kill: return "requested"
        case .killRetried: return "retried"
        case .killConfirmed: return "confirmed"
        case .killFailed: return "failed"
        case .unkillable: return "unkillable"
        case .gone: return "gone"
        case .warn, .wouldKill, .skipped, .deferred, .held, .killLoop, .extended, .extensionRefused,
            .extensionWithdrawn, .awaitingNotice:
            return nil
        }
    }
}
