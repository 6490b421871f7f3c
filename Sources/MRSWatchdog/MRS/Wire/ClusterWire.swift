/// A `Cluster` of `cluster_infos` on the wire (camelCase; only the fields the watchdog reads).
package struct ClusterWire: Codable, Sendable {
    package var cluster: Cluster

    package init(_ cluster: Cluster) {
        self.cluster = cluster
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
        try container.encode(cluster.clusterId, forKey: .clusterId)
        try container.encodeIfPresent(cluster.clusterName, forKey: .clusterName)
        try container.encodeIfPresent(cluster.clusterState, forKey: .clusterState)
        try container.encode(Cluster.formatTags(cluster.tags ?? [:]), forKey: .tags)
    }
}

/// `{"clusterTotal": N, "clusters": [...]}`.
package struct ClusterListWire: Codable, Sendable {
    package var clusterTotal: Int?
    package var clusters: [ClusterWire]

    package init(clusterTotal: Int?, clusters: [ClusterWire]) {
        self.clusterTotal = clusterTotal
        self.clusters = clusters
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusterTotal = container.lenientInt(.clusterTotal)
        clusters = try container.decodeIfPresent([ClusterWire].self, forKey: .clusters) ?? []
    }
}
