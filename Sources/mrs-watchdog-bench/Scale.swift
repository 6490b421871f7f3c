import ArgumentParser
import AsyncHTTPClient
import Foundation
import MRSEmulator
import MRSWatchdog
import NIOCore
import NIOHTTP1

extension BenchCommand {
    /// One cycle over many clusters and jobs, by `mrs-watchdog run --once` and by the peer — a loop over the
    /// official Python SDK (`bench/sdk_peer.py`) — each against a fresh mrs-emulator in the same run, with and
    /// without kills: medians of CPU, peak RSS and wall, and the peer/ours ratios. Without kills it also
    /// measures the floor: fetching the same pages and nothing else.
    struct Scale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One cycle over 200 clusters × 500 running jobs, ours and the official SDK's, side by side.")
        @Option var clusters = 200
        @Option var jobs = 500
        @Option(help: "Runs of each side; the medians are reported.") var runs = 3
        @Option(help: "A Python with huaweicloudsdkmrs (make bench makes .build-bench/peer-venv).")
        var peerPython = ".build-bench/peer-venv/bin/python"
        @Option var peerScript = "bench/sdk_peer.py"
        @Option(
            help: ArgumentHelp(
                "Profile our runs with perf record -g into this directory (scale-ours-killed-1.data, …); their CPU figures then include perf's.",
                valueName: "DIR"))
        var perfDirectory: String?
        @OptionGroup var output: Output

        /// 1 % of the jobs run for 3 hours, over the 2-hour limit; the rest for 30 minutes.
        var scenario: (Scenario, [String]) {
            var scenario = Scenario(clusters: [], jobs: [])
            let ids = (0..<clusters).map { String(format: "c0ffee00-0000-4000-8000-%012d", $0) }
            for id in ids {
                scenario.clusters.append(.init(id: id, name: "bench-\(id.suffix(4))", tags: ["env": "bench"]))
                for index in 0..<jobs {
                    scenario.jobs.append(
                        .init(
                            cluster: id, name: "etl-\(index)", user: "etl", queue: "default", type: "SparkSubmit",
                            startOffset: index % 100 == 0 ? "-3h" : "-30m", queued: "0s"))
                }
            }
            return (scenario, ids)
        }

        struct Sample {
            var usage: ChildRun.Usage
            var kills: Int
            var floor: Duration?
            /// CPU seconds of the emulator serving the pages while ours ran, and of the emulator and the plain
            /// client (this process) while the floor was fetched: they share the machine's two cores with the
            /// daemon, so they show whether a run's wall is bound by CPU.
            var emulatorCPU: Double?
            var floorCPU: Double?
        }

        /// User and system CPU seconds of this process so far.
        static func ownCPU() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return usage.cpuSeconds
        }

        func run() async throws {
            let (scenario, ids) = self.scenario
            if let perfDirectory {
                try FileManager.default.createDirectory(atPath: perfDirectory, withIntermediateDirectories: true)
            }
            var figures: [(String, String)] = [
                ("clusters × running jobs", "\(clusters) × \(jobs) = \(clusters * jobs)")
            ]
            try await HTTPClient.withHTTPClient { http in
                for kill in [false, true] {
                    var ours: [Sample] = []
                    var peer: [Sample] = []
                    for run in 0..<runs {
                        ours.append(try await runOurs(scenario, ids, kill: kill, run: run, http: http))
                        peer.append(try await runPeer(scenario, ids, kill: kill, http: http))
                    }
                    figures += Self.compare(kill ? "1 % due, killed" : "nothing due", ours: ours, peer: peer)
                }
            }
            try output.write("scale", figures)
        }

        func runOurs(
            _ scenario: Scenario, _ ids: [String], kill: Bool, run: Int, http: HTTPClient
        ) async throws -> Sample {
            let env = try BenchEnvironment.start(scenario: scenario, name: "scale")
            defer { env.stop() }
            let mode = kill ? "enforce" : "observe"
            // Budgets and breaker lifted: the figure is the cost of the work, not of waiting for budgets.
            let config = try env.writeConfig(
                rules:
                    #"[{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "\#(mode)"}]"#,
                clusters: ids, pollInterval: "60s",
                safety:
                    #"{"max_kills_per_cycle": 10000, "max_kills_per_hour": 100000, "max_kills_per_minute": 60, "max_reads_per_minute": 1000, "breaker_threshold": 100000}"#
            )
            let before = env.emulator.cpuSecondsSoFar ?? 0
            let child = try env.runDaemon(
                [
                    "run", "--once", "--plain", "--config", config, "--state-dir", env.directory + "/state",
                    "--log-level", "warning", "--rate-window-ms", "500",
                ],
                name: "scale-ours",
                profile: perfDirectory.map { "\($0)/scale-ours-\(kill ? "killed" : "nothing-due")-\(run + 1).data" })
            let usage = child.wait()
            var sample = Sample(usage: usage, kills: 0, emulatorCPU: (env.emulator.cpuSecondsSoFar ?? 0) - before)
            if !kill {
                let before = Self.ownCPU() + (env.emulator.cpuSecondsSoFar ?? 0)
                sample.floor = try await Self.fetchPages(
                    env: env, http: http, clusters: ids, pages: (jobs + 99) / 100)
                sample.floorCPU = Self.ownCPU() + (env.emulator.cpuSecondsSoFar ?? 0) - before
            }
            sample.kills = try await env.acceptedKills(http)
            return sample
        }

        func runPeer(_ scenario: Scenario, _ ids: [String], kill: Bool, http: HTTPClient) async throws -> Sample {
            let env = try BenchEnvironment.start(scenario: scenario, name: "scale")
            defer { env.stop() }
            let child = try ChildRun(
                peerPython, [peerScript, env.baseURL, BenchEnvironment.projectId, "7200", kill ? "1" : "0"] + ids,
                environment: env.environment, logPath: env.directory + "/scale-peer.log")
            let usage = child.wait()
            guard usage.status == 0 else { throw BenchError("the peer failed; see \(env.directory)/scale-peer.log") }
            return Sample(usage: usage, kills: try await env.acceptedKills(http), floor: nil)
        }

        static func compare(_ name: String, ours: [Sample], peer: [Sample]) -> [(String, String)] {
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            func line(_ what: String, _ unit: String, _ value: (Sample) -> Double) -> (String, String) {
                let (mine, theirs) = (median(ours.map(value)), median(peer.map(value)))
                return (
                    "\(name): \(what) ours / peer",
                    String(format: "%.2f / %.2f %@ — peer/ours %.1f×", mine, theirs, unit, theirs / mine)
                )
            }
            var lines = [
                line("CPU", "s") { $0.usage.cpuSeconds },
                line("peak RSS", "MiB") { Double($0.usage.peakRSSKiB) / 1024 },
                line("peak RSS, file-backed part", "MiB") { Double($0.usage.peakFileKiB) / 1024 },
                line("peak RSS, anonymous part", "MiB") { Double($0.usage.peakAnonKiB) / 1024 },
                line("wall", "s") { BenchCommand.seconds($0.usage.wall) },
                ("\(name): kills accepted ours / peer", "\(ours.map(\.kills)) / \(peer.map(\.kills))"),
                (
                    "\(name): runs (CPU s, ours)",
                    ours.map { String(format: "%.2f", $0.usage.cpuSeconds) }.joined(separator: ", ")
                ),
                (
                    "\(name): runs (CPU s, peer)",
                    peer.map { String(format: "%.2f", $0.usage.cpuSeconds) }.joined(separator: ", ")
                ),
            ]
            let floors = ours.compactMap(\.floor).map(BenchCommand.seconds)
            if !floors.isEmpty {
                let wall = median(ours.map { BenchCommand.seconds($0.usage.wall) })
                lines.append(
                    (
                        "\(name): floor (fetch the same pages)",
                        String(format: "%.2f s — wall/floor %.2f", median(floors), wall / median(floors))
                    ))
                let serving = median(ours.compactMap(\.emulatorCPU))
                let floorCPU = median(ours.compactMap(\.floorCPU))
                lines.append(
                    (
                        "\(name): CPU beside it (emulator; floor: emulator + client)",
                        String(
                            format: "%.2f s while ours ran (with ours: %.2f s in %.2f s wall); %.2f s for the floor",
                            serving, serving + median(ours.map(\.usage.cpuSeconds)), wall, floorCPU)
                    ))
            }
            return lines
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
}
