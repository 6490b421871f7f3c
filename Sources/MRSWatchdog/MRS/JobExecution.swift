/// One MRS job execution (`JobQueryBean`). Real responses omit fields, so everything but the id is optional,
/// and missing times read as nil, never as a made-up value.
public struct JobExecution: Sendable, Hashable {
    public var jobId: String
    public var jobName: String?
    public var user: String?
    public var queue: String?
    public var jobType: String?
    /// The raw `job_state` as sent (nil when absent); see `state`.
    public var jobStateText: String?
    public var jobResult: String?
    /// Epoch milliseconds; nil when absent or 0 (the API's "not yet").
    public var submittedTime: Int64?
    public var startedTime: Int64?
    public var finishedTime: Int64?
    /// As MRS sends them (a string such as `"[--class, x.Main, obs://b/x.jar]"`), with the values of
    /// secret-looking keys already replaced by `***` (`SecretRedaction`).
    public var arguments: String?
    /// `"{k=v, k2=v2}"` (a JSON object is rendered in that form), secrets redacted like `arguments`.
    public var properties: String?
    /// YARN application ids of the job and of MRS's launcher (`application_<RM start ms>_<sequence>`).
    public var appId: String?
    public var launcherId: String?
    /// Time fields MRS sent but that could not be read (a string of letters, an object, invalid UTF-8): unlike
    /// an absent time they are a fact that exists but is unknown, so no limit is measured on this job.
    public var unreadableTimes: [String] = []

    public init(
        jobId: String, jobName: String? = nil, user: String? = nil, queue: String? = nil, jobType: String? = nil,
        jobStateText: String? = nil, jobResult: String? = nil, submittedTime: Int64? = nil,
        startedTime: Int64? = nil, finishedTime: Int64? = nil, arguments: String? = nil, properties: String? = nil,
        appId: String? = nil, launcherId: String? = nil
    ) {
        self.jobId = jobId
        self.jobName = jobName
        self.user = user
        self.queue = queue
        self.jobType = jobType
        self.jobStateText = jobStateText
        self.jobResult = jobResult
        self.submittedTime = submittedTime
        self.startedTime = startedTime
        self.finishedTime = finishedTime
        self.arguments = arguments
        self.properties = properties
        self.appId = appId
        self.launcherId = launcherId
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
