/// What the daemon did about one kill, kept in the state database so a restart resumes the verification.
public struct KillRecord: Sendable, Hashable, Decodable {
    public enum Status: String, Sendable, Hashable, Decodable {
        /// Kill sent (or tried); waiting for the job to reach a terminal state.
        case pending
        /// The job is terminal after our kill.
        case confirmed
        /// The job ended by itself before the kill took (or vanished): nothing was killed.
        case gone
        /// Still active after every attempt: a person has to look.
        case unkillable
    }

    public var clusterId: String
    public var jobId: String
    public var jobName: String?
    /// The job's MRS user, which with the cluster and name tells a kill loop (nil in 0.1's state file).
    public var user: String?
    public var rule: String?
    public var status: Status
    /// Kill requests the service accepted so far.
    public var attempts: Int
    /// True when the latest request was accepted (2xx); false when it failed and must be re-sent.
    public var accepted: Bool
    /// Server time (epoch ms) of the first and latest kill request, and of the latest re-read.
    public var firstAttemptAt: Int64
    public var lastAttemptAt: Int64
    public var lastCheckedAt: Int64
    public var lastError: String?
    /// Server time the record left `pending`.
    public var resolvedAt: Int64?
    /// After a throttled kill: not sent again before this server time (`Retry-After`).
    public var notBefore: Int64?

    enum CodingKeys: String, CodingKey {
        case clusterId = "cluster_id"
        case jobId = "job_id"
        case jobName = "job_name"
        case user, rule, status, attempts, accepted
        case firstAttemptAt = "first_attempt_at"
        case lastAttemptAt = "last_attempt_at"
        case lastCheckedAt = "last_checked_at"
        case lastError = "last_error"
        case resolvedAt = "resolved_at"
        case notBefore = "not_before"
    }

    /// A record as stored: the other fields start as for a first request at `firstAttemptAt`.
    public init(clusterId: String, jobId: String, status: Status, firstAttemptAt: Int64) {
        self.clusterId = clusterId
        self.jobId = jobId
        self.status = status
        attempts = 0
        accepted = false
        self.firstAttemptAt = firstAttemptAt
        lastAttemptAt = firstAttemptAt
        lastCheckedAt = firstAttemptAt
    }

    public init(decision: Decision, at now: Int64) {
        self.init(clusterId: decision.clusterId, jobId: decision.job.jobId, status: .pending, firstAttemptAt: now)
        jobName = decision.job.jobName
        user = decision.job.user
        rule = decision.rule
    }

    public var key: JobKey { JobKey(clusterId: clusterId, jobId: jobId) }

    // Transitions: the machine changes a record only through these.

    /// A kill request leaves now (first or again).
    mutating func sent(at now: Int64) {
        lastAttemptAt = now
        lastCheckedAt = now
        notBefore = nil
    }

    /// MRS accepted the request (2xx): one more attempt.
    mutating func answeredAccepted() {
        attempts += 1
        accepted = true
        lastError = nil
    }

    /// MRS refused the request, or it failed: sent again after the next read, no sooner than `Retry-After`
    /// (a throttled request is no attempt).
    mutating func answeredRefused(_ failure: HuaweiCloudError, at now: Int64) {
        accepted = false
        lastError = failure.description
        notBefore = failure.retryAfterSeconds.map { now + Int64($0) * 1000 }
    }

    /// The job was read again to see whether the kill took.
    mutating func checked(at now: Int64) { lastCheckedAt = now }

    /// Whether the kill is sent again if the last read finds the job still active: it was never accepted, or
    /// that read left `verifyTimeoutMillis` or more after the last kill (judged by when the read left, not
    /// when its answer came: a slow answer about a job seen running before the bound is no reason to kill).
    func resendsIfActive(verifyTimeoutMillis: Int64) -> Bool {
        !accepted || lastCheckedAt - lastAttemptAt >= verifyTimeoutMillis
    }

    /// The record leaves `pending`.
    mutating func settled(_ outcome: Status, at now: Int64) {
        status = outcome
        resolvedAt = now
    }
}
