/// One MRS job execution (`JobQueryBean`). Real responses omit fields, so everything but the id is optional,
/// and missing times read as nil, never as a made-up value.
public struct JobExecution: Sendable, Hashable, CustomReflectable {
    private struct Fields: Hashable {
        var jobId: String
        var jobName: String?
        var user: String?
        var queue: String?
        var jobType: String?
        var jobStateText: String?
        var jobResult: String?
        var submittedTime: Int64?
        var startedTime: Int64?
        var finishedTime: Int64?
        var arguments: String?
        var properties: String?
        var appId: String?
        var launcherId: String?
        var unreadableTimes: [String] = []
    }

    private final class Storage: @unchecked Sendable {  // mutated only while uniquely referenced
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    /// The fields, behind one shared reference (copy on write): a job is copied into every decision, digest
    /// and report made of it, and one retain per copy is cheaper than one per string field (the evaluator
    /// decides 100,000 jobs a cycle at scale; BENCHMARKS.md §3).
    private var storage: Storage

    /// The storage, copied first when another value shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            return storage
        }
    }

    public var jobId: String {
        get { storage.fields.jobId }
        set { unique.fields.jobId = newValue }
    }
    public var jobName: String? {
        get { storage.fields.jobName }
        set { unique.fields.jobName = newValue }
    }
    public var user: String? {
        get { storage.fields.user }
        set { unique.fields.user = newValue }
    }
    public var queue: String? {
        get { storage.fields.queue }
        set { unique.fields.queue = newValue }
    }
    public var jobType: String? {
        get { storage.fields.jobType }
        set { unique.fields.jobType = newValue }
    }
    /// The raw `job_state` as sent (nil when absent); see `state`.
    public var jobStateText: String? {
        get { storage.fields.jobStateText }
        set { unique.fields.jobStateText = newValue }
    }
    public var jobResult: String? {
        get { storage.fields.jobResult }
        set { unique.fields.jobResult = newValue }
    }
    /// Epoch milliseconds; nil when absent or 0 (the API's "not yet").
    public var submittedTime: Int64? {
        get { storage.fields.submittedTime }
        set { unique.fields.submittedTime = newValue }
    }
    public var startedTime: Int64? {
        get { storage.fields.startedTime }
        set { unique.fields.startedTime = newValue }
    }
    public var finishedTime: Int64? {
        get { storage.fields.finishedTime }
        set { unique.fields.finishedTime = newValue }
    }
    /// As MRS sends them (a string such as `"[--class, x.Main, obs://b/x.jar]"`), with the values of
    /// secret-looking keys already replaced by `***` (`SecretRedaction`).
    public var arguments: String? {
        get { storage.fields.arguments }
        set { unique.fields.arguments = newValue }
    }
    /// `"{k=v, k2=v2}"` (a JSON object is rendered in that form), secrets redacted like `arguments`.
    public var properties: String? {
        get { storage.fields.properties }
        set { unique.fields.properties = newValue }
    }
    /// YARN application ids of the job and of MRS's launcher (`application_<RM start ms>_<sequence>`).
    public var appId: String? {
        get { storage.fields.appId }
        set { unique.fields.appId = newValue }
    }
    public var launcherId: String? {
        get { storage.fields.launcherId }
        set { unique.fields.launcherId = newValue }
    }
    /// Time fields MRS sent but that could not be read (a string of letters, an object, invalid UTF-8): unlike
    /// an absent time they are a fact that exists but is unknown, so no limit is measured on this job.
    public var unreadableTimes: [String] {
        get { storage.fields.unreadableTimes }
        set { unique.fields.unreadableTimes = newValue }
    }

    public init(
        jobId: String, jobName: String? = nil, user: String? = nil, queue: String? = nil, jobType: String? = nil,
        jobStateText: String? = nil, jobResult: String? = nil, submittedTime: Int64? = nil,
        startedTime: Int64? = nil, finishedTime: Int64? = nil, arguments: String? = nil, properties: String? = nil,
        appId: String? = nil, launcherId: String? = nil
    ) {
        storage = Storage(
            Fields(
                jobId: jobId, jobName: jobName, user: user, queue: queue, jobType: jobType, jobStateText: jobStateText,
                jobResult: jobResult, submittedTime: submittedTime, startedTime: startedTime,
                finishedTime: finishedTime, arguments: arguments, properties: properties, appId: appId,
                launcherId: launcherId))
    }

    public static func == (lhs: JobExecution, rhs: JobExecution) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(storage.fields) }

    /// The fields, as a struct of them would print (`"\(job)"`, a failing test's expectation).
    public var customMirror: Mirror {
        Mirror(self, children: Mirror(reflecting: storage.fields).children, displayStyle: .struct)
    }

    /// The characters of a job name, for refusing globs that can never match one (MRS API reference:
    /// ShowJobExeListNew, `job_name`: 1–128 characters of `[A-Za-z0-9_-]`).
    public static let jobNameAlphabet: (characters: [Unicode.Scalar], name: String) = (
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".unicodeScalars),
        "an MRS job name (letters, digits, '_' and '-')"
    )

    /// Every `job_type` MRS lists (MRS API reference: ShowJobExeListNew, `job_type`; SparkPython jobs are
    /// listed as `SparkSubmit`).
    public static let jobTypes = [
        "MapReduce", "SparkSubmit", "HiveScript", "HiveSql", "DistCp", "SparkScript", "SparkSql", "Flink",
    ]

    /// The parsed state; nil for an unknown or missing state, which the watchdog treats as "not active".
    public var state: JobState? { jobStateText.flatMap(JobState.init(wire:)) }

    /// True once the job has ended: a terminal state (a `FINISHED` job with result `KILLED` included).
    public var isTerminal: Bool {
        guard let state else { return false }
        return !state.isActive
    }

    /// True if the job ended because it was killed, in either of the shapes the API may use.
    public var endedKilled: Bool {
        state == .killed || (state == .finished && jobResult?.uppercased() == "KILLED")
    }
}
