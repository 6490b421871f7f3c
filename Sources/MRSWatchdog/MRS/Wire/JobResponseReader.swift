/// MRS job responses read straight from their bytes, without Foundation's generic `Codable` containers (the
/// largest cost of a poll): ShowJobExeListNew's `{"total_record": N, "job_list": [...]}` and
/// ShowSingleJobExe's `{"job_detail": {...}}`. Only the fields the daemon uses are kept.
///
/// As tolerant as the API needs: every field may be missing; numbers may come as strings and strings as
/// numbers; times are epoch ms, 0 or less meaning "not set"; `properties` may be a string or an object of
/// scalars; unknown keys are skipped. A value whose content cannot be read (invalid UTF-8, an unpaired
/// surrogate or unknown escape, a number out of range) reads as absent, which fails closed like a missing
/// field. A job entry that cannot be read (not an object, no `job_id`, a field the daemon reads given twice)
/// is skipped and its index kept, so one odd job never blinds the watchdog to the rest of its cluster. Input
/// whose structure is not JSON fails the whole response, as does a `job_list` that is not an array or is
/// given twice. Secrets in `arguments` and `properties` are masked as they are read (`SecretRedaction`).
package struct JobResponseReader {
    package struct SyntaxError: Error, Sendable, CustomStringConvertible {
        package var message: String
        /// Zero-based byte offset in the response.
        package var offset: Int
        package var description: String { "\(message) at byte \(offset)" }
    }

    package struct List: Sendable {
        package var totalRecord: Int?
        package var jobs: [JobExecution] = []
        /// Zero-based indices of the entries that could not be read.
        package var malformed: [Int] = []

        package init(totalRecord: Int? = nil, jobs: [JobExecution] = [], malformed: [Int] = []) {
            self.totalRecord = totalRecord
            self.jobs = jobs
            self.malformed = malformed
        }
    }

    /// A JSON scalar as the lenient fields read it; objects and arrays are skipped and read as `composite`,
    /// a string or number whose content cannot be read as `unreadable`.
    enum Scalar {
        case string(String)
        case integer(Int64)
        case real(Double)
        case bool(Bool)
        case null
        case composite
        case unreadable
    }

    let bytes: [UInt8]
    var at = 0
    static let maximumDepth = 64

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    // MARK: Responses

    /// A job list response (`job_list` absent or null: no jobs).
    /// - Throws: `SyntaxError` when the body is not JSON, not an object, or `job_list` is not an array.
    package static func list(_ bytes: [UInt8]) throws(SyntaxError) -> List {
        var reader = JobResponseReader(bytes)
        var list = List()
        var listed = false
        try reader.document { reader throws(SyntaxError) in
            try reader.members(depth: 1) { reader, key throws(SyntaxError) in
                guard let key else { throw reader.failure("a key that cannot be read") }
                switch key {
                case "total_record": list.totalRecord = try reader.lenientInt(depth: 2)
                case "job_list":
                    guard !listed else { throw reader.failure("job_list is given twice") }
                    listed = true
                    try reader.jobs(into: &list, depth: 2, name: "job_list")
                default: try reader.skipValue(depth: 2)
                }
            }
        }
        return list
    }

    /// A saved list for offline `explain`: a list response, or a plain array of jobs.
    /// - Throws: `SyntaxError` when the body is neither (an object with no jobs and no `total_record`).
    package static func savedList(_ bytes: [UInt8]) throws(SyntaxError) -> List {
        var reader = JobResponseReader(bytes)
        reader.skipLeadingSpace()
        guard reader.peek == UInt8(ascii: "[") else {
            let response = try list(bytes)
            guard !(response.jobs.isEmpty && response.malformed.isEmpty && response.totalRecord == nil) else {
                throw SyntaxError(message: "neither a job list response nor an array of jobs", offset: 0)
            }
            return response
        }
        var list = List()
        try reader.document { reader throws(SyntaxError) in
            try reader.jobs(into: &list, depth: 1, name: "the document")
        }
        return list
    }

    /// A show-job response.
    /// - Throws: `SyntaxError` when the body is not JSON or `job_detail` is missing or has no `job_id`.
    package static func detail(_ bytes: [UInt8]) throws(SyntaxError) -> JobExecution {
        var reader = JobResponseReader(bytes)
        var job: JobExecution?
        try reader.document { reader throws(SyntaxError) in
            try reader.members(depth: 1) { reader, key throws(SyntaxError) in
                guard let key else { throw reader.failure("a key that cannot be read") }
                guard key == "job_detail" else { return try reader.skipValue(depth: 2) }
                guard job == nil else { throw reader.failure("job_detail is given twice") }
                let start = reader.at
                job = try reader.job(depth: 2)
                if job == nil { throw SyntaxError(message: "job_detail is not a job with a job_id", offset: start) }
            }
        }
        guard let job else { throw SyntaxError(message: "no job_detail", offset: 0) }
        return job
    }

    // MARK: Jobs

    /// An array of jobs, entry by entry.
    mutating func jobs(into list: inout List, depth: Int, name: String) throws(SyntaxError) {
        skipSpace()
        if consume("null") { return }
        guard peek == UInt8(ascii: "[") else { throw failure("\(name) is not an array") }
        var index = 0
        try elements(depth: depth) { reader throws(SyntaxError) in
            if let job = try reader.job(depth: depth + 1) {
                list.jobs.append(job)
            } else {
                list.malformed.append(index)
            }
            index += 1
        }
    }

    /// One job entry; nil (with the value consumed) when it is not an object, has no `job_id`, or gives a
    /// field twice (which of the two MRS meant cannot be told).
    mutating func job(depth: Int) throws(SyntaxError) -> JobExecution? {
        skipSpace()
        guard peek == UInt8(ascii: "{") else {
            try skipValue(depth: depth)
            return nil
        }
        var jobId, jobName, user, queue, jobType, state, result, arguments, properties, appId, launcherId: String?
        var submitted, started, finished: Int64?
        var unreadableTimes: [String] = []
        var seen: UInt16 = 0
        var repeated = false
        try members(depth: depth) { reader, key throws(SyntaxError) in
            let value = depth + 1
            // A key that cannot be read might be a field the daemon reads, given twice.
            guard let key else {
                repeated = true
                return try reader.skipValue(depth: value)
            }
            func millis(_ name: String) throws(SyntaxError) -> Int64? {
                switch try reader.lenientMillis(depth: value) {
                case .set(let millis): return millis
                case .unset: return nil
                case .unreadable:
                    unreadableTimes.append(name)
                    return nil
                }
            }
            // The field's bit, for "given twice"; one switch on the key reads it and names it.
            let field: Int
            switch key {
            case "job_id": (field, jobId) = (0, try reader.lenientString(depth: value))
            case "job_name": (field, jobName) = (1, try reader.lenientString(depth: value))
            case "user": (field, user) = (2, try reader.lenientString(depth: value))
            case "queue": (field, queue) = (3, try reader.lenientString(depth: value))
            case "job_type": (field, jobType) = (4, try reader.lenientString(depth: value))
            case "job_state": (field, state) = (5, try reader.lenientString(depth: value))
            case "job_result": (field, result) = (6, try reader.lenientString(depth: value))
            case "submitted_time": (field, submitted) = (7, try millis(key))
            case "started_time": (field, started) = (8, try millis(key))
            case "finished_time": (field, finished) = (9, try millis(key))
            case "arguments": (field, arguments) = (10, try reader.lenientString(depth: value))
            case "properties": (field, properties) = (11, try reader.properties(depth: value))
            case "app_id": (field, appId) = (12, try reader.lenientString(depth: value))
            case "launcher_id": (field, launcherId) = (13, try reader.lenientString(depth: value))
            default:
                try reader.skipValue(depth: value)
                return
            }
            repeated = repeated || seen & (1 << field) != 0
            seen |= 1 << field
        }
        guard !repeated, let jobId, !jobId.isEmpty else { return nil }
        var job = JobExecution(
            jobId: jobId, jobName: jobName, user: user, queue: queue, jobType: jobType, jobStateText: state,
            jobResult: result, submittedTime: submitted, startedTime: started, finishedTime: finished,
            arguments: SecretRedaction.redact(arguments), properties: SecretRedaction.redact(properties),
            appId: appId, launcherId: launcherId)
        job.unreadableTimes = unreadableTimes
        return job
    }

    // MARK: Lenient fields

    /// A string, or a number as text; nil for anything else.
    mutating func lenientString(depth: Int) throws(SyntaxError) -> String? {
        switch try scalar(depth: depth) {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .real(let number): return Self.integral(number).map { String($0) } ?? String(number)
        case .bool, .null, .composite, .unreadable: return nil
        }
    }

    /// A real that is a whole number within the exact range of a double, as an integer (`2.0` is `2`).
    static func integral(_ number: Double) -> Int64? {
        abs(number) < 9.0e15 ? Int64(exactly: number) : nil
    }

    enum Millis {
        case set(Int64)
        /// `null`, 0 or negative: the API's "not yet".
        case unset
        /// Sent, but not a number of milliseconds.
        case unreadable
    }

    /// Epoch milliseconds: a number, or a string of digits.
    mutating func lenientMillis(depth: Int) throws(SyntaxError) -> Millis {
        let value: Int64?
        switch try scalar(depth: depth) {
        case .integer(let number): value = number
        case .real(let number) where abs(number) < 9.0e15: value = Int64(number)
        case .string(let text): value = Int64(text.trimmingSpaces())
        case .null: return .unset
        default: value = nil
        }
        guard let value else { return .unreadable }
        return value > 0 ? .set(value) : .unset
    }

    /// An integer, or a string of digits.
    mutating func lenientInt(depth: Int) throws(SyntaxError) -> Int? {
        switch try scalar(depth: depth) {
        case .integer(let number): return Int(exactly: number)
        case .real(let number): return Self.integral(number).flatMap { Int(exactly: $0) }
        case .string(let text): return Int(text.trimmingSpaces())
        default: return nil
        }
    }

    /// `properties`: a string (MRS's `{k=v, k2=v2}`), a number as text, or an object of scalars written in
    /// that form with its keys sorted; nil for anything else.
    mutating func properties(depth: Int) throws(SyntaxError) -> String? {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { return try lenientString(depth: depth) }
        var pairs: [(String, String)] = []
        var scalars = true
        try members(depth: depth) { reader, key throws(SyntaxError) in
            let value = try reader.scalar(depth: depth + 1)
            guard let key else {
                scalars = false
                return
            }
            switch value {
            case .string(let text): pairs.append((key, text))
            case .integer(let number): pairs.append((key, String(number)))
            case .real(let number): pairs.append((key, String(number)))
            case .bool(let flag): pairs.append((key, String(flag)))
            case .null, .composite, .unreadable: scalars = false
            }
        }
        // A key given twice or unreadable, like a value that is not a scalar, makes the whole object unreadable.
        let unique = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        guard scalars, unique.count == pairs.count else { return nil }
        // Masked by key here, where the pairs are known, before they become ambiguous `{k=v, …}` text.
        return "{"
            + unique.keys.sorted().map {
                "\($0)=\(SecretRedaction.isSecretKey($0) ? SecretRedaction.mask : SecretRedaction.redactValue(unique[$0]!))"
            }.joined(separator: ", ") + "}"
    }
}
