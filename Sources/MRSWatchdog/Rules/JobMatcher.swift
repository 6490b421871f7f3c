/// The `match` / `exclude` block of a rule: AND across keys, OR within a list. An empty matcher matches all.
public struct JobMatcher: Sendable, Hashable {
    public var clusterIds: [String] = []
    public var clusterTags: [String: String] = [:]
    public var jobType: [String] = []
    public var jobName: [Glob] = []
    public var jobNameRegex: AnchoredRegex?
    public var user: [Glob] = []
    public var queue: [Glob] = []

    public init() {}

    /// Nil `clusterTags` means the tags could not be read: a tag condition then does not match (the evaluator
    /// fails closed before it gets here).
    public func matches(clusterId: String, clusterTags tags: [String: String]?, job: JobExecution) -> Bool {
        if !clusterIds.isEmpty, !clusterIds.contains(clusterId) { return false }
        if !clusterTags.isEmpty {
            guard let tags, TagSelector.matches(tags, clusterTags) else { return false }
        }
        if !jobType.isEmpty {
            guard let type = job.jobType, jobType.contains(where: { $0.caseInsensitiveEquals(type) }) else { return false }
        }
        if !jobName.isEmpty {
            guard let name = job.jobName, jobName.contains(where: { $0.matches(name) }) else { return false }
        }
        if let jobNameRegex {
            guard let name = job.jobName, jobNameRegex.matches(name) else { return false }
        }
        if !user.isEmpty {
            guard let value = job.user, user.contains(where: { $0.matches(value) }) else { return false }
        }
        if !queue.isEmpty {
            guard let value = job.queue, queue.contains(where: { $0.matches(value) }) else { return false }
        }
        return true
    }
}

extension String {
    /// Case-insensitive equality without allocating for the usual ASCII values (job types, states).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var asciiEqual = true
        for (a, b) in zip(utf8, other.utf8) where a != b {
            guard a < 0x80, b < 0x80, Self.asciiLower(a) == Self.asciiLower(b) else {
                asciiEqual = false
                break
            }
        }
        return asciiEqual || lowercased() == other.lowercased()
    }

    private static func asciiLower(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
