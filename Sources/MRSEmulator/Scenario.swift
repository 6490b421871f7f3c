/// A scenario file: the clusters and jobs an emulator starts with. Times are relative to the moment the
/// emulator loads it, so a scenario stays meaningful whenever it is run.
///
/// ```json
/// {"clusters": [{"id": "c-dev", "name": "dev", "tags": {"env": "dev"}}],
///  "jobs": [{"cluster": "c-dev", "name": "etl-nightly", "user": "etl", "queue": "default",
///            "type": "SparkSubmit", "start_offset": "-115m", "queued": "2m", "duration": "4h"}]}
/// ```
///
/// Odd shapes real endpoints send: a job's `omit` (fields left out) and `time_unit: "s"` (epoch seconds); a
/// cluster's `omit: ["clusterId"]` (an entry no client can read).
public struct Scenario: Codable, Sendable {
    public struct ClusterSpec: Codable, Sendable {
        public var id: String
        public var name: String?
        public var state: String?
        public var tags: [String: String]?
        /// Wire fields the list entry leaves out; `["clusterId"]` makes an entry no client can read.
        public var omit: [String]?

        public init(
            id: String, name: String? = nil, state: String? = nil, tags: [String: String]? = nil, omit: [String]? = nil
        ) {
            self.id = id
            self.name = name
            self.state = state
            self.tags = tags
            self.omit = omit
        }
    }

    public struct JobSpec: Codable, Sendable {
        public var cluster: String
        public var id: String?
        public var name: String
        public var user: String?
        public var queue: String?
        public var type: String?
        /// When the job was (negative) or will be submitted, relative to load time, e.g. `"-90m"`, `"30s"`.
        public var startOffset: String?
        /// How long it waits in the queue before running (default `"2s"`).
        public var queued: String?
        /// How long it runs; absent means it runs until killed.
        public var duration: String?
        /// Wire fields left out of the job's entry (`queue`, `user`, `started_time`, …), as real responses do.
        public var omit: [String]?
        /// `"s"`: times are sent in epoch seconds instead of milliseconds (a broken or foreign endpoint).
        public var timeUnit: String?

        enum CodingKeys: String, CodingKey {
            case cluster, id, name, user, queue, type, queued, duration, omit
            case startOffset = "start_offset"
            case timeUnit = "time_unit"
        }

        public init(
            cluster: String, id: String? = nil, name: String, user: String? = nil, queue: String? = nil,
            type: String? = nil, startOffset: String? = nil, queued: String? = nil, duration: String? = nil,
            omit: [String]? = nil, timeUnit: String? = nil
        ) {
            self.cluster = cluster
            self.id = id
            self.name = name
            self.user = user
            self.queue = queue
            self.type = type
            self.startOffset = startOffset
            self.queued = queued
            self.duration = duration
            self.omit = omit
            self.timeUnit = timeUnit
        }
    }

    public var clusters: [ClusterSpec]
    public var jobs: [JobSpec]

    public init(clusters: [ClusterSpec], jobs: [JobSpec] = []) {
        self.clusters = clusters
        self.jobs = jobs
    }
}
