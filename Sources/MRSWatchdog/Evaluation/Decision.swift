/// What the watchdog decides about one job at one instant.
public struct Decision: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// Under every limit (or not active).
        case ok
        /// In the warning window of a warn/enforce rule, or over the limit of a warn rule.
        case warn
        /// Over the limit of an enforce rule: kill it.
        case kill
        /// Over the limit of an observe rule (or any rule under dry-run): would kill, does not.
        case wouldKill = "would-kill"
        /// Covered by an exemption.
        case exempt
        /// Every matching rule's `exclude` names it.
        case excluded
        /// A needed fact is missing or odd (timestamp absent/zero/future, tags unreadable): never killed.
        case skippedUnknown = "skipped-unknown"
        /// No rule names this job.
        case unmatched
    }

    public var clusterId: String
    public var job: JobExecution
    public var kind: Kind
    /// The rule that decided, when one did.
    public var rule: String?
    public var clock: RuntimeClock?
    /// Measured time against the deciding limit (running, submitted or queued time), ms.
    public var elapsedMillis: Int64?
    public var limitMillis: Int64?
    /// When the deciding limit is (or was) reached, epoch ms.
    public var deadline: Int64?
    public var reason: String
    /// For `skipped-unknown`: the MRS field that was missing or implausible (`started_time`, `queue`,
    /// `cluster_tags`, `job_state`, …), a bounded label for metrics.
    public var unknownField: String?
    /// Every rule that matched, for `explain`.
    public var matches: [RuleMatch]

    /// The earliest future instant at which this job's decision can change (a warn time or a deadline of an
    /// applying rule); the daemon wakes then rather than at the next poll.
    public var nextChangeAt: Int64?
}
