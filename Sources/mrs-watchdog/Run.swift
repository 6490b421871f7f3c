import ArgumentParser
import Logging
import MRSWatchdog
import ServiceLifecycle
import SystemdIntegration
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
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
                Under systemd (Type=notify) it reports READY, STATUS, WATCHDOG, RELOADING and STOPPING, and
                writes one journal record per decision (journalctl -u mrs-watchdog WATCHDOG_DECISION=kill).
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
            let notifier = SdNotifier()
            let config: WatchdogConfig
            do {
                config = try options.load()
            } catch {
                notifier.notify([SdNotifier.statusLine("config \(options.config) is invalid; see the log"), "ERRNO=\(EINVAL)"])
                throw error
            }
            let environment = ProcessInfo.processInfo.environment
            let toJournal = JournalStream.stderrIsJournal(environment: environment)
            let level = logLevel
            LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level, toJournal: toJournal) }
            let logger = Logger(label: "mrs-watchdog")
            let directory = try stateDirectory(environment: environment)
            let clock = ServerClock()
            var serviceOptions = WatchdogService.Options()
            serviceOptions.dryRun = dryRun
            let sink = FanOutEventSink([
                LoggingEventSink(logger: logger, includeDecisions: !toJournal),
                SystemdEventSink(notifier: notifier, journalRecords: toJournal),
            ])
            // Reload signals are trapped before READY, so an early SIGHUP never kills the daemon.
            let reloads = await UnixSignalsSequence(trapping: .sighup)
            notifier.notify([SdNotifier.statusLine("starting: reading credentials")])
            let outcome = try await CommandErrors.reporting(onFailure: { message, code in
                notifier.notify([SdNotifier.statusLine("failed: \(message)"), "ERRNO=\(code)"])
            }) {
                try await APISession.with(
                    config, serverClock: clock,
                    prepare: { provider in try await notifier.extendingStartTimeout { _ = try await provider.credentials() } }
                ) { client -> WatchdogService.PollOutcome? in
                    let service = WatchdogService(
                        config: config, api: client, clock: clock, store: StateStore(directory: directory), sink: sink,
                        options: serviceOptions, reloadConfig: { [options] in options.reload() })
                    logger.notice("starting: \(config.rules.count) rule(s), poll every \(DurationText.format(millis: config.watch.pollIntervalMillis))\(dryRun ? ", dry run" : ""); state in \(directory)")
                    if once { return await service.runOnce() }
                    try await Self.runUntilStopped(service, notifier: notifier, reloads: reloads, logger: logger)
                    return nil
                }
            }
            if let outcome, outcome.polled == 0 {
                Console.err("no cluster could be polled")
                throw ExitCode(1)
            }
        }

        /// Runs the daemon and its systemd watchdog pinger in a `ServiceGroup` that shuts down gracefully on
        /// SIGTERM/SIGINT; SIGHUP asks the daemon to reload.
        static func runUntilStopped(
            _ service: WatchdogService, notifier: SdNotifier, reloads: UnixSignalsSequence, logger: Logger
        ) async throws {
            let group = ServiceGroup(
                configuration: .init(
                    services: [
                        .init(service: service),
                        // Without WatchdogSec= the pinger returns at once; that must not end the group.
                        .init(service: WatchdogPinger(notifier: notifier, heartbeat: service.heartbeat), successTerminationBehavior: .ignore),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
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
        func stateDirectory(environment: [String: String]) throws -> String {
            let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
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
