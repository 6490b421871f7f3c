/// `yarn`: the ResourceManagers the YARN audit reads, per cluster. Read-only: nothing is ever killed through
/// YARN. Absent: no audit.
public struct YarnSettings: Sendable, Hashable {
    /// One cluster's ResourceManagers.
    public struct Source: Sendable, Hashable {
        public var clusterId: String
        /// Base URLs, `http(s)://host:port[/path]`, one per ResourceManager (both of an HA pair); the REST paths
        /// (`ws/v1/cluster/…`) are added to each, so a proxy's path prefix works.
        public var resourceManagers: [String]
        public var auth: Auth = .none

        public init(clusterId: String, resourceManagers: [String], auth: Auth = .none) {
            self.clusterId = clusterId
            self.resourceManagers = resourceManagers
            self.auth = auth
        }
    }

    /// How requests to the ResourceManagers authenticate. `none`: the cluster is not in security mode (or a
    /// proxy in front authenticates). Kerberos (SPNEGO), the default of MRS security-mode clusters, is not
    /// supported yet.
    public enum Auth: String, Sendable, Hashable, CaseIterable {
        case none
    }

    public var clusters: [Source] = []
    /// `audit_in_daemon`: the daemon audits every cluster under `clusters` once per `watch.discovery_interval`
    /// and reports what it finds (metrics, a journal record per untracked application a rule would kill, a
    /// STATUS fragment). Off by default: `yarn-audit` alone reads nothing until run.
    public var auditInDaemon = false
    /// The most applications one ResourceManager answer may list (the `limit` parameter), 1–20,000; more
    /// are reported as a cut-off list, never read past.
    public var maxApps = 5_000
    /// Deadline of every ResourceManager request, connection included, ms (1,000–300,000).
    public var requestTimeoutMillis: Int64 = 10_000

    public init() {}
}
