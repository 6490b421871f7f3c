import Foundation
import MRSWatchdog

/// The inputs of the benchmarks, built the same way on every run.
enum Workloads {
    static let now: Int64 = 1_800_000_000_000

    /// `rules` rules on job-name prefixes and types (every fifth also on user), and `jobs` running jobs of
    /// which most match one rule: the shape of a busy tenant with per-team ceilings.
    static func evaluation(jobs: Int, rules: Int) -> (Evaluator, [JobExecution]) {
        let ruleList = (0..<rules).map { index -> Rule in
            var match = JobMatcher()
            match.jobName = [try! Glob("team\(index)-*")]
            match.jobType = ["SparkSubmit", "HiveSql"]
            if index % 5 == 0 { match.user = [try! Glob("svc-*")] }
            return Rule(
                name: "r\(index)", match: match, maxRuntimeMillis: Int64(1 + index % 4) * 3_600_000,
                warnBeforeMillis: 600_000, mode: index % 2 == 0 ? .enforce : .observe)
        }
        let jobList = (0..<jobs).map { index -> JobExecution in
            let started = now - Int64(index % 300) * 60_000
            return JobExecution(
                jobId: "job-\(index)", jobName: "team\(index % (rules + 10))-job-\(index)",
                user: index % 3 == 0 ? "svc-etl" : "ana", queue: "default",
                jobType: index % 2 == 0 ? "SparkSubmit" : "HiveSql", jobStateText: "RUNNING",
                submittedTime: started - 60_000, startedTime: started)
        }
        return (Evaluator(rules: ruleList, exemptions: [], dryRun: false), jobList)
    }

    /// A job list response as MRS sends it (compact JSON, the emulator's encoder).
    static func jobListPage(jobs: Int) -> [UInt8] {
        let list = (0..<jobs).map { index in
            JobExecution(
                jobId: UUID().uuidString.lowercased(), jobName: "etl-nightly-\(index)", user: "svc-etl",
                queue: "default", jobType: "SparkSubmit", jobStateText: "RUNNING", jobResult: "UNDEFINED",
                submittedTime: now - 7_200_000, startedTime: now - 7_100_000,
                arguments: "[--class, com.example.Etl, --conf, spark.executor.memory=4g, obs://bucket/etl.jar]",
                properties: "{spark.dynamicAllocation.enabled=true}", appId: "application_1700000000000_\(index)")
        }
        let wire = JobListWire(totalRecord: jobs, jobList: list.map { JobExecutionWire($0) })
        return Array(try! JSONEncoder().encode(wire))
    }

    /// The store a state benchmark writes to, made by its setup.
    final class StoreFixture: @unchecked Sendable {
        var store: StateStore?
        var saved = 0
    }

    /// A state database in a fresh directory holding `count` settled kill records, opened anew as a daemon
    /// restarting on it would (the first store's close has checkpointed its write-ahead log).
    static func stateStore(holding count: Int) throws -> StateStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            let filling = StateStore(directory: directory.path)
            var state = try filling.load(now: now).state
            for index in 0..<count {
                var record = KillRecord(
                    clusterId: "c-bench", jobId: "old-\(index)", status: .confirmed, firstAttemptAt: now)
                record.resolvedAt = now
                state.record(record)
            }
            try filling.save(state.takeChanges())
        }
        let store = StateStore(directory: directory.path)
        _ = try store.load(now: now)
        return store
    }
}
