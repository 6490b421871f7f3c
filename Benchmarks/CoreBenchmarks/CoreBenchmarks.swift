import Benchmark
import Foundation
import MRSWatchdog

/// The daemon's in-process hot paths, measured by package-benchmark (p50/p99 wall and CPU time, allocations):
/// `make bench-core`, or `MRS_WATCHDOG_BENCHMARKS=1 swift package benchmark`. Figures are in BENCHMARKS.md.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal], timeUnits: .microseconds,
        maxDuration: .seconds(10), maxIterations: 1_000)

    Benchmark("Evaluator: 100,000 jobs × 50 rules", configuration: .init(timeUnits: .milliseconds, maxIterations: 20)) {
        benchmark in
        let (evaluator, jobs) = Workloads.evaluation(jobs: 100_000, rules: 50)
        benchmark.startMeasurement()
        for job in jobs {
            blackHole(evaluator.decide(clusterId: "c", clusterTags: [:], job: job, now: Workloads.now))
        }
    }

    Benchmark("Job list page: 100 jobs read from bytes") { benchmark in
        let page = Workloads.jobListPage(jobs: 100)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try JobResponseReader.list(page))
        }
    }

    Benchmark("Signer: one GET with query and headers") { benchmark in
        let signer = AKSKSigner()
        let credentials = Credentials(accessKey: "AKBENCHMARK0000000", secretKey: "bench-secret-key-0000000000000000")
        let request = SignableRequest(
            method: "GET", host: "mrs.cn-north-4.myhuaweicloud.com",
            path: "/v2/0123456789abcdef0123456789abcdef/clusters/6cd2d7cc-43ba-4f7e-87fb-5fbd1c1e4b0a/job-executions",
            query: [.init("limit", "100"), .init("offset", "3"), .init("job_state", "RUNNING")],
            headers: [.init("Content-Type", "application/json"), .init("X-Project-Id", "0123456789abcdef")])
        let date = SdkDate(epochSeconds: 1_800_000_000)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(signer.sign(request, credentials: credentials, date: date))
        }
    }

    // The cost of saving one more kill record must not depend on how many are stored. The store is filled
    // once (setup); each sample saves one new record on it.
    for stored in [10, 10_000] {
        let fixture = Workloads.StoreFixture()
        Benchmark(
            "State: save one kill record with \(stored) stored", configuration: .init(maxIterations: 300),
            closure: { benchmark in
                guard let store = fixture.store else { return }
                for _ in benchmark.scaledIterations {
                    fixture.saved += 1
                    var state = WatchdogState()
                    state.record(
                        KillRecord(
                            clusterId: "c-bench", jobId: "new-\(fixture.saved)", status: .pending,
                            firstAttemptAt: Workloads.now))
                    try store.save(state.takeChanges())
                }
            },
            setup: { fixture.store = try Workloads.stateStore(holding: stored) })
    }
}
