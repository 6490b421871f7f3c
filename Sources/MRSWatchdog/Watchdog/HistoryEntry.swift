/// One decision the daemon acted on or reported, kept for a bounded time for reports: what, when, which job,
/// which rule, and the runtime and limit it was judged on.
public struct HistoryEntry: Sendable, Hashable {
    /// Server time (epoch ms) of the decision.
    public var at: Int64
    public var action: DecisionRecord.Action
    public var clusterId: String
    public var jobId: String
    public var jobName: String?
    public var user: String?
    public var queue: String?
    public var rule: String?
    /// Runtime (or queue time) at the decision and the rule's limit, in ms, when the rule measured one.
    public var elapsedMillis: Int64?
    public var limitMillis: Int64?
    public var detail: String?

    public init(
        at: Int64, action: DecisionRecord.Action, clusterId: String, jobId: String, jobName: String? = nil,
        user: String? = nil, queue: String? = nil, rule: String? = nil, elapsedMillis: Int64? = nil,
        limitMillis: Int64? = nil, detail: String? = nil
    ) {
        self.at = at
        self.action = action
        self.clusterId = clusterId
        self.jobId = jobId
        self.jobName = jobName
        self.user = user
        self.queue = queue
        self.rule = rule
        self.elapsedMillis = elapsedMillis
        self.limitMillis = limitMillis
        self.detail = detail
    }

    public init(_ record: DecisionRecord, at now: Int64) {
        let decision = record.decision
        self.init(
            at: now, action: record.action, clusterId: decision.clusterId, jobId: decision.job.jobId,
            jobName: decision.job.jobName, user: decision.job.user, queue: decision.job.queue, rule: decision.rule,
            elapsedMillis: decision.elapsedMillis, limitMillis: decision.limitMillis, detail: record.detail)
    }
}
