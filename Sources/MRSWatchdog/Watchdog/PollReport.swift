/// What one poll round found, as the shell hands it to the state machine: how discovery went, each watched
/// cluster's digest of its job listing, and the clusters that could not be listed.
public struct PollReport: Sendable {
    public enum Discovery: Sendable {
        /// The clusters of the previous discovery were used.
        case notDue
        /// Discovered; the cluster list entries that could not be read (indices) and the listed clusters
        /// whose tags could not be read.
        case found(malformed: [Int], unreadableTags: [String])
        /// Discovery failed; `kept` says what is watched instead.
        case failed(HuaweiCloudError, kept: String)
        /// MRS refused the credentials: nothing was listed.
        case authFailed(HuaweiCloudError)
    }

    public var discovery: Discovery
    /// The watched clusters, with their tags (nil when unreadable).
    public var clusters: [Cluster]
    public var digests: [String: ClusterDigest]
    public var failures: [String: HuaweiCloudError]
    /// Host clock minus MRS server time, ms (nil before any response).
    public var hostSkewMillis: Int64?
    /// `Date` headers the server clock did not believe during the poll, and its confirmed steps.
    public var clockOutliers = ClockOutliers()
    /// Discovery and listing.
    public var duration: Duration

    public init(
        discovery: Discovery, clusters: [Cluster], digests: [String: ClusterDigest],
        failures: [String: HuaweiCloudError],
        hostSkewMillis: Int64?, duration: Duration
    ) {
        self.discovery = discovery
        self.clusters = clusters
        self.digests = digests
        self.failures = failures
        self.hostSkewMillis = hostSkewMillis
        self.duration = duration
    }

    /// How many clusters were listed (for `--once`'s exit code).
    public var polled: Int { digests.count }
}
