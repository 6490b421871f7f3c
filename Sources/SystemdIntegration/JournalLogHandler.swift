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

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        let merged = explicit.map { metadata.merging($0) { $1 } } ?? metadata
        let extra =
            merged.isEmpty
            ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // One entry per line on the journal's stream: a field with a NUL or a line break could otherwise end
        // it and start a forged one, with a `<N>` priority of the writer's choosing.
        let text = SafeText.line("\(message)\(extra)")
        Console.err(
            toJournal
                ? "<\(JournalRecord.priority(level))>\(text)"
                : "\(RFC3339.format(epochMillis: HostClock.nowMillis())) \(level) \(label): \(text)")
    }
}
