extension WatchdogService {
    /// How the daemon runs, beyond its config file.
    public struct Options: Sendable {
        /// `--dry-run`: every rule observes.
        public var dryRun = false
        /// Cadences and bounds; tests shrink them.
        public var timing = DaemonTiming()
        public init() {}
    }
}
