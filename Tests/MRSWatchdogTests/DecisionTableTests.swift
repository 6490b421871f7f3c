import Foundation
import MRSWatchdog
import Testing

/// `explain` over a saved list of 1,000 jobs: one aligned row per job, the same text every time.
struct DecisionTableTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json")!)
    }

    @Test func aThousandJobsGiveAStableAlignedTable() throws {
        let config = try ConfigLoader.load(
            path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../rules.example.json").standardizedFileURL.path)
        let saved = try SavedResponses.jobs(from: try Self.fixture("jobs-1000"))
        let cluster = try SavedResponses.clusters(from: try Self.fixture("clusters-dev"))[0]
        #expect(saved.jobs.count == 1000)
        let now = RFC3339.parse("2026-12-01T00:00:00Z")!
        let evaluator = Evaluator(config: config)
        func table() -> String {
            DecisionTable.render(
                saved.jobs.map {
                    evaluator.decide(clusterId: cluster.clusterId, clusterTags: cluster.tags, job: $0, now: now)
                })
        }
        let first = table()
        #expect(first == table())
        let lines = first.split(separator: "\n")
        #expect(lines.count == 1001)
        // Every row starts its JOB ID column where the header does.
        let column = lines[0].range(of: "JOB ID")!.lowerBound.utf16Offset(in: lines[0])
        #expect(lines.dropFirst().allSatisfy { $0.dropFirst(column).hasPrefix("aaaa0000-") })
        // Running jobs with started_time missing are never killed; those a runtime rule names are skipped-unknown.
        let decisions = saved.jobs.map {
            evaluator.decide(clusterId: cluster.clusterId, clusterTags: cluster.tags, job: $0, now: now)
        }
        let unstarted = decisions.filter { $0.job.state == .running && $0.job.startedTime == nil }
        #expect(!unstarted.isEmpty)
        #expect(unstarted.allSatisfy { $0.kind != .kill && $0.kind != .wouldKill })
        #expect(unstarted.contains { $0.kind == .skippedUnknown && $0.rule == "dev-spark-2h" })
        #expect(decisions.contains { $0.kind == .kill })
    }

    @Test func aPlainJSONArrayOfJobsIsAcceptedToo() throws {
        let data = Data(
            #"[{"job_id": "a", "job_state": "RUNNING", "started_time": "1700000000000"}, {"no": "id"}]"#.utf8)
        let saved = try SavedResponses.jobs(from: data)
        #expect(saved.jobs.map(\.jobId) == ["a"])
        #expect(saved.jobs.first?.startedTime == 1_700_000_000_000)
        #expect(saved.malformed == 1)
    }
}
