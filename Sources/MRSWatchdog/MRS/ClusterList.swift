/// The clusters a listing returned, and the indices (over the whole listing) of entries that could not be read.
public struct ClusterList: Sendable, Hashable {
    public var clusters: [Cluster]
    public var malformed: [Int]

    public init(clusters: [Cluster], malformed: [Int] = []) {
        self.clusters = clusters
        self.malformed = malformed
    }
}
