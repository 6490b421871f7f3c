import Logging
import MRSWatchdog

/// swift-log lines on stderr: `<N>`-prefixed for journald when stderr is the journal (the prefix becomes
/// the entry's `PRIORITY=`, and journald adds its own timestamp), plain timestamped lines on a terminal.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let toJournal: Bool

    public init(label: String, level: Logger.Level, toJournal: Bool) {
        self.label = label
        self.logLevel = level
        self.toJournal = toJournal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
        Console.err(
            Self.line(
                level: event.level, message: "\(event.message)", metadata: merged, label: label, toJournal: toJournal,
                epochMillis: HostClock.nowMillis()))
    }

    /// The most one line carries, in bytes: journald cuts a stream line at `LineMax` (48 KB by default) and
    /// reads the rest as a new line, whose `<N>` prefix a job owner's 300 KB declared value could choose.
    public static let maxLineBytes = 8 * 1024

    /// The line written for one event: `<N>text` for the journal, `time level label: text` on a terminal,
    /// with the metadata as sorted `key=value` pairs. One safe line (`SafeText.line`) of at most
    /// `maxLineBytes`, the middle of a longer one left out.
    public static func line(
        level: Logger.Level, message: String, metadata: Logger.Metadata, label: String, toJournal: Bool,
        epochMillis: Int64
    ) -> String {
        let extra =
            metadata.isEmpty
            ? "" : " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // One entry per line on the journal's stream: a field with a NUL or a line break could otherwise end
        // it and start a forged one, with a `<N>` priority of the writer's choosing.
        let text = SafeText.line("\(message)\(extra)", maxBytes: maxLineBytes)
        return toJournal
            ? "<\(JournalRecord.priority(level))>\(text)"
            : "\(RFC3339.format(epochMillis: epochMillis)) \(level) \(label): \(text)"
    }
}
