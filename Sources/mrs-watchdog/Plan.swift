import ArgumentParser
import MRSWatchdog

extension WatchdogCommand {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Live, read-only: what the daemon would do right now (nothing is killed or warned).",
            discussion:
                "Discovers the watched clusters, lists their active jobs and evaluates the rules at MRS server time.")

        @OptionGroup var options: ConfigOptions

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let config = try options.load()
            let clock = ServerClock()
            let (decisions, failures, problems) = try await CommandErrors.reporting {
                try await APISession.with(config, serverClock: clock) { client in
                    let poller = ClusterPoller(api: client, config: config)
                    let discovered = try await poller.discover()
                    let clusters = discovered.clusters
                    let progress = ProgressLine(clusters: clusters.count)
                    let result = await poller.poll(clusters: clusters) { progress.add(jobs: $0.jobs.count) }
                    progress.finish()
                    let now = clock.now()
                    var extensions = ExtensionDirectory(path: config.extensionsDirectory)
                    let evaluator = Evaluator(config: config, extensions: extensions.scan().active(now: now))
                    let decisions = clusters.flatMap { cluster in
                        evaluator.decideAll(
                            clusterId: cluster.clusterId, clusterTags: cluster.tags,
                            jobs: result.digests[cluster.clusterId]?.jobs ?? [], now: now)
                    }
                    var problems = discovered.malformed.map {
                        "cluster list entry \($0) could not be read and was skipped"
                    }
                    for cluster in clusters {
                        guard let listed = result.digests[cluster.clusterId] else { continue }
                        if listed.malformed > 0 {
                            problems.append(
                                "cluster \(cluster.clusterId): \(listed.malformed) job entries could not be read and were skipped"
                            )
                        }
                        if let why = listed.endedEarly {
                            problems.append("cluster \(cluster.clusterId): \(why); its listing was cut short")
                        }
                    }
                    return (decisions, result.failures, problems)
                }
            }
            if json {
                Console.out(DecisionTable.json(decisions))
            } else {
                Console.out(DecisionTable.render(decisions))
                Console.out("")
                Console.out(
                    "at \(RFC3339.format(epochMillis: clock.now())) (server time): \(DecisionTable.summary(decisions))")
            }
            for problem in problems { Console.err(problem) }
            for (cluster, error) in failures.sorted(by: { $0.key < $1.key }) {
                Console.err("cluster \(cluster) could not be polled: \(error)")
            }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
