/// Applies the rules' `max_active` caps to one cluster's listing: fed every job's decision, then asked which
/// jobs are over a cap. Pure; the listing is counted whole, so it runs after the last page.
///
/// Fails closed: a job whose group field (`user`, `queue`) is missing or whose times are implausible
/// (`JobTimes`) cannot be placed, so an enforce cap reports it `skipped-unknown` and leaves it out of the count.
/// Leaving it out can only make the jobs chosen fewer, never other ones: whatever group it belonged to, the
/// known jobs beyond the cap are still beyond it. Jobs already being killed (for another limit, or by an
/// earlier cap kill) are not counted either: they are leaving. Exempt jobs count but are never chosen; so do
/// jobs skipped because an exemption might cover them. A job held only by another rule that cannot be read
/// counts and can be chosen: the cap reads its own facts, and that rule cannot take its kill away.
public struct ConcurrencyCounter: Sendable {
    private struct Entry {
        var decision: Decision
        var since: Int64
    }

    private let capped: [(index: Int, rule: Rule)]
    private let dryRun: Bool
    /// Rule index → group → the jobs counted there.
    private var groups: [Int: [String: [Entry]]] = [:]
    /// Job id → its skipped-unknown decision, with the kind it had.
    private var unplaced: [String: (previous: Decision.Kind, decision: Decision)] = [:]

    public init(rules: [Rule], dryRun: Bool) {
        capped = rules.enumerated().filter { $0.element.maxActive != nil }.map { ($0.offset, $0.element) }
        self.dryRun = dryRun
    }

    public var isEmpty: Bool { capped.isEmpty }

    /// Counts `decision`'s job under every cap rule that applies to it, at server time `now` (epoch ms).
    public mutating func add(_ decision: Decision, now: Int64) {
        // A job already skipped for an unknown fact still runs, so it counts wherever the cap can place it
        // from known facts (its times are checked below, as for every job).
        guard !capped.isEmpty, decision.job.state?.isActive == true, decision.kind != .kill else { return }
        let implausible = JobTimes.problem(in: decision.job, active: true, now: now)
        for (index, rule) in capped {
            guard let cap = rule.maxActive,
                decision.matches.contains(where: { $0.rule == rule.name && !$0.excluded && $0.unknown == nil })
            else { continue }
            if cap.clock == .running, decision.job.state != .running { continue }
            let group: String? =
                switch cap.per {
                case .user: decision.job.user
                case .queue: decision.job.queue
                case .cluster: decision.clusterId
                }
            let since = cap.clock == .running ? decision.job.startedTime : decision.job.submittedTime
            guard let group, !group.isEmpty, let since, implausible == nil else {
                if rule.mode == .enforce, decision.kind != .skippedUnknown, unplaced[decision.job.jobId] == nil {
                    var skipped = decision
                    skipped.kind = .skippedUnknown
                    skipped.rule = rule.name
                    let field =
                        implausible?.field
                        ?? (group?.isEmpty == false
                            ? (cap.clock == .running ? "started_time" : "submitted_time") : cap.per.field)
                    skipped.unknownField = field
                    skipped.reason =
                        implausible.map { "max_active: \($0.reason)" }
                        ?? "max_active per \(cap.per.rawValue) needs \(field), which MRS did not send"
                    unplaced[decision.job.jobId] = (decision.kind, skipped)
                }
                continue
            }
            groups[index, default: [:]][group, default: []].append(Entry(decision: decision, since: since))
        }
    }

    /// The jobs beyond a cap (the newest by the cap's clock; ties by job id), each with the rule's mode, and
    /// the jobs an enforce cap could not place, with the kind each had before. A job over several caps is
    /// listed once, for the first rule; an exempt job is never chosen. Outside an enforce rule's
    /// `enforce_during` window the jobs are reported as would-kill.
    /// - Parameter beingKilled: whether a job (by id) has a kill record already: it is leaving, so it is
    ///   neither counted nor chosen.
    public func overCap(
        now: Int64, beingKilled: (String) -> Bool = { _ in false }
    ) -> [(previous: Decision.Kind, decision: Decision)] {
        var out = unplaced.values.sorted { $0.decision.job.jobId < $1.decision.job.jobId }
        var listed = Set(unplaced.keys)
        for (index, rule) in capped {
            guard let cap = rule.maxActive else { continue }
            let outsideWindow = !rule.enforces(at: now)
            for (group, counted) in (groups[index] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let entries = counted.filter { !beingKilled($0.decision.job.jobId) }
                guard entries.count > cap.count else { continue }
                let ordered = entries.sorted { ($0.since, $0.decision.job.jobId) < ($1.since, $1.decision.job.jobId) }
                for (position, entry) in ordered.enumerated().dropFirst(cap.count)
                where ([.ok, .warn, .wouldKill].contains(entry.decision.kind) || entry.decision.isHeldByUnreadableRule)
                    && listed.insert(entry.decision.job.jobId).inserted
                {
                    var decision = entry.decision
                    let mode: RuleMode = dryRun || outsideWindow ? .observe : rule.mode
                    decision.rule = rule.name
                    decision.kind = Decision.Kind.over(mode: mode)
                    // The count decided, not a time limit.
                    decision.limitMillis = nil
                    decision.deadline = nil
                    decision.declared = nil
                    decision.nextChangeAt = nil
                    decision.unknownField = nil
                    decision.reason =
                        "over max_active \(cap.count) per \(cap.per.rawValue) \(group): number \(position + 1) of"
                        + " \(entries.count) by \(cap.clock == .running ? "started_time" : "submitted_time")"
                        + (outsideWindow ? ", outside the enforcement window" : "")
                        + (dryRun || outsideWindow || rule.mode == .enforce ? "" : " (\(rule.mode.rawValue) rule)")
                    // A cap kill waits for a delivered warning too.
                    decision.noticeMillis = rule.requireNotice ? rule.warnBeforeMillis : nil
                    out.append((entry.decision.kind, decision))
                }
            }
        }
        return out
    }
}

extension ConcurrencyCap.Group {
    /// The MRS field the group is read from.
    var field: String {
        switch self {
        case .user: "user"
        case .queue: "queue"
        case .cluster: "cluster_id"
        }
    }
}
