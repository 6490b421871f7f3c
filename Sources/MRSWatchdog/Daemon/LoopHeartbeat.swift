import Synchronization

/// Whether the daemon's loop is alive: it beats after every MRS call and every loop turn, and is idle while
/// it sleeps until its next wake-up. A loop stuck in one call stops beating, so the systemd watchdog pings
/// stop and systemd restarts the daemon.
public final class LoopHeartbeat: Sendable {
    private struct Pulse {
        var last: ContinuousClock.Instant
        var idle: Bool
    }

    private let pulse = Mutex(Pulse(last: .now, idle: false))

    public init() {}

    public func beat() {
        pulse.withLock { $0.last = .now }
    }

    /// Marks the loop as sleeping (healthy however long it sleeps) or working again. Only waking from a sleep
    /// counts as a beat: a loop that keeps waking while a poll hangs does not look alive for it.
    public func setIdle(_ idle: Bool) {
        pulse.withLock {
            if $0.idle, !idle { $0.last = .now }
            $0.idle = idle
        }
    }

    /// True while the loop sleeps, or when it beat within `window`.
    public func isAlive(within window: Duration) -> Bool {
        pulse.withLock { $0.idle || ContinuousClock.now - $0.last <= window }
    }
}
