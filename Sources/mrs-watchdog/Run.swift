import ArgumentParser
import AsyncHTTPClient
import Logging
import MRSWatchdog
import Metrics
import MetricsEndpoint
import NIOCore
import Prometheus
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

                SIGHUP re-reads the config: an invalid file is refused and the running rules stay; a changed \
                metrics.listen or mrs section is reported as needing a restart. SIGTERM or SIGINT stop polling, \
                let a request already sent finish, save state and exit 0.

                State (warned jobs, kills being verified, the kill budgets, a history of decisions) is kept in the \
                SQLite database STATE_DIR/state.sqlite; a state.json of version 0.1 is imported once. Under \
                systemd (Type=notify) it reports READY, STATUS, WATCHDOG, RELOADING and STOPPING, and writes one \
                journal record per decision:
                  journalctl -u mrs-watchdog WATCHDOG_DECISION=kill
                """)

        @OptionGroup var options: ConfigOptions

        @Option(help: "Where state.sqlite lives (default: $STATE_DIRECTORY under systemd, else /var/lib/mrs-watchdog).")
        var stateDir: String?

        @Option(help: "Days of decisions (kills, warnings, skips) to keep in the state database (1-3650).")
        var historyDays = 30

        /// For benchmarks against a local emulator only (refused for any other endpoint): the window of the
        /// per-minute budgets, so a cycle of many kills is measured without waiting minutes for the budget.
        @Option(help: .private)
        var rateWindowMs: Int?

        @Flag(help: "Observe only: decide and report, never warn-as-enforced or kill.")
        var dryRun = false

        @Flag(
            help:
                "One full cycle (discover, poll, decide, act, confirm kills), then exit. Exit 1 if no cluster could be polled."
        )
        var once = false

        @Option(help: "Log level: trace, debug, info, notice, warning, error.")
        var logLevel: Logger.Level = .info

        @Flag(help: "Plain log lines even on a terminal (default there: a live view of jobs and actions).")
        var plain = false

        func validate() throws {
            guard (1...3650).contains(historyDays) else { throw ValidationError("--history-days must be 1 to 3650") }
        }

        func run() async throws {
            // A handful of concurrent requests needs one event loop, not one per core (each is a thread with
            // its stack); the HTTP client and the metrics server share NIO's singleton group.
            NIOSingletons.groupLoopCountSuggestion = 1
            let notifier = SdNotifier()
            let config: WatchdogConfig
            let source: ConfigSource
            do {
                source = try options.source()
                config = try options.load()
            } catch {
                notifier.notify([
                    SdNotifier.statusLine("config \(options.file.config) is invalid; see the log"), "ERRNO=\(EINVAL)",
                ])
                throw error
            }
            let environment = ProcessInfo.processInfo.environment
            let toJournal = JournalStream.stderrIsJournal(environment: environment)
            let live = !plain && !once && isatty(1) == 1
            // The live view shows events itself; only errors still go to stderr under it.
            let level = live ? max(logLevel, .error) : logLevel
            LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level, toJournal: toJournal) }
            let logger = Logger(label: "mrs-watchdog")
            let directory = try stateDirectory(environment: environment)
            // One daemon per state directory, before anything is read: a second one would kill, notify and
            // record every job again. Held until the process ends.
            let lock: StateDirectoryLock
            do {
                lock = try StateDirectoryLock(directory: directory)
            } catch {
                notifier.notify([SdNotifier.statusLine("failed: \(error)"), "ERRNO=\(EBUSY)"])
                Console.err("error: \(error)")
                throw ExitCode(1)
            }
            defer { withExtendedLifetime(lock) {} }
            let clock = ServerClock()
            var serviceOptions = WatchdogService.Options()
            serviceOptions.dryRun = dryRun
            if let rateWindowMs {
                guard ["127.0.0.1", "localhost", "::1", "[::1]"].contains(config.mrs.endpoint.host) else {
                    throw ValidationError("--rate-window-ms is for benchmarks against a local mrs-emulator only")
                }
                serviceOptions.timing.rateWindow = .milliseconds(max(1, rateWindowMs))
            }
            let liveView = live ? LiveView() : nil
            let display: any DaemonEventSink =
                liveView ?? LoggingEventSink(logger: logger, includeDecisions: !toJournal)
            let systemd = SystemdEventSink(notifier: notifier, journalRecords: toJournal)
            // Metrics only when `metrics.listen` is set: the registry backs swift-metrics for the whole process.
            let registry = config.metricsListen.map { _ in PrometheusCollectorRegistry() }
            if let registry { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry)) }
            // Reload signals are trapped before READY, so an early SIGHUP never kills the daemon.
            let reloads = await UnixSignalsSequence(trapping: .sighup)
            // The unit runs no `check` before a start (systemd 247 cannot, beside LoadCredential=): its warnings
            // are logged here.
            for warning in Check.warnings(source.path, config) { logger.warning("\(warning)") }
            notifier.notify([SdNotifier.statusLine("starting: reading credentials")])
            let outcome = try await CommandErrors.reporting(onFailure: { message, code in
                notifier.notify([SdNotifier.statusLine("failed: \(message)"), "ERRNO=\(code)"])
            }) {
                // The normal screen is back before an error is printed, so the error stays readable.
                defer { liveView?.close() }
                return try await APISession.withClients(
                    config, serverClock: clock,
                    prepare: { provider in
                        try await notifier.extendingStartTimeout { _ = try await provider.credentials() }
                    }
                ) { client, direct -> (polled: Int, failed: Int)? in
                    let notifications = NotificationDispatcher(
                        settings: config.notifications,
                        makeChannels: NotificationChannels.factory(
                            http: client.http, direct: direct, environment: ProcessInfo.processInfo.environment,
                            projectId: client.projectId, credentials: client.credentials, logger: logger),
                        logger: logger)
                    let outputs = FanOutEventSink(
                        [display, systemd, registry.map { _ in MetricsEventSink() }].compactMap { $0 })
                    let yarnAudit =
                        once ? nil : Self.yarnAudit(config, client: client, direct: direct, clock: clock, sink: outputs)
                    // Last, so READY has gone out before the executable's start-up pages are handed back.
                    let sinks: [(any DaemonEventSink)?] = [
                        outputs, notifications, yarnAudit, once ? nil : ExecutablePageOut(logger: logger),
                    ]
                    let service = WatchdogService(
                        config: config, api: client, clock: clock,
                        store: StateStore(
                            directory: directory, historyRetentionMillis: Int64(historyDays) * 86_400_000),
                        sink: FanOutEventSink(sinks.compactMap { $0 }), options: serviceOptions)
                    notifications.reportDeliveries { service.notificationDelivered($0) }
                    logger.notice(
                        "starting: \(config.rules.count) rule(s), poll every \(DurationText.format(millis: config.watch.pollIntervalMillis))\(dryRun ? ", dry run" : ""); state in \(directory)"
                    )
                    if once { return try await Self.runOnce(service, notifications: notifications) }
                    var services = Self.services(
                        service, reload: ReloadService(signals: reloads, source: source, watchdog: service),
                        notifications: notifications, liveView: liveView, registry: registry, config: config,
                        notifier: notifier, logger: logger)
                    // Last, so it stops first: no round reports after the daemon said it is stopping.
                    if let yarnAudit { services.append(.init(service: yarnAudit)) }
                    let group = ServiceGroup(
                        configuration: .init(
                            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                    try await group.run()
                    return nil
                }
            }
            if let outcome, outcome.polled == 0 {
                Console.err("no cluster could be polled")
                throw ExitCode(1)
            }
        }

        /// The daemon and what runs beside it. Notifications and metrics come first so they stop last: the
        /// daemon's final events still get out.
        static func services(
            _ service: WatchdogService, reload: ReloadService, notifications: NotificationDispatcher,
            liveView: LiveView?, registry: PrometheusCollectorRegistry?, config: WatchdogConfig, notifier: SdNotifier,
            logger: Logger
        ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: notifications)]
            if let registry, let listen = config.metricsListen.flatMap(HostPort.init) {
                services.append(
                    .init(
                        service: MetricsServer(
                            registry: registry, heartbeat: service.heartbeat,
                            stallLimit: .milliseconds(config.mrs.requestTimeoutMillis) + .seconds(30), address: listen,
                            logger: logger)))
            }
            services.append(.init(service: reload))
            if let liveView { services.append(.init(service: liveView, successTerminationBehavior: .ignore)) }
            services.append(.init(service: service))
            // Without WatchdogSec= the pinger returns at once; that must not end the group.
            services.append(
                .init(
                    service: WatchdogPinger(notifier: notifier, heartbeat: service.heartbeat),
                    successTerminationBehavior: .ignore))
            return services
        }

        /// The YARN audit beside the daemon (`yarn.audit_in_daemon`, read at each round, so a reload can turn it
        /// on): MRS through a client of its own with the daemon's credentials, ResourceManagers without a proxy.
        static func yarnAudit(
            _ config: WatchdogConfig, client: MRSHTTPClient, direct: HTTPClient, clock: ServerClock,
            sink: any DaemonEventSink
        ) -> YarnAuditService {
            YarnAuditService(
                config: config, mrsHTTP: APISession.mrsConfiguration(config), sink: sink, now: clock.now
            ) { current, http in
                // The MRS endpoint and project of the start, as the daemon's own client (a reload changes rules);
                // a job list longer than the round's page budget fails that cluster's round.
                let mrs = APISession.client(
                    config, http: http, projectId: client.projectId, credentials: client.credentials,
                    maxPages: YarnAuditService.maxJobPages, onServerDate: { _ in })
                return YarnAuditor(config: current, mrs: mrs, http: direct)
            }
        }

        /// `--once`: one cycle, then the notifications it caused are delivered (30 s at most) before exiting.
        static func runOnce(
            _ service: WatchdogService, notifications: NotificationDispatcher
        ) async throws -> (polled: Int, failed: Int) {
            try await withThrowingTaskGroup(of: (polled: Int, failed: Int)?.self) { group in
                group.addTask {
                    try? await notifications.run(); return nil
                }
                let outcome: (polled: Int, failed: Int)
                do {
                    outcome = try await service.runOnce()
                } catch {
                    notifications.finish()
                    group.cancelAll()
                    throw error
                }
                notifications.finish()
                group.addTask {
                    try? await Task.sleep(for: .seconds(30)); return nil
                }
                _ = try await group.next()
                group.cancelAll()
                return outcome
            }
        }

        /// `--state-dir`, else systemd's `$STATE_DIRECTORY` (its first entry), else /var/lib/mrs-watchdog.
        static func stateDirectory(_ stateDir: String?, environment: [String: String]) -> String {
            let fromSystemd = environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init)
            return stateDir ?? fromSystemd ?? "/var/lib/mrs-watchdog"
        }

        /// The state directory, created if missing.
        func stateDirectory(environment: [String: String]) throws -> String {
            let directory = Self.stateDirectory(stateDir, environment: environment)
            do {
                // Private whatever the umask: it holds who ran what and when (a cron `run --once` makes it too).
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CommandFailure("cannot create the state directory \(directory): \(error)")
            }
            return directory
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
