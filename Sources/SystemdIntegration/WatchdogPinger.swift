import MRSWatchdog
import ServiceLifecycle

/// Sends `WATCHDOG=1` at half of systemd's `WatchdogSec=`, but only while the daemon's loop is alive
/// (sleeping, or beating within the watchdog interval). A loop stuck in one call stops the pings and
/// systemd restarts the daemon. Without `WatchdogSec=` it returns at once.
public struct WatchdogPinger: Service {
    let notifier: SdNotifier
    let heartbeat: LoopHeartbeat

    public init(notifier: SdNotifier = SdNotifier(), heartbeat: LoopHeartbeat) {
        self.notifier = notifier
        self.heartbeat = heartbeat
    }

    public func run() async throws {
        guard let micros = notifier.watchdogTimeoutMicros() else { return }
        let interval = Duration.microseconds(Int64(micros))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if heartbeat.isAlive(within: interval) { notifier.notify(["WATCHDOG=1"]) }
                try? await Task.sleep(for: interval / 2)
            }
        }
    }
}
