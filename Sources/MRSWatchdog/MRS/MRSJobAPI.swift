/// The four MRS calls the watchdog makes. `MRSHTTPClient` is the real one; the daemon depends on this.
public protocol MRSJobAPI: Sendable {
    /// All clusters in `state` (`existing` by default), optionally narrowed server-side by tags
    /// (a nil value means "has the key"). MRS API reference: ListClusters (`GET /v1.1/{project_id}/cluster_infos`).
    func listClusters(state: String?, tags: [String: String?]) async throws -> ClusterList
    /// Every job of a cluster in `state`, handed over page by page until the listing is complete or ends
    /// early (`JobPage.endedEarly`). MRS API reference: ShowJobExeListNew.
    func forEachJobExecutionPage(
        clusterId: String, state: JobState?, _ body: (JobPage) throws -> Void
    ) async throws
    func showJob(clusterId: String, jobId: String) async throws -> JobExecution
    /// Sends the kill; returning means the service accepted it (any 2xx), not that the job has ended.
    func killJob(clusterId: String, jobId: String) async throws
}

extension MRSJobAPI {
    public func listJobExecutions(clusterId: String, state: JobState?) async throws -> [JobExecution] {
        var all: [JobExecution] = []
        try await forEachJobExecutionPage(clusterId: clusterId, state: state) { all.append(contentsOf: $0.jobs) }
        return all
    }
}

/// One page of a job listing: the jobs that could be read, and where the unreadable entries were.
public struct JobPage: Sendable, Hashable {
    public var jobs: [JobExecution]
    /// Zero-based indices, within the page, of the entries that could not be read.
    public var malformed: [Int]
    /// 1-based page number (MRS's `offset`).
    public var number: Int
    /// Set on the last page handed over when the listing stopped before MRS said it was complete (a page
    /// that only repeats jobs already listed, or the time bound): why, e.g. "page 2 repeats page 1".
    public var endedEarly: String?

    public init(jobs: [JobExecution], malformed: [Int] = [], number: Int = 1, endedEarly: String? = nil) {
        self.jobs = jobs
        self.malformed = malformed
        self.number = number
        self.endedEarly = endedEarly
    }
}

/// The clusters a listing returned, and the indices (over the whole listing) of entries that could not be read.
public struct ClusterList: Sendable, Hashable {
    public var clusters: [Cluster]
    public var malformed: [Int]

    public init(clusters: [Cluster], malformed: [Int] = []) {
        self.clusters = clusters
        self.malformed = malformed
    }
}
