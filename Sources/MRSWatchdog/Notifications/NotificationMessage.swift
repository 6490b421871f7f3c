/// One announcement for people: built from a daemon event when the event is one they asked for.
/// Pure; the JSON is what the webhook receives, `subject` and `text` what SMN sends.
public struct NotificationMessage: Sendable, Hashable {
    public var event: NotificationSettings.Event
    public var subject: String
    public var text: String
    /// The webhook body: one JSON object with stable, sorted keys.
    public var json: String
    /// The job it is about, its MRS user and its cluster's tags (nil: not about a job, or unknown): what
    /// routes it to the job's owner (`notifications.owners`).
    public var job: JobKey?
    public var user: String?
    public var clusterTags: [String: String]?

    /// At most this many bytes of JSON (and of `text`): a job's owner writes its name and the declaration in
    /// its reason, and a receiver that refuses a large body would leave a `require_notice` kill waiting.
    public static let maxBytes = 4096

    /// The message for `event`, or nil when it is not a warn / kill / unkillable / kill-loop / extension / breaker
    /// event. Long values are cut in the middle (`…[1234 bytes left out]…`) until the JSON fits `maxBytes`.
    public static func from(_ event: DaemonEvent, at epochMillis: Int64) -> NotificationMessage? {
        for cap in [1024, 256, 64] {
            guard let message = from(event, at: epochMillis, cap: cap) else { return nil }
            if message.json.utf8.count <= maxBytes || cap == 64 { return message }
        }
        return nil
    }

    private static func from(_ event: DaemonEvent, at epochMillis: Int64, cap: Int) -> NotificationMessage? {
        func quoted(_ value: String) -> String { JSONText.quoted(value.elidingMiddle(toBytes: cap)) }
        var fields: [(String, String)] = [("time", JSONText.quoted(RFC3339.format(epochMillis: epochMillis)))]
        let kind: NotificationSettings.Event
        let subject: String
        let text: String
        switch event {
        case .decision(let record):
            switch record.action {
            case .warn: kind = .warn
            case .kill: kind = .kill
            case .unkillable: kind = .unkillable
            case .killLoop: kind = .killLoop
            case .extended, .extensionRefused, .extensionWithdrawn: kind = .extension
            default: return nil
            }
            let decision = record.decision
            let job = decision.job
            // What people read is one safe line; the JSON fields are data, escaped per RFC 8259.
            // Escaped first, then cut: escapes make text longer, and SMN refuses a subject over 512 bytes.
            subject = SafeText.line(
                "mrs-watchdog: \(record.action.rawValue) \(job.jobName ?? job.jobId) on \(decision.clusterId)",
                maxBytes: 480)
            text = SafeText.line(record.summary, maxBytes: 2 * cap)
            fields += [
                ("cluster_id", quoted(decision.clusterId)), ("job_id", quoted(job.jobId)),
                ("reason", quoted(decision.reason)),
            ]
            let optional: [(String, String?)] = [
                ("job_name", job.jobName), ("user", job.user), ("queue", job.queue), ("rule", decision.rule),
                ("detail", record.detail),
            ]
            for (key, value) in optional { if let value { fields.append((key, quoted(value))) } }
            if let elapsed = decision.elapsedMillis { fields.append(("runtime_sec", String(elapsed / 1000))) }
            if let limit = decision.limitMillis { fields.append(("limit_sec", String(limit / 1000))) }
        case .breaker(let open, let candidates, let threshold):
            kind = .breaker
            subject = "mrs-watchdog: breaker \(open ? "open" : "closed")"
            text = WatchdogNotice.breakerText(open: open, candidates: candidates, threshold: threshold)
            fields += [
                ("breaker", JSONText.quoted(open ? "open" : "closed")), ("candidates", String(candidates)),
                ("threshold", String(threshold)),
            ]
        default:
            return nil
        }
        fields += [("event", JSONText.quoted(kind.rawValue)), ("message", JSONText.quoted(text))]
        var message = NotificationMessage(event: kind, subject: subject, text: text, json: JSONText.object(fields))
        if case .decision(let record) = event {
            message.job = JobKey(record.decision)
            message.user = record.decision.job.user
            message.clusterTags = record.clusterTags
        }
        return message
    }
}
