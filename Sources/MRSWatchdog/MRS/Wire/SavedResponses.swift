#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads saved API responses for offline `explain`: a job list response or a plain array of jobs, and a
/// `cluster_infos` response.
public enum SavedResponses {
    public struct Jobs: Sendable {
        public var jobs: [JobExecution]
        public var malformed: Int
    }

    /// - Throws: `JobResponseReader.SyntaxError` when `data` is neither a list response nor a JSON array.
    public static func jobs(from data: Data) throws -> Jobs {
        let list = try JobResponseReader.savedList(Array(data))
        return Jobs(jobs: list.jobs, malformed: list.malformed.count)
    }

    /// - Throws: `DecodingError` when `data` is not a `cluster_infos` response.
    public static func clusters(from data: Data) throws -> [Cluster] {
        try JSONDecoder().decode(ClusterListWire.self, from: data).clusters.map(\.cluster)
    }

    /// A `cluster_infos` response body for these clusters, as `clusters --json` prints it.
    public static func clusterListJSON(_ clusters: [Cluster]) -> String {
        encode(ClusterListWire(clusterTotal: clusters.count, clusters: clusters.map { ClusterWire($0) }))
    }

    /// A job list response body for these jobs, as `jobs --json` prints it (and `explain --jobs` reads it).
    public static func jobListJSON(_ jobs: [JobExecution]) -> String {
        encode(JobListWire(totalRecord: jobs.count, jobList: jobs.map { JobExecutionWire($0) }))
    }

    private static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}
