/// One evaluated poll cycle, for sinks that show or count it (the live view, metrics).
public struct CycleReport: Sendable {
    /// Server time of the evaluation, epoch ms.
    public var at: Int64
    /// Every active job's decision, cluster by cluster.
    public var decisions: [Decision]
    /// The watched clusters, and the ones whose listing failed this cycle.
    public var clusters: [String]
    public var failures: [String: MRSError]
    /// Discovery, listing, evaluation and the kills that followed.
    public var duration: Duration
    public var breakerOpen: Bool
    /// Server time of the next deadline or warning, epoch ms.
    public var nextDeadline: Int64?

    public init(
        at: Int64, decisions: [Decision], clusters: [String], failures: [String: MRSError], duration: Duration,
        breakerOpen: Bool, nextDeadline: Int64?
    ) {
        self.at = at
        self.decisions = decisions
        self.clusters = clusters
        self.failures = failures
        self.duration = duration
        self.breakerOpen = breakerOpen
        self.nextDeadline = nextDeadline
    }
}
