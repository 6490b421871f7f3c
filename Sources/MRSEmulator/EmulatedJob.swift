import MRSWatchdog

/// A job inside the emulator. Its state is a pure function of the emulator's clock, so nothing needs to
/// tick: submitted → `NEW` (first second) → `ACCEPTED` → `RUNNING` → `FINISHED`/`SUCCEEDED`, or, once a
/// kill has taken effect, `KILLED` (or `FINISHED` with result `KILLED`).
struct EmulatedJob: Sendable {
    var clusterId: String
    var jobId: String
    var name: String
    var user: String?
    var queue: String?
    var type: String?
    /// Epoch milliseconds.
    var submittedAt: Int64
    var startsAt: Int64
    /// nil: runs until killed.
    var endsAt: Int64?
    /// When a kill takes effect (request time + kill delay).
    var killedAt: Int64?
    /// Odd shapes a scenario asks for: wire fields left out, times in epoch seconds.
    var omit: Set<String> = []
    var timesInSeconds = false
    /// As submitted (the real service returns them verbatim, secrets included).
    var arguments: String
    var properties: String
    /// YARN ids: the launcher MRS submits first, then the job's own application.
    var launcherId: String
    var appId: String

    /// The job on the wire now, in the shape the scenario asked for.
    func wire(at now: Int64, killedShape: KillBehaviour.EndShape) -> JobExecutionWire {
        JobExecutionWire(execution(at: now, killedShape: killedShape), omit: omit, timesInSeconds: timesInSeconds)
    }

    func execution(at now: Int64, killedShape: KillBehaviour.EndShape) -> JobExecution {
        var job = JobExecution(
            jobId: jobId, jobName: name, user: user, queue: queue, jobType: type, submittedTime: submittedAt,
            arguments: arguments, properties: properties, appId: appId, launcherId: launcherId)
        let naturalEnd = endsAt.flatMap { $0 <= now ? $0 : nil }
        if let killedAt, killedAt <= now, killedAt < naturalEnd ?? .max {
            job.startedTime = startsAt <= killedAt ? startsAt : nil
            job.finishedTime = killedAt
            switch killedShape {
            case .killed:
                job.jobStateText = "KILLED"
                job.jobResult = "KILLED"
            case .finishedKilled:
                job.jobStateText = "FINISHED"
                job.jobResult = "KILLED"
            }
        } else if let naturalEnd {
            job.startedTime = startsAt
            job.finishedTime = naturalEnd
            job.jobStateText = "FINISHED"
            job.jobResult = "SUCCEEDED"
        } else if now >= startsAt {
            job.startedTime = startsAt
            job.jobStateText = "RUNNING"
            job.jobResult = "UNDEFINED"
        } else {
            job.jobStateText = now < submittedAt + 1000 ? "NEW" : "ACCEPTED"
            job.jobResult = "UNDEFINED"
        }
        return job
    }
}

/// How the emulator answers kills: the real service's final state after a kill is not documented.
public struct KillBehaviour: Codable, Sendable, Hashable {
    public enum EndShape: String, Codable, Sendable, Hashable {
        case killed
        case finishedKilled = "finished_killed"
    }

    /// Seconds between the accepted kill and the job becoming terminal.
    public var delaySeconds: Double = 1
    public var endShape: EndShape = .killed
    /// Accept kills with 202 but never let them take effect (a stuck YARN application).
    public var ignore = false
    /// Job types whose kills are refused with `0175` while the job stays active (e.g. `SparkSql`).
    public var refuseTypes: [String] = []

    enum CodingKeys: String, CodingKey {
        case delaySeconds = "delay_seconds"
        case endShape = "end_shape"
        case ignore
        case refuseTypes = "refuse_types"
    }

    public init(
        delaySeconds: Double = 1, endShape: EndShape = .killed, ignore: Bool = false, refuseTypes: [String] = []
    ) {
        self.delaySeconds = delaySeconds
        self.endShape = endShape
        self.ignore = ignore
        self.refuseTypes = refuseTypes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        delaySeconds = try container.decodeIfPresent(Double.self, forKey: .delaySeconds) ?? 1
        endShape = try container.decodeIfPresent(EndShape.self, forKey: .endShape) ?? .killed
        ignore = try container.decodeIfPresent(Bool.self, forKey: .ignore) ?? false
        refuseTypes = try container.decodeIfPresent([String].self, forKey: .refuseTypes) ?? []
    }
}
