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
        subcommands: [Scale.self, Lateness.self, Memory.self])

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
                + figures.map { "  \(JSONText.quoted($0.0)): \(JSONText.quoted($0.1))" }.joined(
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
                safety:
                    #"{"max_kills_per_cycle": 1000, "max_kills_per_hour": 10000, "max_kills_per_minute": 60, "breaker_threshold": 1000}"#
            )
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
            let floor = try await Self.floorRSS(env: env, config: config)
            let daemon = try env.runDaemon(
                [
                    "run", "--plain", "--config", config, "--state-dir", env.directory + "/state", "--log-level",
                    "error",
                ], name: "memory")
            try await Task.sleep(for: .seconds(11))
            let idleSplit = daemon.memory ?? (0, 0, 0, 0)
            let idle = idleSplit.total

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
                    (
                        "floor: the same binary waiting on its first request",
                        "\(floor.total / 1024) MiB (\(floor.total) KiB: file-backed \(floor.file) KiB, anonymous \(floor.anonymous) KiB)"
                    ),
                    (
                        "RSS idle after 10 cycles (1 s poll)",
                        "\(idle / 1024) MiB (\(idle) KiB: file-backed \(idleSplit.file) KiB, anonymous \(idleSplit.anonymous) KiB)"
                    ),
                    ("run with 20 % faults", "\(minutes) min, poll 1 s"),
                    ("RSS after \(warmup) s of faults", "\(afterWarmup) KiB"),
                    ("RSS at the end", "\(end) KiB"),
                    ("growth after warm-up", "\(end - afterWarmup) KiB"),
                    ("highest RSS sampled", "\(peak) KiB"),
                    ("exit status after SIGTERM", "\(usage.status)"),
                ])
        }

        /// The stack's floor: `mrs-watchdog jobs` (every library loaded, credentials read, an HTTP client with
        /// its event loop) waiting on an endpoint that accepts the connection and never answers; RSS after 3 s.
        static func floorRSS(
            env: BenchEnvironment, config: String
        ) async throws -> (total: Int, file: Int, anonymous: Int) {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(listener) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(listener, pointer, length) == 0 && listen(listener, 8) == 0
                        && getsockname(listener, pointer, &length) == 0
                }
            }
            guard bound else { throw BenchError("cannot listen for the floor measurement: errno \(errno)") }
            let silent = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
            let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
                of: env.baseURL, with: silent)
            let path = env.directory + "/floor.json"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let child = try ChildRun(
                env.binaries + "/mrs-watchdog", ["jobs", "--config", path, "--cluster", "c-memory"],
                environment: env.environment, logPath: env.directory + "/floor.log")
            try await Task.sleep(for: .seconds(3))
            let rss = child.memory ?? (0, 0, 0, 0)
            child.signal(SIGKILL)
            _ = child.wait()
            return (rss.total, rss.file, rss.anonymous)
        }
    }
}
