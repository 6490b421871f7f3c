/// Everything the daemon must not forget across a restart: which jobs were warned, every kill and its
/// verification, and the kills of the last hour (the hourly budget). Written to the state file as JSON.
public struct WatchdogState: Sendable, Hashable, Codable {
    public static let currentVersion = 1

    public var version = WatchdogState.currentVersion
    /// `cluster/job` → server time of the warning.
    public var warned: [String: Int64] = [:]
    /// `cluster/job` → the kill record.
    public var kills: [String: KillRecord] = [:]
    /// Server times of first kill requests, newest last; only the last hour is kept.
    public var killTimes: [Int64] = []

    enum CodingKeys: String, CodingKey {
        case version, warned, kills
        case killTimes = "kill_times"
    }

    public init() {}

    /// How long finished records are kept: long enough that a job listed late is not warned or killed twice.
    public static let retentionMillis: Int64 = 48 * 3_600_000
    static let hourMillis: Int64 = 3_600_000

    public func kill(_ key: JobKey) -> KillRecord? { kills[key.description] }
    public func wasWarned(_ key: JobKey) -> Bool { warned[key.description] != nil }

    public var pendingKills: [KillRecord] {
        kills.values.filter { $0.status == .pending }.sorted { $0.key < $1.key }
    }

    public func killsInLastHour(now: Int64) -> Int {
        killTimes.count { $0 > now - Self.hourMillis }
    }

    /// Drops what no longer matters: kill times older than an hour, settled records older than the retention.
    /// Pending kills are never dropped.
    public mutating func prune(now: Int64) {
        killTimes.removeAll { $0 <= now - Self.hourMillis }
        warned = warned.filter { $0.value > now - Self.retentionMillis }
        kills = kills.filter {
            $0.value.status == .pending || ($0.value.resolvedAt ?? now) > now - Self.retentionMillis
        }
    }
}
