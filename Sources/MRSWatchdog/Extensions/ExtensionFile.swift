/// One drop-in of the extensions directory, as `mrs-watchdog extend` writes it:
///
///     {"cluster_id":"…","created_at":"2026-11-30T12:00:00Z","job_execution_id":"…",
///      "reason":"month-end close","until":"2026-11-30T14:00:00Z"}
///
/// Read strictly: an unknown key, a missing one, an id MRS would not issue, a time that is not RFC 3339 or an
/// empty reason makes the file malformed, and a malformed file changes nothing.
public enum ExtensionFile {
    /// Larger files are not read (a drop-in is a few hundred bytes).
    public static let maxBytes = 4096
    public static let maxReasonLength = 500

    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The file name `extend` uses for a job: `CLUSTER_ID.JOB_ID.json`.
    public static func name(clusterId: String, jobId: String) -> String { "\(clusterId).\(jobId).json" }

    /// Whether `text` could be an MRS cluster or job execution id: 1 to 128 letters, digits, `-` or `_`.
    public static func isPlausibleId(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x5F
            }
    }

    /// The drop-in's text for an extension (one line, keys sorted, newline-terminated).
    public static func render(
        clusterId: String, jobId: String, untilMillis: Int64, reason: String, createdMillis: Int64
    )
        -> String
    {
        JSONText.object([
            ("cluster_id", JSONText.quoted(clusterId)), ("job_execution_id", JSONText.quoted(jobId)),
            ("until", JSONText.quoted(RFC3339.format(epochMillis: untilMillis))),
            ("reason", JSONText.quoted(reason)),
            ("created_at", JSONText.quoted(RFC3339.format(epochMillis: createdMillis))),
        ]) + "\n"
    }

    /// Reads a drop-in's text. `grantedBy` and `file` come from the file system, not from the text.
    /// - Throws: `Malformed`, saying what is wrong and where (`line:column`).
    public static func parse(_ text: String, file: String, grantedBy: String) throws(Malformed) -> JobExtension {
        let root: JSONNode
        do {
            root = try JSONParser.parse(text)
        } catch {
            throw Malformed(message: "invalid JSON at \(error.position): \(error.message)")
        }
        guard case .object(let members) = root.value else {
            throw Malformed(message: "expected a JSON object, found \(root.kindName)")
        }
        let known = ["cluster_id", "job_execution_id", "until", "reason", "created_at"]
        var seen: Set<String> = []
        for member in members {
            guard known.contains(member.key) else {
                throw Malformed(message: "unknown key '\(member.key)' at \(member.keyPosition)")
            }
            guard seen.insert(member.key).inserted else {
                throw Malformed(message: "key '\(member.key)' given twice (\(member.keyPosition))")
            }
        }
        func string(_ key: String) throws(Malformed) -> (String, TextPosition) {
            guard let node = root[key] else { throw Malformed(message: "missing '\(key)'") }
            guard let text = node.stringValue else {
                throw Malformed(message: "'\(key)' at \(node.position) must be a string, found \(node.kindName)")
            }
            return (text, node.position)
        }
        func time(_ key: String) throws(Malformed) -> Int64 {
            let (text, position) = try string(key)
            guard let millis = RFC3339.parse(text) else {
                throw Malformed(message: "'\(key)' at \(position) is not an RFC 3339 time: '\(text)'")
            }
            return millis
        }
        let (clusterId, clusterAt) = try string("cluster_id")
        let (jobId, jobAt) = try string("job_execution_id")
        for (key, id, position) in [("cluster_id", clusterId, clusterAt), ("job_execution_id", jobId, jobAt)]
        where !isPlausibleId(id) {
            throw Malformed(message: "'\(key)' at \(position) is not an MRS id: '\(VisibleText.escape(id))'")
        }
        let until = try time("until")
        let created = try time("created_at")
        let (reason, reasonAt) = try string("reason")
        if let problem = reasonProblem(reason) { throw Malformed(message: "'reason' at \(reasonAt) \(problem)") }
        return JobExtension(
            clusterId: clusterId, jobId: jobId, untilMillis: until, reason: reason.trimmingSpaces(),
            grantedBy: grantedBy, createdMillis: created, file: file)
    }

    /// What is wrong with a reason (`is empty`), nil when nothing is. It is shown in the journal, the
    /// notifications and terminals: one line of visible text, at most `maxReasonLength` characters.
    public static func reasonProblem(_ reason: String) -> String? {
        let trimmed = reason.trimmingSpaces()
        if trimmed.isEmpty { return "is empty" }
        if !trimmed.unicodeScalars.allSatisfy(VisibleText.isVisible) {
            return "has characters that cannot be shown: '\(VisibleText.escape(trimmed))'"
        }
        if trimmed.count > maxReasonLength { return "is longer than \(maxReasonLength) characters" }
        return nil
    }
}
