/// One page of a job listing: the jobs that could be read, and where the unreadable entries were.
public struct JobPage: Sendable, Hashable {
    public var jobs: [JobExecution]
    /// Zero-based indices, within the page, of the entries that could not be read.
    public var malformed: [Int]
    /// 1-based page number (MRS's `offset`).
    public var number: Int
    /// Set on the last page handed over when the listing stopped before MRS said it was complete (a page
    /// that only repeats jobs already listed, or the time bound): why, e.g. "page 2 repeats page 1".
    public var endedEarly: String?

    public init(jobs: [JobExecution], malformed: [Int] = [], number: Int = 1, endedEarly: String? = nil) {
        self.jobs = jobs
        self.malformed = malformed
        self.number = number
        self.endedEarly = endedEarly
    }
}
