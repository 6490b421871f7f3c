/// What the daemon reports of one YARN audit round (`yarn.audit_in_daemon`): figures per audited cluster,
/// why each other cluster was not audited, and the untracked applications a rule would kill that no earlier
/// round reported. Built by `YarnFlaggedApps`; turned into metrics, journal records and a STATUS fragment
/// by the sinks.
public struct YarnAuditRound: Sendable {
    /// One audited cluster's applications.
    public struct ClusterFigures: Sendable, Hashable {
        public var clusterId: String
        /// Applications MRS job management shows (by `app_id` or `launcher_id`) and the others.
        public var tracked: Int
        public var untracked: Int
        /// What the daemon sees of them: the tracked ones when the config watches the cluster, else none.
        public var seen: Int
        /// Untracked applications that have run longer than each of `runningOverThresholds` (YARN's
        /// `elapsedTime`), in that order.
        public var untrackedRunningOver: [Int]
        /// Entries of the ResourceManager's answer that could not be read.
        public var malformed: Int
        /// The list reached `yarn.max_apps`: the figures may be short.
        public var cutOff: Bool

        public init(
            clusterId: String, tracked: Int, untracked: Int, seen: Int, untrackedRunningOver: [Int], malformed: Int,
            cutOff: Bool = false
        ) {
            self.clusterId = clusterId
            self.tracked = tracked
            self.untracked = untracked
            self.seen = seen
            self.untrackedRunningOver = untrackedRunningOver
            self.malformed = malformed
            self.cutOff = cutOff
        }
    }

    /// An untracked application a rule would kill (`kill` or `would-kill`) if MRS showed it.
    public struct Finding: Sendable, Hashable {
        /// Its name in logs and the journal's `WATCHDOG_DECISION`: not a decision the watchdog acts on.
        public static let action = "yarn-untracked"

        public var clusterId: String
        public var app: YarnApplication
        public var decision: Decision

        /// `yarn-untracked c-dev/application_1_0001 spark-shell (user alice) rule spark-2h: <reason>, at 3h — not in
        /// MRS job management: reported, never killed` (the decision is of the application read as a job,
        /// `YarnAudit.asJobExecution`: its name, user and queue are the application's).
        public var summary: String {
            decision.line(
                action: Self.action, subject: "\(clusterId)/\(app.id)",
                detail: "not in MRS job management: reported, never killed")
        }

        /// The facts under dotted keys, as a decision record's, the application named by its YARN id.
        public var metadata: [String: String] {
            var fields = decision.logMetadata
            fields["yarn.application.id"] = app.id
            fields["yarn.application.type"] = app.applicationType
            return fields
        }
    }

    /// The running times the untracked applications are counted over: label (`1h`) and ms.
    public static let runningOverThresholds: [(label: String, millis: Int64)] = [
        ("1h", 3_600_000), ("5h", 18_000_000), ("24h", 86_400_000),
    ]

    public var clusters: [ClusterFigures]
    /// Cluster id → why it was not audited this round (its figures are unknown, not zero).
    public var failures: [String: String]
    /// Untracked applications a rule would kill, each reported in one round only.
    public var newFindings: [Finding]

    public init(clusters: [ClusterFigures] = [], failures: [String: String] = [:], newFindings: [Finding] = []) {
        self.clusters = clusters
        self.failures = failures
        self.newFindings = newFindings
    }

    /// The STATUS fragment: `YARN: mrs-watchdog sees 9 of 41 apps · YARN: 1 cluster not audited`; empty
    /// when nothing was audited or failed (the audit was turned off).
    public var statusText: String {
        let listed = clusters.reduce(0) { $0 + $1.tracked + $1.untracked }
        var parts: [String] = []
        if !clusters.isEmpty {
            parts.append("YARN: mrs-watchdog sees \(clusters.reduce(0) { $0 + $1.seen }) of \(listed) apps")
        }
        if !failures.isEmpty {
            let count = failures.count
            parts.append("YARN: \(count) cluster\(count == 1 ? "" : "s") not audited")
        }
        return parts.joined(separator: " · ")
    }
}
