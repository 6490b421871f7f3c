/// One exemption: a job id, or a cluster (optionally narrowed by job name globs), until a moment.
public struct Exemption: Sendable, Hashable {
    public var jobId: String?
    public var clusterId: String?
    public var jobName: [Glob]
    /// Epoch milliseconds; the exemption no longer applies from this instant.
    public var untilMillis: Int64
    public var reason: String

    public init(
        jobId: String? = nil, clusterId: String? = nil, jobName: [Glob] = [], untilMillis: Int64, reason: String
    ) {
        self.jobId = jobId
        self.clusterId = clusterId
        self.jobName = jobName
        self.untilMillis = untilMillis
        self.reason = reason
    }

    /// `unknown` when the exemption names jobs by `job_name` and MRS did not send the job's name.
    public func covers(clusterId: String, job: JobExecution, now: Int64) -> MatchResult {
        guard now < untilMillis else { return .no }
        if let jobId, jobId != job.jobId { return .no }
        if let exemptCluster = self.clusterId, exemptCluster != clusterId { return .no }
        if !jobName.isEmpty {
            guard let name = job.jobName, !name.isEmpty else { return .unknown(key: "job_name", field: "job_name") }
            return jobName.contains { $0.matches(name) } ? .yes : .no
        }
        return .yes
    }
}
