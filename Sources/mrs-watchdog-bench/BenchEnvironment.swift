import AsyncHTTPClient
import Foundation
import MRSEmulator
import MRSWatchdog
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// What every benchmark needs: the sibling binaries, an emulator process with a scenario, a config file
/// pointing at it, and the daemon's credentials.
struct BenchEnvironment {
    static let accessKey = "BENCHACCESSKEY000001"
    static let secretKey = "bench-secret-key-for-mrs-emulator-only"
    static let projectId = "0123456789abcdef0123456789abcdef"

    let directory: String
    let binaries: String
    let emulator: ChildRun
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var environment: [String: String] {
        ["PATH": "/usr/bin:/bin", "HUAWEICLOUD_SDK_AK": Self.accessKey, "HUAWEICLOUD_SDK_SK": Self.secretKey]
    }

    /// Starts mrs-emulator with `scenario` (and `faults`) and waits for its port.
    static func start(scenario: Scenario, faults: FaultPlan? = nil, name: String) throws -> BenchEnvironment {
        let binaries = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mrs-bench-\(name)-\(getpid())")
            .path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let scenarioPath = directory + "/scenario.json"
        try JSONEncoder().encode(scenario).write(to: URL(fileURLWithPath: scenarioPath))
        var arguments = [
            "--listen", "127.0.0.1:0", "--scenario", scenarioPath, "--access-key", accessKey, "--secret-key", secretKey,
            "--rate-limits", "off",  // the benchmarks measure the daemon, not the tenant's quota
        ]
        if let faults { arguments += ["--faults", String(decoding: try JSONEncoder().encode(faults), as: UTF8.self)] }
        let log = directory + "/emulator.log"
        let emulator = try ChildRun(
            binaries + "/mrs-emulator", arguments, environment: ["PATH": "/usr/bin:/bin"], logPath: log)
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: log, encoding: .utf8),
                let range = text.range(of: "listening on http://127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            {
                return BenchEnvironment(directory: directory, binaries: binaries, emulator: emulator, port: port)
            }
            usleep(50_000)
        }
        emulator.signal(SIGKILL)
        throw BenchError("mrs-emulator did not start; see \(log)")
    }

    /// Writes a config for the emulator: `rules` JSON array, watch the given clusters.
    func writeConfig(rules: String, clusters: [String], pollInterval: String, safety: String) throws -> String {
        let ids = clusters.map { "\"\($0)\"" }.joined(separator: ",")
        let text = """
            {"mrs": {"region": "cn-north-4", "project_id": "\(Self.projectId)", "endpoint": "\(baseURL)"},
             "watch": {"cluster_ids": [\(ids)], "poll_interval": "\(pollInterval)", "concurrency": 8},
             "safety": \(safety), "rules": \(rules)}
            """
        let path = directory + "/rules.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `mrs-watchdog` with `arguments`; with `profile`, under `perf record -g` writing that file
    /// (its CPU and memory figures then include perf's own).
    func runDaemon(_ arguments: [String], name: String, profile: String? = nil) throws -> ChildRun {
        let daemon = binaries + "/mrs-watchdog"
        guard let profile else {
            return try ChildRun(daemon, arguments, environment: environment, logPath: directory + "/\(name).log")
        }
        return try ChildRun(
            "/usr/bin/perf", ["record", "-F", "2000", "-g", "-o", profile, "--", daemon] + arguments,
            environment: environment, logPath: directory + "/\(name).log")
    }

    func get(_ http: HTTPClient, _ path: String) async throws -> Data {
        let response = try await http.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Data(body.readableBytesView)
    }

    func requestCount(_ http: HTTPClient) async throws -> Int {
        let stats = try JSONDecoder().decode([String: Int].self, from: try await get(http, "/_emulator/stats"))
        return stats["requests"] ?? 0
    }

    /// Kill requests the emulator accepted (HTTP 202).
    func acceptedKills(_ http: HTTPClient) async throws -> Int {
        let kills = try JSONSerialization.jsonObject(with: try await get(http, "/_emulator/kills")) as? [[String: Any]]
        return (kills ?? []).count { ($0["status"] as? Int) == 202 }
    }

    func stop() {
        emulator.signal(SIGTERM)
        _ = emulator.wait()
    }
}
