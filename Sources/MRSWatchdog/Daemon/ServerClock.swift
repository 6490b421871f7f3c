import CoreMetrics
import Synchronization

/// MRS server time: the `Date` of the latest responses plus the monotonic time elapsed since, so runtimes
/// never depend on a host clock that may be off. Until a response has been seen it falls back to host time.
///
/// `Date` has whole seconds, so each response only bounds server time: at least `Date`, at most
/// `Date + 999 ms` (plus the response's travel time). When the host clock lies inside those bounds it agrees
/// with the server and gives the milliseconds; otherwise the lower bound is used.
///
/// Neither one response nor a run of them can move it far (README, "Server time"). A `Date` agrees when it
/// lies within `behindMillis` behind or `aheadMillis` past a second after the anchor (the last confirmed
/// reading) plus `driftPPM` of the time since. Every hour the anchor moves by the median offset of the
/// answers that agreed, and by no more than that drift: so answers that each stray a little cannot walk the
/// estimate faster than a real clock drifts, and a minority of answers at the edge of the window cannot
/// carry it away from the honest ones. Any other `Date` is an outlier (a proxy, a cache, a misconfigured
/// gateway node), counted (`mrs_watchdog_clock_outliers_total`) and reported, and the estimate stays. Only
/// outliers that agree with each other, at least `confirmations` of them over at least `confirmSpanMillis`
/// with no agreeing answer between (more than one poll at the default interval, so one cached answer served
/// again or one gateway node answering a poll does not count), step it: a real clock step.
///
/// Before any `Date` has agreed with the host clock, one behind the host is used (a kill can only come
/// later), and one ahead of it never, however many agree: a host clock that is behind makes kills late until
/// it is corrected, where believing a proxy that is ahead would make them early.
public final class ServerClock: Sendable {
    /// How far a `Date` may be behind the anchor (less drift) and still agree with it, ms (travel time, a slow
    /// node: the safe side, a kill late by that much at most).
    public static let behindMillis: Int64 = 5_000
    /// How far a `Date` may be past the anchor's second (plus drift) and still agree with it, ms.
    public static let aheadMillis: Int64 = 1_000
    /// How fast the server's clock may drift from the monotonic clock, in parts per million: 500, the most
    /// NTP slews a clock.
    public static let driftPPM: Int64 = 500
    /// How long an anchor holds before it moves toward the answers that agreed with it, ms.
    public static let anchorMillis: Int64 = 3_600_000
    /// How many agreeing outliers confirm a step, and the monotonic time they must span, ms.
    public static let confirmations = 3
    public static let confirmSpanMillis: Int64 = 60_000

    /// A `Date` seen at a monotonic instant (both ms).
    private struct Reading {
        var serverMillis: Int64
        var at: Int64

        func estimate(at instant: Int64) -> Int64 { serverMillis + (instant - at) }
    }

    /// The accepted bounds of server time and the anchor they may not stray from.
    private struct Estimate {
        var lower: Reading
        var upper: Reading
        var anchor: Reading
        /// How far each answer that agreed since the anchor was from it, ms; the most recent 1,024.
        var offsets: [Int64] = []

        init(_ reading: Reading) {
            lower = reading
            upper = Reading(serverMillis: reading.serverMillis + 999, at: reading.at)
            anchor = reading
        }

        /// The bounds projected to `instant`, ms; the upper never below the lower.
        func bounds(at instant: Int64) -> (low: Int64, high: Int64) {
            let low = lower.estimate(at: instant)
            return (low, max(low, upper.estimate(at: instant)))
        }

        /// How far the server's clock may have drifted from the anchor by `instant`, ms.
        func drift(at instant: Int64) -> Int64 { (instant - anchor.at) * ServerClock.driftPPM / 1_000_000 }

        /// The `Date` values that agree with the estimate at `instant`, ms: around the anchor, not the
        /// bounds, so answers that each stray a little cannot carry the estimate along.
        func agreeing(at instant: Int64) -> ClosedRange<Int64> {
            let anchored = anchor.estimate(at: instant)
            let drift = drift(at: instant)
            return (anchored - drift - ServerClock.behindMillis)...(anchored + 999 + drift + ServerClock.aheadMillis)
        }

        /// Narrows the bounds with a `Date` that agrees with them. The lower bound moves forward to it, and
        /// back to it when it is a whole second behind (a server clock running slow: late, never early); the
        /// upper bound moves down to it, and never below the lower. After `anchorMillis` the anchor moves by
        /// the median offset of the answers since, by at most the drift allowed, and the bounds stay near it.
        mutating func tighten(with reading: Reading) {
            let (low, high) = bounds(at: reading.at)
            if reading.serverMillis > low || reading.serverMillis + 999 < low { lower = reading }
            let newLow = lower.estimate(at: reading.at)
            upper = Reading(serverMillis: max(newLow, min(high, reading.serverMillis + 999)), at: reading.at)
            let anchored = anchor.estimate(at: reading.at)
            offsets.append(reading.serverMillis - anchored)
            if offsets.count > 1024 { offsets.removeFirst(offsets.count - 1024) }
            guard reading.at - anchor.at >= ServerClock.anchorMillis else { return }
            let drift = drift(at: reading.at)
            let median = offsets.sorted()[offsets.count / 2]
            anchor = Reading(serverMillis: anchored + min(max(median, -drift), drift), at: reading.at)
            offsets = []
        }
    }

    private struct State {
        /// Nil until a `Date` agreed with the host or was confirmed.
        var estimate: Estimate?
        /// Outliers that agree with the newest one, oldest first: a step in the making. The oldest is kept
        /// (the span counts from it) with the 15 newest.
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

    /// Records a `Date` header (epoch ms, one-second resolution), as the response's head arrives.
    public func observe(serverMillis: Int64) {
        let reading = Reading(serverMillis: serverMillis, at: monotonicNow())
        let host = hostNow()
        let outlier: Int64? = state.withLock { state in
            let offset: Int64
            if let estimate = state.estimate {
                if estimate.agreeing(at: reading.at).contains(serverMillis) {
                    state.estimate?.tighten(with: reading)
                    state.pending = []
                    return nil
                }
                offset = serverMillis - estimate.bounds(at: reading.at).low
            } else {
                if abs(serverMillis - host) <= Self.behindMillis + 999 {
                    Self.accept(&state, reading)
                    return nil
                }
                offset = serverMillis - host
            }
            // Not believed: any outlier once there is an estimate, and a `Date` ahead of the host before.
            let counted = state.estimate != nil || offset > 0
            if counted {
                state.outliers.count += 1
                if abs(offset) > abs(state.outliers.largestOffsetMillis) { state.outliers.largestOffsetMillis = offset }
            }
            state.pending = state.pending.filter {
                abs($0.estimate(at: reading.at) - serverMillis) <= Self.behindMillis
            }
            state.pending.append(reading)
            if state.pending.count > 16 { state.pending.removeSubrange(1...(state.pending.count - 16)) }
            if state.pending.count >= Self.confirmations, reading.at - state.pending[0].at >= Self.confirmSpanMillis,
                state.estimate != nil || offset < 0
            {
                if state.estimate != nil { state.outliers.stepsMillis.append(offset) }
                Self.accept(&state, reading)
            }
            return counted ? offset : nil
        }
        if outlier != nil { Counter(label: "mrs_watchdog_clock_outliers_total").increment() }
    }

    /// Server time now, in epoch ms.
    public func now() -> Int64 {
        let instant = monotonicNow()
        let current = state.withLock { ($0.estimate, $0.pending.last) }
        let host = hostNow()
        guard let estimate = current.0 else {
            // Nothing accepted yet: an unconfirmed `Date` may only hold the host's time back.
            return current.1.map { min(host, $0.estimate(at: instant)) } ?? host
        }
        let (low, high) = estimate.bounds(at: instant)
        return (low...high).contains(host) ? host : low
    }

    /// Host clock minus server clock, in ms (positive: the host is ahead); nil before any response.
    public func hostSkewMillis() -> Int64? {
        guard state.withLock({ $0.estimate != nil || !$0.pending.isEmpty }) else { return nil }
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
        state.estimate = Estimate(reading)
        state.pending = []
    }
}
