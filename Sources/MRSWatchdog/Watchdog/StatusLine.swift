/// The one human line the daemon shows as its status (systemd `STATUS=`), built from plain facts.
public struct StatusLine: Sendable, Hashable {
    public var clusters: Int
    public var failedClusters: Int
    public var activeJobs: Int
    /// Since the daemon started, and in the last hour (from the saved state, so across restarts).
    public var sinceStart: DecisionTally
    public var lastHour: DecisionTally
    public var pendingVerifications: Int
    /// Kills held back by a budget (the API quota, the cycle or the hour), sent as it refills.
    public var waitingKills = 0
    public var unkillable: Int
    /// Server time of the next deadline, epoch ms.
    public var nextDeadline: Int64?
    /// Extensions in force (`mrs-watchdog extensions` lists them).
    public var extensions = 0
    /// Breaker, budget, auth or reload trouble; shown first.
    public var problem: String?

    public init(
        clusters: Int = 0, failedClusters: Int = 0, activeJobs: Int = 0, sinceStart: DecisionTally = DecisionTally(),
        lastHour: DecisionTally = DecisionTally(), pendingVerifications: Int = 0, unkillable: Int = 0,
        nextDeadline: Int64? = nil, problem: String? = nil
    ) {
        self.clusters = clusters
        self.failedClusters = failedClusters
        self.activeJobs = activeJobs
        self.sinceStart = sinceStart
        self.lastHour = lastHour
        self.pendingVerifications = pendingVerifications
        self.unkillable = unkillable
        self.nextDeadline = nextDeadline
        self.problem = problem
    }

    public var text: String {
        var parts: [String] = []
        if let problem { parts.append(problem) }
        var watching = "watching \(clusters) cluster\(clusters == 1 ? "" : "s")"
        if failedClusters > 0 { watching += " (\(failedClusters) failing)" }
        parts.append(watching)
        parts.append("\(activeJobs) active job\(activeJobs == 1 ? "" : "s")")
        parts.append("since start: \(sinceStart.text)")
        parts.append("last hour: \(lastHour.text)")
        if pendingVerifications > 0 { parts.append("\(pendingVerifications) kill(s) being verified") }
        if unkillable > 0 { parts.append("\(unkillable) unkillable") }
        if extensions > 0 { parts.append("\(extensions) extension\(extensions == 1 ? "" : "s") in force") }
        if let nextDeadline {
            parts.append("next deadline \(RFC3339.format(epochMillis: nextDeadline))")
        }
        return parts.joined(separator: " · ")
    }
}
