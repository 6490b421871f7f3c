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
    /// Every page of `forEachJobExecutionPage`, kept whole (for `plan`, `jobs` and tests).
    /// - Throws: what `forEachJobExecutionPage` throws.
    public func listJobExecutions(clusterId: String, state: JobState?) async throws -> [JobExecution] {
        var all: [JobExecution] = []
        try await forEachJobExecutionPage(clusterId: clusterId, state: state) { all.append(contentsOf: $0.jobs) }
        return all
    }
}
