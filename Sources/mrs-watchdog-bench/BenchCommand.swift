import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MRSEmulator
import MRSWatchdog
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#endif

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrs-watchdog-bench",
        abstract: "Benchmarks of mrs-watchdog against mrs-emulator on loopback; prints a table and writes JSON.",
        discussion: "Run the release build (make bench). Figures are recorded in BENCHMARKS.md.",
        subcommands: [Scale.self, Evaluate.self, Lateness.self, Memory.self])

    struct Output: ParsableArguments {
        @Option(help: "Directory for the JSON results.")
        var out = "bench-results"

        func write(_ name: String, _ figures: [(String, String)]) throws {
            let width = figures.map(\.0.count).max() ?? 0
            for (key, value) in figures {
                print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let json =
                "{\n"
                + figures.map { "  \(DecisionTable.quoted($0.0)): \(DecisionTable.quoted($0.1))" }.joined(
                    separator: ",\n") + "\n}\n"
            try json.write(toFile: "\(out)/\(name).json", atomically: true, encoding: .utf8)
            print("written \(out)/\(name).json")
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ duration: Duration) -> String {
        String(format: "%.3f s", seconds(duration))
    }

    static func quiet() -> Logger { Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }) }
}

extension BenchCommand {
    /// One full cycle over many clusters and jobs, as `run --once` in observe mode (no kills), measured as
    /// a child process: wall, CPU, peak RSS, requests; and the floor: fetching the same pages, nothing else.
    struct Scale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One cycle over 200 clusters × 500 active jobs.")
        @Option var clusters = 200
        @Option var jobs = 500
        @OptionGroup var output: Output

        func run() async throws {
            var scenario = Scenario(clusters: [], jobs: [])
            let ids = (0..<clusters).map { String(format: "c0ffee00-0000-4000-8000-%012d", $0) }
            for id in ids {
                scenario.clusters.append(.init(id: id, name: "bench-\(id.suffix(4))", tags: ["env": "bench"]))
                for index in 0..<jobs {
                    let over = index % 100 == 0  // 1 % over the 2 h limit
                    scenario.jobs.append(
                        .init(
                            cluster: id, name: "etl-\(index)", user: "etl", queue: "default", type: "SparkSubmit",
                            startOffset: over ? "-3h" : "-30m", queued: "0s"))
                }
            }
            let env = try BenchEnvironment.start(scenario: scenario, name: "scale")
            defer { env.stop() }
            let config = try env.writeConfig(
                rules:
                    #"[{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "observe"}]"#,
                clusters: ids, pollInterval: "60s", safety: "{}")
            try await HTTPClient.withHTTPClient { http in
                try await measure(env: env, http: http, ids: ids, config: config)
            }
        }

        func measure(env: BenchEnvironment, http: HTTPClient, ids: [String], config: String) async throws {
            let before = try await env.requestCount(http)
            let child = try env.runDaemon(
                [
                    "run", "--once", "--plain", "--config", config, "--state-dir", env.directory + "/state",
                    "--log-level", "warning",
                ],
                name: "scale")
            let usage = child.wait()
            let requests = try await env.requestCount(http) - before
            let pages = (jobs + 99) / 100
            let expected = clusters * pages + (clusters + 99) / 100

            let floor = try await Self.fetchPages(env: env, http: http, clusters: ids, pages: pages)
            let ratio: Double = BenchCommand.seconds(usage.wall) / BenchCommand.seconds(floor)
            try output.write(
                "scale-cycle",
                [
                    ("clusters × active jobs", "\(clusters) × \(jobs) = \(clusters * jobs)"),
                    ("exit status", "\(usage.status)"),
                    ("wall", BenchCommand.format(usage.wall)),
                    ("CPU", String(format: "%.3f s", usage.cpuSeconds)),
                    ("peak RSS", "\(usage.peakRSSKiB / 1024) MiB (\(usage.peakRSSKiB) KiB)"),
                    ("requests", "\(requests) (discovery + Σ⌈active/100⌉ = \(expected))"),
                    ("floor: fetch the same pages", BenchCommand.format(floor)),
                    ("wall / floor", String(format: "%.2f", ratio)),
                ])
        }

        /// The same signed GETs, 8 at a time, bodies read and dropped: what any client must at least spend.
        static func fetchPages(
            env: BenchEnvironment, http: HTTPClient, clusters: [String], pages: Int
        ) async throws -> Duration {
            let credentials = Credentials(accessKey: BenchEnvironment.accessKey, secretKey: BenchEnvironment.secretKey)
            let host = "127.0.0.1:\(env.port)"
            var paths: [(String, [SignableRequest.QueryItem])] = (1...((clusters.count + 99) / 100)).map {
                (
                    "/v1.1/\(BenchEnvironment.projectId)/cluster_infos",
                    [.init("pageSize", "100"), .init("currentPage", "\($0)")]
                )
            }
            for id in clusters {
                for page in 1...pages {
                    paths.append(
                        (
                            "/v2/\(BenchEnvironment.projectId)/clusters/\(id)/job-executions",
                            [.init("limit", "100"), .init("job_state", "RUNNING"), .init("offset", "\(page)")]
                        ))
                }
            }
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                var pending = paths[...]
                func add(_ item: (String, [SignableRequest.QueryItem])) {
                    group.addTask {
                        let signed = AKSKSigner().sign(
                            SignableRequest(
                                method: "GET", host: host, path: item.0, query: item.1,
                                headers: [.init("Content-Type", "application/json")]),
                            credentials: credentials, date: SdkDate(epochSeconds: HostClock.nowMillis() / 1000))
                        var request = HTTPClientRequest(url: env.baseURL + signed.pathAndQuery)
                        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 16 << 20)
                        guard (200..<300).contains(response.status.code) else {
                            throw BenchError("floor fetch: HTTP \(response.status.code)")
                        }
                    }
                }
                for _ in 0..<8 { if let next = pending.popFirst() { add(next) } }
                while try await group.next() != nil { if let next = pending.popFirst() { add(next) } }
            }
            return .now - started
        }
    }

    /// The pure evaluator alone: many jobs against many rules.
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "100,000 jobs × 50 rules through the evaluator.")
        @Option var jobs = 100_000
        @Option var rules = 50
        @OptionGroup var output: Output

        func run() async throws {
            let now: Int64 = 1_800_000_000_000
            let ruleList = try (0..<rules).map { index -> Rule in
                var match = JobMatcher()
                match.jobName = [try Glob("team\(index)-*")]
                match.jobType = ["SparkSubmit", "HiveSql"]
                if index % 5 == 0 { match.user = [try Glob("svc-*")] }
                return Rule(
                    name: "r\(index)", match: match, maxRuntimeMillis: Int64(1 + index % 4) * 3_600_000,
                    warnBeforeMillis: 600_000, mode: index % 2 == 0 ? .enforce : .observe)
            }
            let jobList = (0..<jobs).map { index -> JobExecution in
                let started: Int64 = now - Int64(index % 300) * 60_000
                let user = index % 3 == 0 ? "svc-etl" : "ana"
                let type = index % 2 == 0 ? "SparkSubmit" : "HiveSql"
                return JobExecution(
                    jobId: "job-\(index)", jobName: "team\(index % (rules + 10))-job-\(index)", user: user,
                    queue: "default", jobType: type, jobStateText: "RUNNING", submittedTime: started - 60_000,
                    startedTime: started)
            }
            let evaluator = Evaluator(rules: ruleList, exemptions: [], dryRun: false)
            var best = Duration.seconds(3600)
            var kills = 0
            for _ in 0..<5 {
                let started = ContinuousClock.now
                kills = 0
                for job in jobList
                where evaluator.decide(clusterId: "c", clusterTags: [:], job: job, now: now).kind == .kill {
                    kills += 1
                }
                best = min(best, .now - started)
            }
            try output.write(
                "evaluate",
                [
                    ("jobs × rules", "\(jobs) × \(rules)"),
                    ("best of 5", BenchCommand.format(best)),
                    ("per job", String(format: "%.2f µs", BenchCommand.seconds(best) * 1e6 / Double(jobs))),
                    ("kill decisions", "\(kills)"),
                ])
        }
    }

    /// How late kills leave: deadlines spread over minutes, a long poll interval, lateness from the
    /// emulator's kill log (its own clock) against each job's started_time + limit.
    struct Lateness: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "200 deadlines over 5 minutes, poll_interval 60 s.")
        @Option var jobs = 200
        @Option(help: "Seconds over which the deadlines are spread.") var spread = 300
        @OptionGroup var output: Output

        func run() async throws {
            let limit = 600
            var scenario = Scenario(
                clusters: [.init(id: "c-lateness", name: "lateness", tags: ["env": "bench"])], jobs: [])
            for index in 0..<jobs {
                // Deadline 20 s after start, then every spread/jobs seconds.
                let remaining = 20.0 + Double(spread) * Double(index) / Double(jobs)
                scenario.jobs.append(
                    .init(
                        cluster: "c-lateness", name: "etl-\(index)",
                        startOffset: "-\(Int((Double(limit) - remaining) * 1000))ms", queued: "0s"))
            }
            let env = try BenchEnvironment.start(scenario: scenario, name: "lateness")
            defer { env.stop() }
            let config = try env.writeConfig(
                rules:
                    #"[{"name": "etl-10m", "match": {"job_name": ["etl-*"]}, "max_runtime": "10m", "mode": "enforce"}]"#,
                clusters: ["c-lateness"], pollInterval: "60s",
                safety: #"{"max_kills_per_cycle": 1000, "max_kills_per_hour": 10000, "breaker_threshold": 1000}"#)
            let daemon = try env.runDaemon(
                [
                    "run", "--plain", "--config", config, "--state-dir", env.directory + "/state", "--log-level",
                    "warning",
                ], name: "lateness")
            print("running for \(spread + 40) s …")
            try await Task.sleep(for: .seconds(spread + 40))
            daemon.signal(SIGTERM)
            _ = daemon.wait()

            try await HTTPClient.withHTTPClient { http in try await report(env: env, http: http, limit: limit) }
        }

        func report(env: BenchEnvironment, http: HTTPClient, limit: Int) async throws {
            let kills = try JSONDecoder().decode(
                [EmulatorState.KillRecord].self, from: try await env.get(http, "/_emulator/kills"))
            let client = MRSHTTPClient(
                http: http, endpoint: MRSEndpoint(url: env.baseURL)!, projectId: BenchEnvironment.projectId,
                credentials: StaticCredentialProvider(
                    Credentials(accessKey: BenchEnvironment.accessKey, secretKey: BenchEnvironment.secretKey),
                    source: "bench"),
                logger: BenchCommand.quiet())
            var lateness: [Int64] = []
            for kill in kills where kill.status == 202 {
                let started = try await client.showJob(clusterId: kill.clusterId, jobId: kill.jobId).startedTime ?? 0
                lateness.append(kill.receivedAt - (started + Int64(limit) * 1000))
            }
            lateness.sort()
            func percentile(_ p: Double) -> String {
                lateness.isEmpty ? "-" : "\(lateness[min(lateness.count - 1, Int(Double(lateness.count) * p))]) ms"
            }
            try output.write(
                "kill-lateness",
                [
                    ("jobs killed / due", "\(lateness.count) / \(jobs)"),
                    ("poll interval", "60 s"),
                    ("p50", percentile(0.50)),
                    ("p99", percentile(0.99)),
                    ("max", lateness.last.map { "\($0) ms" } ?? "-"),
                    ("min (negative = early)", lateness.first.map { "\($0) ms" } ?? "-"),
                ])
        }
    }

    /// Resident memory of the release binary: idle after 10 cycles, and growth over a long run with faults.
    struct Memory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "RSS idle after 10 cycles; growth over a long run with 20 % faults.")
        @Option(help: "Length of the run with faults, in minutes.") var minutes = 20
        @OptionGroup var output: Output

        func run() async throws {
            var scenario = Scenario(clusters: [.init(id: "c-memory", name: "memory", tags: ["env": "bench"])], jobs: [])
            for index in 0..<20 {
                scenario.jobs.append(
                    .init(cluster: "c-memory", name: "etl-\(index)", startOffset: "-\(index * 3 + 1)m"))
            }
            let env = try BenchEnvironment.start(scenario: scenario, name: "memory")
            defer { env.stop() }
            let config = try env.writeConfig(
                rules:
                    #"[{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce"}]"#,
                clusters: ["c-memory"], pollInterval: "1s", safety: "{}")
            let daemon = try env.runDaemon(
                [
                    "run", "--plain", "--config", config, "--state-dir", env.directory + "/state", "--log-level",
                    "error",
                ], name: "memory")
            try await Task.sleep(for: .seconds(11))
            let idle = daemon.currentRSSKiB ?? 0

            // 20 % of requests now fail: 429, 500, 502, resets and hangs.
            var faults = FaultPlan()
            (faults.rate429, faults.rate500, faults.rate502, faults.rateReset, faults.rateHang) = (
                0.05, 0.05, 0.04, 0.03, 0.03
            )
            var request = HTTPClientRequest(url: env.baseURL + "/_emulator/faults")
            request.method = .PUT
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(faults)))
            try await HTTPClient.withHTTPClient { http in _ = try await http.execute(request, timeout: .seconds(10)) }
            print("running \(minutes) min with 20 % faults …")
            let warmup = min(120, minutes * 60 / 4)
            try await Task.sleep(for: .seconds(warmup))
            let afterWarmup = daemon.currentRSSKiB ?? 0
            var peak = afterWarmup
            for _ in 0..<max(1, (minutes * 60 - warmup) / 10) {
                try await Task.sleep(for: .seconds(10))
                peak = max(peak, daemon.currentRSSKiB ?? 0)
            }
            let end = daemon.currentRSSKiB ?? 0
            daemon.signal(SIGTERM)
            let usage = daemon.wait()
            try output.write(
                "memory",
                [
                    ("RSS idle after 10 cycles (1 s poll)", "\(idle / 1024) MiB (\(idle) KiB)"),
                    ("run with 20 % faults", "\(minutes) min, poll 1 s"),
                    ("RSS after \(warmup) s of faults", "\(afterWarmup) KiB"),
                    ("RSS at the end", "\(end) KiB"),
                    ("growth after warm-up", "\(end - afterWarmup) KiB"),
                    ("highest RSS sampled", "\(peak) KiB"),
                    ("exit status after SIGTERM", "\(usage.status)"),
                ])
        }
    }
}
