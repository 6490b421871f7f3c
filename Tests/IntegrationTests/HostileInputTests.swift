import AsyncHTTPClient
import Foundation
import Logging
import MRSEmulator
import MRSWatchdog
import MetricsEndpoint
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing
import WatchdogTestSupport

/// Issue 25's rows, reproduced against the built binaries, the emulator and hostile peers on loopback: what
/// an endpoint, a receiver or the environment does can neither stall the daemon nor read a secret.
struct HostileInputTests {
    /// `https_proxy`/`http_proxy` set for MRS: the agency's keys and token are still fetched directly from
    /// the metadata service, never through the proxy, even when `no_proxy` names its host.
    @Test func theMetadataServiceIsNeverAskedThroughAProxy() async throws {
        try await EmulatorHarness.run { emulator in
            let proxy = try HostilePeer(.status(502))
            defer { proxy.stop() }
            // MRS by name (proxied), the metadata service by address (named in no_proxy).
            let config = try TemporaryConfig(
                ConfigText(
                    mrs: .init(projectId: EmulatorHarness.projectId, endpoint: "http://localhost:\(emulator.port)")
                ).description)
            let result = try await ChildProcess.run(
                "mrs-watchdog", ["clusters", "--config", config.path],
                environment: ChildProcess.cleanEnvironment([
                    "http_proxy": "http://127.0.0.1:\(proxy.port)", "https_proxy": "http://127.0.0.1:\(proxy.port)",
                    "no_proxy": "127.0.0.1", "MRS_WATCHDOG_METADATA_URL": emulator.baseURL,
                ]))
            let lines = proxy.requestLines
            #expect(
                lines.contains { $0.contains("localhost:\(emulator.port)") }, "MRS went through the proxy: \(lines)")
            #expect(
                !lines.contains { $0.contains("securitykey") || $0.contains("api/token") },
                "the proxy saw the metadata requests: \(lines) \(result.output)")
        }
    }

    /// An MRS endpoint (or anything on its path) that sends the head, then its body a byte at a time: the
    /// call ends at `request_timeout`, so a poll always ends.
    @Test func aBodySentSlowlyIsCutOffAtTheRequestTimeout() async throws {
        let peer = try HostilePeer(.slowBody(interval: .milliseconds(200)))
        defer { peer.stop() }
        try await HTTPClient.withHTTPClient { http in
            var options = MRSHTTPClient.Options()
            options.requestTimeout = .seconds(1)
            let client = MRSHTTPClient(
                http: http, endpoint: MRSEndpoint(url: "http://127.0.0.1:\(peer.port)")!,
                projectId: EmulatorHarness.projectId,
                credentials: StaticCredentialProvider(EmulatorHarness.credentials, source: "test"), options: options,
                logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
            let outcome = try await Self.within(.seconds(20)) {
                do {
                    _ = try await client.listClusters()
                    return "answered"
                } catch let error as HuaweiCloudError {
                    return error.metricLabel
                }
            }
            #expect(outcome == "transport.timeout", "the call ended with \(outcome ?? "nothing after 20 s")")
        }
    }

    /// A webhook receiver that sends its answer a byte at a time holds a delivery no longer than the
    /// webhook's timeout; a failing one never has its URL (whose path is the credential) logged or reported.
    @Test func aWebhookIsBoundedByItsTimeoutAndItsURLIsNeverShown() async throws {
        let slow = try HostilePeer(.slowBody(interval: .milliseconds(200)))
        let failing = try HostilePeer(.status(500))
        defer {
            slow.stop()
            failing.stop()
        }
        let secretPath = "/services/T000/B000/XyZsecretPATH?token=QUERYsecret"
        let settings = try ConfigLoader.parse(
            ConfigText(
                mrs: .init(projectId: "p"),
                more: """
                    "notifications": {"webhook": {"url": "http://127.0.0.1:\(slow.port)\(secretPath)", "timeout": "1s"},
                                      "owners": {"by_user": {"ana": {"webhook": {
                                          "url": "http://127.0.0.1:\(failing.port)\(secretPath)", "timeout": "1s"}}}}}
                    """
            ).description, file: "t.json"
        ).get().notifications
        let logged = LogCapture()
        let deliveries = Mutex<[NotificationDelivery]>([])
        try await HTTPClient.withHTTPClient { http in
            let dispatcher = NotificationDispatcher(
                settings: settings,
                makeChannels: NotificationChannels.factory(
                    http: http, direct: http, environment: [:], projectId: "p",
                    credentials: StaticCredentialProvider(EmulatorHarness.credentials, source: "test"),
                    logger: logged.logger),
                logger: logged.logger, retryDelays: [])
            dispatcher.reportDeliveries { delivery in deliveries.withLock { $0.append(delivery) } }
            dispatcher.emit(Self.warning(user: "ana"))
            dispatcher.finish()
            let finished = try await Self.within(.seconds(20)) { try await dispatcher.run() }
            #expect(finished != nil, "the deliveries did not end within 20 s")
        }
        let outcomes = deliveries.withLock { $0 }
        #expect(outcomes.map(\.channel) == ["owner ana webhook", "webhook"], "ana's failed, then the default's")
        #expect(outcomes.allSatisfy { $0.failure != nil }, "\(outcomes.map { $0.failure ?? "-" })")
        #expect(
            outcomes.last?.failure?.contains("timeout") == true, "\(outcomes.map { $0.failure ?? "-" }) \(logged.lines)"
        )
        let text = logged.lines.joined(separator: "\n") + outcomes.compactMap(\.failure).joined(separator: "\n")
        #expect(text.contains("http://127.0.0.1:\(failing.port)/…"), "\(text)")
        #expect(!text.contains("secretPATH") && !text.contains("QUERYsecret"), "\(text)")
    }

    /// A job owner's name with a colour escape, a C1 control sequence introducer, a right-to-left override,
    /// a NUL and a line break that would start a forged journal entry, and a cluster named and tagged with
    /// escapes: `jobs`, `plan`, `run --plain`, `clusters`, `report` and the journal's stream show them as
    /// escapes; `--json` keeps them exactly, escaped as JSON.
    @Test func controlCharactersInAJobNameReachNoTerminalAndNoLogRaw() async throws {
        try await EmulatorHarness.run { emulator in
            let name = "etl-\u{1B}[2J\u{1B}[31mred\u{9B}1m\u{202E}txt.exe\u{0}\n<0>forged emergency\u{7F}\u{200B}x"
            let cluster = "c-names"
            // The cluster's name and a tag are the endpoint's (or whoever tagged it) to choose too.
            await emulator.state.addCluster(
                Cluster(
                    clusterId: cluster, clusterName: "dev-\u{1B}]0;owned\u{7}\u{202E}", clusterState: "running",
                    tags: ["team": "\u{1B}[5m\nx"]))
            _ = try await emulator.state.addJob(.init(cluster: cluster, name: name, startOffset: "-3h"))
            let config = try TemporaryConfig(
                DaemonProcessTests.configText(emulator, cluster: cluster, rules: DaemonHarness.enforcing("2h")))
            let state = try DaemonHarness.freshStateDirectory()
            var outputs: [(String, ChildProcess.Finished)] = []
            for arguments in [
                ["jobs", "--cluster", cluster], ["plan"], ["run", "--once", "--plain", "--state-dir", state],
                ["clusters"], ["report", "--state-dir", state, "--by", "cluster"],
            ] {
                let finished = try await ChildProcess.run(
                    "mrs-watchdog", arguments[0] == "report" ? arguments : arguments + ["--config", config.path],
                    environment: DaemonProcessTests.environment.merging(["JOURNAL_STREAM": ""]) { $1 })
                outputs.append((arguments[0], finished))
            }
            for (command, finished) in outputs {
                #expect(finished.status == 0, "\(command): \(finished.output)")
                let unsafe = finished.output.unicodeScalars.filter { SafeTextProbe.isUnsafe($0) && $0 != "\n" }
                #expect(unsafe.isEmpty, "\(command) wrote \(unsafe.map { String($0.value, radix: 16) }) raw")
                #expect(!finished.output.contains("\n<0>forged"), "\(command) let the name start a line")
            }
            #expect(outputs[0].1.stdout.contains("\\x1b[31mred\\u009b1m\\u202etxt.exe\\x00\\x0a<0>forged"))
            #expect(outputs[0].1.stdout.contains("emergency\\u007f\\u200bx"), "zero-width characters are shown")
            #expect(outputs[3].1.stdout.contains("dev-\\x1b]0;owned\\x07\\u202e"), "\(outputs[3].1.stdout)")
            let json = try await ChildProcess.run(
                "mrs-watchdog", ["jobs", "--cluster", cluster, "--json", "--config", config.path],
                environment: DaemonProcessTests.environment)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let jobs = object?["job_list"] as? [[String: Any]]
            #expect(jobs?.first?["job_name"] as? String == name, "JSON keeps the name exactly: \(json.stdout)")
        }
    }

    /// A job owner's properties as compact JSON and arguments with a secret-named flag: neither `jobs`,
    /// `jobs --json` (what a saved job list holds), `plan` nor the daemon's log shows the secrets.
    @Test func secretsInJobFieldsReachNoOutput() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-secrets")
            _ = try await emulator.state.addJob(
                .init(
                    cluster: cluster, name: "etl-sec", startOffset: "-3h",
                    arguments: #"["--class", "x.Main", "--db-password", "HUNTER2xyz"]"#,
                    properties: #"{"fs.obs.secret.key":"SKsecret123","fs.obs.access.key":"AKsecret456","a":"b"}"#))
            let config = try TemporaryConfig(
                DaemonProcessTests.configText(emulator, cluster: cluster, rules: DaemonHarness.enforcing("2h")))
            let state = try DaemonHarness.freshStateDirectory()
            for arguments in [
                ["jobs", "--cluster", cluster], ["jobs", "--cluster", cluster, "--json"], ["plan", "--json"],
                ["run", "--once", "--plain", "--state-dir", state],
            ] {
                let finished = try await ChildProcess.run(
                    "mrs-watchdog", arguments + ["--config", config.path], environment: DaemonProcessTests.environment)
                for secret in ["HUNTER2xyz", "SKsecret123", "AKsecret456"] {
                    #expect(!finished.output.contains(secret), "\(arguments) showed \(secret)")
                }
                if arguments.contains("--json"), arguments[0] == "jobs" {
                    #expect(finished.stdout.contains("fs.obs.secret.key"), "the key is kept: \(finished.stdout)")
                }
            }
        }
    }

    /// Private files by default: `check` warns about a config every user may read that holds webhook URLs,
    /// and `run --once` (from cron, with the caller's umask) makes a private state directory.
    @Test func webhookURLsAndStateAreNotLeftReadableByEveryone() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-private")
            var text = DaemonProcessTests.configText(emulator, cluster: cluster, rules: "[]")
            text.removeLast()
            let config = try TemporaryConfig(
                text + #", "notifications": {"webhook": {"url": "https://hooks.example.com/T/B/s"}}}"#)
            for (mode, warned) in [(0o644, true), (0o640, false)] {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: config.path)
                let checked = try await ChildProcess.run("mrs-watchdog", ["check", "--config", config.path])
                #expect(checked.status == 0, "\(checked.output)")
                #expect(
                    checked.stdout.contains("is readable by every user") == warned,
                    "\(String(mode, radix: 8)): \(checked.stdout)")
            }
            let state = try DaemonHarness.freshStateDirectory() + "/made-by-cron"
            let old = umask(0o022)
            defer { umask(old) }
            let once = try await ChildProcess.run(
                "mrs-watchdog", ["run", "--once", "--config", config.path, "--state-dir", state],
                environment: DaemonProcessTests.environment)
            #expect(once.status == 0, "\(once.output)")
            let made = try FileManager.default.attributesOfItem(atPath: state)[.posixPermissions] as? Int
            #expect(made == 0o700, "\(String(made ?? 0, radix: 8))")
        }
    }

    /// Any local user opens 300 idle connections to the metrics port: the daemon holds at most 64 of them
    /// (the rest wait in the kernel's queue), so it keeps the descriptors it needs for MRS; a scrape still
    /// gets through once the idle ones are closed.
    @Test func idleConnectionsToTheMetricsPortHoldABoundedNumberOfDescriptors() async throws {
        try await Self.withMetricsServer { listening in
            // This process's descriptors for sockets whose local end is the metrics port: what the server holds
            // (other tests run beside this one and open their own).
            func held() -> Int {
                let hex = String(format: ":%04X ", listening)
                let table = (try? String(contentsOfFile: "/proc/self/net/tcp", encoding: .utf8)) ?? ""
                let inodes = Set(
                    table.split(separator: "\n").dropFirst().compactMap { line -> String? in
                        let columns = line.split(separator: " ")
                        guard columns.count > 9, columns[1].hasSuffix(hex.dropLast()) else { return nil }
                        return String(columns[9])
                    })
                let links = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
                return links.count { fd in
                    guard
                        let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd),
                        target.hasPrefix("socket:[")
                    else { return false }
                    return inodes.contains(String(target.dropFirst(8).dropLast()))
                }
            }
            let sockets = (0..<300).compactMap { _ in Self.connectLoopback(listening) }
            try await Task.sleep(for: .seconds(1))
            let serverSide = held()
            #expect(sockets.count > 200, "connections made: \(sockets.count)")
            #expect(serverSide <= MetricsServer.maxConnections + 8, "the server holds \(serverSide) descriptors")
            for fd in sockets { close(fd) }
            let scraped = try await HTTPClient.withHTTPClient { http in
                try await Self.within(.seconds(30)) {
                    let response = try await http.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(listening)/healthz"), timeout: .seconds(25))
                    return response.status.code
                }
            }
            #expect(scraped == 200)
        }
    }

    /// A local user sends a request a byte a second (well inside the 10 s idle timeout, which restarts at
    /// every byte): the connection is closed once `requestHeadWithin` (5 s) passes without a whole request
    /// head, so no one holds the listener's 64 slots for good. A scrape on the same port still works.
    @Test func aRequestDrippedByteByByteIsCutOffAtTheHeadDeadline() async throws {
        try await Self.withMetricsServer { listening in
            let fd = try #require(Self.connectLoopback(listening))
            defer { close(fd) }
            let start = ContinuousClock.now
            var closedAfter: Duration?
            drip: for byte in Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
                + Array(repeating: 0x61, count: 30)
            {
                var one = byte
                guard Glibc.send(fd, &one, 1, Int32(MSG_NOSIGNAL)) == 1 else {
                    closedAfter = ContinuousClock.now - start
                    break
                }
                try await Task.sleep(for: .seconds(1))
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while poll(&poller, 1, 0) > 0 {
                    var buffer = [UInt8](repeating: 0, count: 512)
                    guard read(fd, &buffer, buffer.count) > 0 else {
                        closedAfter = ContinuousClock.now - start
                        break drip
                    }
                }
            }
            let after = try #require(closedAfter, "the connection was still open after 30 s")
            // Each byte restarts the idle timer: without the head deadline it would stay open 30 s or more.
            #expect(after >= .seconds(4) && after < .seconds(20), "closed after \(after)")
            let scraped = try await HTTPClient.withHTTPClient { http in
                try await http.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(listening)/healthz"), timeout: .seconds(10)
                ).status.code
            }
            #expect(scraped == 200)
        }
    }

    /// Runs a `MetricsServer` on a free loopback port for `body`.
    static func withMetricsServer(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let port = Port()
        let server = MetricsServer(
            registry: PrometheusCollectorRegistry(), heartbeat: LoopHeartbeat(), stallLimit: .seconds(60),
            address: HostPort("127.0.0.1:0")!, logger: Logger(label: "m", factory: { _ in SwiftLogNoOpLogHandler() }),
            onListening: { port.set($0) })
        let group = ServiceGroup(
            services: [server], gracefulShutdownSignals: [],
            logger: Logger(label: "g", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body(try await port.value())
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// A TCP connection to 127.0.0.1:`port` on a plain socket, or nil when it is refused.
    static func connectLoopback(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// A job owner renames a job, or lets decoys of its name be killed: `check` warns about every rule and
    /// exemption a name alone decides and an `observe` kill loop with no ceiling, and is quiet about the
    /// shipped example.
    @Test func checkWarnsWhereAJobNameIsTheOnlyBoundary() async throws {
        let config = try TemporaryConfig(
            ConfigText(
                mrs: .init(projectId: "p"),
                rules: """
                    [{"name": "etl-2h", "match": {"job_name": ["etl-*"]}, "exclude": {"job_name": ["*-test"]},
                      "max_runtime": "2h", "mode": "enforce", "on_kill_loop": "observe"}]
                    """,
                more: """
                    "exemptions": [{"cluster_id": "c1", "job_name": ["migration-*"], "until": "2099-01-01T00:00:00Z", "reason": "m"}]
                    """
            ).description)
        let checked = try await ChildProcess.run("mrs-watchdog", ["check", "--config", config.path])
        #expect(checked.status == 0, "warnings, not errors: \(checked.output)")
        let warnings = checked.stdout.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 4, "\(warnings)")
        #expect(warnings.contains { $0.contains("rules[0].on_kill_loop is observe with no ceiling") })
        #expect(warnings.contains { $0.contains("rules[0] (etl-2h) finds jobs by job_name") })
        #expect(warnings.contains { $0.contains("rules[0].exclude leaves jobs out by job_name") })
        #expect(warnings.contains { $0.contains("exemptions[0] exempts by job_name") })
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        for example in ["rules.example.json", "examples/starter-rules.json"] {
            let shipped = try await ChildProcess.run(
                "mrs-watchdog", ["check", "--config", root.appendingPathComponent(example).standardizedFileURL.path])
            #expect(shipped.status == 0 && !shipped.stdout.contains("warning:"), "\(example): \(shipped.stdout)")
        }
    }

    /// A warning about a job of `user`.
    static func warning(user: String) -> DaemonEvent {
        let now = HostClock.nowMillis()
        let job = JobExecution(
            jobId: "job-1", jobName: "etl-1", user: user, queue: "default", jobStateText: "RUNNING",
            startedTime: now - 3_600_000)
        let rule = Rule(name: "dev-2h", match: JobMatcher(), maxRuntimeMillis: 7_200_000, mode: .enforce)
        let decision = Evaluator(rules: [rule], exemptions: [], dryRun: false)
            .decide(clusterId: "c-1", clusterTags: [:], job: job, now: now)
        return .decision(DecisionRecord(action: .warn, decision: decision))
    }

    /// `body`'s result, or nil when it has not finished within `limit` (it is then cancelled).
    static func within<T: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

/// The characters no human-readable output may carry raw, listed by hand from the issue's threat (not from
/// `SafeText`'s Unicode categories): C0, DEL and C1 controls, the bidirectional marks, embeddings,
/// overrides and isolates, the line and paragraph separators, and the invisible ones that make two names
/// look alike (soft hyphen, zero-width space / joiners, word joiner, byte-order mark, private use).
enum SafeTextProbe {
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        (0x00...0x1F).contains(scalar.value) || (0x7F...0x9F).contains(scalar.value)
            || [0x00AD, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060, 0xFEFF].contains(scalar.value)
            || (0x200B...0x200D).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value) || (0xE000...0xF8FF).contains(scalar.value)
    }
}

/// Every line a logger writes, for tests that check what a log may not hold.
final class LogCapture: Sendable {
    private let recorded = Mutex<[String]>([])
    var lines: [String] { recorded.withLock { $0 } }

    var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            capture.recorded.withLock { $0.append("\(level) \(message)") }
        }
    }
}
