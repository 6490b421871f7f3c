import Foundation
import Logging
import MRSEmulator
import MRSWatchdog
import ServiceLifecycle
import Synchronization
import Testing
import WatchdogTestSupport

/// Runs the real `WatchdogService` in-process against the emulator over loopback, with short timings and
/// a sink that records every event for the test to read.
struct DaemonHarness {
    let emulator: EmulatorHarness
    let service: WatchdogService
    let events: RecordingSink
    let stateDirectory: String

    /// Timings shrunk from minutes to fractions of a second.
    static var fastTiming: DaemonTiming {
        var timing = DaemonTiming()
        timing.verifyInterval = .milliseconds(200)
        // Ten times the emulator's 1 s kill delay: server time, read from `Date` headers, lags while a loaded
        // machine holds answers back and catches up in a step of seconds, which a shorter bound would take for
        // a kill that did not take (the test about re-kills sets its own).
        timing.verifyTimeout = .seconds(10)
        timing.authBackoff = .seconds(2)
        timing.readBackoff = Backoff(base: .milliseconds(50), cap: .milliseconds(400))
        timing.readAttempts = 4
        timing.deadlineRetry = .milliseconds(300)
        timing.onceVerifyBound = .seconds(5)
        return timing
    }

    /// A config watching the given clusters; `rules`, `safety` and `more` (top-level members) are JSON text.
    static func config(
        _ emulator: EmulatorHarness, clusters: [String], rules: String, safety: String = "{}",
        pollInterval: String = "1s", more: String? = nil
    ) throws -> WatchdogConfig {
        let text = ConfigText(
            mrs: emulator.mrs,
            watch: ConfigText.watching(clusters, #""poll_interval": "\#(pollInterval)", "discovery_interval": "10m""#),
            safety: safety, rules: rules, more: more)
        return try ConfigLoader.parse(text.description, file: "test.json").get()
    }

    /// The rules JSON most tests use: rule "r" enforcing `limit` on every `etl-*` job.
    static func enforcing(_ limit: String) -> String {
        #"[{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "\#(limit)", "mode": "enforce"}]"#
    }

    static func freshStateDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs the daemon for the duration of `body`, then shuts it down gracefully.
    static func run<T: Sendable>(
        _ emulator: EmulatorHarness, config: WatchdogConfig, dryRun: Bool = false, timing: DaemonTiming = fastTiming,
        stateDirectory: String? = nil,
        extraSinks: [any DaemonEventSink] = [],
        extraServices: @Sendable (WatchdogService) -> [any Service] = { _ in [] },
        requestTimeout: Duration = .seconds(30),
        _ body: @Sendable (DaemonHarness) async throws -> T
    ) async throws -> T {
        let directory = try stateDirectory ?? freshStateDirectory()
        let clock = ServerClock()
        let events = RecordingSink()
        var options = WatchdogService.Options()
        options.dryRun = dryRun
        options.timing = timing
        var clientOptions = MRSHTTPClient.Options()
        clientOptions.requestTimeout = requestTimeout
        let service = WatchdogService(
            config: config,
            api: emulator.client(options: clientOptions, onServerDate: { clock.observe(serverMillis: $0) }),
            clock: clock,
            store: StateStore(directory: directory), sink: FanOutEventSink([events] + extraSinks), options: options)
        let logger = Logger(label: "test-daemon", factory: { _ in SwiftLogNoOpLogHandler() })
        let group = ServiceGroup(
            services: extraServices(service) + [service], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let harness = DaemonHarness(emulator: emulator, service: service, events: events, stateDirectory: directory)
            do {
                let result = try await body(harness)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    /// The kills the emulator accepted, by job id.
    func acceptedKills() async -> [String] {
        await emulator.state.kills().filter { $0.status == 202 }.map(\.jobId)
    }
}

/// Polls `condition` every 50 ms until it holds; fails the test after `timeout`.
func eventually(
    _ what: String, timeout: Duration = .seconds(15), transcript: (@Sendable () -> String)? = nil,
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now >= deadline, let transcript { print(transcript()) }
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting for: \(what)")
            throw ChildProcessError(description: "timed out waiting for: \(what)")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// Keeps every daemon event.
final class RecordingSink: DaemonEventSink {
    private let recorded = Mutex<[DaemonEvent]>([])

    func emit(_ event: DaemonEvent) { recorded.withLock { $0.append(event) } }

    var events: [DaemonEvent] { recorded.withLock { $0 } }

    func records(_ action: DecisionRecord.Action) -> [DecisionRecord] {
        events.compactMap { event in
            if case .decision(let record) = event, record.action == action { return record }
            return nil
        }
    }

    func jobIds(_ action: DecisionRecord.Action) -> [String] { records(action).map(\.decision.job.jobId) }

    var notices: [String] {
        events.compactMap { event in
            switch event {
            case .notice(let notice): return notice.text
            case .breaker(let open, let candidates, _):
                return open ? "breaker open: \(candidates) jobs" : "breaker closed"
            default: return nil
            }
        }
    }

    var lastStatus: StatusLine? {
        events.reversed().lazy.compactMap { event -> StatusLine? in
            switch event {
            case .progress(let status), .ready(let status), .reloaded(let status, _): return status
            default: return nil
            }
        }.first
    }

    /// Every event as a line, to read when a test fails.
    var transcript: String {
        events.map { event in
            switch event {
            case .decision(let record): return record.summary
            case .notice(let notice): return "\(notice.severity): \(notice.text)"
            case .progress(let status): return "progress: \(status.text)"
            default: return "\(event)"
            }
        }.joined(separator: "\n")
    }

    var cycles: Int {
        events.count { if case .cycle = $0 { return true } else { return false } }
    }
}
