/// Decides, for every job, what the rules say now. Pure and deterministic: the same input gives the same
/// output; it reads no clock and does no I/O (`now` is an argument — the daemon passes server time).
public struct Evaluator: Sendable {
    public let rules: [Rule]
    public let exemptions: [Exemption]
    /// `safety.dry_run` or `--dry-run`: every rule observes.
    public let dryRun: Bool
    private let index: RuleIndex

    public init(rules: [Rule], exemptions: [Exemption], dryRun: Bool) {
        self.rules = rules
        self.index = RuleIndex(rules)
        self.exemptions = exemptions
        self.dryRun = dryRun
    }

    public init(config: WatchdogConfig, dryRun: Bool = false) {
        self.init(rules: config.rules, exemptions: config.exemptions, dryRun: dryRun || config.safety.dryRun)
    }

    /// The decision for one job at server time `now` (epoch ms).
    ///
    /// Fails closed: an unknown `job_state`, a condition of an enforce rule (its `match` or `exclude`) or of
    /// an exemption that depends on a field MRS did not send, and a needed timestamp that is missing or
    /// implausible (`JobTimes`) make the job `skipped-unknown`, never `kill`.
    /// - Parameters:
    ///   - clusterTags: nil when the cluster's tags could not be read; conditions on them are then unknown.
    public func decide(clusterId: String, clusterTags: [String: String]?, job: JobExecution, now: Int64) -> Decision {
        var decision = Decision(
            clusterId: clusterId, job: job, kind: .ok, reason: "", matches: [], nextChangeAt: nil)
        func skip(_ field: String, _ reason: String, rule: String? = nil) -> Decision {
            decision.kind = .skippedUnknown
            decision.rule = rule
            decision.unknownField = field
            decision.reason = reason
            return decision
        }
        guard let state = job.state else {
            return skip("job_state", "unknown job_state '\(job.jobStateText ?? "missing")'")
        }
        guard state.isActive else {
            decision.reason = "not active (\(state.rawValue))"
            return decision
        }

        var applying: [(Rule, RuleMatch)] = []
        // Only the rules the index cannot rule out, by index: copying a rule costs more than testing it.
        for index in index.candidates(clusterId: clusterId, job: job) {
            let matched = rules[index].match.evaluate(clusterId: clusterId, clusterTags: clusterTags, job: job)
            if matched == .no { continue }
            let rule = rules[index]
            let excluded = rule.exclude?.evaluate(clusterId: clusterId, clusterTags: clusterTags, job: job) ?? .no
            var match = RuleMatch(rule: rule.name, mode: dryRun ? .observe : rule.mode, excluded: excluded == .yes)
            if excluded != .yes, let (field, why) = Self.unknown("match", matched) ?? Self.unknown("exclude", excluded)
            {
                // An enforce rule (dry run included: it shows what enforcing would do) cannot be half-known.
                if rule.mode == .enforce {
                    decision.matches.append(match)
                    return skip(field, why, rule: rule.name)
                }
                match.unknown = why
                decision.matches.append(match)
                continue
            }
            if excluded != .yes {
                switch limit(of: rule, state: state, job: job, now: now) {
                case .unknown(let field, let why):
                    decision.matches = applying.map(\.1) + [match]
                    return skip(field, why, rule: rule.name)
                case .none:
                    break
                case .some(let kind, let limitMillis, let since):
                    match.limitKind = kind
                    match.limitMillis = limitMillis
                    match.elapsedMillis = max(0, now - since)
                    match.deadline = since + limitMillis
                    if let warn = rule.warnBeforeMillis, match.mode != .observe {
                        match.warnAt = since + limitMillis - warn
                    }
                }
                applying.append((rule, match))
            }
            decision.matches.append(match)
        }
        if decision.matches.isEmpty {
            decision.kind = .unmatched
            decision.reason = "no rule names this job"
            return decision
        }
        if applying.isEmpty, let unknown = decision.matches.first(where: { $0.unknown != nil }) {
            decision.kind = .ok
            decision.rule = unknown.rule
            decision.reason = "\(unknown.unknown!) (\(unknown.mode.rawValue) rule: not applied)"
            return decision
        }
        if applying.isEmpty {
            decision.kind = .excluded
            decision.rule = decision.matches.first?.rule
            decision.reason = "excluded by \(decision.matches.map(\.rule).joined(separator: ", "))"
            return decision
        }
        for exemption in exemptions {
            let covered = exemption.covers(clusterId: clusterId, job: job, now: now)
            if covered == .yes {
                decision.kind = .exempt
                decision.reason =
                    "exempt until \(RFC3339.format(epochMillis: exemption.untilMillis)): \(exemption.reason)"
                return decision
            }
            // Whether the exemption covers the job cannot be told: never kill it.
            if let (field, why) = Self.unknown("exemptions", covered),
                applying.contains(where: { $0.0.mode == .enforce })
            {
                return skip(field, why)
            }
        }

        // Most severe action due now wins (enforce > warn > observe); otherwise the earliest deadline.
        let limited = applying.filter { $0.1.deadline != nil }
        let due = limited.filter { $0.1.deadline! <= now }
        func severity(_ mode: RuleMode) -> Int { mode == .enforce ? 2 : mode == .warn ? 1 : 0 }
        if let (rule, match) = due.max(by: {
            (severity($0.1.mode), -$0.1.deadline!) < (severity($1.1.mode), -$1.1.deadline!)
        }) {
            fill(&decision, rule, match)
            switch match.mode {
            case .enforce:
                decision.kind = .kill
                decision.reason = "over \(match.limitKind!.rawValue) \(DurationText.format(millis: match.limitMillis!))"
            case .warn:
                decision.kind = .warn
                decision.reason =
                    "over \(match.limitKind!.rawValue) \(DurationText.format(millis: match.limitMillis!)) (warn-only rule)"
            case .observe:
                decision.kind = .wouldKill
                decision.reason =
                    "over \(match.limitKind!.rawValue) \(DurationText.format(millis: match.limitMillis!)) (observe\(dryRun ? ", dry run" : ""))"
            }
        } else if let (rule, match) = limited.min(by: { $0.1.deadline! < $1.1.deadline! }) {
            fill(&decision, rule, match)
            let warning = limited.filter { ($0.1.warnAt ?? .max) <= now }.min { $0.1.deadline! < $1.1.deadline! }
            if let (warnRule, warnMatch) = warning {
                fill(&decision, warnRule, warnMatch)
                decision.kind = .warn
                decision.reason =
                    "\(DurationText.format(millis: warnMatch.deadline! - now)) left before \(warnMatch.limitKind!.rawValue)"
            } else {
                decision.kind = .ok
                decision.reason = "under \(match.limitKind!.rawValue)"
            }
        } else {
            decision.kind = .ok
            decision.rule = applying.first?.0.name
            decision.reason = "no limit applies in state \(state.rawValue)"
        }
        decision.nextChangeAt = applying.flatMap { [$0.1.warnAt, $0.1.deadline] }.compactMap { $0 }.filter { $0 > now }
            .min()
        return decision
    }

    private func fill(_ decision: inout Decision, _ rule: Rule, _ match: RuleMatch) {
        decision.rule = rule.name
        decision.clock = match.limitKind == .runtime ? rule.clock : nil
        decision.elapsedMillis = match.elapsedMillis
        decision.limitMillis = match.limitMillis
        decision.deadline = match.deadline
    }

    /// The field and the reason when `result` is unknown, e.g. `exclude.queue needs queue, which MRS did not send`.
    static func unknown(_ section: String, _ result: MatchResult) -> (field: String, reason: String)? {
        guard case .unknown(let key, let field) = result else { return nil }
        let missing =
            field == "cluster_tags" ? "the cluster's tags, which could not be read" : "\(field), which MRS did not send"
        return (field, "\(section).\(key) needs \(missing)")
    }

    enum Limit {
        case none
        /// The MRS field and why it cannot be used.
        case unknown(field: String, String)
        case some(RuleMatch.LimitKind, Int64, since: Int64)
    }

    /// Which limit of `rule` applies to a job in `state`, and the instant it counts from. A needed timestamp
    /// that is missing, or any of the job's times that is implausible (`JobTimes`), makes the job unknown.
    func limit(of rule: Rule, state: JobState, job: JobExecution, now: Int64) -> Limit {
        var needed: [(RuleMatch.LimitKind, Int64, String, Int64?)] = []
        if let max = rule.maxQueuedMillis, state.isQueued {
            needed.append((.queued, max, "submitted_time", job.submittedTime))
        }
        if let max = rule.maxRuntimeMillis {
            switch rule.clock {
            case .running where state == .running: needed.append((.runtime, max, "started_time", job.startedTime))
            case .running: break  // queued: the running clock has not started
            case .submitted: needed.append((.runtime, max, "submitted_time", job.submittedTime))
            }
        }
        guard !needed.isEmpty else { return .none }
        if let (field, why) = JobTimes.problem(in: job, active: true, now: now) { return .unknown(field: field, why) }
        var earliest: (RuleMatch.LimitKind, Int64, since: Int64)?
        for (kind, max, field, value) in needed {
            guard let since = value else { return .unknown(field: field, "\(field) is missing or 0") }
            if since + max < (earliest.map { $0.since + $0.1 } ?? .max) { earliest = (kind, max, since) }
        }
        return earliest.map { .some($0.0, $0.1, since: $0.since) } ?? .none
    }
}
