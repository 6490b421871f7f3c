import ArgumentParser
import Glibc
import MRSWatchdog

extension WatchdogCommand {
    struct Extend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask for more time for one job, without root and without editing the config.",
            discussion: """
                Writes a small drop-in for the job into the extensions directory; the running daemon reads it \
                when it next wakes (no reload) and moves the job's deadline, never further than the rule's \
                max_extension past the rule's own deadline (a rule without max_extension grants none). The \
                journal, the notifications and `mrs-watchdog report` record who asked (the file's owner) and \
                why. Running it again for the same job replaces the request; deleting the file withdraws it.

                Writing needs membership of the group \(ExtensionDirectory.operatorsGroup), which the package \
                creates. The warnings of a rule that grants extensions print this command for their job.
                """)

        @Option(help: ArgumentHelp("The job's cluster id.", valueName: "CLUSTER_ID"))
        var cluster: String

        @Argument(help: ArgumentHelp("The job execution id.", valueName: "JOB_ID"))
        var jobId: String

        @Option(help: ArgumentHelp("More time counted from now, e.g. 2h or 90m; at most 366d.", valueName: "DURATION"))
        var by: String?

        @Option(
            help: ArgumentHelp(
                "Run until this time, RFC 3339 (e.g. 2026-11-30T18:00:00Z); at most 366 days ahead.",
                valueName: "TIME"))
        var until: String?

        @Option(help: "Why the job needs the time; recorded with your user name.")
        var reason: String

        @Option(help: "The extensions directory (extensions.directory in the config).")
        var dir = ExtensionDirectory.defaultPath

        func validate() throws {
            guard (by == nil) != (until == nil) else {
                throw ValidationError("give --by DURATION or --until TIME (one of them, not both)")
            }
            for (what, id) in [("--cluster", cluster), ("JOB_ID", jobId)] where !ExtensionFile.isPlausibleId(id) {
                throw ValidationError("\(what) '\(id)' is not an MRS id (1 to 128 letters, digits, '-' or '_')")
            }
            if let problem = ExtensionFile.reasonProblem(reason) { throw ValidationError("--reason \(problem)") }
            _ = try target(now: HostClock.nowMillis())
        }

        /// Until when, epoch ms: `--by` from `now`, or `--until`, which must be later than `now`; at most
        /// `longest` ahead, since a longer request is almost surely a typo (`--by 100000d`).
        func target(now: Int64) throws -> Int64 {
            let target = try requested(now: now)
            guard target - now <= Self.longest else {
                throw ValidationError(
                    "\(by.map { "--by \($0)" } ?? "--until \(until ?? "")") is more than a year ahead")
            }
            return target
        }

        /// How far ahead of now a request may reach, ms (366 days).
        static let longest: Int64 = 366 * 86_400_000

        private func requested(now: Int64) throws -> Int64 {
            if let by {
                do {
                    return now + (try DurationText.parseMillis(by))
                } catch {
                    throw ValidationError("--by: \(error)")
                }
            }
            guard let until, let parsed = RFC3339.parse(until) else {
                throw ValidationError(
                    "--until must be RFC 3339 with a time zone, e.g. 2026-11-30T18:00:00Z or 2026-12-01T02:00:00+08:00")
            }
            guard parsed > now else { throw ValidationError("--until \(until) is not in the future") }
            return parsed
        }

        func run() throws {
            let now = HostClock.nowMillis()
            let target = try target(now: now)
            let text = ExtensionFile.render(
                clusterId: cluster, jobId: jobId, untilMillis: target, reason: reason, createdMillis: now)
            let name = ExtensionFile.name(clusterId: cluster, jobId: jobId)
            let path: String
            do {
                path = try ExtensionDirectory(path: dir).write(text, name: name)
            } catch {
                throw CommandFailure(error.description)
            }
            let user = ExtensionDirectory.userName(getuid())
            Console.out("extension written: \(path)")
            Console.out(
                "job \(jobId) on cluster \(cluster) may run until \(RFC3339.format(epochMillis: target))"
                    + " (\(DurationText.format(millis: (target - now) / 1000 * 1000)) from now), as far as its rule's"
                    + " max_extension allows; asked by \(user).")
            Console.out(
                "The daemon applies it when it next wakes; the journal records it as 'extended' (or"
                    + " 'extension-refused'). List: mrs-watchdog extensions"
                    + (dir == ExtensionDirectory.defaultPath ? "" : " --dir \(dir)") + ". Withdraw: rm \(path)")
        }
    }
}
