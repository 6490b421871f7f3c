/// The daemon's memory between YARN audit rounds: which untracked applications a rule would kill have been
/// reported, so each is reported once while it runs. Pure: an audit's report in, the round to report out.
/// In memory only: after a restart, the applications still running are reported once more.
public struct YarnFlaggedApps: Sendable {
    /// Cluster id → ids of the applications reported; bounded by `yarn.max_apps` per cluster.
    private var reported: [String: Set<String>] = [:]

    public init() {}

    /// The round to report for `report`. A cluster that could not be audited, or whose list was cut off at
    /// `yarn.max_apps`, keeps what was reported of it: a ResourceManager failing for a while does not make
    /// its applications new again.
    public mutating func round(_ report: YarnAuditor.Report) -> YarnAuditRound {
        var round = YarnAuditRound(clusters: [], failures: report.failures, newFindings: [])
        var kept: [String: Set<String>] = reported.filter { report.failures[$0.key] != nil }
        for entry in report.clusters {
            let audit = entry.audit
            round.clusters.append(
                .init(
                    clusterId: audit.clusterId, tracked: audit.tracked, untracked: audit.untracked.count,
                    seen: entry.seen,
                    untrackedRunningOver: YarnAuditRound.runningOverThresholds.map { threshold in
                        audit.untracked.count { ($0.app.elapsedTime ?? 0) > threshold.millis }
                    }, malformed: audit.malformed, cutOff: entry.cutOff))
            let flagged = audit.untracked.filter { [.kill, .wouldKill].contains($0.decision.kind) }
            let before = reported[audit.clusterId] ?? []
            for untracked in flagged where !before.contains(untracked.app.id) {
                round.newFindings.append(
                    .init(clusterId: audit.clusterId, app: untracked.app, decision: untracked.decision))
            }
            // A cut-off list does not show every application: one not listed this time may still run.
            kept[audit.clusterId] = Set(flagged.map(\.app.id)).union(entry.cutOff ? before : [])
        }
        reported = kept
        return round
    }
}
