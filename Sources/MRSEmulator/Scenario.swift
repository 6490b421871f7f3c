import MRSWatchdog

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, name, state, tags, omit
        }

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
        /// Sent as MRS sends them (strings), secrets included: `"[--conf, k=v, obs://b/x.jar]"`, `"{k=v}"`.
        public var arguments: String?
        public var properties: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case cluster, id, name, user, queue, type, queued, duration, omit, arguments, properties
            case startOffset = "start_offset"
            case timeUnit = "time_unit"
        }

        public init(
            cluster: String, id: String? = nil, name: String, user: String? = nil, queue: String? = nil,
            type: String? = nil, startOffset: String? = nil, queued: String? = nil, duration: String? = nil,
            omit: [String]? = nil, timeUnit: String? = nil, arguments: String? = nil, properties: String? = nil
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
            self.arguments = arguments
            self.properties = properties
        }
    }

    /// What YARN runs that MRS job management does not show, and the ResourceManagers' HA roles
    /// (served under `/yarn/{cluster}/rm1|rm2/ws/v1/cluster/…`).
    public struct YarnSpec: Codable, Sendable {
        /// An application started outside MRS job management (spark-submit on a node, a Hive query, …).
        public struct AppSpec: Codable, Sendable {
            public var cluster: String
            public var name: String
            public var user: String?
            public var queue: String?
            /// `applicationType`: `SPARK`, `MAPREDUCE`, `TEZ`, `Apache Flink`, …
            public var type: String?
            public var tags: [String]?
            /// When it started, relative to load time, e.g. `"-3h"`.
            public var startOffset: String?
            /// `RUNNING` (default) or `ACCEPTED`.
            public var state: String?
            enum CodingKeys: String, CodingKey, CaseIterable {
                case cluster, name, user, queue, type, tags, state
                case startOffset = "start_offset"
            }
        }

        public var apps: [AppSpec]?
        /// Which ResourceManager is the standby, `rm1` or `rm2` (default `rm2`): it answers its cluster info
        /// with `haState` STANDBY and redirects every other request to the active one.
        public var standby: String?
        /// Entries no client can read, added to every cluster's application list.
        public var malformedApps: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case apps, standby
            case malformedApps = "malformed_apps"
        }
    }

    public var clusters: [ClusterSpec]
    public var jobs: [JobSpec]
    public var yarn: YarnSpec?

    public init(clusters: [ClusterSpec], jobs: [JobSpec] = []) {
        self.clusters = clusters
        self.jobs = jobs
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case clusters, jobs, yarn
    }

    /// A scenario file's contents. Unknown keys are refused (with their line:column and a "did you mean"),
    /// as the config loader refuses them: a misspelt key never silently does nothing.
    /// - Throws: `ScenarioError` for an unknown key or invalid JSON, `DecodingError` for a wrong type.
    public static func decode(_ bytes: [UInt8]) throws -> Scenario {
        let root = try parse(bytes)
        try check(root, "", CodingKeys.self)
        for (index, cluster) in root["clusters"]?.elements.enumerated() ?? [].enumerated() {
            try check(cluster, "clusters[\(index)]", ClusterSpec.CodingKeys.self)
        }
        for (index, job) in root["jobs"]?.elements.enumerated() ?? [].enumerated() {
            try check(job, "jobs[\(index)]", JobSpec.CodingKeys.self)
        }
        if let yarn = root["yarn"] {
            try check(yarn, "yarn", YarnSpec.CodingKeys.self)
            for (index, app) in yarn["apps"]?.elements.enumerated() ?? [].enumerated() {
                try check(app, "yarn.apps[\(index)]", YarnSpec.AppSpec.CodingKeys.self)
            }
        }
        return try JSONDecoder().decode(Scenario.self, from: Data(bytes))
    }

    /// One job (`POST /_emulator/jobs`), checked the same way.
    /// - Throws: as `decode(_:)`.
    public static func decodeJob(_ bytes: [UInt8]) throws -> JobSpec {
        try check(try parse(bytes), "", JobSpec.CodingKeys.self)
        return try JSONDecoder().decode(JobSpec.self, from: Data(bytes))
    }

    private static func parse(_ bytes: [UInt8]) throws -> JSONNode {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ScenarioError(description: "\(error.position): invalid JSON: \(error.message)")
        }
    }

    private static func check<Keys: CodingKey & CaseIterable>(
        _ node: JSONNode, _ path: String, _ keys: Keys.Type
    ) throws {
        guard case .object(let members) = node.value else { return }
        let known = Keys.allCases.map(\.stringValue)
        for member in members where !known.contains(member.key) {
            let at = path.isEmpty ? member.key : "\(path).\(member.key)"
            let hint = Suggestion.hint(for: member.key, among: known)
            throw ScenarioError(description: "\(member.keyPosition): \(at): unknown key '\(member.key)'\(hint)")
        }
    }
}

/// Why a scenario was refused, with its line:column.
public struct ScenarioError: Error, CustomStringConvertible {
    public var description: String
}

extension JSONNode {
    /// The elements of an array, none otherwise.
    fileprivate var elements: [JSONNode] {
        if case .array(let elements) = value { return elements }
        return []
    }
}
