/// `yarn`: the ResourceManagers the YARN audit reads, per cluster. Read-only: nothing is ever killed through
/// YARN. Absent: no audit.
public struct YarnSettings: Sendable, Hashable {
    /// One cluster's ResourceManagers.
    public struct Source: Sendable, Hashable {
        public var clusterId: String
        /// Base URLs, `http(s)://host:port[/path]`, one per ResourceManager (both of an HA pair); the REST paths
        /// (`ws/v1/cluster/…`) are added to each, so a proxy's path prefix works.
        public var resourceManagers: [String]
        /// Set for `auth: kerberos`, nil for `auth: none`.
        public var kerberos: Kerberos?

        public init(clusterId: String, resourceManagers: [String], kerberos: Kerberos? = nil) {
            self.clusterId = clusterId
            self.resourceManagers = resourceManagers
            self.kerberos = kerberos
        }
    }

    /// How requests to the ResourceManagers authenticate. `none`: the cluster is not in security mode (or a
    /// proxy in front authenticates). `kerberos`: SPNEGO (`Authorization: Negotiate`), the default of MRS
    /// security-mode clusters.
    public enum Auth: String, Sendable, Hashable, CaseIterable {
        case none
        case kerberos
    }

    /// `auth: kerberos`: who the audit is, and where its key is.
    public struct Kerberos: Sendable, Hashable {
        /// `user@REALM` (or `user`, in the default realm of `/etc/krb5.conf`): a machine-machine user of the
        /// cluster (MRS Manager) with view access to every queue's applications (`yarn.admin.acl`).
        public var principal: String
        /// An absolute path, or the name of a systemd credential (`LoadCredential=yarn.keytab:…`) read from
        /// `$CREDENTIALS_DIRECTORY`.
        public var keytab: String

        public init(principal: String, keytab: String) {
            self.principal = principal
            self.keytab = keytab
        }
    }

    public var clusters: [Source] = []
    /// `audit_in_daemon`: the daemon audits every cluster under `clusters` once per `watch.discovery_interval`
    /// and reports what it finds (metrics, a journal record per untracked application a rule would kill, a
    /// STATUS fragment). Off by default: `yarn-audit` alone reads nothing until run.
    public var auditInDaemon = false

    /// How far apart the daemon's rounds are, ms: `watch.discovery_interval`, 5 minutes at least (the audit's
    /// job listings share the tenant's listing quota with the polls, mrs-api.md §11).
    public static func daemonIntervalMillis(discoveryIntervalMillis: Int64) -> Int64 {
        max(discoveryIntervalMillis, 300_000)
    }
    /// The most applications one ResourceManager answer may list (the `limit` parameter), 1–20,000; more
    /// are reported as a cut-off list, never read past.
    public var maxApps = 5_000
    /// Deadline of every ResourceManager request, connection included, ms (1,000–300,000).
    public var requestTimeoutMillis: Int64 = 10_000

    public init() {}
}
