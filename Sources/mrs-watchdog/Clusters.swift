import ArgumentParser
import MRSWatchdog

extension WatchdogCommand {
    struct Clusters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List clusters with their tags, and whether the config watches them.")

        @OptionGroup var options: ConfigOptions

        @Option(
            name: .customLong("tag"),
            help: ArgumentHelp("Only clusters with this tag (k=v, or k for any value); repeatable.", valueName: "K=V"))
        var tags: [String] = []

        @Flag(help: "Print JSON (a cluster_infos response, which explain --clusters reads) instead of a table.")
        var json = false

        func run() async throws {
            let config = try options.load()
            var filter: [String: String?] = [:]
            for tag in tags {
                let parts = tag.split(separator: "=", maxSplits: 1).map(String.init)
                filter[parts[0]] = parts.count > 1 ? parts[1] : nil
            }
            let listing = try await CommandErrors.reporting {
                try await APISession.with(config) { try await $0.listClusters(state: "existing", tags: filter) }
            }
            let clusters = listing.clusters
            for index in listing.malformed {
                Console.err("cluster list entry \(index) could not be read and was skipped")
            }
            if json {
                Console.out(SavedResponses.clusterListJSON(clusters))
                return
            }
            var table = TextTable(header: ["CLUSTER ID", "NAME", "STATE", "WATCHED", "TAGS"])
            for cluster in clusters {
                table.add([
                    cluster.clusterId, cluster.clusterName ?? "-", cluster.clusterState ?? "-",
                    config.watches(cluster) ? "yes" : "no", cluster.tags.map(Cluster.formatTags) ?? "(unreadable)",
                ])
            }
            Console.out(table.render())
            Console.out("\(clusters.count) clusters, \(clusters.filter(config.watches).count) watched")
        }
    }
}
