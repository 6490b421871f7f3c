/// What changed in `WatchdogState` since it was last saved: the rows to write, each keyed as stored, so a save
/// is one small transaction whatever the number of records.
public struct StateChanges: Sendable, Hashable {
    /// Kill records written (`.some(record)`) or removed (`.some(nil)`).
    public var kills: [JobKey: KillRecord?] = [:]
    /// Jobs warned, with the server time (epoch ms).
    public var warned: [JobKey: Int64] = [:]
    /// First kill requests (server epoch ms), for the hourly budget.
    public var killTimes: [Int64] = []
    /// Decisions for the history, oldest first.
    public var history: [HistoryEntry] = []
    /// Set when the state dropped what is older than its retention at this server time (epoch ms).
    public var prunedAt: Int64?

    public init() {}

    /// Adds `later` after these: later kill records and warnings win, kill times and history accumulate.
    public mutating func merge(_ later: StateChanges) {
        kills.merge(later.kills) { _, new in new }
        warned.merge(later.warned) { _, new in new }
        killTimes += later.killTimes
        history += later.history
        if let pruned = later.prunedAt { prunedAt = max(prunedAt ?? pruned, pruned) }
    }

    public var isEmpty: Bool {
        kills.isEmpty && warned.isEmpty && killTimes.isEmpty && history.isEmpty && prunedAt == nil
    }
}
