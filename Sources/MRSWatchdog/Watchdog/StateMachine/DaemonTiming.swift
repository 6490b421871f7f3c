/// The daemon's fixed cadences and bounds. Production uses the defaults; tests shrink them so nothing
/// waits for real minutes.
public struct DaemonTiming: Sendable {
    /// How often a pending kill's job is read again.
    public var verifyInterval: Duration = .seconds(5)
    /// A kill accepted but still active after this long is sent again.
    public var verifyTimeout: Duration = .seconds(60)
    /// Kill requests per job before it is declared unkillable.
    public var maxKillAttempts = 3
    /// Wait after an authentication failure: five failures lock an access key for 5 minutes.
    public var authBackoff: Duration = .seconds(300)
    /// Retries of reads (listings, show job) within one cycle.
    public var readAttempts = 3
    public var readBackoff = Backoff(base: .seconds(1), cap: .seconds(30))
    /// A deadline whose job could not be read is tried again after this.
    public var deadlineRetry: Duration = .seconds(5)
    /// READY goes to systemd after the first poll, or this long after the start (monotonic) while it is
    /// still running: half the unit's `TimeoutStartSec=90s`, so a slow or stalled endpoint (reads retried,
    /// each bounded by `request_timeout`) cannot make systemd fail the unit before it polls again.
    public var readyWithin: Duration = .seconds(45)
    /// `--once` waits this long at most for its kills to be confirmed.
    public var onceVerifyBound: Duration = .seconds(120)
    /// Poll interval jitter, as a fraction either way.
    public var pollJitter = 0.05
    /// The window of the per-minute budgets (`safety.max_kills_per_minute`, `max_reads_per_minute`): a
    /// minute, as MRS counts its throttles; tests shrink it.
    public var rateWindow: Duration = .seconds(60)
    /// A host clock this far from the server's is reported (once).
    public var skewWarningMillis: Int64 = 60_000
    /// How often a summary of what was stopped goes to the journal: a day.
    public var summaryInterval: Duration = .seconds(86_400)
    /// Under `require_notice`, a warning not known to be delivered is sent again after this. Longer than the
    /// dispatcher needs to give up on a dead channel (3 attempts of up to 5 s, 2 s and 10 s apart), so that a
    /// dead receiver never gets warnings faster than they fail.
    public var noticeRetry: Duration = .seconds(300)

    public init() {}
}
