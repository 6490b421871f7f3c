import Foundation
import Testing

@testable import MRSWatchdog

/// The rule index may only leave out rules whose `match` answers `.no`: checked against the matcher itself
/// over random rules and jobs (cluster ids, job types in any case, name patterns with literal starts,
/// wildcards, classes, escapes and non-ASCII, and missing or empty fields).
struct RuleIndexTests {
    @Test func theIndexNeverLeavesOutARuleThatCouldMatch() throws {
        var random = SplitMix64(seed: 0x1DE7_0001)
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        let clusters = ["c1", "c2", "c3"]
        let types = ["SparkSubmit", "sparksubmit", "HIVESQL", "HiveSql", "Flink", "ＳparkSubmit", ""]
        let patterns = [
            "etl-*", "etl-[0-9]*", "*-nightly", "etl", "e?l-*", "[e]tl-*", "\\*etl*", "étl-*", "e", "etl-1*",
            "etl-10*", "*", "e\u{301}tl-*",
        ]
        let names: [String?] = [
            nil, "", "etl-1", "etl-10-x", "etl", "étl-2", "e\u{301}tl-2", "*etl", "a-nightly", "etx", "e", "etl-",
        ]
        for _ in 0..<300 {
            let rules = try (0..<Int.random(in: 1...70, using: &random)).map { index -> Rule in
                var match = JobMatcher()
                if Bool.random(using: &random) { match.clusterIds = [pick(clusters)] }
                if Bool.random(using: &random) { match.jobType = [pick(types), pick(types)].filter { !$0.isEmpty } }
                if Bool.random(using: &random) { match.jobName = try [Glob(pick(patterns)), Glob(pick(patterns))] }
                if Int.random(in: 0..<5, using: &random) == 0 { match.jobNameRegex = try AnchoredRegex("etl-.*") }
                return Rule(name: "r\(index)", match: match, maxRuntimeMillis: 3_600_000)
            }
            let index = RuleIndex(rules)
            for _ in 0..<50 {
                let cluster = pick(clusters)
                let job = JobExecution(
                    jobId: "j", jobName: pick(names), jobType: pick(types + [nil] as [String?]), jobStateText: "RUNNING"
                )
                let candidates = Set(Array(index.candidates(clusterId: cluster, job: job)))
                for (position, rule) in rules.enumerated()
                where rule.match.evaluate(clusterId: cluster, clusterTags: [:], job: job) != .no {
                    #expect(candidates.contains(position), "\(rule.match) for \(job) on \(cluster)")
                }
                #expect(Array(index.candidates(clusterId: cluster, job: job)) == candidates.sorted(), "in rule order")
            }
        }
    }

    @Test func aJobMeetsOnlyTheRulesThatCanNameIt() throws {
        let rules = try (0..<50).map { index -> Rule in
            var match = JobMatcher()
            match.jobName = [try Glob("team\(index)-*")]
            match.jobType = ["SparkSubmit", "HiveSql"]
            if index == 7 { match.clusterIds = ["c2"] }
            return Rule(name: "r\(index)", match: match)
        }
        let index = RuleIndex(rules)
        func job(_ name: String?, _ type: String? = "hivesql") -> JobExecution {
            JobExecution(jobId: "j", jobName: name, jobType: type, jobStateText: "RUNNING")
        }
        #expect(Array(index.candidates(clusterId: "c1", job: job("team12-nightly"))) == [12])
        #expect(Array(index.candidates(clusterId: "c1", job: job("team1-x"))) == [1], "not team10… to team19…")
        #expect(Array(index.candidates(clusterId: "c1", job: job("team7-x"))) == [], "rule 7 is for c2")
        #expect(Array(index.candidates(clusterId: "c2", job: job("team7-x"))) == [7])
        #expect(Array(index.candidates(clusterId: "c1", job: job("team12-x", "Flink"))) == [])
        #expect(
            Array(index.candidates(clusterId: "c1", job: job("team12-x", nil))) == [12], "a missing type is unknown")
        #expect(Array(index.candidates(clusterId: "c1", job: job(nil))).count == 49, "a missing name is unknown")
    }
}
