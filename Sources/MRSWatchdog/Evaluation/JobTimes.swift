/// Whether a job's timestamps can be trusted before a limit is measured from them. MRS sends epoch
/// milliseconds (MRS API reference: ShowJobExeListNew, `JobQueryBean`); a value that cannot be one makes every
/// runtime of that job unknown, so it is never killed on it.
enum JobTimes {
    /// 2010-01-01T00:00:00Z in epoch ms: earlier values are seconds, or garbage (MRS is younger).
    static let earliestPlausibleMillis: Int64 = 1_262_304_000_000
    /// How far `started_time` may precede `submitted_time` (the two come from different services' clocks).
    static let orderToleranceMillis: Int64 = 60_000
    /// How far a time may lie ahead of `now`: server time is known to within a second (`Date` has whole
    /// seconds) and read at its lower bound, so a job submitted a moment ago can look up to a second early.
    /// Ahead but within this, a runtime only comes out shorter: a kill can be late, never early.
    static let futureToleranceMillis: Int64 = 2_000

    /// The first implausible fact about `job`'s times at server time `now` (ms): its field and why.
    static func problem(in job: JobExecution, active: Bool, now: Int64) -> (field: String, reason: String)? {
        if let field = job.unreadableTimes.first {
            return (field, "\(field) was sent but could not be read as epoch milliseconds")
        }
        // No array of the three: this runs for every job a rule measures.
        func check(_ field: String, _ value: Int64?) -> (field: String, reason: String)? {
            guard let value else { return nil }
            if value < earliestPlausibleMillis {
                return (
                    field, "\(field) \(value) is before 2010 in epoch milliseconds (seconds instead of milliseconds?)"
                )
            }
            if value > now + futureToleranceMillis {
                return (
                    field,
                    "\(field) \(value) is \(DurationText.format(millis: value - now)) in the future of MRS server time"
                )
            }
            return nil
        }
        if let problem = check("submitted_time", job.submittedTime) ?? check("started_time", job.startedTime)
            ?? check("finished_time", job.finishedTime)
        {
            return problem
        }
        if active, let finished = job.finishedTime {
            return ("finished_time", "finished_time \(finished) is set on an active job")
        }
        if let started = job.startedTime, let submitted = job.submittedTime, started < submitted - orderToleranceMillis
        {
            return (
                "started_time",
                "started_time is \(DurationText.format(millis: submitted - started)) before submitted_time"
            )
        }
        return nil
    }
}
