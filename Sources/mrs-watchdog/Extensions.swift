import ArgumentParser
import MRSWatchdog

extension WatchdogCommand {
    struct Extensions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the extensions in the extensions directory: in force, malformed and (--all) expired.",
            discussion: """
                UNTIL is what was asked; the daemon moves a deadline no further than the rule's max_extension \
                allows, and a rule without max_extension grants none (the journal says 'extension-refused'). \
                BY is the file's owner: who ran `mrs-watchdog extend`. A malformed file changes nothing; \
                the command exits 1 when it lists one (as when it cannot read the directory).
                """)

        @Option(help: "The extensions directory (extensions.directory in the config).")
        var dir = ExtensionDirectory.defaultPath

        @Flag(help: "Also list extensions that have run out.")
        var all = false

        func run() throws {
            var directory = ExtensionDirectory(path: dir)
            let scan = directory.scan()
            if let problem = scan.problem { throw CommandFailure(problem) }
            let now = HostClock.nowMillis()
            var table = TextTable(header: ["STATE", "CLUSTER", "JOB ID", "UNTIL", "BY", "REASON"])
            var shown = 0
            var expired = 0
            var malformed = 0
            for entry in scan.entries {
                switch entry {
                case .valid(let grant) where grant.untilMillis <= now && !all:
                    expired += 1
                case .valid(let grant):
                    table.add([
                        grant.untilMillis > now ? "in force" : "expired", grant.clusterId, grant.jobId,
                        RFC3339.format(epochMillis: grant.untilMillis), grant.grantedBy, grant.reason,
                    ])
                    shown += 1
                case .malformed(let file, let owner, let problem):
                    table.add(["malformed", "-", file, "-", owner, problem])
                    shown += 1
                    malformed += 1
                }
            }
            if shown > 0 { Console.out(table.render()) }
            var summary = "\(shown == 0 ? "no" : "\(shown)") extension file\(shown == 1 ? "" : "s") listed in \(dir)"
            if expired > 0 { summary += "; \(expired) expired (--all lists them)" }
            if malformed > 0 { summary += "; \(malformed) malformed, changing nothing" }
            Console.out(summary)
            if malformed > 0 { throw ExitCode(1) }
        }
    }
}
