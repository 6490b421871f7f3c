import CoreMetrics
import Synchronization

/// MRS server time: the `Date` of the latest responses plus the monotonic time elapsed since, so runtimes
/// never depend on a host clock that may be off. Until a response has been seen it falls back to host time.
///
/// `Date` has whole seconds, so each response only bounds server time: at least `Date`, at most
/// `Date + 999 ms` (plus the response's travel time). When the host clock lies inside those bounds it agrees
/// with the server and gives the milliseconds; otherwise the lower bound is used.
///
/// One response cannot move it (README, "Server time"): a `Date` more than `toleranceMillis` away from the
/// estimate is an outlier (a proxy, a cache, a misconfigured gateway node), counted
/// (`mrs_watchdog_clock_outliers_total`) and reported, and the estimate stays. Only `confirmations`
/// responses that agree with each other, spread over at least `confirmSpanMillis` (so one cached answer
/// served again does not count), step it: a real clock step. Before any estimate is accepted, a first `Date`
/// that disagrees with the host clock is used only where it is behind it, which can make a kill late, never
/// early.
public final class ServerClock: Sendable {
    /// How far a `Date` may stray from the estimate and still agree with it, ms.
    public static let toleranceMillis: Int64 = 5_000
    /// How many agreeing outliers confirm a step, and the monotonic time they must span, ms.
    public static let confirmations = 3
    public static let confirmSpanMillis: Int64 = 10_000

    /// A `Date` seen at a monotonic instant (both ms).
    private struct Reading {
        var serverMillis: Int64
        var at: Int64

        func estimate(at instant: Int64) -> Int64 { serverMillis + (instant - at) }
    }

    private struct State {
        /// The accepted bounds of server time; nil until a `Date` agreed with the host or was confirmed.
        var lower: Reading?
        var upper: Reading?
        /// Outliers that agree with the newest one, oldest first: a step in the making.
        var pending: [Reading] = []
        var outliers = ClockOutliers()
    }

    private let state = Mutex(State())
    private let hostNow: @Sendable () -> Int64
    private let monotonicNow: @Sendable () -> Int64

    /// - Parameters:
    ///   - hostNow: the host's wall clock, epoch ms.
    ///   - monotonicNow: a monotonic clock, ms from any origin (tests pass a manual one).
    public init(
        hostNow: @escaping @Sendable () -> Int64 = HostClock.nowMillis,
        monotonicNow: @escaping @Sendable () -> Int64 = ServerClock.continuousMillis
    ) {
        self.hostNow = hostNow
        self.monotonicNow = monotonicNow
    }

    /// Milliseconds of `ContinuousClock` since the first call.
    public static func continuousMillis() -> Int64 {
        (ContinuousClock.now - origin).wholeMilliseconds
    }
    private static let origin = ContinuousClock.now

    /// Records a `Date` header (epoch ms, one-second resolution).
    public func observe(serverMillis: Int64) {
        let reading = Reading(serverMillis: serverMillis, at: monotonicNow())
        let host = hostNow()
        let outlier: Int64? = state.withLock { state in
            let offset: Int64
            if let lower = state.lower, let upper = state.upper {
                let low = lower.estimate(at: reading.at)
                let high = max(low, upper.estimate(at: reading.at))
                if serverMillis >= low - Self.toleranceMillis, serverMillis <= high + Self.toleranceMillis {
                    Self.tighten(&state, with: reading)
                    return nil
                }
                offset = serverMillis - low
            } else {
                if abs(serverMillis - host) <= Self.toleranceMillis + 999 {
                    Self.accept(&state, reading)
                    return nil
                }
                // Not an outlier yet (there is no estimate to stray from): a host clock that is off, or not.
                offset = serverMillis - host
            }
            if state.lower != nil {
                state.outliers.count += 1
                if abs(offset) > abs(state.outliers.largestOffsetMillis) { state.outliers.largestOffsetMillis = offset }
            }
            state.pending = state.pending.filter {
                abs($0.estimate(at: reading.at) - serverMillis) <= Self.toleranceMillis
            }
            state.pending.append(reading)
            if state.pending.count > 16 { state.pending.removeFirst(state.pending.count - 16) }
            let counted = state.lower != nil
            if state.pending.count >= Self.confirmations,
                reading.at - state.pending[state.pending.count - Self.confirmations].at >= Self.confirmSpanMillis
            {
                if counted { state.outliers.stepsMillis.append(offset) }
                Self.accept(&state, reading)
            }
            return counted ? offset : nil
        }
        if outlier != nil { Counter(label: "mrs_watchdog_clock_outliers_total").increment() }
    }

    /// Server time now, in epoch ms.
    public func now() -> Int64 {
        let instant = monotonicNow()
        let current = state.withLock { ($0.lower, $0.upper, $0.pending.last) }
        let host = hostNow()
        guard let lower = current.0, let upper = current.1 else {
            // Nothing accepted yet: an unconfirmed `Date` may only hold the host's time back.
            return current.2.map { min(host, $0.estimate(at: instant)) } ?? host
        }
        let low = lower.estimate(at: instant)
        let high = upper.estimate(at: instant)
        return (low...max(low, high)).contains(host) ? host : low
    }

    /// Host clock minus server clock, in ms (positive: the host is ahead); nil before any response.
    public func hostSkewMillis() -> Int64? {
        guard state.withLock({ $0.lower != nil || !$0.pending.isEmpty }) else { return nil }
        return hostNow() - now()
    }

    /// The outliers and steps since the last call.
    public func takeOutliers() -> ClockOutliers {
        state.withLock { state in
            defer { state.outliers = ClockOutliers() }
            return state.outliers
        }
    }

    private static func accept(_ state: inout State, _ reading: Reading) {
        state.lower = reading
        state.upper = Reading(serverMillis: reading.serverMillis + 999, at: reading.at)
        state.pending = []
    }

    /// Narrows the bounds with a `Date` that agrees with them. The lower bound moves forward to it, and back
    /// to it when it is a whole second behind (a server clock running slow: late, never early); the upper
    /// bound moves down to it, and never below the lower.
    private static func tighten(_ state: inout State, with reading: Reading) {
        guard let lower = state.lower, let upper = state.upper else { return }
        let low = lower.estimate(at: reading.at)
        if reading.serverMillis > low || reading.serverMillis + 999 < low { state.lower = reading }
        if reading.serverMillis + 999 < upper.estimate(at: reading.at) {
            state.upper = Reading(serverMillis: reading.serverMillis + 999, at: reading.at)
        }
        let newLow = state.lower!.estimate(at: reading.at)
        if state.upper!.estimate(at: reading.at) < newLow {
            state.upper = Reading(serverMillis: newLow + 999, at: reading.at)
        }
        state.pending = []
    }
}
