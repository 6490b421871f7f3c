import AsyncHTTPClient
import Foundation
import MRSEmulator
import MRSWatchdog
import NIOCore
import NIOHTTP1
import Testing
import WatchdogTestSupport

/// The odd inputs of the fail-closed kinds, served over the wire by the emulator: epoch-second timestamps,
/// fields left out, a cluster entry without an id, a job list that repeats its page, a cluster that lists
/// slowly. Each must end in "skipped" or "stopped and reported", never in a wrong kill or in watching nothing.
@Suite(.timeLimit(.minutes(2)))
struct FailClosedEmulatorTests {
    /// A listing's pages, with the reason it ended early if it did.
    static func pages(_ client: MRSHTTPClient, _ cluster: String) async throws -> [JobPage] {
        var pages: [JobPage] = []
        try await client.forEachJobExecutionPage(clusterId: cluster, state: nil) { pages.append($0) }
        return pages
    }

    @Test func aPageThatRepeatsTheLastEndsTheListingAndTheFaultKeepsToItsPaths() async throws {
        try await EmulatorHarness.run { harness in
            let looping = await harness.addCluster("c-loop")
            let healthy = await harness.addCluster("c-healthy")
            for index in 0..<3 {
                try await harness.state.addJob(.init(cluster: looping, name: "loop-\(index)", startOffset: "-1h"))
            }
            for index in 0..<3 {
                try await harness.state.addJob(.init(cluster: healthy, name: "etl-\(index)", startOffset: "-1h"))
            }
            var plan = FaultPlan()
            plan.endlessPages = true
            plan.paths = ["/clusters/c-loop/"]
            await harness.state.setFaults(plan)
            var options = MRSHTTPClient.Options()
            options.jobPageSize = 2
            let client = harness.client(options: options)
            let before = await harness.state.requestCount
            let pages = try await Self.pages(client, looping)
            #expect(await harness.state.requestCount - before == 2, "page 2 repeats page 1: stop there")
            #expect(pages.flatMap(\.jobs).map(\.jobName) == ["loop-2", "loop-1"])
            #expect(pages.last?.endedEarly == "page 2 repeats page 1")
            let other = try await Self.pages(client, healthy)
            #expect(other.flatMap(\.jobs).count == 3)
            #expect(other.allSatisfy { $0.endedEarly == nil })
        }
    }

    @Test func aSlowListingStopsAtItsTimeBoundWithWhatItHas() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-slow")
            for index in 0..<40 {
                try await harness.state.addJob(.init(cluster: cluster, name: "etl-\(index)", startOffset: "-1h"))
            }
            var plan = FaultPlan()
            plan.latencyMs = 100
            await harness.state.setFaults(plan)
            var options = MRSHTTPClient.Options()
            options.jobPageSize = 1
            options.maxListingDuration = .milliseconds(500)
            // 40 pages would take 4 s at least: the bound stops the listing long before, with what it read.
            let pages = try await Self.pages(harness.client(options: options), cluster)
            #expect(pages.count < 20, "\(pages.count) pages")
            #expect(pages.flatMap(\.jobs).count == pages.count)
            #expect(pages.last?.endedEarly?.contains("after 500ms") == true, "\(pages.last?.endedEarly ?? "nil")")
        }
    }

    @Test func aClusterEntryWithoutAnIdIsSkippedAndTheOthersStayWatched() async throws {
        try await EmulatorHarness.run { emulator in
            await emulator.addCluster("c-first", tags: ["env": "dev"])
            await emulator.state.addCluster(Cluster(clusterId: "c-broken", tags: ["env": "dev"]), omit: ["clusterId"])
            await emulator.addCluster("c-third", tags: ["env": "dev"])
            let listing = try await emulator.client().listClusters(state: "existing", tags: [:])
            #expect(listing.clusters.map(\.clusterId) == ["c-first", "c-third"])
            #expect(listing.malformed == [1])

            let overdue = try await emulator.state.addJob(
                .init(cluster: "c-third", name: "etl-x", startOffset: "-10s", queued: "0s"))
            var config = try DaemonHarness.config(emulator, clusters: ["c-first"], rules: DaemonHarness.enforcing("3s"))
            config.watch.clusterIds = []
            config.watch.clusterTags = ["env": "dev"]
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("the job on the third cluster killed", transcript: { daemon.events.transcript }) {
                    await daemon.acceptedKills() == [overdue]
                }
                #expect(
                    daemon.events.notices.contains { $0.contains("1 entry could not be read and skipped (index 1)") })
            }
        }
    }

    @Test func clustersNamedByIdStayWatchedWhenDiscoveryFails() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-named", tags: ["env": "dev"])
            let overdue = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-x", startOffset: "-10s", queued: "0s"))
            let onTags = try await emulator.state.addJob(
                .init(cluster: cluster, name: "report-x", startOffset: "-10s", queued: "0s"))
            var plan = FaultPlan()
            plan.rate500 = 1
            plan.paths = ["cluster_infos"]
            await emulator.state.setFaults(plan)
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "3s", "mode": "enforce"},
                     {"name": "dev-reports", "match": {"cluster_tags": {"env": "dev"}, "job_name": ["report-*"]},
                      "max_runtime": "3s", "mode": "enforce"}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually(
                    "the job a rule without tags names killed", transcript: { daemon.events.transcript }
                ) {
                    await daemon.acceptedKills() == [overdue]
                }
                try await eventually("the job only a tag rule names skipped") {
                    daemon.events.jobIds(.skipped).contains(onTags)
                }
                let skipped = try #require(daemon.events.records(.skipped).first { $0.decision.job.jobId == onTags })
                #expect(skipped.decision.reason.contains("cluster's tags, which could not be read"))
                #expect(
                    daemon.events.notices.contains { $0.contains("watching the 1 cluster named by id") },
                    "\(daemon.events.notices)")
                #expect(await !daemon.acceptedKills().contains(onTags))
            }
        }
    }

    @Test func aDueKillOnOneClusterDoesNotWaitForAnotherClustersListing() async throws {
        try await EmulatorHarness.run { emulator in
            let fast = await emulator.addCluster("c-fast")
            let slow = await emulator.addCluster("c-slow")
            let job = try await emulator.state.addJob(
                .init(cluster: fast, name: "etl-due", startOffset: "0s", queued: "0s"))
            try await emulator.state.addJob(.init(cluster: slow, name: "other", startOffset: "0s", queued: "0s"))
            let started = try #require(try await emulator.client().showJob(clusterId: fast, jobId: job).startedTime)
            let config = try DaemonHarness.config(
                emulator, clusters: [fast, slow], rules: DaemonHarness.enforcing("4s"))
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("the first poll") { daemon.events.cycles >= 1 }
                // From now on every listing of the slow cluster takes 30 s: the next poll is busy until some
                // 27 s past the deadline, so a kill that waited for it would leave that late.
                var plan = FaultPlan()
                plan.latencyMs = 30_000
                plan.paths = ["/clusters/c-slow/job-executions"]
                await emulator.state.setFaults(plan)
                try await eventually("the kill", timeout: .seconds(30), transcript: { daemon.events.transcript }) {
                    await !daemon.acceptedKills().isEmpty
                }
                let kill = try #require(await emulator.state.kills().first)
                let lateness = kill.receivedAt - (started + 4_000)
                // Not a timing bound (the state machine's tests pin the wake to the millisecond): a margin wide
                // enough for a loaded machine, short of the 27 s a kill that waited for the listing would be.
                #expect(lateness >= 0 && lateness < 20_000, "the kill left \(lateness) ms after the deadline")
            }
        }
    }

    @Test func oddJobShapesAreSkippedOverTheWire() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-odd")
            @Sendable func add(_ name: String, omit: [String]? = nil, unit: String? = nil) async throws -> String {
                try await emulator.state.addJob(
                    .init(
                        cluster: cluster, name: name, user: "etl", queue: "default", type: "SparkSubmit",
                        startOffset: "-10s",
                        queued: "0s", omit: omit, timeUnit: unit))
            }
            let plain = try await add("etl-plain")
            let seconds = try await add("etl-seconds", unit: "s")
            let noQueue = try await add("etl-noqueue", omit: ["queue"])
            let noName = try await add("etl-noname", omit: ["job_name"])
            let config = try DaemonHarness.config(
                emulator, clusters: [cluster],
                rules: """
                    [{"name": "r", "match": {"job_name": ["etl-*"]}, "exclude": {"queue": ["prod*"]}, "max_runtime": "3s", "mode": "enforce"}]
                    """)
            try await DaemonHarness.run(emulator, config: config) { daemon in
                try await eventually("three jobs skipped", transcript: { daemon.events.transcript }) {
                    Set(daemon.events.jobIds(.skipped)) == [seconds, noQueue, noName]
                }
                try await eventually("the plain job killed") { await daemon.acceptedKills() == [plain] }
                let reasons = Dictionary(
                    daemon.events.records(.skipped).map { ($0.decision.job.jobId, $0.decision.reason) }
                ) { first, _ in first }
                #expect(reasons[seconds]?.contains("seconds instead of milliseconds") == true)
                #expect(reasons[noQueue] == "exclude.queue needs queue, which MRS did not send")
                #expect(reasons[noName] == "match.job_name needs job_name, which MRS did not send")
                try await Task.sleep(for: .seconds(2))
                #expect(await daemon.acceptedKills() == [plain])
                #expect(daemon.events.jobIds(.skipped).count == 3, "reported once per job")
            }
        }
    }

    /// The issue's six inputs through the CLI an operator runs: a config saved with a byte-order mark, then
    /// `plan`, `explain` over saved responses and `run --once`.
    @Test func theOperatorCommandsSkipWhatTheyCannotKnow() async throws {
        try await EmulatorHarness.run { emulator in
            await emulator.addCluster("c-dev", tags: ["env": "dev"])
            await emulator.addCluster("c-loop", tags: ["env": "dev"])
            await emulator.state.addCluster(Cluster(clusterId: "c-broken", tags: ["env": "dev"]), omit: ["clusterId"])
            @Sendable func add(
                _ cluster: String, _ name: String, type: String = "SparkSubmit", omit: [String]? = nil,
                unit: String? = nil
            ) async throws -> String {
                try await emulator.state.addJob(
                    .init(
                        cluster: cluster, name: name, user: "etl", queue: "default", type: type, startOffset: "-3h",
                        queued: "0s", omit: omit, timeUnit: unit))
            }
            let plain = try await add("c-dev", "etl-plain")
            let seconds = try await add("c-dev", "etl-seconds", unit: "s")
            let backfill = try await add("c-dev", "etl-2024-backfill")
            let noQueue = try await add("c-dev", "nightly-noqueue", type: "HiveSql", omit: ["queue"])
            let looped = try await add("c-loop", "etl-loop")
            var plan = FaultPlan()
            plan.endlessPages = true
            plan.paths = ["/clusters/c-loop/"]
            await emulator.state.setFaults(plan)
            let config = try TemporaryConfig(
                "\u{FEFF}"
                    + ConfigText(
                        mrs: emulator.mrs, watch: #"{"cluster_tags": {"env": "dev"}}"#,
                        rules: """
                            [{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "exclude": {"job_name": ["etl-[0-9]*"]},
                              "max_runtime": "2h", "mode": "enforce"},
                             {"name": "hive-2h", "match": {"job_type": ["HiveSql"]}, "exclude": {"queue": ["prod*"]},
                              "max_runtime": "2h", "mode": "enforce"}]
                            """
                    ).description)
            let environment = DaemonProcessTests.environment
            func cli(_ arguments: [String]) async throws -> ChildProcess.Finished {
                try await ChildProcess.run(
                    "mrs-watchdog", arguments + ["--config", config.path], environment: environment)
            }
            #expect(try await cli(["check"]).status == 0)

            let planned = try await cli(["plan", "--json"])
            #expect(planned.status == 0, "\(planned.stderr)")
            let decisions = try Self.decisions(planned.stdout)
            let expected = [
                plain: "kill", seconds: "skipped-unknown", backfill: "excluded", noQueue: "skipped-unknown",
                looped: "kill",
            ]
            #expect(decisions == expected)
            #expect(planned.stderr.contains("cluster list entry 2 could not be read"), "\(planned.stderr)")
            #expect(planned.stderr.contains("c-loop: page 2 repeats page 1"), "\(planned.stderr)")

            // explain, from the responses `jobs --json` and `clusters --json` save.
            let directory = URL(fileURLWithPath: config.path).deletingLastPathComponent()
            let jobsFile = directory.appendingPathComponent("jobs.json").path
            let clustersFile = directory.appendingPathComponent("clusters.json").path
            try (try await cli(["jobs", "--cluster", "c-dev", "--json"])).stdout.write(
                toFile: jobsFile, atomically: true, encoding: .utf8)
            try (try await cli(["clusters", "--json"])).stdout.write(
                toFile: clustersFile, atomically: true, encoding: .utf8)
            let explained = try await cli([
                "explain", "--jobs", jobsFile, "--clusters", clustersFile, "--cluster", "c-dev", "--json",
            ])
            #expect(explained.status == 0, "\(explained.stderr)")
            #expect(try Self.decisions(explained.stdout) == expected.filter { $0.key != looped })

            let state = try DaemonHarness.freshStateDirectory()
            let once = try await cli(["run", "--once", "--plain", "--state-dir", state])
            #expect(once.status == 0, "\(once.stderr)")
            #expect(Set(await emulator.state.kills().filter { $0.status == 202 }.map(\.jobId)) == [plain, looped])
        }
    }

    /// The form `mrs-emulator --help` shows for a clock behind the host: a negative number after the option.
    @Test func theEmulatorTakesANegativeClockOffset() async throws {
        let emulator = try ChildProcess("mrs-emulator", ["--listen", "127.0.0.1:0", "--clock-offset", "-600"])
        try await emulator.waitForOutput("listening on http://127.0.0.1:")
        let address = try #require(
            emulator.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: address + "/_emulator/stats"), timeout: .seconds(5))
        let date = try #require(response.headers.first(name: "Date"))
        let served = try #require(HTTPDate.parse(date))
        let behind = HostClock.nowMillis() - served
        #expect((595_000...606_000).contains(behind), "the Date header is \(behind) ms behind the host")
        emulator.signal(SIGTERM)
        _ = try await emulator.wait(timeout: .seconds(10))
    }

    /// job id → decision, from `plan --json` or `explain --json`.
    static func decisions(_ json: String) throws -> [String: String] {
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: rows.compactMap { row in
                (row["job_id"] as? String).map { ($0, row["decision"] as? String ?? "?") }
            })
    }
}
