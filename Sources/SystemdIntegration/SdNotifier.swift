import CSystemd
import MRSWatchdog

#if canImport(Glibc)
    import Glibc
#endif

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

    /// `CLOCK_MONOTONIC` in µs, as `MONOTONIC_USEC=` wants (not a process-relative timer).
    public static func monotonicMicros() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
    }

    /// `STATUS=` with `text` as one safe line (`SafeText.line`) of at most 1 KB: the notify message is
    /// newline-separated assignments, so a line break inside could add one (`READY=1`), and systemd shows the
    /// text verbatim in `systemctl status`. Line breaks become spaces.
    public static func statusLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "STATUS=" + SafeText.line(line, maxBytes: 1024)
    }
}

extension SdNotifier {
    /// Runs `body` (slow start-up work such as fetching cloud credentials) while asking systemd every 10 s
    /// for 30 s more start time, so `TimeoutStartSec=` does not kill a start that is merely waiting.
    /// - Throws: what `body` throws.
    public func extendingStartTimeout<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            // A child of this call, not a loose task: it ends with `body`, whatever happens.
            group.addTask { [self] in
                while true {
                    notify(["EXTEND_TIMEOUT_USEC=30000000"])
                    try await Task.sleep(for: .seconds(10))
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
