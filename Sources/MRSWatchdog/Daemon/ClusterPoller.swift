/// One poll of MRS: which clusters are watched, and the active jobs of each, listed concurrently with a
/// bound and handed over page by page, so a caller can digest them without holding every job at once.
/// A failing cluster is recorded and never stops the others.
public struct ClusterPoller: Sendable {
    /// What one poll found: each cluster's digest of its pages, or why it could not be listed.
    public struct Result<Digest: Sendable>: Sendable {
        /// Watched clusters, with their tags (nil when unreadable).
        public var clusters: [Cluster]
        public var digests: [String: Digest]
        public var failures: [String: HuaweiCloudError]
    }

    /// Every job of a cluster, kept whole (for `plan` and tests).
    public struct ListedJobs: Sendable {
        public var jobs: [JobExecution] = []
        /// Job entries that could not be read.
        public var malformed = 0
        /// Why the listing stopped before MRS said it was complete, if it did.
        public var endedEarly: String?
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

    /// Lists every cluster and keeps the watched ones, with the indices of entries that could not be read and
    /// the ids of clusters whose tags could not be read. Clusters named by id but missing from the listing are
    /// kept with unknown tags (`namedClusters`), so a rule that needs their tags fails closed.
    /// - Throws: `HuaweiCloudError` when the cluster list fails after the retries `retrier` allows.
    public func discover() async throws -> Discovery {
        let all = try await retrier.run { try await api.listClusters(state: "existing", tags: [:]) }
        var watched = all.clusters.filter(config.watches)
        let listed = Set(all.clusters.map(\.clusterId))
        watched += namedClusters.filter { !listed.contains($0.clusterId) }
        return Discovery(
            clusters: watched, malformed: all.malformed,
            unreadableTags: all.clusters.filter { $0.tags == nil }.map(\.clusterId))
    }

    /// What discovery found.
    public struct Discovery: Sendable {
        /// The watched clusters.
        public var clusters: [Cluster]
        /// Indices of cluster list entries that could not be read.
        public var malformed: [Int]
        /// Listed clusters whose tags could not be read: no tag selects them, and rules on tags fail closed.
        public var unreadableTags: [String]
    }

    /// The clusters named by id, tags unknown: what is watched when discovery has not succeeded. None when
    /// `watch.exclude_cluster_tags` is set, since their unknown tags might be ones it excludes.
    public var namedClusters: [Cluster] {
        config.watch.clusterIds.map { Cluster(clusterId: $0, tags: nil) }.filter(config.watches)
    }

    /// Lists every cluster's active jobs, `config.watch.concurrency` clusters at a time. Each page goes to
    /// `page` with that cluster's digest, made fresh by `makeDigest` (again if a retry lists from the start).
    public func poll<Digest: Sendable>(
        clusters: [Cluster], digest makeDigest: @escaping @Sendable (Cluster) -> Digest,
        page: @escaping @Sendable (inout Digest, JobPage) -> Void
    ) async -> Result<Digest> {
        var result = Result<Digest>(clusters: clusters, digests: [:], failures: [:])
        let states = statesToList
        await withTaskGroup(of: (String, Swift.Result<Digest, HuaweiCloudError>).self) { group in
            var pending = clusters[...]
            func start(_ cluster: Cluster) {
                group.addTask {
                    do {
                        let digest = try await retrier.run {
                            var digest = makeDigest(cluster)
                            for state in states {
                                try await api.forEachJobExecutionPage(clusterId: cluster.clusterId, state: state) {
                                    page(&digest, $0)
                                }
                            }
                            return digest
                        }
                        return (cluster.clusterId, .success(digest))
                    } catch {
                        return (
                            cluster.clusterId,
                            .failure(HuaweiCloudError.wrapping(error, operation: "poll \(cluster.clusterId)"))
                        )
                    }
                }
            }
            for _ in 0..<min(config.watch.concurrency, pending.count) { start(pending.removeFirst()) }
            for await (id, outcome) in group {
                switch outcome {
                case .success(let digest): result.digests[id] = digest
                case .failure(let error): result.failures[id] = error
                }
                if let next = pending.popFirst() { start(next) }
            }
        }
        return result
    }

    /// Every active job of every cluster, whole; `onPage` hears of each page (for progress).
    public func poll(
        clusters: [Cluster], onPage: @escaping @Sendable (JobPage) -> Void = { _ in }
    ) async -> Result<ListedJobs> {
        await poll(clusters: clusters, digest: { _ in ListedJobs() }) { listed, page in
            listed.jobs.append(contentsOf: page.jobs)
            listed.malformed += page.malformed.count
            listed.endedEarly = listed.endedEarly ?? page.endedEarly
            onPage(page)
        }
    }
}
