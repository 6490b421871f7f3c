import Synchronization

/// MRS server time: the `Date` of the latest responses plus the monotonic time elapsed since, so runtimes
/// never depend on a host clock that may be off. Until a response has been seen it falls back to host time.
///
/// `Date` has whole seconds, so each response only bounds server time: at least `Date`, at most
/// `Date + 999 ms` (plus the response's travel time). When the host clock lies inside those bounds it agrees
/// with the server and gives the milliseconds; otherwise the lower bound is used, which can only make a
/// kill late, never early.
public final class ServerClock: Sendable {
    private struct Reading {
        var serverMillis: Int64
        var at: ContinuousClock.Instant
    }

    private struct Bounds {
        var lower: Reading
        var upper: Reading
    }

    private let bounds = Mutex<Bounds?>(nil)
    private let hostNow: @Sendable () -> Int64

    public init(hostNow: @escaping @Sendable () -> Int64 = HostClock.nowMillis) {
        self.hostNow = hostNow
    }

    /// Records a `Date` header (epoch ms, one-second resolution).
    public func observe(serverMillis: Int64) {
        let now = ContinuousClock.now
        bounds.withLock { bounds in
            let lower = Reading(serverMillis: serverMillis, at: now)
            let upper = Reading(serverMillis: serverMillis + 999, at: now)
            guard var current = bounds else {
                bounds = Bounds(lower: lower, upper: upper)
                return
            }
            // Keep the tightest bounds; time never runs backwards.
            if serverMillis > Self.estimate(current.lower, at: now) { current.lower = lower }
            if serverMillis + 999 < Self.estimate(current.upper, at: now) { current.upper = upper }
            if Self.estimate(current.upper, at: now) < Self.estimate(current.lower, at: now) {
                current.upper = Reading(serverMillis: Self.estimate(current.lower, at: now) + 999, at: now)
            }
            bounds = current
        }
    }

    /// Server time now, in epoch ms.
    public func now() -> Int64 {
        let instant = ContinuousClock.now
        guard let current = bounds.withLock({ $0 }) else { return hostNow() }
        let lower = Self.estimate(current.lower, at: instant)
        let upper = Self.estimate(current.upper, at: instant)
        let host = hostNow()
        return (lower...max(lower, upper)).contains(host) ? host : lower
    }

    /// Host clock minus server clock, in ms (positive: the host is ahead); nil before any response.
    public func hostSkewMillis() -> Int64? {
        guard bounds.withLock({ $0 }) != nil else { return nil }
        return hostNow() - now()
    }

    private static func estimate(_ reading: Reading, at instant: ContinuousClock.Instant) -> Int64 {
        reading.serverMillis + (instant - reading.at).wholeMilliseconds
    }
}
