import ArgumentParser
import MRSWatchdog

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension WatchdogCommand {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Offline: show what the rules decide for jobs in a saved job list.",
            discussion: """
                FILE is a saved list response ({"total_record": …, "job_list": […]}) or a JSON array of jobs. \
                --clusters is a saved cluster_infos response, used for cluster tags; without it, tags are \
                unknown (rules on tags give skipped-unknown). Nothing is contacted and nothing is killed.
                """)

        @OptionGroup var file: ConfigFile

        @Option(help: ArgumentHelp("Saved job list.", valueName: "FILE"))
        var jobs: String

        @Option(help: ArgumentHelp("Saved cluster_infos response.", valueName: "FILE"))
        var clusters: String?

        @Option(help: "Cluster id the jobs belong to (default: the only cluster in --clusters, else \"-\").")
        var cluster: String?

        @Option(help: "Evaluate at this time (RFC 3339), instead of now.")
        var now: String?

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let loaded = try file.load()
            let at: Int64
            if let now {
                guard let parsed = RFC3339.parse(now) else {
                    throw ValidationError("--now must be RFC 3339, e.g. 2026-11-29T12:00:00Z")
                }
                at = parsed
            } else {
                at = HostClock.nowMillis()
            }
            let saved = try SavedResponses.jobs(from: try read(jobs))
            let clusterList = try clusters.map { try SavedResponses.clusters(from: try read($0)) } ?? []
            let clusterId = cluster ?? (clusterList.count == 1 ? clusterList[0].clusterId : "-")
            let tags = clusterList.first { $0.clusterId == clusterId }?.tags
            var extensions = ExtensionDirectory(path: loaded.extensionsDirectory)
            let evaluator = Evaluator(config: loaded, extensions: extensions.scan().active(now: at))
            let decisions = evaluator.decideAll(clusterId: clusterId, clusterTags: tags, jobs: saved.jobs, now: at)
            if json {
                Console.out(DecisionTable.json(decisions))
                return
            }
            Console.out(DecisionTable.render(decisions))
            Console.out("")
            Console.out("at \(RFC3339.format(epochMillis: at)): \(DecisionTable.summary(decisions))")
            if saved.malformed > 0 { Console.out("\(saved.malformed) job entries could not be read and were skipped") }
            if tags == nil {
                let why =
                    clusters == nil
                    ? "no --clusters given" : "cluster \(clusterId) not in \(clusters!) or its tags unreadable"
                Console.out(
                    "note: \(why), so its tags are unknown: rules on cluster tags fail closed (skipped-unknown)")
            }
        }

        private func read(_ path: String) throws -> Data {
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                Console.err("\(path): cannot read: \(error)")
                throw ExitCode(2)
            }
        }
    }
}
