import Foundation
import MRSWatchdog
import Testing

/// The starter rules (`rules.example.json` and `examples/starter-rules.json`) cannot hurt: their catch-alls
/// observe, Flink is limited by no rule that does not name it, Spark SQL is warned, never killed.
struct StarterPackTests {
    static let hour = EvaluatorTests.hour

    static func load(_ path: String) throws -> WatchdogConfig {
        try ConfigLoader.load(
            path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../" + path)
                .standardizedFileURL.path)
    }

    static func decide(_ config: WatchdogConfig, type: String, hours: Int64, tags: [String: String] = [:]) -> Decision {
        var job = EvaluatorTests.running("nightly-load", startedAgo: hours * hour, type: type)
        job.queue = "batch"
        return Evaluator(config: config).decide(
            clusterId: "c-prod", clusterTags: tags, job: job, now: EvaluatorTests.now)
    }

    @Test(arguments: ["rules.example.json", "examples/starter-rules.json"])
    func theCatchAllObservesAndStreamingIsNotNamed(_ path: String) throws {
        // What the rules say once dry run is off.
        var config = try Self.load(path)
        config.safety.dryRun = false
        for type in ["MapReduce", "SparkSubmit", "HiveSql", "DistCp"] {
            let decision = Self.decide(config, type: type, hours: 13)
            #expect(decision.kind == .wouldKill && decision.rule == "batch-ceiling-12h", "\(type): \(decision.reason)")
        }
        #expect(Self.decide(config, type: "Flink", hours: 500).kind == .unmatched, "a streaming job runs on")
        let sql = Self.decide(config, type: "SparkSql", hours: 7)
        #expect(sql.kind == .warn && sql.rule == "spark-sql-6h-warn")
    }

    @Test func theStarterPackStartsInDryRun() throws {
        let config = try Self.load("examples/starter-rules.json")
        #expect(config.safety.dryRun)
        #expect(config.rules.allSatisfy { $0.mode != .enforce })
    }
}
