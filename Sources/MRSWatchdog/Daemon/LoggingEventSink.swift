import Logging

/// Daemon events as swift-log lines; the status line at debug level.
public struct LoggingEventSink: DaemonEventSink {
    let logger: Logger
    /// False when decisions are written elsewhere as structured records (the journal), to avoid doubles.
    let includeDecisions: Bool

    public init(logger: Logger, includeDecisions: Bool = true) {
        self.logger = logger
        self.includeDecisions = includeDecisions
    }

    public func emit(_ event: DaemonEvent) {
        switch event {
        case .decision(let record):
            guard includeDecisions else { return }
            logger.log(
                level: record.level, "\(record.action.rawValue)", metadata: record.metadata.mapValues { .string($0) })
        case .ready(let status):
            logger.notice("ready: \(status.text)")
        case .progress(let status):
            logger.debug("\(status.text)")
        case .cycle(let report):
            let kinds = report.kinds.map { "\($0.value) \($0.key.rawValue)" }.sorted().joined(separator: ", ")
            logger.debug(
                "cycle: \(report.activeJobs.values.reduce(0, +)) active jobs; this cycle: \(kinds.isEmpty ? "no decision" : kinds) in \(report.duration); since start: \(report.sinceStart.text); last hour: \(report.lastHour.text)"
            )
        case .breaker(let open, let candidates, let threshold):
            let text = WatchdogNotice.breakerText(open: open, candidates: candidates, threshold: threshold)
            logger.log(level: open ? .error : .warning, "\(text)")
        case .notice(let notice):
            // A constant message; the facts go in metadata (`cluster.id`, `error.code`, …).
            let level: Logger.Level =
                notice.severity == .error ? .error : notice.severity == .warning ? .warning : .info
            logger.log(level: level, "\(notice.message)", metadata: notice.metadata.mapValues { .string($0) })
        case .reloading:
            logger.info("reloading the config")
        case .reloaded(let status, let failure):
            if let failure {
                logger.error("\(WatchdogNotice.reloadRefusedText(failure))")
            } else {
                logger.notice("reloaded: \(status.text)")
            }
        case .configApplied:
            break  // `reloaded` follows with the status
        case .stopping:
            logger.notice("stopping")
        case .yarnAudited(let round):
            for (cluster, failure) in round.failures.sorted(by: { $0.key < $1.key }) {
                logger.warning("YARN audit failed", metadata: ["cluster.id": "\(cluster)", "error": "\(failure)"])
            }
            if includeDecisions {
                for finding in round.newFindings {
                    logger.warning(
                        "\(YarnAuditRound.Finding.action)", metadata: finding.metadata.mapValues { .string($0) })
                }
            }
            for figures in round.clusters where figures.cutOff {
                logger.warning("YARN list cut off at yarn.max_apps", metadata: ["cluster.id": "\(figures.clusterId)"])
            }
            // Once per round (every discovery interval): what the daemon cannot see, in the journal too.
            if !round.clusters.isEmpty { logger.info("\(round.statusText)") }
        }
    }
}
