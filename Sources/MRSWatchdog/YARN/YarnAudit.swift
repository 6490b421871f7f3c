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
    /// Applications the ResourceManager listed in a state that is not an end (`JobState.isActive`, or a state
    /// it does not know, or none), the malformed ones not included.
    public var listed: Int
    public var tracked: Int
    /// Untracked applications, longest-running first.
    public var untracked: [Untracked]
    /// Entries of the ResourceManager's answer that could not be read (skipped, never fatal).
    public var malformed: Int

    /// - Parameters:
    ///   - jobs: the cluster's job executions as MRS lists them, in any state (MRS's state lags YARN's both
    ///     ways), submitted since before the earliest application started (`earliestStart`).
    ///   - now: server time, epoch ms.
    public static func audit(
        clusterId: String, clusterTags: [String: String]?, apps: YarnAppList, jobs: [JobExecution],
        evaluator: Evaluator, now: Int64
    ) -> YarnAudit {
        let known = Set(jobs.flatMap { [$0.appId, $0.launcherId] }.compactMap { $0 })
        // A ResourceManager that ignores `states` is not believed: an ended application is not counted.
        let active = apps.apps.filter { app in app.state.map { JobState(wire: $0)?.isActive ?? true } ?? true }
        var untracked: [Untracked] = []
        for app in active where !known.contains(app.id) {
            let decision = evaluator.decide(
                clusterId: clusterId, clusterTags: clusterTags, job: asJobExecution(app), now: now)
            untracked.append(Untracked(app: app, decision: decision))
        }
        untracked.sort { ($0.app.startedTime ?? .max, $0.app.id) < ($1.app.startedTime ?? .max, $1.app.id) }
        return YarnAudit(
            clusterId: clusterId, listed: active.count, tracked: active.count - untracked.count,
            untracked: untracked, malformed: apps.malformed)
    }

    /// Where MRS's job list must start for the join (epoch ms): an hour before the earliest application was
    /// submitted to YARN (MRS records a job before its launcher reaches YARN; the hour also covers clocks
    /// that differ). Nil when there are no applications; 0 (the whole list) when one has no start time.
    public static func earliestStart(_ apps: YarnAppList) -> Int64? {
        guard !apps.apps.isEmpty else { return nil }
        let starts = apps.apps.compactMap(\.startedTime)
        guard starts.count == apps.apps.count, let earliest = starts.min() else { return 0 }
        return earliest - 3_600_000
    }

    /// The application as the rules would see it if MRS listed it: its id as the job id, name, user, queue and
    /// state as they are, the type mapped to MRS's `job_type` (`jobTypes`; any other type is unknown), YARN's
    /// `startedTime` (its submission) as the submission, and `launchTime` as the start of a running one.
    public static func asJobExecution(_ app: YarnApplication) -> JobExecution {
        let running = app.state.flatMap { JobState(wire: $0) } == .running
        return JobExecution(
            jobId: app.id, jobName: app.name, user: app.user, queue: app.queue,
            jobType: app.applicationType.flatMap { jobTypes[$0.uppercased()] }, jobStateText: app.state,
            submittedTime: app.startedTime, startedTime: running ? app.launchTime : nil, appId: app.id)
    }

    /// YARN `applicationType` (upper-cased) → MRS `job_type`, for the types whose MRS job type is
    /// unambiguous. Hive runs as `TEZ` or `MAPREDUCE` applications and is not told apart here.
    public static let jobTypes: [String: String] = [
        "SPARK": "SparkSubmit", "MAPREDUCE": "MapReduce", "APACHE FLINK": "Flink",
    ]
}
