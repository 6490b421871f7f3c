/// A config file's text for tests, built from the sections a test cares about, each given as its JSON
/// text, so the parts every config needs are written once.
///
/// One section per line, in this order: `mrs`, `watch`, `safety`, `rules`, then `more`; a test that checks
/// an error's line can count on it (a one-line `rules` after `watch` is on line 3).
public struct ConfigText: CustomStringConvertible, Sendable {
    /// The `mrs` section.
    public struct MRS: Sendable {
        public var region: String
        public var projectId: String?
        public var endpoint: String?
        /// Further members, e.g. `"request_timeout": "5s"`.
        public var more: String?

        public init(
            region: String = "cn-north-4", projectId: String? = nil, endpoint: String? = nil, more: String? = nil
        ) {
            self.region = region
            self.projectId = projectId
            self.endpoint = endpoint
            self.more = more
        }
    }

    public var mrs: MRS
    /// The `watch` object, e.g. `{"cluster_ids": ["c1"]}`; left out when nil.
    public var watch: String?
    /// The `safety` object; left out when nil.
    public var safety: String?
    /// The `rules` array.
    public var rules: String
    /// Further top-level members, e.g. `"notifications": {…}`.
    public var more: String?

    public init(
        mrs: MRS = MRS(), watch: String? = nil, safety: String? = nil, rules: String = "[]", more: String? = nil
    ) {
        self.mrs = mrs
        self.watch = watch
        self.safety = safety
        self.rules = rules
        self.more = more
    }

    /// `watch` naming these clusters by id, with further members (e.g. `"poll_interval": "1s"`).
    public static func watching(_ clusterIds: [String], _ more: String? = nil) -> String {
        let ids = clusterIds.map { "\"\($0)\"" }.joined(separator: ", ")
        return "{\"cluster_ids\": [\(ids)]" + (more.map { ", " + $0 } ?? "") + "}"
    }

    public var description: String {
        var mrsMembers = ["\"region\": \"\(mrs.region)\""]
        if let projectId = mrs.projectId { mrsMembers.append("\"project_id\": \"\(projectId)\"") }
        if let endpoint = mrs.endpoint { mrsMembers.append("\"endpoint\": \"\(endpoint)\"") }
        if let more = mrs.more { mrsMembers.append(more) }
        var members = ["\"mrs\": {" + mrsMembers.joined(separator: ", ") + "}"]
        if let watch { members.append("\"watch\": \(watch)") }
        if let safety { members.append("\"safety\": \(safety)") }
        members.append("\"rules\": \(rules)")
        if let more { members.append(more) }
        return "{" + members.joined(separator: ",\n ") + "}"
    }
}
