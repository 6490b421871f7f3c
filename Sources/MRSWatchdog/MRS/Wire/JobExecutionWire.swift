/// `JobQueryBean` as the emulator and `jobs --json` write it; `JobResponseReader` reads it.
package struct JobExecutionWire: Encodable, Sendable {
    package var execution: JobExecution
    /// Encoding only (the emulator's odd shapes): fields to leave out, and times sent in epoch seconds.
    package var omit: Set<String> = []
    package var timesInSeconds = false

    package init(_ execution: JobExecution, omit: Set<String> = [], timesInSeconds: Bool = false) {
        self.execution = execution
        self.omit = omit
        self.timesInSeconds = timesInSeconds
    }

    enum CodingKeys: String, CodingKey {
        case jobId = "job_id"
        case user
        case jobName = "job_name"
        case jobResult = "job_result"
        case jobState = "job_state"
        case jobProgress = "job_progress"
        case jobType = "job_type"
        case startedTime = "started_time"
        case submittedTime = "submitted_time"
        case finishedTime = "finished_time"
        case elapsedTime = "elapsed_time"
        case arguments
        case properties
        case launcherId = "launcher_id"
        case appId = "app_id"
        case queue
    }

    /// Encodes the way the real service does: times as numbers with 0 for "not yet", strings for
    /// `arguments` and `properties`, `elapsed_time` only once finished.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let job = execution
        let unit: Int64 = timesInSeconds ? 1000 : 1
        try container.encode(job.jobId, forKey: .jobId, unless: omit)
        try container.encode(job.user, forKey: .user, unless: omit)
        try container.encode(job.jobName, forKey: .jobName, unless: omit)
        try container.encode(job.jobResult, forKey: .jobResult, unless: omit)
        try container.encode(job.jobStateText, forKey: .jobState, unless: omit)
        try container.encode(job.isTerminal ? 100 : 0, forKey: .jobProgress, unless: omit)
        try container.encode(job.jobType, forKey: .jobType, unless: omit)
        try container.encode((job.startedTime ?? 0) / unit, forKey: .startedTime, unless: omit)
        try container.encode((job.submittedTime ?? 0) / unit, forKey: .submittedTime, unless: omit)
        try container.encode((job.finishedTime ?? 0) / unit, forKey: .finishedTime, unless: omit)
        let elapsed = job.startedTime.flatMap { started in job.finishedTime.map { $0 - started } } ?? 0
        try container.encode(elapsed, forKey: .elapsedTime, unless: omit)
        try container.encode(job.arguments ?? "[]", forKey: .arguments, unless: omit)
        try container.encode(job.properties ?? "{}", forKey: .properties, unless: omit)
        try container.encode(job.launcherId ?? job.appId, forKey: .launcherId, unless: omit)
        try container.encode(job.appId, forKey: .appId, unless: omit)
        try container.encode(job.queue, forKey: .queue, unless: omit)
    }
}

/// `{"total_record": N, "job_list": [...]}`, the list response, as the emulator writes it.
package struct JobListWire: Encodable, Sendable {
    package var totalRecord: Int?
    package var jobList: [JobExecutionWire]

    enum CodingKeys: String, CodingKey {
        case totalRecord = "total_record"
        case jobList = "job_list"
    }

    package init(totalRecord: Int?, jobList: [JobExecutionWire]) {
        self.totalRecord = totalRecord
        self.jobList = jobList
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(totalRecord, forKey: .totalRecord)
        try container.encode(jobList, forKey: .jobList)
    }
}

/// `{"job_detail": {...}}`, the show-job response, as the emulator writes it.
package struct JobDetailWire: Encodable, Sendable {
    package var jobDetail: JobExecutionWire

    package init(jobDetail: JobExecutionWire) {
        self.jobDetail = jobDetail
    }

    enum CodingKeys: String, CodingKey {
        case jobDetail = "job_detail"
    }
}
