/// Retry delays: exponential with jitter, never shorter than the server's `Retry-After`. Pure: the random
/// draw is an argument.
public struct Backoff: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// The delay before retry number `attempt` (0 for the first retry); `draw` in [0, 1) picks a point in
    /// the upper half of the window so concurrent clients spread out without retrying too early.
    public func delay(attempt: Int, draw: Double, retryAfterSeconds: Int? = nil) -> Duration {
        let window = min(cap, base * (1 << min(attempt, 20)))
        let jittered = window * (0.5 + 0.5 * draw)
        guard let retryAfterSeconds else { return jittered }
        return max(jittered, .seconds(retryAfterSeconds))
    }
}
