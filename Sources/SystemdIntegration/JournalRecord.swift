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
        var fields = [
            "MESSAGE=\(record.summary)",
            "PRIORITY=\(priority(record.level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "MRS_CLUSTER_ID=\(decision.clusterId)",
            "MRS_JOB_ID=\(decision.job.jobId)",
            "WATCHDOG_DECISION=\(record.action.rawValue)",
        ]
        fields += facts(of: decision)
        if let detail = record.detail { fields.append("WATCHDOG_DETAIL=\(detail)") }
        return fields.map(safe)
    }

    /// The fields of an untracked YARN application a rule would kill (`WATCHDOG_DECISION=yarn-untracked`):
    /// `journalctl -u mrs-watchdog WATCHDOG_DECISION=yarn-untracked` lists what the watchdog cannot stop.
    public static func fields(for finding: YarnAuditRound.Finding, identifier: String = "mrs-watchdog") -> [String] {
        var fields = [
            "MESSAGE=\(finding.summary)",
            "PRIORITY=\(priority(.warning))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "MRS_CLUSTER_ID=\(finding.clusterId)",
            "YARN_APPLICATION_ID=\(finding.app.id)",
            "WATCHDOG_DECISION=\(YarnAuditRound.Finding.action)",
        ]
        if let type = finding.app.applicationType { fields.append("YARN_APPLICATION_TYPE=\(type)") }
        fields += facts(of: finding.decision)
        return fields.map(safe)
    }

    /// The job's and the verdict's facts, each field present only when known.
    private static func facts(of decision: Decision) -> [String] {
        let job = decision.job
        let named: [(String, String?)] = [
            ("MRS_JOB_NAME", job.jobName), ("MRS_USER", job.user), ("MRS_QUEUE", job.queue),
            ("MRS_JOB_TYPE", job.jobType), ("MRS_JOB_STATE", job.jobStateText), ("WATCHDOG_RULE", decision.rule),
            ("WATCHDOG_REASON", decision.reason),
            ("WATCHDOG_RUNTIME_SEC", decision.elapsedMillis.map { String($0 / 1000) }),
            ("WATCHDOG_LIMIT_SEC", decision.limitMillis.map { String($0 / 1000) }),
        ]
        return named.compactMap { name, value in value.map { "\(name)=\($0)" } }
    }

    /// Every field one safe line: no NUL, line break or control sequence reaches the journal or a reader;
    /// and bounded, as the stream's lines are.
    private static func safe(_ field: String) -> String {
        SafeText.line(field, maxBytes: JournalLogHandler.maxLineBytes)
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
