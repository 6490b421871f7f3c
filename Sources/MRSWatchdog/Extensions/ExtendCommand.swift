/// The `mrs-watchdog extend` command line for one job, as warnings print it so the job's owner can paste it.
public enum ExtendCommand {
    /// `mrs-watchdog extend --cluster C J --by 2h --reason "…"`; `--dir` only when the directory is not the
    /// default. `byMillis`: how much time to ask for (the rule's `max_extension`).
    public static func text(clusterId: String, jobId: String, byMillis: Int64, directory: String) -> String {
        var words = [
            "mrs-watchdog", "extend", "--cluster", clusterId, jobId, "--by", DurationText.format(millis: byMillis),
        ]
        if directory != ExtensionDirectory.defaultPath { words += ["--dir", directory] }
        return words.joined(separator: " ") + " --reason \"…\""
    }
}
