import MRSEmulator
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// What `plan` does — discover, poll, evaluate at server time — against the emulator.
@Suite(.timeLimit(.minutes(1)))
struct PlanAgainstEmulatorTests {
    @Test func discoversWatchedClustersAndDecidesAtServerTime() async throws {
        try await EmulatorHarness.run(clockOffsetMillis: -600_000) { harness in
            await harness.addCluster("c-dev", tags: ["env": "dev"])
            await harness.addCluster("c-off", tags: ["env": "dev", "watchdog": "off"])
            await harness.addCluster("c-prod", tags: ["env": "prod"])
            let runaway = try await harness.state.addJob(
                .init(cluster: "c-dev", name: "etl-big", type: "SparkSubmit", startOffset: "-3h", queued: "1m"))
            let young = try await harness.state.addJob(
                .init(cluster: "c-dev", name: "etl-small", type: "SparkSubmit", startOffset: "-30m", queued: "1m"))
            _ = try await harness.state.addJob(
                .init(cluster: "c-off", name: "etl-big", type: "SparkSubmit", startOffset: "-3h"))
            _ = try await harness.state.addJob(
                .init(cluster: "c-prod", name: "etl-big", type: "SparkSubmit", startOffset: "-3h"))
            let text = ConfigText(
                mrs: harness.mrs,
                watch: #"{"cluster_tags": {"env": "dev"}, "exclude_cluster_tags": {"watchdog": "off"}}"#,
                rules:
                    #"[{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce"}]"#)
            let config = try ConfigLoader.parse(text.description, file: "plan.json").get()
            let clock = ServerClock()
            let client = harness.client(onServerDate: { clock.observe(serverMillis: $0) })
            let poller = ClusterPoller(api: client, config: config)
            let clusters = try await poller.discover().clusters
            #expect(clusters.map(\.clusterId) == ["c-dev"])
            let result = await poller.poll(clusters: clusters)
            #expect(result.failures.isEmpty)
            let evaluator = Evaluator(config: config)
            let decisions = (result.digests["c-dev"]?.jobs ?? []).map {
                evaluator.decide(clusterId: "c-dev", clusterTags: clusters[0].tags, job: $0, now: clock.now())
            }
            #expect(Set(decisions.filter { $0.kind == .kill }.map(\.job.jobId)) == [runaway])
            #expect(decisions.first { $0.job.jobId == young }?.kind == .ok)
            // Server time, not host time: the emulator runs 10 minutes behind.
            #expect(abs(clock.hostSkewMillis()! - 600_000) < 3000)
            #expect(await harness.state.kills().isEmpty)
        }
    }
}
