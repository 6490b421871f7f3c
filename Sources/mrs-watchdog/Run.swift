import ArgumentParser
import Logging
import MRSWatchdog
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension WatchdogCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the watchdog: poll, warn and kill by the rules until stopped.",
            discussion: """
                Nothing is killed unless a rule says "mode": "enforce"; --dry-run makes every rule observe.
                SIGHUP re-reads the config (an invalid file is refused and the running rules stay);
                SIGTERM or SIGINT stop polling, let an in-flight kill finish, save state and exit 0.
                State (warned jobs, kills being verified, the hourly budget) is kept in STATE_DIR/state.json.
                """)

        @OptionGroup var options: ConfigOptions

        @Option(help: "Where state.json lives (default: $STATE_DIRECTORY under systemd, else /var/lib/mrs-watchdog).")
        var stateDir: String?

        @Flag(help: "Observe only: decide and report, never warn-as-enforced or kill.")
        var dryRun = false

        @Flag(help: "One full cycle (discover, poll, decide, act, confirm kills), then exit. Exit 1 if no cluster could be polled.")
        var once = false

        @Option(help: "Log level: trace, debug, info, notice, warning, error.")
        var logLevel: Logger.Level = .info

        func run() async throws {
            let config = try options.load()
            let level = logLevel
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "mrs-watchdog")
            let directory = try stateDirectory()
            let clock = ServerClock()
            var serviceOptions = WatchdogService.Options()
            serviceOptions.dryRun = dryRun
            // Reload signals are trapped before anything else runs, so an early SIGHUP is not fatal.
            let reloads = await UnixSignalsSequence(trapping: .sighup)
            let outcome = try await CommandErrors.reporting {
                try await APISession.with(config, serverClock: clock) { client -> WatchdogService.PollOutcome? in
                    let service = WatchdogService(
                        config: config, api: client, clock: clock, store: StateStore(directory: directory),
                        sink: LoggingEventSink(logger: logger), options: serviceOptions,
                        reloadConfig: { [options] in options.reload() })
                    logger.notice("starting: \(config.rules.count) rule(s), poll every \(DurationText.format(millis: config.watch.pollIntervalMillis))\(dryRun ? " (dry run)" : ""); state in \(directory)")
                    if once { return await service.runOnce() }
                    try await Self.runUntilStopped(service, reloads: reloads, logger: logger)
                    return nil
                }
            }
            if let outcome, outcome.polled == 0 {
                Console.err("no cluster could be polled")
                throw ExitCode(1)
            }
        }

        /// Runs the service in a `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT; SIGHUP reloads.
        static func runUntilStopped(_ service: WatchdogService, reloads: UnixSignalsSequence, logger: Logger) async throws {
            let group = ServiceGroup(
                configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask {
                    for await _ in reloads { service.requestReload() }
                }
                try await group.run()
                tasks.cancelAll()
            }
        }

        /// `--state-dir`, else systemd's `$STATE_DIRECTORY` (its first entry), else /var/lib/mrs-watchdog;
        /// created if missing.
        func stateDirectory() throws -> String {
            let fromSystemd = ProcessInfo.processInfo.environment["STATE_DIRECTORY"]?
                .split(separator: ":").first.map(String.init)
            let directory = stateDir ?? fromSystemd ?? "/var/lib/mrs-watchdog"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw CommandFailure("cannot create the state directory \(directory): \(error)")
            }
            return directory
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
