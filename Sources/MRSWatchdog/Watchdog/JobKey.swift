/// A job across clusters: job ids are only unique within their cluster.
public struct JobKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var clusterId: String
    public var jobId: String

    public init(clusterId: String, jobId: String) {
        self.clusterId = clusterId
        self.jobId = jobId
    }

    public init(_ decision: Decision) {
        self.init(clusterId: decision.clusterId, jobId: decision.job.jobId)
    }

    /// `cluster/job`, as logs and notifications show it.
    public var description: String { "\(clusterId)/\(jobId)" }

    public static func < (lhs: JobKey, rhs: JobKey) -> Bool { lhs.description < rhs.description }
}
