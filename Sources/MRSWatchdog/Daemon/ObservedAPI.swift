import CoreMetrics

/// The MRS API as the daemon uses it: a heartbeat after every call and every page (success or not), and
/// `mrs_watchdog_api_requests_total{call, outcome}` with the error code as the outcome of a failure.
struct ObservedAPI: MRSJobAPI {
    let base: any MRSJobAPI
    let heartbeat: LoopHeartbeat

    func listClusters(state: String?, tags: [String: String?]) async throws -> ClusterList {
        try await observe("list_clusters") { try await base.listClusters(state: state, tags: tags) }
    }

    func forEachJobExecutionPage(clusterId: String, state: JobState?, _ body: (JobPage) throws -> Void) async throws {
        try await observe("list_jobs") {
            try await base.forEachJobExecutionPage(clusterId: clusterId, state: state) { page in
                heartbeat.beat()
                try body(page)
            }
        }
    }

    func showJob(clusterId: String, jobId: String) async throws -> JobExecution {
        try await observe("show_job") { try await base.showJob(clusterId: clusterId, jobId: jobId) }
    }

    func killJob(clusterId: String, jobId: String) async throws {
        try await observe("kill_job") { try await base.killJob(clusterId: clusterId, jobId: jobId) }
    }

    private func observe<T>(_ call: String, _ operation: () async throws -> T) async throws -> T {
        defer { heartbeat.beat() }
        do {
            let result = try await operation()
            Counter(label: "mrs_watchdog_api_requests_total", dimensions: [("call", call), ("outcome", "ok")])
                .increment()
            return result
        } catch {
            Counter(
                label: "mrs_watchdog_api_requests_total",
                dimensions: [("call", call), ("outcome", (error as? HuaweiCloudError)?.metricLabel ?? "error")]
            ).increment()
            throw error
        }
    }

}
