/// One evaluated poll cycle, for sinks that show or count it (the live view, metrics).
public struct CycleReport: Sendable {
    /// Server time of the evaluation, epoch ms.
    public var at: Int64
    /// The decisions that call for action (kill, warn, would-kill, skipped), then a few named jobs under
    /// their limits with the soonest deadlines: what a person wants to see, not every job.
    public var decisions: [Decision]
    /// Active jobs per cluster, and how many of each decision kind.
    public var activeJobs: [String: Int]
    public var kinds: [Decision.Kind: Int]
    /// The watched clusters, and the ones whose listing failed this cycle.
    public var clusters: [String]
    public var failures: [String: HuaweiCloudError]
    /// Discovery, listing, evaluation and the kills that followed.
    public var duration: Duration
    public var breakerOpen: Bool
    /// Server time of the next deadline or warning, epoch ms.
    public var nextDeadline: Int64?
    /// What was done since the daemon started and in the last hour, by either kill path (a poll's or a
    /// deadline's): `kinds` counts only this cycle's decisions.
    public var sinceStart: DecisionTally
    public var lastHour: DecisionTally

    public init(
        at: Int64, decisions: [Decision], activeJobs: [String: Int], kinds: [Decision.Kind: Int], clusters: [String],
        failures: [String: HuaweiCloudError], duration: Duration, breakerOpen: Bool, nextDeadline: Int64?,
        sinceStart: DecisionTally = DecisionTally(), lastHour: DecisionTally = DecisionTally()
    ) {
        self.at = at
        self.decisions = decisions
        self.activeJobs = activeJobs
        self.kinds = kinds
        self.clusters = clusters
        self.failures = failures
        self.duration = duration
        self.breakerOpen = breakerOpen
        self.nextDeadline = nextDeadline
        self.sinceStart = sinceStart
        self.lastHour = lastHour
    }
}
