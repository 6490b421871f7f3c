import CSystemd
import Logging
import MRSWatchdog

#if canImport(Glibc)
    import Glibc
#endif

/// One structured journal entry per decision, written with `sd_journal_sendv` so every field can be
/// queried: `journalctl -u mrs-watchdog WATCHDOG_DECISION=kill` lists every kill.
public enum JournalRecord {
    /// The fields of a decision record, `NAME=value` each; pure, so tests read them without a journal.
    public static func fields(for record: DecisionRecord, identifier: String = "mrs-watchdog") -> [String] {
        let decision = record.decision
        let job = decision.job
        var fields = [
            "MESSAGE=\(record.summary)",
            "PRIORITY=\(priority(record.level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "MRS_CLUSTER_ID=\(decision.clusterId)",
            "MRS_JOB_ID=\(job.jobId)",
            "WATCHDOG_DECISION=\(record.action.rawValue)",
        ]
        func add(_ name: String, _ value: String?) {
            if let value { fields.append("\(name)=\(value)") }
        }
        add("MRS_JOB_NAME", job.jobName)
        add("MRS_USER", job.user)
        add("MRS_QUEUE", job.queue)
        add("MRS_JOB_TYPE", job.jobType)
        add("MRS_JOB_STATE", job.jobStateText)
        add("WATCHDOG_RULE", decision.rule)
        add("WATCHDOG_REASON", decision.reason)
        add("WATCHDOG_RUNTIME_SEC", decision.elapsedMillis.map { String($0 / 1000) })
        add("WATCHDOG_LIMIT_SEC", decision.limitMillis.map { String($0 / 1000) })
        add("WATCHDOG_DETAIL", record.detail)
        // Every field one safe line: no NUL, line break or control sequence reaches the journal or a reader;
        // and bounded, as the stream's lines are.
        return fields.map { SafeText.line($0, maxBytes: JournalLogHandler.maxLineBytes) }
    }

    /// syslog priority of a swift-log level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Sends one entry; returns 0 or a negative errno (no journal: the entry is lost, never fatal).
    @discardableResult
    public static func send(_ fields: [String]) -> Int32 {
        // One buffer holds every field, so each iovec points into memory that lives for the whole call.
        let bytes = fields.map { Array($0.utf8) }
        let storage = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, bytes.reduce(0) { $0 + $1.count }), alignment: 1)
        defer { storage.deallocate() }
        var vectors: [iovec] = []
        var offset = 0
        for field in bytes {
            let slice = UnsafeMutableRawBufferPointer(rebasing: storage[offset..<offset + field.count])
            slice.copyBytes(from: field)
            vectors.append(iovec(iov_base: slice.baseAddress, iov_len: field.count))
            offset += field.count
        }
        return sd_journal_sendv(vectors, Int32(vectors.count))
    }
}
