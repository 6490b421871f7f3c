/// The `match` / `exclude` block of a rule: AND across keys, OR within a list. An empty matcher matches all.
public struct JobMatcher: Sendable, Hashable {
    public var clusterIds: [String] = []
    public var clusterTags: [String: String] = [:]
    public var jobType: [String] = []
    public var jobName: [Glob] = []
    public var jobNameRegex: AnchoredRegex?
    public var user: [Glob] = []
    public var queue: [Glob] = []

    public init() {}

    /// Three-valued: a condition on a field MRS did not send (nil or empty), or on cluster tags that could not
    /// be read (`clusterTags` nil), is `unknown` — unless another condition already rules the job out.
    public func evaluate(clusterId: String, clusterTags tags: [String: String]?, job: JobExecution) -> MatchResult {
        if !clusterIds.isEmpty, !clusterIds.contains(clusterId) { return .no }
        var result = MatchResult.yes
        func check(_ key: String, _ field: String, _ value: String?, _ test: (String) -> Bool) -> Bool {
            guard let value, !value.isEmpty else {
                if result == .yes { result = .unknown(key: key, field: field) }
                return true
            }
            return test(value)
        }
        if !clusterTags.isEmpty {
            if let tags {
                guard TagSelector.matches(tags, clusterTags) else { return .no }
            } else if result == .yes {
                result = .unknown(key: "cluster_tags", field: "cluster_tags")
            }
        }
        if !jobType.isEmpty,
            !check("job_type", "job_type", job.jobType, { type in jobType.contains { $0.caseInsensitiveEquals(type) } })
        {
            return .no
        }
        if !jobName.isEmpty,
            !check("job_name", "job_name", job.jobName, { name in jobName.contains { $0.matches(name) } })
        {
            return .no
        }
        if let jobNameRegex, !check("job_name_regex", "job_name", job.jobName, jobNameRegex.matches) {
            return .no
        }
        if !user.isEmpty, !check("user", "user", job.user, { value in user.contains { $0.matches(value) } }) {
            return .no
        }
        if !queue.isEmpty, !check("queue", "queue", job.queue, { value in queue.contains { $0.matches(value) } }) {
            return .no
        }
        return result
    }
}
