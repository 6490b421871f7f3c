import CSystemd

/// Talks to systemd through libsystemd's `sd_notify`. Outside systemd (no `$NOTIFY_SOCKET`) every call is a
/// no-op. `unset_environment` is always 0: the daemon notifies for its whole life, not only at start.
public struct SdNotifier: Sendable {
    public init() {}

    /// Sends the assignments as one message; returns libsystemd's result (>0 sent, 0 no socket, <0 -errno).
    @discardableResult
    public func notify(_ assignments: [String]) -> Int32 {
        // sd_notifyf is variadic and not importable: format here, send with sd_notify.
        sd_notify(0, assignments.joined(separator: "\n"))
    }

    /// The watchdog timeout systemd set (`WatchdogSec=`), in microseconds, or nil when there is none.
    public func watchdogTimeoutMicros() -> UInt64? {
        var usec: UInt64 = 0
        return sd_watchdog_enabled(0, &usec) > 0 ? usec : nil
    }
}
