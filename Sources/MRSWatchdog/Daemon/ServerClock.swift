import Synchronization

/// MRS server time: the `Date` of the latest response plus the monotonic time elapsed since, so runtimes
/// never depend on a host clock that may be off. Until a response has been seen it falls back to host time.
public final class ServerClock: Sendable {
    private struct Reading {
        var serverMillis: Int64
        var at: ContinuousClock.Instant
    }

    private let reading = Mutex<Reading?>(nil)
    private let hostNow: @Sendable () -> Int64

    public init(hostNow: @escaping @Sendable () -> Int64 = HostClock.nowMillis) {
        self.hostNow = hostNow
    }

    /// Records a `Date` header (epoch ms, one-second resolution).
    public func observe(serverMillis: Int64) {
        let now = ContinuousClock.now
        reading.withLock { current in
            // The header has whole seconds; keep the later estimate so time never runs backwards.
            if let current, Self.estimate(current, at: now) > serverMillis + 999 { return }
            current = Reading(serverMillis: serverMillis, at: now)
        }
    }

    /// Server time now, in epoch ms.
    public func now() -> Int64 {
        let current = reading.withLock { $0 }
        guard let current else { return hostNow() }
        return Self.estimate(current, at: .now)
    }

    /// Host clock minus server clock, in ms (positive: the host is ahead); nil before any response.
    public func hostSkewMillis() -> Int64? {
        guard reading.withLock({ $0 }) != nil else { return nil }
        return hostNow() - now()
    }

    private static func estimate(_ reading: Reading, at instant: ContinuousClock.Instant) -> Int64 {
        let elapsed = instant - reading.at
        let (seconds, attoseconds) = elapsed.components
        return reading.serverMillis + seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
