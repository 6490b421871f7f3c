/// The whole config file: where MRS is, what to watch, the rules, exemptions and safety budgets.
/// Built only by `ConfigLoader`, which validates everything; all durations are milliseconds.
public struct WatchdogConfig: Sendable, Hashable {
    public struct MRSSettings: Sendable, Hashable {
        public var region: String
        public var projectId: String?
        public var endpoint: MRSEndpoint
        public var caFile: String?
        /// Deadline of every MRS request, connection included.
        public var requestTimeoutMillis: Int64 = 30_000
    }

    public struct WatchSettings: Sendable, Hashable {
        public var clusterIds: [String] = []
        /// AND over keys; `"*"` means "has the key".
        public var clusterTags: [String: String] = [:]
        public var excludeClusterTags: [String: String] = [:]
        public var pollIntervalMillis: Int64 = 60_000
        public var discoveryIntervalMillis: Int64 = 600_000
        /// How many clusters are polled at once.
        public var concurrency = 8
    }

    public struct Defaults: Sendable, Hashable {
        public var mode: RuleMode = .observe
        public var clock: RuntimeClock = .running
    }

    public struct Safety: Sendable, Hashable {
        public var dryRun = false
        public var maxKillsPerCycle = 10
        public var maxKillsPerHour = 50
        /// Kill requests (first kills and re-kills) per minute: MRS allows a tenant 60 stop calls a minute,
        /// shared with its schedulers (`../shared/docs/mrs-api.md` §11.1), so at most 60 and by default 30.
        public var maxKillsPerMinute = 30
        /// Single-job reads (deadline re-reads, kill verification) per minute, of the tenant's 1000.
        public var maxReadsPerMinute = 500
        public var breakerThreshold = 25
        /// Kills of jobs of one (cluster, job name, user) that make a kill loop: `killLoopAfter` within
        /// `killLoopWithinMillis` (a scheduler resubmitting what was killed; DataArts Studio retries a killed
        /// node after 120 s by default).
        public var killLoopAfter = 3
        public var killLoopWithinMillis: Int64 = 24 * 3_600_000
        /// The longest kill-loop window: the saved state keeps settled kill records this long.
        public static let maxKillLoopWithinMillis: Int64 = 48 * 3_600_000
        public init() {}
    }

    public var mrs: MRSSettings
    public var watch: WatchSettings
    public var defaults: Defaults
    public var rules: [Rule]
    public var exemptions: [Exemption]
    public var safety: Safety
    /// `metrics.listen`, e.g. `127.0.0.1:9464`; nil = no metrics endpoint.
    public var metricsListen: String?
    public var notifications = NotificationSettings()
    /// `extensions.directory`: where `mrs-watchdog extend` writes its drop-ins and the daemon reads them.
    public var extensionsDirectory = ExtensionDirectory.defaultPath
    /// `yarn`: the ResourceManagers `yarn-audit` reads; empty when absent.
    public var yarn = YarnSettings()

    /// The rule named `name` (the rule a decision names), nil for none.
    public func rule(named name: String?) -> Rule? {
        rules.first { $0.name == name }
    }

    /// True if the cluster is watched: listed by id, or its tags satisfy `cluster_tags`; never if its tags
    /// match `exclude_cluster_tags`. Nil tags (unreadable) select nothing by tag, and when
    /// `exclude_cluster_tags` is set they watch nothing at all: the cluster might be one it excludes.
    public func watches(_ cluster: Cluster) -> Bool {
        guard let tags = cluster.tags else {
            return watch.excludeClusterTags.isEmpty && watch.clusterIds.contains(cluster.clusterId)
        }
        if !watch.excludeClusterTags.isEmpty, TagSelector.matches(tags, watch.excludeClusterTags) { return false }
        if watch.clusterIds.contains(cluster.clusterId) { return true }
        return !watch.clusterTags.isEmpty && TagSelector.matches(tags, watch.clusterTags)
    }
}
