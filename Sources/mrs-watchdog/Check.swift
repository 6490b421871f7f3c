import ArgumentParser
import MRSWatchdog

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension WatchdogCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a config file; print every problem with its JSON path and line:column.",
            discussion:
                "Exit status: 0 valid, 1 invalid (all problems printed), 2 unreadable. The systemd unit runs this before a reload; `run` prints the same warnings as it starts."
        )

        @OptionGroup var file: ConfigFile

        func run() throws {
            let loaded = try file.load()
            Console.out("\(file.config): OK")
            Console.out(ConfigSummary.describe(loaded))
            for warning in Self.warnings(file.config, loaded) { Console.out("warning: \(warning)") }
        }

        /// What a valid config should still change, one sentence each: `check` prints them, `run` logs them.
        static func warnings(_ path: String, _ config: WatchdogConfig) -> [String] {
            ConfigAdvice.warnings(config) + [exposure(of: path, config)].compactMap { $0 }
        }

        /// A config that holds webhook URLs (whose path is their credential) and every user may read.
        static func exposure(of path: String, _ config: WatchdogConfig) -> String? {
            let notifications = config.notifications
            let hooks =
                [notifications.webhook].compactMap { $0 } + notifications.owners.byUser.values.compactMap(\.webhook)
            guard !hooks.isEmpty,
                let mode = try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int,
                mode & 0o004 != 0
            else { return nil }
            return
                "\(path) is readable by every user (mode \(String(mode, radix: 8))) and holds \(hooks.count) webhook URL(s), "
                + "whose path is their credential: chmod 640 it, group mrs-watchdog-config (the unit reads it through that group)"
        }
    }
}
