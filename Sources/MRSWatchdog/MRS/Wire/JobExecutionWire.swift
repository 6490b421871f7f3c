/// `JobQueryBean` on the wire, shared by the client (decoding) and the emulator (encoding).
///
/// Decoding is tolerant: every field may be missing, numbers may be strings, `arguments` and `properties`
/// arrive as strings (or, in other versions, as an array or object, which are skipped).
package struct JobExecutionWire: Codable, Sendable {
    package var execution: JobExecution

    package init(_ execution: JobExecution) {
        self.execution = execution
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

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let jobId = container.lenientString(.jobId), !jobId.isEmpty else {
            throw DecodingError.keyNotFound(
                CodingKeys.jobId, .init(codingPath: decoder.codingPath, debugDescription: "job without job_id"))
        }
        execution = JobExecution(
            jobId: jobId,
            jobName: container.lenientString(.jobName),
            user: container.lenientString(.user),
            queue: container.lenientString(.queue),
            jobType: container.lenientString(.jobType),
            jobStateText: container.lenientString(.jobState),
            jobResult: container.lenientString(.jobResult),
            submittedTime: container.lenientMillis(.submittedTime),
            startedTime: container.lenientMillis(.startedTime),
            finishedTime: container.lenientMillis(.finishedTime),
            arguments: container.lenientString(.arguments),
            appId: container.lenientString(.appId))
    }

    /// Encodes the way the real service does: times as numbers with 0 for "not yet", strings for
    /// `arguments` and `properties`, `elapsed_time` only once finished.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let job = execution
        try container.encode(job.jobId, forKey: .jobId)
        try container.encodeIfPresent(job.user, forKey: .user)
        try container.encodeIfPresent(job.jobName, forKey: .jobName)
        try container.encodeIfPresent(job.jobResult, forKey: .jobResult)
        try container.encodeIfPresent(job.jobStateText, forKey: .jobState)
        try container.encode(job.isTerminal ? 100 : 0, forKey: .jobProgress)
        try container.encodeIfPresent(job.jobType, forKey: .jobType)
        try container.encode(job.startedTime ?? 0, forKey: .startedTime)
        try container.encode(job.submittedTime ?? 0, forKey: .submittedTime)
        try container.encode(job.finishedTime ?? 0, forKey: .finishedTime)
        if let started = job.startedTime, let finished = job.finishedTime {
            try container.encode(finished - started, forKey: .elapsedTime)
        } else {
            try container.encode(0, forKey: .elapsedTime)
        }
        try container.encode(job.arguments ?? "[]", forKey: .arguments)
        try container.encode("{}", forKey: .properties)
        try container.encodeIfPresent(job.appId, forKey: .launcherId)
        try container.encodeIfPresent(job.appId, forKey: .appId)
        try container.encodeIfPresent(job.queue, forKey: .queue)
    }
}

/// `{"total_record": N, "job_list": [...]}`, the list response. A job entry that cannot be read (no
/// `job_id`, not an object) is counted in `malformed` instead of failing the whole page.
package struct JobListWire: Codable, Sendable {
    package var totalRecord: Int?
    package var jobList: [JobExecutionWire]
    package var malformed = 0

    enum CodingKeys: String, CodingKey {
        case totalRecord = "total_record"
        case jobList = "job_list"
    }

    package init(totalRecord: Int?, jobList: [JobExecutionWire]) {
        self.totalRecord = totalRecord
        self.jobList = jobList
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        totalRecord = container.lenientInt(.totalRecord)
        let list = try container.decodeIfPresent(LenientJobList.self, forKey: .jobList)
        jobList = list?.jobs ?? []
        malformed = list?.malformed ?? 0
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(totalRecord, forKey: .totalRecord)
        try container.encode(jobList, forKey: .jobList)
    }
}

/// A JSON array of jobs in which an unreadable entry is counted, not fatal.
package struct LenientJobList: Decodable, Sendable {
    package var jobs: [JobExecutionWire] = []
    package var malformed = 0

    package init(from decoder: any Decoder) throws {
        var list = try decoder.unkeyedContainer()
        while !list.isAtEnd {
            if let job = try? list.decode(JobExecutionWire.self) {
                jobs.append(job)
            } else {
                _ = try list.decode(SkippedValue.self)
                malformed += 1
            }
        }
    }
}

/// Consumes one JSON value of any shape.
struct SkippedValue: Decodable {
    init(from decoder: any Decoder) throws {}
}

/// `{"job_detail": {...}}`, the show-job response.
package struct JobDetailWire: Codable, Sendable {
    package var jobDetail: JobExecutionWire

    package init(jobDetail: JobExecutionWire) {
        self.jobDetail = jobDetail
    }

    enum CodingKeys: String, CodingKey {
        case jobDetail = "job_detail"
    }
}
