/// Decides, for every job, what the rules say now. Pure and deterministic: the same input gives the same
/// output; it reads no clock and does no I/O (`now` is an argument — the daemon passes server time).
public struct Evaluator: Sendable {
    public let rules: [Rule]
    public let exemptions: [Exemption]
    /// `safety.dry_run` or `--dry-run`: every rule observes.
    public let dryRun: Bool

    public init(rules: [Rule], exemptions: [Exemption], dryRun: Bool) {
        self.rules = rules
        self.exemptions = exemptions
        self.dryRun = dryRun
    }

    public init(config: WatchdogConfig, dryRun: Bool = false) {
        self.init(rules: config.rules, exemptions: config.exemptions, dryRun: dryRun || config.safety.dryRun)
    }

    /// - Parameters:
    ///   - clusterTags: nil when the cluster's tags could not be read.
    public func decide(clusterId: String, clusterTags: [String: String]?, job: JobExecution, now: Int64) -> Decision {
        var decision = Decision(
            clusterId: clusterId, job: job, kind: .ok, reason: "", matches: [], nextChangeAt: nil)
        guard let state = job.state else {
            decision.kind = .skippedUnknown
            decision.reason = "unknown job_state '\(job.jobStateText ?? "missing")'"
            return decision
        }
        guard state.isActive else {
            decision.reason = "not active (\(state.rawValue))"
            return decision
        }
        guard let clusterTags else {
            decision.kind = .skippedUnknown
            decision.reason = "cluster tags could not be read"
            return decision
        }

        var applying: [(Rule, RuleMatch)] = []
        // Indices, not `for rule in rules`: most rules do not match, and copying each one costs more than testing it.
        for index in rules.indices where rules[index].match.matches(clusterId: clusterId, clusterTags: clusterTags, job: job) {
            let rule = rules[index]
            let excluded = rule.exclude?.matches(clusterId: clusterId, clusterTags: clusterTags, job: job) ?? false
            var match = RuleMatch(rule: rule.name, mode: dryRun ? .observe : rule.mode, excluded: excluded)
            if !excluded {
                switch limit(of: rule, state: state, job: job, now: now) {
                case .unknown(let why):
                    decision.kind = .skippedUnknown
                    decision.rule = rule.name
                    decision.reason = why
                    decision.matches = applying.map(\.1) + [match]
                    return decision
                case .none:
                    break
                case .some(let kind, let limitMillis, let since):
                    match.limitKind = kind
                    match.limitMillis = limitMillis
                    match.elapsedMillis = now - since
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
        if applying.isEmpty {
            decision.kind = .excluded
            decision.rule = decision.matches.first?.rule
            decision.reason = "excluded by \(decision.matches.map(\.rule).joined(separator: ", "))"
            return decision
        }
        if let exemption = exemptions.first(where: { $0.covers(clusterId: clusterId, job: job, now: now) }) {
            decision.kind = .exempt
            decision.reason = "exempt until \(RFC3339.format(epochMillis: exemption.untilMillis)): \(exemption.reason)"
            return decision
        }

        // Most severe action due now wins (enforce > warn > observe); otherwise the earliest deadline.
        let limited = applying.filter { $0.1.deadline != nil }
        let due = limited.filter { $0.1.deadline! <= now }
        func severity(_ mode: RuleMode) -> Int { mode == .enforce ? 2 : mode == .warn ? 1 : 0 }
        if let (rule, match) = due.max(by: { (severity($0.1.mode), -$0.1.deadline!) < (severity($1.1.mode), -$1.1.deadline!) }) {
            fill(&decision, rule, match)
            switch match.mode {
            case .enforce:
                decision.kind = .kill
                decision.reason = "over \(match.limitKind!.rawValue) \(DurationText.format(millis: match.limitMillis!))"
            case .warn:
                decision.kind = .warn
                decision.reason = "over \(match.limitKind!.rawValue) \(DurationText.format(millis: match.limitMillis!)) (warn-only rule)"
            case .observe:
                decision.kind = .wouldKill
                decision.reason = "over \(match.limitKind!.rawValue) \(DurationText.format(millis: match.limitMillis!)) (observe\(dryRun ? ", dry run" : ""))"
            }
        } else if let (rule, match) = limited.min(by: { $0.1.deadline! < $1.1.deadline! }) {
            fill(&decision, rule, match)
            let warning = limited.filter { ($0.1.warnAt ?? .max) <= now }.min { $0.1.deadline! < $1.1.deadline! }
            if let (warnRule, warnMatch) = warning {
                fill(&decision, warnRule, warnMatch)
                decision.kind = .warn
                decision.reason = "\(DurationText.format(millis: warnMatch.deadline! - now)) left before \(warnMatch.limitKind!.rawValue)"
            } else {
                decision.kind = .ok
                decision.reason = "under \(match.limitKind!.rawValue)"
            }
        } else {
            decision.kind = .ok
            decision.rule = applying.first?.0.name
            decision.reason = "no limit applies in state \(state.rawValue)"
        }
        decision.nextChangeAt = applying.flatMap { [$0.1.warnAt, $0.1.deadline] }.compactMap { $0 }.filter { $0 > now }.min()
        return decision
    }

    private func fill(_ decision: inout Decision, _ rule: Rule, _ match: RuleMatch) {
        decision.rule = rule.name
        decision.clock = match.limitKind == .runtime ? rule.clock : nil
        decision.elapsedMillis = match.elapsedMillis
        decision.limitMillis = match.limitMillis
        decision.deadline = match.deadline
    }

    struct UnknownFact: Error {
        var why: String
    }

    enum Limit {
        case none
        case unknown(String)
        case some(RuleMatch.LimitKind, Int64, since: Int64)
    }

    /// Which limit of `rule` applies to a job in `state`, and the instant it counts from. A needed timestamp
    /// that is missing or in the future makes the job unknown: fail closed.
    func limit(of rule: Rule, state: JobState, job: JobExecution, now: Int64) -> Limit {
        var candidates: [(RuleMatch.LimitKind, Int64, Int64)] = []
        func timestamp(_ value: Int64?, _ name: String) -> Result<Int64, UnknownFact> {
            guard let value else { return .failure(UnknownFact(why: "\(name) is missing or 0")) }
            guard value <= now else { return .failure(UnknownFact(why: "\(name) is in the future")) }
            return .success(value)
        }
        if let max = rule.maxQueuedMillis, state.isQueued {
            switch timestamp(job.submittedTime, "submitted_time") {
            case .success(let since): candidates.append((.queued, max, since))
            case .failure(let fact): return .unknown(fact.why)
            }
        }
        if let max = rule.maxRuntimeMillis {
            switch rule.clock {
            case .running where state == .running:
                switch timestamp(job.startedTime, "started_time") {
                case .success(let since): candidates.append((.runtime, max, since))
                case .failure(let fact): return .unknown(fact.why)
                }
            case .running:
                break  // queued: the running clock has not started
            case .submitted:
                switch timestamp(job.submittedTime, "submitted_time") {
                case .success(let since): candidates.append((.runtime, max, since))
                case .failure(let fact): return .unknown(fact.why)
                }
            }
        }
        guard let earliest = candidates.min(by: { $0.1 + $0.2 < $1.1 + $1.2 }) else { return .none }
        return .some(earliest.0, earliest.1, since: earliest.2)
    }
}
