/// What one cluster's YARN runs that MRS job management does not show, and what the rules would say of it
/// if they could see it. Pure: the ResourceManager's list and the MRS job list in, the audit out.
///
/// An application is tracked when its id is the `app_id` or the `launcher_id` of a job execution MRS lists
/// for the cluster (MRS API reference: ShowJobExeListNew; mrs-api.md §11.4).
public struct YarnAudit: Sendable, Hashable {
    /// An application MRS job management does not show, with the verdict the rules would give it.
    public struct Untracked: Sendable, Hashable {
        public var app: YarnApplication
        /// The evaluator's decision for the application read as a job execution (`asJobExecution`).
        public var decision: Decision
    }

    public var clusterId: String
    /// Applications the ResourceManager listed (RUNNING and ACCEPTED), the malformed ones not included.
    public var listed: Int
    public var tracked: Int
    /// Untracked applications, longest-running first.
    public var untracked: [Untracked]
    /// Entries of the ResourceManager's answer that could not be read (skipped, never fatal).
    public var malformed: Int

    /// - Parameters:
    ///   - jobs: the cluster's job executions as MRS lists them, any state (a finished MRS job's app can still
    ///     be in YARN's list for a moment).
    ///   - now: server time, epoch ms.
    public static func audit(
        clusterId: String, clusterTags: [String: String]?, apps: YarnAppList, jobs: [JobExecution],
        evaluator: Evaluator, now: Int64
    ) -> YarnAudit {
        let known = Set(jobs.flatMap { [$0.appId, $0.launcherId] }.compactMap { $0 })
        var untracked: [Untracked] = []
        for app in apps.apps where !known.contains(app.id) {
            let decision = evaluator.decide(
                clusterId: clusterId, clusterTags: clusterTags, job: asJobExecution(app), now: now)
            untracked.append(Untracked(app: app, decision: decision))
        }
        untracked.sort { ($0.app.startedTime ?? .max, $0.app.id) < ($1.app.startedTime ?? .max, $1.app.id) }
        return YarnAudit(
            clusterId: clusterId, listed: apps.apps.count, tracked: apps.apps.count - untracked.count,
            untracked: untracked, malformed: apps.malformed)
    }

    /// The application as the rules would see it if MRS listed it: its id as the job id, name, user, queue and
    /// state as they are, the type mapped to MRS's `job_type` (`jobTypes`; any other type is unknown), and
    /// `startedTime` as both submission and start (YARN's list has no separate submission time).
    public static func asJobExecution(_ app: YarnApplication) -> JobExecution {
        JobExecution(
            jobId: app.id, jobName: app.name, user: app.user, queue: app.queue,
            jobType: app.applicationType.flatMap { jobTypes[$0.uppercased()] }, jobStateText: app.state,
            submittedTime: app.startedTime, startedTime: app.state == "RUNNING" ? app.startedTime : nil, appId: app.id)
    }

    /// YARN `applicationType` (upper-cased) → MRS `job_type`, for the types whose MRS job type is
    /// unambiguous. Hive runs as `TEZ` or `MAPREDUCE` applications and is not told apart here.
    public static let jobTypes: [String: String] = [
        "SPARK": "SparkSubmit", "MAPREDUCE": "MapReduce", "APACHE FLINK": "Flink",
    ]
}
