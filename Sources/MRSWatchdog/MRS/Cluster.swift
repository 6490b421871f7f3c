/// An MRS cluster as `cluster_infos` lists it, with its tags parsed from the `"k1=v1,k2=v2"` string.
public struct Cluster: Sendable, Hashable {
    public var clusterId: String
    public var clusterName: String?
    public var clusterState: String?
    /// Parsed tags; nil when the tags could not be read (absent or malformed), which rules treat as unknown.
    public var tags: [String: String]?

    public init(clusterId: String, clusterName: String? = nil, clusterState: String? = nil, tags: [String: String]?) {
        self.clusterId = clusterId
        self.clusterName = clusterName
        self.clusterState = clusterState
        self.tags = tags
    }

    /// Parses the `tags` string: split on `,`, then on the first `=`. Keys and values cannot contain either
    /// character, so an item without `=` or with an empty key makes the whole string unreadable (nil).
    public static func parseTags(_ text: String) -> [String: String]? {
        var tags: [String: String] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmedItem = item.trimmingSpaces()
            if trimmedItem.isEmpty { continue }
            guard let equals = trimmedItem.firstIndex(of: "=") else { return nil }
            let key = String(trimmedItem[..<equals]).trimmingSpaces()
            guard !key.isEmpty else { return nil }
            tags[key] = String(trimmedItem[trimmedItem.index(after: equals)...]).trimmingSpaces()
        }
        return tags
    }

    /// Renders tags the way the API sends them, keys sorted.
    public static func formatTags(_ tags: [String: String]) -> String {
        tags.keys.sorted().map { "\($0)=\(tags[$0]!)" }.joined(separator: ",")
    }
}
