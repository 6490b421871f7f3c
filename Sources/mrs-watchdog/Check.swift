import ArgumentParser
import MRSWatchdog

extension WatchdogCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a config file; print every problem with its JSON path and line:column.",
            discussion:
                "Exit status: 0 valid, 1 invalid (all problems printed), 2 unreadable. The systemd unit runs this before start and before reload."
        )

        @OptionGroup var file: ConfigFile

        func run() throws {
            let loaded = try file.load()
            Console.out("\(file.config): OK")
            Console.out(ConfigSummary.describe(loaded))
        }
    }
}
