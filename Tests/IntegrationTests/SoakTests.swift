import Foundation
import MRSEmulator
import MRSWatchdog
import Synchronization
import Testing

/// The daemon for minutes against an MRS that fails 20 % of requests (429, 500, 502, resets, hangs):
/// no crash, no wrong or early kill, every due kill confirmed, and the loop never stalls long enough to
/// miss a watchdog ping. Two minutes in the test suite; `make soak` runs it for SOAK_MINUTES (20).
@Suite(.timeLimit(.minutes(40)))
struct SoakTests {
    static let minutes = Double(ProcessInfo.processInfo.environment["MRSW_SOAK_MINUTES"] ?? "") ?? 2

    @Test func twentyPercentFaultsForMinutes() async throws {
        let seconds = Int(Self.minutes * 60)
        try await EmulatorHarness.run { emulator in
            await emulator.state.setKillBehaviour(KillBehaviour(delaySeconds: 0.5))
            let clusters = ["c-soak-1", "c-soak-2", "c-soak-3"]
            for cluster in clusters { await emulator.addCluster(cluster) }
            // The limit outlasts the run (10 min at least); deadlines spread over the run, three per cluster
            // per minute.
            let limit = max(600_000, (seconds + 60) * 1000)
            var due: [String: Int] = [:]  // job → deadline offset (ms from the start)
            var spared: Set<String> = []
            let jobsPerCluster = max(3, Int(Self.minutes * 3))
            for cluster in clusters {
                for index in 0..<jobsPerCluster {
                    let deadline = 5_000 + (seconds - 25) * 1000 * index / jobsPerCluster
                    let id = try await emulator.state.addJob(
                        .init(
                            cluster: cluster, name: "etl-\(index)", startOffset: "-\(limit - deadline)ms", queued: "0s")
                    )
                    due[id] = deadline
                    // Finishes on its own a few seconds before its deadline: never killed.
                    spared.insert(
                        try await emulator.state.addJob(
                            .init(
                                cluster: cluster, name: "etl-short-\(index)", startOffset: "-\(limit - deadline)ms",
                                queued: "0s",
                                duration: "\(limit - 3_000)ms")))
                    // Named by no rule: never killed, however long it runs.
                    spared.insert(
                        try await emulator.state.addJob(
                            .init(cluster: cluster, name: "adhoc-\(index)", startOffset: "-5h")))
                }
            }
            let dueJobs = Set(due.keys)
            var faults = FaultPlan()
            (faults.rate429, faults.rate500, faults.rate502, faults.rateReset, faults.rateHang) = (
                0.05, 0.05, 0.04, 0.03, 0.03
            )
            await emulator.state.setFaults(faults)
            let config = try DaemonHarness.config(
                emulator, clusters: clusters,
                rules:
                    #"[{"name": "etl-limit", "match": {"job_name": ["etl-*"]}, "max_runtime": "\#(limit)ms", "mode": "enforce"}]"#,
                safety: #"{"max_kills_per_cycle": 100, "max_kills_per_hour": 1000}"#)
            let stalls = Counter()
            try await DaemonHarness.run(emulator, config: config, requestTimeout: .seconds(2)) { daemon in
                // A hung request ends after 2 s and every call beats: a 15 s gap (room for a loaded machine)
                // would mean a call without its timeout, which never beats.
                let heartbeat = daemon.service.heartbeat
                let monitor = Task { [stalls] in
                    while !Task.isCancelled {
                        if !heartbeat.isAlive(within: .seconds(15)) { stalls.increment() }
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
                try await Task.sleep(for: .seconds(seconds))
                await emulator.state.setFaults(FaultPlan())
                try await eventually("every due kill confirmed", timeout: .seconds(60)) {
                    let state = await daemon.service.snapshot
                    return dueJobs.allSatisfy { id in
                        state.kills.values.contains { $0.jobId == id && $0.status == .confirmed }
                    }
                }
                monitor.cancel()
                #expect(daemon.events.records(.unkillable).isEmpty)
            }
            #expect(stalls.value == 0, "the loop stalled past the watchdog window")
            let accepted = await emulator.state.kills().filter { $0.status == 202 }
            #expect(Set(accepted.map(\.jobId)) == dueJobs, "killed exactly the jobs over their limit")
            #expect(accepted.allSatisfy { !spared.contains($0.jobId) })
            let client = emulator.client()
            for kill in accepted {
                let startedTime = try #require(
                    try await client.showJob(clusterId: kill.clusterId, jobId: kill.jobId).startedTime)
                #expect(kill.receivedAt >= startedTime + Int64(limit), "killed \(kill.jobId) early")
            }
        }
    }
}

/// A count shared with a monitoring task.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
