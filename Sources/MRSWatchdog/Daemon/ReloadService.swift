import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the config: each signal loads the file again through its `ConfigSource` and hands the
/// result, valid or refused with the reason, to the watchdog. A long-running piece of its own, so the
/// daemon loop knows nothing about signals.
public struct ReloadService: Service {
    let signals: UnixSignalsSequence
    let source: ConfigSource
    let watchdog: WatchdogService

    /// - Parameter signals: trapping SIGHUP, created before the daemon reports READY, so that an early
    ///   `systemctl reload` never meets the signal's default action (terminate).
    public init(signals: UnixSignalsSequence, source: ConfigSource, watchdog: WatchdogService) {
        self.signals = signals
        self.source = source
        self.watchdog = watchdog
    }

    public func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            watchdog.replaceConfig(Result { try source.load() }.mapError(ConfigReloadFailure.init))
        }
    }
}
