/// The extensions in force, by cluster and job: what the evaluator consults. When two files name the same
/// job, the one that runs longer counts (each is still bounded by the rule's `max_extension`).
public struct ExtensionSet: Sendable, Hashable {
    private var byJob: [String: [String: JobExtension]] = [:]
    public private(set) var count = 0

    public init(_ extensions: [JobExtension] = []) {
        for grant in extensions {
            let current = byJob[grant.clusterId]?[grant.jobId]
            if current == nil { count += 1 }
            if (current?.untilMillis ?? .min) < grant.untilMillis {
                byJob[grant.clusterId, default: [:]][grant.jobId] = grant
            }
        }
    }

    public var isEmpty: Bool { count == 0 }

    public subscript(clusterId: String, jobId: String) -> JobExtension? {
        byJob[clusterId]?[jobId]
    }

    /// Every extension, by cluster and job id.
    public var all: [JobExtension] {
        byJob.values.flatMap(\.values).sorted { ($0.clusterId, $0.jobId) < ($1.clusterId, $1.jobId) }
    }
}
