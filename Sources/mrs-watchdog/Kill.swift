import ArgumentParser
import MRSWatchdog

extension WatchdogCommand {
    struct Kill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kill one job now (no rules involved) and wait until MRS reports it ended.",
            discussion: "On failure prints the MRS error code and message and exits 1.")

        @OptionGroup var options: ConfigOptions

        @Option(help: "Cluster id.")
        var cluster: String

        @Argument(help: "The job execution id.")
        var jobId: String

        @Option(help: "Seconds to wait for the job to reach a terminal state.")
        var wait: Int = 60

        func run() async throws {
            let config = try options.load()
            let final = try await CommandErrors.reporting {
                try await APISession.with(config) { client -> JobExecution in
                    try await client.killJob(clusterId: cluster, jobId: jobId)
                    Console.out("kill accepted for \(jobId); waiting for it to end…")
                    let deadline = ContinuousClock.now + .seconds(wait)
                    while true {
                        let job = try await client.showJob(clusterId: cluster, jobId: jobId)
                        if job.isTerminal || ContinuousClock.now >= deadline { return job }
                        try await Task.sleep(for: .seconds(1))
                    }
                }
            }
            let state = [final.jobStateText, final.jobResult].compactMap { $0 }.joined(separator: "/")
            if final.isTerminal {
                Console.out("\(jobId): \(state)")
            } else {
                Console.err("\(jobId): still \(state) after \(wait)s")
                throw ExitCode(1)
            }
        }
    }
}
