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
        // A missing tags field means "no tags" in the API; a string we cannot parse means "unknown".
        let tags: [String: String]?
        if let text = try? container.decodeIfPresent(String.self, forKey: .tags) {
            tags = Cluster.parseTags(text)
        } else if container.contains(.tags), (try? container.decodeNil(forKey: .tags)) != true {
            tags = nil
        } else {
            tags = [:]
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
        try container.encode(Cluster.formatTags(cluster.tags ?? [:]), forKey: .tags, unless: omit)
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
