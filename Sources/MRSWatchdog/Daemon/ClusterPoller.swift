/// One poll of MRS: which clusters are watched, and the active jobs of each, fetched concurrently with a
/// bound. A failing cluster is recorded and never stops the others.
public struct ClusterPoller: Sendable {
    public struct Result: Sendable {
        /// Watched clusters, with their tags (nil when unreadable).
        public var clusters: [Cluster]
        public var jobs: [String: [JobExecution]]
        /// Per-cluster failures of this poll.
        public var failures: [String: MRSError]
        /// Job entries that could not be read, per cluster.
        public var malformed: [String: Int]
    }

    let api: any MRSJobAPI
    let config: WatchdogConfig
    /// How transient failures of each listing are retried (the daemon retries; `plan` does not).
    let retrier: Retrier

    public init(api: any MRSJobAPI, config: WatchdogConfig, retrier: Retrier = .once) {
        self.api = api
        self.config = config
        self.retrier = retrier
    }

    /// The job states to list: running always; the queued states only when some rule limits queued time or
    /// counts from submission.
    public var statesToList: [JobState] {
        let needsQueued = config.rules.contains { $0.maxQueuedMillis != nil || $0.clock == .submitted }
        return needsQueued ? [.running] + JobState.queuedStates : [.running]
    }

    /// Lists every cluster and keeps the watched ones. Clusters named by id but missing from the listing
    /// are kept with unknown tags, so a rule that needs their tags fails closed.
    public func discover() async throws -> [Cluster] {
        let all = try await retrier.run { try await api.listClusters(state: "existing", tags: [:]) }
        var watched = all.filter(config.watches)
        for id in config.watch.clusterIds where !all.contains(where: { $0.clusterId == id }) {
            watched.append(Cluster(clusterId: id, tags: nil))
        }
        return watched
    }

    public func poll(clusters: [Cluster]) async -> Result {
        var result = Result(clusters: clusters, jobs: [:], failures: [:], malformed: [:])
        let states = statesToList
        await withTaskGroup(of: (String, [JobExecution], Int, MRSError?).self) { group in
            var pending = clusters.map(\.clusterId)[...]
            func start(_ id: String) {
                group.addTask {
                    var jobs: [JobExecution] = []
                    var malformed = 0
                    do {
                        try await retrier.run {
                            // A retry lists the cluster again from the first page.
                            jobs = []
                            malformed = 0
                            for state in states {
                                try await api.forEachJobExecutionPage(clusterId: id, state: state) { page in
                                    jobs.append(contentsOf: page.jobs)
                                    malformed += page.malformed
                                }
                            }
                        }
                        return (id, jobs, malformed, nil)
                    } catch let error as MRSError {
                        return (id, jobs, malformed, error)
                    } catch {
                        return (id, jobs, malformed, MRSError(kind: .transport(.other), operation: "poll \(id)", errorMessage: "\(error)"))
                    }
                }
            }
            for _ in 0..<min(config.watch.concurrency, pending.count) { start(pending.removeFirst()) }
            for await (id, jobs, malformed, error) in group {
                if let error {
                    result.failures[id] = error
                } else {
                    result.jobs[id] = jobs
                }
                if malformed > 0 { result.malformed[id] = malformed }
                if let next = pending.popFirst() { start(next) }
            }
        }
        return result
    }
}
