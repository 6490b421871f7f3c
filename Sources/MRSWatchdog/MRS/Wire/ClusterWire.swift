/// A `Cluster` of `cluster_infos` on the wire (camelCase; only the fields the watchdog reads).
package struct ClusterWire: Codable, Sendable {
    package var cluster: Cluster
    /// Encoding only: fields to leave out (the emulator's unreadable entries).
    package var omit: Set<String> = []

    package init(_ cluster: Cluster, omit: Set<String> = []) {
        self.cluster = cluster
        self.omit = omit
    }

    enum CodingKeys: String, CodingKey {
        case clusterId, clusterName, clusterState, tags
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let id = container.lenientString(.clusterId), !id.isEmpty else {
            throw DecodingError.keyNotFound(
                CodingKeys.clusterId, .init(codingPath: decoder.codingPath, debugDescription: "cluster without id"))
        }
        // `""` is "no tags"; a missing field, null, or a string that cannot be parsed is "unknown", so a rule
        // on tags fails closed there instead of taking the cluster as untagged.
        let tags = (try? container.decodeIfPresent(String.self, forKey: .tags)).flatMap {
            $0.flatMap(Cluster.parseTags)
        }
        cluster = Cluster(
            clusterId: id, clusterName: container.lenientString(.clusterName),
            clusterState: container.lenientString(.clusterState), tags: tags)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cluster.clusterId, forKey: .clusterId, unless: omit)
        try container.encode(cluster.clusterName, forKey: .clusterName, unless: omit)
        try container.encode(cluster.clusterState, forKey: .clusterState, unless: omit)
        // Unknown tags stay unknown for whoever reads this back (`explain --clusters`).
        try container.encode(cluster.tags.map(Cluster.formatTags), forKey: .tags, unless: omit)
    }
}

/// `{"clusterTotal": N, "clusters": [...]}`. An entry that cannot be read (no `clusterId`, not an object)
/// is skipped and its index kept in `malformed`; the other clusters stay watched.
package struct ClusterListWire: Codable, Sendable {
    package var clusterTotal: Int?
    package var clusters: [ClusterWire]
    package var malformed: [Int] = []

    enum CodingKeys: String, CodingKey {
        case clusterTotal, clusters
    }

    package init(clusterTotal: Int?, clusters: [ClusterWire]) {
        self.clusterTotal = clusterTotal
        self.clusters = clusters
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusterTotal = container.lenientInt(.clusterTotal)
        let list = try container.decodeIfPresent(LenientList<ClusterWire>.self, forKey: .clusters)
        clusters = list?.elements ?? []
        malformed = list?.malformed ?? []
    }
}
