/// One poll round after another, for `WatchdogService`: discovery when it is due (it keeps the clusters it
/// found between rounds, an I/O cadence rather than policy), then every watched cluster's job listing,
/// digested page by page. A round stops at once when its task is cancelled.
actor PollRounds {
    let api: any MRSJobAPI
    let clock: ServerClock
    /// How the cluster list and each listing are retried on transient failures.
    let retrier: Retrier
    /// The clusters of the last discovery, and when it ran.
    private var clusters: [Cluster] = []
    private var lastDiscovery: ContinuousClock.Instant?

    init(api: any MRSJobAPI, clock: ServerClock, retrier: Retrier) {
        self.api = api
        self.clock = clock
        self.retrier = retrier
    }

    /// Discovers (when asked, when the discovery interval has passed, or when nothing is known yet) and lists
    /// every watched cluster's jobs; the listing stops at once when the task is cancelled.
    func poll(config: WatchdogConfig, evaluator: Evaluator, discover forced: Bool) async -> PollReport {
        let started = ContinuousClock.now
        let poller = ClusterPoller(api: api, config: config, retrier: retrier)
        let interval = Duration.milliseconds(config.watch.discoveryIntervalMillis)
        var discovery = PollReport.Discovery.notDue
        if forced || clusters.isEmpty || lastDiscovery.map({ .now - $0 >= interval }) ?? true {
            discovery = await discover(poller)
        }
        if case .authFailed = discovery {
            return PollReport(
                discovery: discovery, clusters: [], digests: [:], failures: [:], hostSkewMillis: nil,
                duration: .now - started)
        }
        // Deadlines beyond the next poll (with its jitter) are picked up by that poll.
        let horizon = clock.now() + config.watch.pollIntervalMillis * 11 / 10 + 5_000
        let clock = clock
        // Only what this config watches: after a reload, clusters kept from an older discovery may not be.
        let result = await poller.poll(
            clusters: clusters.filter(config.watches),
            digest: { ClusterDigest(cluster: $0, evaluator: evaluator, now: { clock.now() }, horizon: horizon) },
            page: { digest, page in digest.add(page) })
        var report = PollReport(
            discovery: discovery, clusters: result.clusters, digests: result.digests, failures: result.failures,
            hostSkewMillis: clock.hostSkewMillis(), duration: .now - started)
        report.clockOutliers = clock.takeOutliers()
        return report
    }

    private func discover(_ poller: ClusterPoller) async -> PollReport.Discovery {
        do {
            let found = try await poller.discover()
            clusters = found.clusters
            lastDiscovery = .now
            return .found(malformed: found.malformed, unreadableTags: found.unreadableTags)
        } catch {
            let failure = HuaweiCloudError.wrapping(error, operation: "list clusters")
            if failure.retryAdvice == .authBackoff { return .authFailed(failure) }
            // Clusters named by id stay watched (tags unknown: rules on tags fail closed) until discovery works.
            let named = poller.namedClusters.count
            let kept =
                !clusters.isEmpty
                ? "keeping the previous \(clusters.count) clusters"
                : named > 0
                    ? "watching the \(named) cluster\(named == 1 ? "" : "s") named by id, tags unknown"
                    : "no cluster is named by id (or watch.exclude_cluster_tags might exclude them): nothing is watched until discovery works"
            if clusters.isEmpty { clusters = poller.namedClusters }
            return .failed(failure, kept: kept)
        }
    }
}
