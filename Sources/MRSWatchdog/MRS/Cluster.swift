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

    /// Why a tag selector key or value can never match a cluster tag, or nil. MRS API reference: ListClusters
    /// (`tags`) and ListClusterTags:
    /// keys are 1–36 characters, values at most 43, and neither holds `= * < > \ , | /`; a value of exactly
    /// `"*"` means "any value".
    public static func tagProblem(key: String, value: String) -> String? {
        let forbidden: Set<Unicode.Scalar> = ["=", "*", "<", ">", "\\", ",", "|", "/"]
        func problem(_ text: String, _ what: String, limit: Int) -> String? {
            if let scalar = text.unicodeScalars.first(where: { forbidden.contains($0) }) {
                return "tag \(what) '\(text)' can never match: MRS tags cannot contain '\(scalar)'"
                    + (scalar == "*" ? " (\"*\" alone means any value)" : "")
            }
            if let scalar = text.unicodeScalars.first(where: { !VisibleText.isVisible($0) }) {
                return "tag \(what) '\(text)' contains \(VisibleText.describe(scalar)); retype it"
            }
            return text.count > limit ? "tag \(what) '\(text)' is longer than MRS allows (\(limit))" : nil
        }
        if key.isEmpty { return "a tag key cannot be empty" }
        return problem(key, "key", limit: 36) ?? (value == "*" ? nil : problem(value, "value", limit: 43))
    }

    /// Renders tags the way the API sends them, keys sorted.
    public static func formatTags(_ tags: [String: String]) -> String {
        tags.keys.sorted().map { "\($0)=\(tags[$0]!)" }.joined(separator: ",")
    }
}
