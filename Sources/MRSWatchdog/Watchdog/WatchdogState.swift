/// Everything the daemon must not forget across a restart: which jobs were warned, every kill and its
/// verification, and the first kill requests of the last hour (the hourly budget). Every change is also
/// written to `changes`, which the shell saves as one small transaction (`Action.persist`): saving costs what
/// changed, not what is stored.
public struct WatchdogState: Sendable, Hashable {
    /// Job → server time (epoch ms) of its warning.
    public private(set) var warned: [JobKey: Int64] = [:]
    /// Job → its kill record.
    public private(set) var kills: [JobKey: KillRecord] = [:]
    /// Server times (epoch ms) of first kill requests, oldest first; only the last hour is kept.
    public private(set) var killTimes: [Int64] = []
    /// The jobs whose kill is `pending`, so verification does not scan every record.
    private var pendingKeys: Set<JobKey> = []
    /// What changed since the last `takeChanges()`.
    public private(set) var changes = StateChanges()

    public init() {}

    /// A state as stored (loaded from the database or imported); it has no changes to save.
    public init(warned: [JobKey: Int64], kills: [JobKey: KillRecord], killTimes: [Int64]) {
        self.warned = warned
        self.kills = kills
        self.killTimes = killTimes.sorted()
        pendingKeys = Set(kills.values.filter { $0.status == .pending }.map(\.key))
    }

    /// How long finished records are kept: long enough that a job listed late is not warned or killed twice,
    /// and that the longest kill-loop window still sees every kill in it.
    public static let retentionMillis: Int64 = WatchdogConfig.Safety.maxKillLoopWithinMillis
    static let hourMillis: Int64 = 3_600_000
    /// How far ahead of server time a stored kill time may be and keep its stamp: one further ahead was
    /// stamped by a clock that was wrong, and counts from `prune` on.
    static let aheadToleranceMillis: Int64 = 60_000

    public func kill(_ key: JobKey) -> KillRecord? { kills[key] }
    public func wasWarned(_ key: JobKey) -> Bool { warned[key] != nil }

    /// Kills waiting for verification, in no particular order (callers sort what they act on, which is
    /// usually far fewer).
    public var pendingKills: [KillRecord] {
        pendingKeys.compactMap { kills[$0] }
    }

    public var pendingCount: Int { pendingKeys.count }

    /// Kill records that are `unkillable` (a person has to look), for the status line.
    public var unkillableCount: Int { kills.values.count { $0.status == .unkillable } }

    /// Kills (accepted), confirmed kills, warnings and unkillables of the hour before `now` (server ms).
    public func tally(lastHourBefore now: Int64) -> DecisionTally {
        let since = now - Self.hourMillis
        var tally = DecisionTally(warned: warned.values.count { $0 > since })
        tally.killed = acceptedKills(since: since).count
        for record in kills.values {
            guard let resolved = record.resolvedAt, resolved > since else { continue }
            if record.status == .confirmed { tally.confirmed += 1 }
            if record.status == .unkillable { tally.unkillable += 1 }
        }
        return tally
    }

    /// Kill records whose first request MRS accepted after `since` (server epoch ms).
    public func acceptedKills(since: Int64) -> [KillRecord] {
        kills.values.filter { $0.attempts > 0 && $0.firstAttemptAt > since }
    }

    /// First kill requests of the hour before `now` (server ms), those stamped ahead of it included.
    public func killsInLastHour(now: Int64) -> Int {
        killTimes.count { $0 > now - Self.hourMillis }
    }

    // MARK: Changes

    /// Stores a kill record, new or changed.
    public mutating func record(_ kill: KillRecord) {
        kills[kill.key] = kill
        if kill.status == .pending { pendingKeys.insert(kill.key) } else { pendingKeys.remove(kill.key) }
        changes.kills[kill.key] = .some(kill)
    }

    /// Forgets a kill the rules no longer call for (a reload, an exemption, a fact that became unknown).
    public mutating func removeKill(_ key: JobKey) {
        kills[key] = nil
        pendingKeys.remove(key)
        changes.kills[key] = .some(nil)
    }

    public mutating func markWarned(_ key: JobKey, at now: Int64) {
        warned[key] = now
        changes.warned[key] = now
    }

    /// A first kill request left at `now`: it counts against the hourly budget.
    public mutating func countKill(at now: Int64) {
        // After stamps from a clock that was ahead, `now` may be earlier than the last: kept in order.
        killTimes.insert(now, at: killTimes.lastIndex { $0 <= now }.map { $0 + 1 } ?? 0)
        changes.killTimes.append(now)
    }

    /// A decision for the history kept for reports.
    public mutating func remember(_ entry: HistoryEntry) {
        changes.history.append(entry)
    }

    /// Drops what no longer matters: kill times older than an hour, settled records older than the retention.
    /// Pending kills are never dropped.
    public mutating func prune(now: Int64) {
        // A kill time stamped far ahead by a wrong clock is moved to `now`: kept, it would hold every kill until
        // server time caught up with it; dropped, a clock stepping back would empty the hourly budget.
        killTimes = killTimes.filter { $0 > now - Self.hourMillis }
            .map { $0 > now + Self.aheadToleranceMillis ? now : $0 }.sorted()
        warned = warned.filter { $0.value > now - Self.retentionMillis }
        kills = kills.filter {
            $0.value.status == .pending || ($0.value.resolvedAt ?? now) > now - Self.retentionMillis
        }
        changes.prunedAt = now
    }

    /// The changes since the last call, for saving; `changes` is empty afterwards.
    public mutating func takeChanges() -> StateChanges {
        defer { changes = StateChanges() }
        return changes
    }
}
