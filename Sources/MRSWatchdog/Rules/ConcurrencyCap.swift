/// A rule's cap on how many of the jobs it names may be active at once (`"max_active"` in the config),
/// counted per user, per queue or per cluster within one cluster. The jobs beyond the first `count` — the
/// newest by `clock` — get the rule's mode.
public struct ConcurrencyCap: Sendable, Hashable {
    public enum Group: String, Sendable, Hashable, CaseIterable {
        case user, queue, cluster
    }

    public var count: Int
    public var per: Group
    /// `submitted`: every active job counts, ordered by `submitted_time`; `running`: running jobs only, by
    /// `started_time`.
    public var clock: RuntimeClock

    public init(count: Int, per: Group, clock: RuntimeClock = .submitted) {
        self.count = count
        self.per = per
        self.clock = clock
    }
}
