/// One application as a YARN ResourceManager lists it (Hadoop ResourceManager REST API, Cluster Applications
/// API: `GET /ws/v1/cluster/apps`, one element of `apps.app`). Everything but `id` may be missing; text is
/// as the submitter wrote it (hostile: shown only through `SafeText`).
public struct YarnApplication: Sendable, Hashable {
    /// `application_<ResourceManager start, epoch ms>_<sequence>`, as MRS's `app_id` and `launcher_id`.
    public var id: String
    public var user: String?
    public var queue: String?
    public var name: String?
    /// `applicationType`: `SPARK`, `MAPREDUCE`, `TEZ`, `Apache Flink`, … as the submitting framework sets it.
    public var applicationType: String?
    /// `applicationTags`, comma-separated on the wire; YARN lower-cases them.
    public var tags: [String]
    /// `state`: `NEW`, `NEW_SAVING`, `SUBMITTED`, `ACCEPTED`, `RUNNING`, … (`YarnApplicationState`).
    public var state: String?
    /// When the application was submitted to the ResourceManager (`startedTime`, which YARN sets at
    /// submission), epoch ms; nil when YARN gives 0 or nothing.
    public var startedTime: Int64?
    /// When its ApplicationMaster was launched (`launchTime`, Hadoop 2.8 and later), epoch ms: when it left
    /// the queue. Nil when YARN gives 0 or nothing.
    public var launchTime: Int64?
    /// How long it has run (`elapsedTime`), ms.
    public var elapsedTime: Int64?

    public init(
        id: String, user: String? = nil, queue: String? = nil, name: String? = nil, applicationType: String? = nil,
        tags: [String] = [], state: String? = nil, startedTime: Int64? = nil, launchTime: Int64? = nil,
        elapsedTime: Int64? = nil
    ) {
        self.id = id
        self.user = user
        self.queue = queue
        self.name = name
        self.applicationType = applicationType
        self.tags = tags
        self.state = state
        self.startedTime = startedTime
        self.launchTime = launchTime
        self.elapsedTime = elapsedTime
    }

    /// True for a well-formed YARN application id: `application_`, digits, `_`, digits (Hadoop's
    /// `ApplicationId.toString`, the sequence at least 4 digits).
    public static func isApplicationId(_ text: String) -> Bool {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "application", parts[1].count <= 19, parts[2].count >= 4,
            parts[2].count <= 19
        else { return false }
        return parts[1...].allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }
    }
}
