extension WatchdogStateMachine {
    /// What operators are told, each thing once: decision records written once per job (would-kill, skipped,
    /// deferred, held, awaiting notice) until a poll no longer shows the job as notable; unreadable declared
    /// limits while they stay so; clusters failing and answering again; a host clock far from the server's.
    struct Reports: Sendable {
        private var once: [JobKey: Set<DecisionRecord.Action>] = [:]
        private var declarations: Set<JobKey> = []
        /// Cluster → the error it last failed with.
        private var failingClusters: [String: String] = [:]
        private var skewReported = false

        /// True the first time `action` is reported for `key`.
        mutating func first(_ action: DecisionRecord.Action, for key: JobKey) -> Bool {
            once[key, default: []].insert(action).inserted
        }

        /// After a poll: the once-marks of jobs on `polled` clusters that are no longer `notable` go.
        mutating func keepOnce(polled: Set<String>, notable: Set<JobKey>) {
            once = once.filter { !polled.contains($0.key.clusterId) || notable.contains($0.key) }
        }

        /// A reload: everything is reported again under the new rules.
        mutating func forgetOnce() { once = [:] }

        /// The clock (once for skew) and cluster health (on each change) a poll tells of.
        mutating func clockAndHealth(_ report: PollReport, skewWarningMillis: Int64) -> [WatchdogNotice] {
            var notices: [WatchdogNotice] = []
            if !skewReported, let skew = report.hostSkewMillis, abs(skew) > skewWarningMillis {
                skewReported = true
                notices.append(.clockSkew(millis: skew))
            }
            if !report.clockOutliers.isEmpty { notices.append(.clockOutliers(report.clockOutliers)) }
            for (cluster, error) in report.failures.sorted(by: { $0.key < $1.key })
            where failingClusters[cluster] != error.description {
                notices.append(.clusterPollFailed(cluster: cluster, error: error))
            }
            for cluster in failingClusters.keys.sorted() where report.failures[cluster] == nil {
                notices.append(.clusterAnswering(cluster: cluster))
            }
            failingClusters = report.failures.mapValues(\.description)
            return notices
        }

        /// What one cluster's listing tells beyond its decisions: entries skipped, a listing cut short, and
        /// declared limits that cannot be read (once per job while they stay so).
        mutating func listing(_ cluster: String, _ digest: ClusterDigest) -> [WatchdogNotice] {
            var notices: [WatchdogNotice] = []
            if digest.malformed > 0 {
                notices.append(.jobEntriesSkipped(cluster: cluster, count: digest.malformed, at: digest.malformedAt))
            }
            if let why = digest.endedEarly { notices.append(.listingCutShort(cluster: cluster, reason: why)) }
            let unreadable = digest.unreadableDeclarations.map { (JobKey(clusterId: cluster, jobId: $0.job), $0.note) }
            declarations = declarations.filter { key in
                key.clusterId != cluster || unreadable.contains { $0.0 == key }
            }
            for (key, note) in unreadable where declarations.insert(key).inserted {
                notices.append(.declaredLimitUnreadable(key, note: note))
            }
            return notices
        }
    }

    /// Reports a decision and keeps it in the history.
    mutating func decided(_ record: DecisionRecord, now: Int64) -> Action {
        var record = record
        record.clusterTags = clusterTags[record.decision.clusterId] ?? nil
        if record.action == .warn { noticeGate.warningSent(JobKey(record.decision), at: now) }
        state.remember(HistoryEntry(record, at: now))
        return .emit(.decision(record))
    }

    /// `decided`, the first time `action` is taken for the decision's job.
    mutating func reportOnce(
        _ action: DecisionRecord.Action, _ decision: Decision, detail: String? = nil, now: Int64
    ) -> [Action] {
        guard reports.first(action, for: JobKey(decision)) else { return [] }
        return [decided(DecisionRecord(action: action, decision: decision, detail: detail), now: now)]
    }

    /// The status line as it stands.
    public var currentStatus: StatusLine {
        var line = status
        line.sinceStart = sinceStart
        line.lastHour = state.tally(lastHourBefore: latest)
        line.pendingVerifications = state.pendingCount
        line.waitingKills = budgets.waiting.count
        line.unkillable = state.unkillableCount
        line.nextDeadline = nextDeadline
        line.extensions = evaluator.extensions.count
        let restart = restartPending.isEmpty ? nil : "restart to apply \(restartPending.joined(separator: ", "))"
        let problems = [
            reloadFailure, restart, schedule.authSummary, budgets.holdReason,
            noticeGate.failingSummary,
        ].compactMap { $0 }
        line.problem = problems.isEmpty ? nil : problems.joined(separator: " · ")
        return line
    }

    /// What discovery tells of the cluster list: entries it could not read, or that it failed (the clusters
    /// known so far are kept).
    static func discoveryNotice(_ discovery: PollReport.Discovery) -> WatchdogNotice? {
        switch discovery {
        case .notDue, .authFailed:
            return nil
        case .found(let malformed, let unreadableTags):
            guard !malformed.isEmpty || !unreadableTags.isEmpty else { return nil }
            return .clusterListProblems(malformed: malformed, unreadableTags: unreadableTags)
        case .failed(let error, let kept):
            return .discoveryFailed(error, kept: kept)
        }
    }
}
