import MRSWatchdog
import WatchdogTestSupport

/// The machine tests' helpers (`Machine.Harness`, `Machine.job`) as every suite names them.
typealias Machine = WatchdogStateMachineTests

extension WatchdogStateMachineTests {
    /// One machine and the server time it is at; every event goes through here.
    struct Harness {
        var machine: WatchdogStateMachine
        var now = WatchdogStateMachineTests.start
        /// The report of the latest poll.
        var lastCycle: CycleReport?
        /// The decision records of every poll.
        var records: [DecisionRecord] = []

        static let rule =
            #"{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "1h", "warn_before": "10m", "mode": "enforce"}"#

        init(
            safety: String = "{}", dryRun: Bool = false, mode: WatchdogStateMachine.Mode = .daemon,
            state: WatchdogState = WatchdogState(), rule: String = Harness.rule, extra: String? = nil,
            timing: DaemonTiming = DaemonTiming()
        ) throws {
            let text = ConfigText(
                watch: ConfigText.watching(["c1"], #""poll_interval": "1h""#), safety: safety, rules: "[\(rule)]",
                more: extra
            ).description
            machine = WatchdogStateMachine(
                config: try ConfigLoader.parse(text, file: "t.json").get(), dryRun: dryRun, timing: timing, mode: mode)
            _ = machine.started(state: state, notices: [], now: now)
        }

        /// A poll that lists `jobs` on cluster c1.
        /// - Parameter evaluator: what the listing was judged with (default: the machine's, as the poll starts).
        mutating func poll(
            _ jobs: [JobExecution], failures: [String: HuaweiCloudError] = [:], evaluator: Evaluator? = nil
        ) -> [String] {
            let actions = machine.pollFinished(
                report(jobs, failures: failures, evaluator: evaluator), now: now, jitter: 0)
            for case .emit(.cycle(let cycle)) in actions { lastCycle = cycle }
            for case .emit(.decision(let record)) in actions { records.append(record) }
            return lines(actions)
        }

        /// The report of a poll that lists `jobs` on cluster c1, judged now.
        func report(
            _ jobs: [JobExecution], failures: [String: HuaweiCloudError] = [:], evaluator: Evaluator? = nil
        ) -> PollReport {
            let at = now
            var digest = ClusterDigest(
                cluster: Cluster(clusterId: "c1", tags: [:]), evaluator: evaluator ?? machine.evaluator, now: { at },
                horizon: at + 2 * minute)
            digest.add(JobPage(jobs: jobs))
            return PollReport(
                discovery: .notDue, clusters: [Cluster(clusterId: "c1", tags: [:])],
                digests: failures.isEmpty ? ["c1": digest] : [:],
                failures: failures, hostSkewMillis: 0, duration: .zero)
        }

        mutating func timer(after millis: Int64 = 0) -> [String] {
            now += millis
            return lines(machine.timerFired(now: now))
        }

        mutating func read(_ job: JobExecution) -> [String] { lines(machine.jobRead(key(job.jobId), job, now: now)) }
        mutating func readFailed(_ id: String, _ error: HuaweiCloudError) -> [String] {
            lines(machine.jobReadFailed(key(id), error, now: now))
        }
        mutating func killed(_ id: String, _ failure: HuaweiCloudError? = nil) -> [String] {
            lines(machine.killAnswered(key(id), failure: failure, now: now))
        }

        func key(_ id: String) -> JobKey { JobKey(clusterId: "c1", jobId: id) }
    }
}

extension WatchdogStateMachineTests.Harness {
    /// Actions as short lines; progress, cycle and ready reports are left out. Each `persist` takes the
    /// machine's changes, as the shell does when it saves them.
    mutating func lines(_ actions: [WatchdogStateMachine.Action]) -> [String] {
        for case .persist in actions { _ = machine.takeChanges() }
        return Self.lines(actions)
    }

    static func lines(_ actions: [WatchdogStateMachine.Action]) -> [String] {
        actions.compactMap { action in
            switch action {
            case .startPoll: return "poll"
            case .readJob(let key): return "read \(key)"
            case .sendKill(let key): return "kill \(key)"
            case .persist: return "persist"
            case .summarize: return "summarize"
            case .emit(let event):
                switch event {
                case .decision(let record):
                    let name = record.action == .kill ? "kill-decision" : record.action.rawValue
                    return "\(name) \(JobKey(record.decision))"
                case .notice(let notice): return "notice: \(notice.text)"
                case .breaker(let open, _, _): return open ? "breaker open" : "breaker closed"
                case .reloading: return "reloading"
                case .reloaded: return "reloaded"
                case .stopping: return "stopping"
                case .cycle, .progress, .ready, .configApplied, .yarnAudited: return nil
                }
            }
        }
    }
}
