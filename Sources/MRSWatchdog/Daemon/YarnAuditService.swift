import AsyncHTTPClient
import ServiceLifecycle
import Synchronization

/// `yarn.audit_in_daemon`: the YARN audit (`YarnAuditor`) once per `watch.discovery_interval` (5 minutes at
/// least), beside the watchdog, each round reported as `.yarnAudited`. Read-only, in its own task with its own HTTP
/// connections: a ResourceManager that hangs or fails never delays a poll or a kill. Also a sink: a reloaded
/// config (`.configApplied`) starts a round with it at once, so turning the audit on needs no restart.
public final class YarnAuditService: Service, DaemonEventSink {
    /// The auditor for a config (that config's YARN settings and rules), its MRS calls made through `http`.
    public typealias MakeAuditor = @Sendable (WatchdogConfig, _ http: HTTPClient) -> YarnAuditor

    private let config: Mutex<WatchdogConfig>
    private let makeAuditor: MakeAuditor
    private let mrsHTTP: HTTPClient.Configuration
    private let sink: any DaemonEventSink
    private let now: @Sendable () -> Int64
    private let sleep: @Sendable (Duration) async throws -> Void
    private let reloads = Mailbox<Void>()

    /// The most pages of job executions (100 each) one cluster's round may list from MRS: the audit shares
    /// the tenant's listing quota with the polls (mrs-api.md §11), so a longer list fails the round instead.
    public static let maxJobPages = 50

    /// - Parameters:
    ///   - mrsHTTP: the configuration of the HTTP client the service makes for its MRS calls (the MRS
    ///     endpoint's proxy and CA): connections of its own, so a kill never waits behind an audit's list.
    ///   - sink: where rounds are reported (not the sink this service is part of: it would hear itself).
    ///   - now: server time, epoch ms (the rules are evaluated at MRS's time, as the watchdog's are).
    public init(
        config: WatchdogConfig, mrsHTTP: HTTPClient.Configuration, sink: any DaemonEventSink,
        now: @escaping @Sendable () -> Int64,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        makeAuditor: @escaping MakeAuditor
    ) {
        self.config = Mutex(config)
        self.mrsHTTP = mrsHTTP
        self.sink = sink
        self.now = now
        self.sleep = sleep
        self.makeAuditor = makeAuditor
    }

    public func emit(_ event: DaemonEvent) {
        guard case .configApplied(let applied) = event else { return }
        config.withLock { $0 = applied }
        reloads.post(())
    }

    public func run() async throws {
        try await HTTPClient.withHTTPClient(configuration: mrsHTTP) { http in
            await cancelWhenGracefulShutdown { await self.audit(through: http) }
        }
    }

    /// Rounds until cancelled: at once, then after each interval or reload.
    private func audit(through http: HTTPClient) async {
        var flagged = YarnFlaggedApps()
        var reporting = false
        while !Task.isCancelled {
            let config = self.config.withLock { $0 }
            let enabled = config.yarn.auditInDaemon && !config.yarn.clusters.isEmpty
            if !enabled, reporting {
                // Turned off by a reload: an empty round withdraws the figures and the STATUS fragment, which
                // would otherwise read as current.
                flagged = YarnFlaggedApps()
                sink.emit(.yarnAudited(flagged.round(.init(clusters: []))))
            }
            reporting = enabled
            if enabled {
                let report: YarnAuditor.Report
                do {
                    report = try await makeAuditor(config, http).run(now: now)
                } catch {
                    // Without MRS's cluster list no cluster is audited; each is named with the reason.
                    let reason = "MRS cluster list: \(error)"
                    report = .init(
                        clusters: [],
                        failures: Dictionary(config.yarn.clusters.map { ($0.clusterId, reason) }) { first, _ in first })
                }
                guard !Task.isCancelled else { return }
                sink.emit(.yarnAudited(flagged.round(report)))
            }
            let interval = YarnSettings.daemonIntervalMillis(
                discoveryIntervalMillis: config.watch.discoveryIntervalMillis)
            _ = await reloads.next(within: .milliseconds(interval), sleep: sleep)
        }
    }
}
