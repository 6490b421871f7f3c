extension Decision {
    /// The one-line form of a decision acted on or reported: `<action> <subject> <job name> (user <user>)
    /// rule <rule>: <reason>, at <runtime> — <detail>`, each part present only when known.
    /// - Parameter subject: how the job is named (`c1/job-7`, a short id, `c-dev/application_…`).
    public func line(action: String, subject: String, detail: String? = nil) -> String {
        var text = "\(action) \(subject)"
        if let name = job.jobName { text += " \(name)" }
        if let user = job.user { text += " (user \(user))" }
        if let rule { text += " rule \(rule)" }
        text += ": \(reason)"
        if let elapsedMillis { text += ", at \(DurationText.format(millis: elapsedMillis))" }
        if let detail { text += " — \(detail)" }
        return text
    }

    /// The cluster's, the job's and the rule's facts under dotted keys, for structured log lines; the job's id
    /// is the caller's to add, as only it knows what the id names.
    public var logMetadata: [String: String] {
        var fields = ["cluster.id": clusterId, "reason": reason]
        fields["job.name"] = job.jobName
        fields["job.user"] = job.user
        fields["job.queue"] = job.queue
        fields["rule.name"] = rule
        fields["job.runtime"] = elapsedMillis.map { DurationText.format(millis: $0) }
        fields["rule.limit"] = limitMillis.map { DurationText.format(millis: $0) }
        return fields
    }
}
