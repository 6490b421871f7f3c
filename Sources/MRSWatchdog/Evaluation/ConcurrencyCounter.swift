/// Applies the rules' `max_active` caps to one cluster's listing: fed every job's decision, then asked which
/// jobs are over a cap. Pure; the listing is counted whole, so it runs after the last page.
///
/// Fails closed: a job whose group field (`user`, `queue`) or clock time is missing cannot be placed, so an
/// enforce cap reports it `skipped-unknown` and leaves it out of the count. Leaving it out can only make the
/// jobs chosen fewer, never other ones: whatever group it belonged to, the known jobs beyond the cap are
/// still beyond it.
public struct ConcurrencyCounter: Sendable {
    private struct Entry {
        var decision: Decision
        var since: Int64
    }

    private let capped: [(index: Int, rule: Rule)]
    private let dryRun: Bool
    /// Rule index → group → the jobs counted there.
    private var groups: [Int: [String: [Entry]]] = [:]
    private var unplaced: [(previous: Decision.Kind, decision: Decision)] = []

    public init(rules: [Rule], dryRun: Bool) {
        capped = rules.enumerated().filter { $0.element.maxActive != nil }.map { ($0.offset, $0.element) }
        self.dryRun = dryRun
    }

    public var isEmpty: Bool { capped.isEmpty }

    /// Counts `decision`'s job under every cap rule that applies to it.
    public mutating func add(_ decision: Decision) {
        // A job already skipped for an unknown fact is neither counted nor chosen: its times may be the fact.
        guard !capped.isEmpty, decision.job.state?.isActive == true, decision.kind != .skippedUnknown else { return }
        for (index, rule) in capped {
            guard let cap = rule.maxActive,
                decision.matches.contains(where: { $0.rule == rule.name && !$0.excluded && $0.unknown == nil })
            else { continue }
            if cap.clock == .running, decision.job.state != .running { continue }
            let field: String
            let group: String?
            switch cap.per {
            case .user: (field, group) = ("user", decision.job.user)
            case .queue: (field, group) = ("queue", decision.job.queue)
            case .cluster: (field, group) = ("cluster_id", decision.clusterId)
            }
            let clockField = cap.clock == .running ? "started_time" : "submitted_time"
            let since = cap.clock == .running ? decision.job.startedTime : decision.job.submittedTime
            guard let group, !group.isEmpty, let since else {
                if rule.mode == .enforce {
                    var skipped = decision
                    skipped.kind = .skippedUnknown
                    skipped.rule = rule.name
                    skipped.unknownField = group == nil || group!.isEmpty ? field : clockField
                    skipped.reason =
                        "max_active per \(cap.per.rawValue) needs \(skipped.unknownField!), which MRS did not send"
                    unplaced.append((decision.kind, skipped))
                }
                continue
            }
            groups[index, default: [:]][group, default: []].append(Entry(decision: decision, since: since))
        }
    }

    /// The jobs beyond a cap (the newest by the cap's clock; ties by job id), each with the rule's mode, and
    /// the jobs an enforce cap could not place, with the kind each had before. A job over several caps is
    /// listed once, for the first rule; a job exempt, or killed for another reason already, is left as it is.
    public func overCap() -> [(previous: Decision.Kind, decision: Decision)] {
        var out = unplaced
        var listed = Set(unplaced.map(\.decision.job.jobId))
        for (index, rule) in capped {
            guard let cap = rule.maxActive else { continue }
            for (group, entries) in (groups[index] ?? [:]).sorted(by: { $0.key < $1.key })
            where entries.count > cap.count {
                let ordered = entries.sorted { ($0.since, $0.decision.job.jobId) < ($1.since, $1.decision.job.jobId) }
                for (position, entry) in ordered.enumerated().dropFirst(cap.count)
                where [.ok, .warn, .wouldKill].contains(entry.decision.kind)
                    && listed.insert(entry.decision.job.jobId).inserted
                {
                    var decision = entry.decision
                    decision.rule = rule.name
                    switch dryRun ? .observe : rule.mode {
                    case .enforce: decision.kind = .kill
                    case .warn: decision.kind = .warn
                    case .observe: decision.kind = .wouldKill
                    }
                    decision.reason =
                        "over max_active \(cap.count) per \(cap.per.rawValue) \(group): number \(position + 1) of"
                        + " \(entries.count) by \(cap.clock == .running ? "started_time" : "submitted_time")"
                        + (dryRun || rule.mode == .enforce ? "" : " (\(rule.mode.rawValue) rule)")
                    decision.nextChangeAt = nil
                    out.append((entry.decision.kind, decision))
                }
            }
        }
        return out
    }
}
