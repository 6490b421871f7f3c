/// The extensions in force, by cluster and job: what the evaluator consults. One per job, since a drop-in
/// must be named for the job it names (`ExtensionDirectory`).
public struct ExtensionSet: Sendable, Hashable {
    private var byJob: [String: [String: JobExtension]] = [:]
    public private(set) var count = 0

    public init(_ extensions: [JobExtension] = []) {
        for grant in extensions {
            if byJob[grant.clusterId]?.updateValue(grant, forKey: grant.jobId) == nil {
                byJob[grant.clusterId, default: [:]][grant.jobId] = grant
                count += 1
            }
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// Every extension, by cluster and job id.
    public var all: [JobExtension] {
        byJob.sorted { $0.key < $1.key }.flatMap { $0.value.sorted { $0.key < $1.key }.map(\.value) }
    }

    public subscript(clusterId: String, jobId: String) -> JobExtension? {
        byJob[clusterId]?[jobId]
    }
}
