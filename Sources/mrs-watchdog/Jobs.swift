import ArgumentParser
import MRSWatchdog

extension WatchdogCommand {
    struct Jobs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a cluster's job executions.")

        @OptionGroup var options: ConfigOptions

        @Option(help: "Cluster id.")
        var cluster: String

        @Option(help: "Only jobs in this state (NEW, ACCEPTED, RUNNING, FINISHED, FAILED, KILLED, …).")
        var state: String?

        @Flag(help: "Print JSON (a job list response) instead of a table.")
        var json = false

        func run() async throws {
            let config = try options.load()
            var wanted: JobState?
            if let state {
                guard let parsed = JobState(wire: state) else {
                    throw ValidationError(
                        "--state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                wanted = parsed
            }
            let jobs = try await CommandErrors.reporting {
                try await APISession.with(config) { try await $0.listJobExecutions(clusterId: cluster, state: wanted) }
            }
            if json {
                Console.out(SavedResponses.jobListJSON(jobs))
                return
            }
            let now = HostClock.nowMillis()
            var table = TextTable(header: [
                "JOB ID", "NAME", "USER", "QUEUE", "TYPE", "STATE", "RESULT", "SUBMITTED", "RUNNING FOR",
            ])
            for job in jobs {
                table.add([
                    job.jobId, job.jobName ?? "-", job.user ?? "-", job.queue ?? "-", job.jobType ?? "-",
                    job.jobStateText ?? "-", job.jobResult ?? "-",
                    job.submittedTime.map { RFC3339.format(epochMillis: $0) } ?? "-",
                    job.state == .running
                        ? job.startedTime.map { DurationText.format(millis: (now - $0) / 1000 * 1000) } ?? "?" : "-",
                ])
            }
            Console.out(table.render())
            Console.out("\(jobs.count) jobs")
        }
    }
}
