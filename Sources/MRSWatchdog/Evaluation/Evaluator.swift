/// Decides, for every job, what the rules say now. Pure and deterministic: the same input gives the same
/// output; it reads no clock and does no I/O (`now` is an argument — the daemon passes server time).
public struct Evaluator: Sendable {
    public let rules: [Rule]
    public let exemptions: [Exemption]
    /// `safety.dry_run` or `--dry-run`: every rule observes.
    public let dryRun: Bool
    /// The extensions people asked for (`mrs-watchdog extend`), each bounded by its rule's `max_extension`.
    public private(set) var extensions: ExtensionSet
    private let index: RuleIndex
    /// `rules`, one reference each: `decide` reads every candidate rule of every job, and reading a `Rule` out
    /// of an array copies it (a retain per field: its matcher's lists, names, window), which was a tenth of
    /// the evaluator's time. Fields read through the reference are not copied.
    private let shared: [Shared]

    private final class Shared: Sendable {
        let rule: Rule
        init(_ rule: Rule) { self.rule = rule }
    }

    public init(rules: [Rule], exemptions: [Exemption], dryRun: Bool, extensions: ExtensionSet = ExtensionSet()) {
        self.rules = rules
        self.index = RuleIndex(rules)
        self.shared = rules.map(Shared.init)
        self.exemptions = exemptions
        self.dryRun = dryRun
        self.extensions = extensions
    }

    public init(config: WatchdogConfig, dryRun: Bool = false, extensions: ExtensionSet = ExtensionSet()) {
        self.init(
            rules: config.rules, exemptions: config.exemptions, dryRun: dryRun || config.safety.dryRun,
            extensions: extensions)
    }

    /// The same rules with `extensions` in force.
    public func with(_ extensions: ExtensionSet) -> Evaluator {
        var copy = self
        copy.extensions = extensions
        return copy
    }

    /// The decision for one job at server time `now` (epoch ms).
    ///
    /// The decision rule (README, "How a decision is made"): a job is killed when some enforce rule names it
    /// for certain (its `match` known true, its `exclude` known false), that rule's deadline is reached on
    /// plausible times, inside its window, and no exemption might cover the job. A rule that cannot be read
    /// (a condition on a field MRS did not send, a missing or implausible timestamp) never holds a kill that
    /// another rule gives for certain: at a deadline the most severe mode wins, so another rule can only add
    /// to it. Without such a kill, an enforce rule that cannot be read makes the job `skipped-unknown`, never
    /// `kill`; so does an unknown `job_state`.
    /// - Parameters:
    ///   - clusterTags: nil when the cluster's tags could not be read; conditions on them are then unknown.
    public func decide(clusterId: String, clusterTags: [String: String]?, job: JobExecution, now: Int64) -> Decision {
        var decision = Decision(
            clusterId: clusterId, job: job, kind: .ok, reason: "", matches: [], nextChangeAt: nil)
        guard let state = job.state else {
            return Self.skipped(decision, "job_state", "unknown job_state '\(job.jobStateText ?? "missing")'")
        }
        guard state.isActive else {
            decision.reason = "not active (\(state.rawValue))"
            return decision
        }

        // The matches that apply (not excluded, fully known) are those of `decision.matches` without
        // `excluded` or `unknown`: no second array of them on this path, which runs for every listed job.
        var applies = false
        // The first rule that cannot be read and might kill (an enforce rule, dry run included, as it shows what
        // enforcing would do; or any rule whose timestamps are unusable): it holds the job back unless another
        // rule kills it for certain.
        var held: (field: String, reason: String, rule: String)?
        for index in index.candidates(clusterId: clusterId, job: job) {
            let entry = shared[index]
            let matched = entry.rule.match.evaluate(clusterId: clusterId, clusterTags: clusterTags, job: job)
            if matched == .no { continue }
            let excluded = entry.rule.exclude?.evaluate(clusterId: clusterId, clusterTags: clusterTags, job: job) ?? .no
            var match = RuleMatch(
                rule: entry.rule.name, mode: dryRun ? .observe : entry.rule.mode, excluded: excluded == .yes)
            if entry.rule.requireNotice { match.noticeMillis = entry.rule.warnBeforeMillis }
            if excluded != .yes, let (field, why) = Self.unknown("match", matched) ?? Self.unknown("exclude", excluded)
            {
                match.unknown = why
                decision.matches.append(match)
                if entry.rule.mode == .enforce, held == nil { held = (field, why, entry.rule.name) }
                continue
            }
            if excluded != .yes {
                switch limit(of: entry.rule, state: state, job: job, now: now) {
                case .unknown(let field, let why):
                    match.unknown = why
                    decision.matches.append(match)
                    if held == nil { held = (field, why, entry.rule.name) }
                    continue
                case .none:
                    break
                case .some(let kind, let limitMillis, let since, let declared):
                    match.declared = declared
                    match.limitKind = kind
                    match.limitMillis = limitMillis
                    match.elapsedMillis = max(0, now - since)
                    var deadline = since + limitMillis
                    if !extensions.isEmpty, let grant = extensions[clusterId, job.jobId] {
                        let applied = AppliedExtension(
                            grant, ruleDeadline: deadline, maxExtensionMillis: entry.rule.maxExtensionMillis)
                        match.extension = applied
                        deadline = applied.deadline
                    }
                    match.deadline = deadline
                    match.clock = kind == .runtime ? entry.rule.clock : nil
                    if let warn = entry.rule.warnBeforeMillis, match.mode != .observe {
                        match.warnAt = deadline - warn
                    }
                    if match.mode == .enforce { Self.applyWindow(of: entry.rule, to: &match, now: now) }
                }
                applies = true
            }
            decision.matches.append(match)
        }
        if decision.matches.isEmpty {
            decision.kind = .unmatched
            decision.reason = "no rule names this job"
            return decision
        }
        if !applies, let held { return Self.skipped(decision, held.field, held.reason, rule: held.rule) }
        if !applies, let unknown = decision.matches.first(where: { $0.unknown != nil }) {
            decision.kind = .ok
            decision.rule = unknown.rule
            decision.reason = "\(unknown.unknown!) (\(unknown.mode.rawValue) rule: not applied)"
            return decision
        }
        if !applies {
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
            // An enforce rule under dry run counts too, as above.
            if let (field, why) = Self.unknown("exemptions", covered),
                decision.matches.contains(where: { Self.applies($0) && isEnforce($0.rule) })
            {
                return Self.skipped(decision, field, why)
            }
        }

        // Most severe action due now wins (enforce > warn > observe); otherwise the earliest deadline, and the
        // earliest deadline among the rules whose warning time has come. One pass, no arrays.
        func severity(_ mode: RuleMode) -> Int { mode == .enforce ? 2 : mode == .warn ? 1 : 0 }
        var due: RuleMatch?
        var earliest: RuleMatch?
        var warning: RuleMatch?
        var nextChange: Int64?
        for match in decision.matches where Self.applies(match) {
            if let warnAt = match.warnAt, warnAt > now { nextChange = min(nextChange ?? .max, warnAt) }
            if let opens = match.windowOpensAt, opens > now { nextChange = min(nextChange ?? .max, opens) }
            if let deadline = match.deadline, deadline > now { nextChange = min(nextChange ?? .max, deadline) }
            guard let deadline = match.deadline else { continue }
            if deadline <= now,
                due.map({ (severity($0.mode), -$0.deadline!) < (severity(match.mode), -deadline) }) ?? true
            {
                due = match
            }
            if deadline < (earliest?.deadline ?? .max) { earliest = match }
            if (match.warnAt ?? .max) <= now, deadline < (warning?.deadline ?? .max) { warning = match }
        }
        if let held,
            !decision.matches.contains(where: { match in
                Self.applies(match) && !match.outsideWindow && match.deadline.map { $0 <= now } == true
                    && isEnforce(match.rule)
            })
        {
            // No rule kills the job for certain, and one that cannot be read might. The deadlines of the rules
            // that can be read still wake the daemon: at one of them the job may be killed for certain.
            decision.nextChangeAt = nextChange
            return Self.skipped(decision, held.field, held.reason, rule: held.rule)
        }
        if let match = due, match.outsideWindow {
            // An enforce rule outside its window: warned from warn_before ahead of the opening, killed then.
            fill(&decision, match)
            decision.kind = (match.warnAt.map { $0 <= now } ?? false) ? .warn : .wouldKill
            decision.why = .outsideWindow(
                match.limitKind!, limitMillis: match.limitMillis!, opensAt: match.windowOpensAt)
        } else if let match = due {
            fill(&decision, match)
            decision.kind = .over(mode: match.mode)
            decision.why = .over(match.limitKind!, limitMillis: match.limitMillis!, mode: match.mode, dryRun: dryRun)
        } else if let match = earliest {
            fill(&decision, match)
            if let warnMatch = warning {
                fill(&decision, warnMatch)
                decision.kind = .warn
                decision.why = .timeLeft(millis: warnMatch.deadline! - now, warnMatch.limitKind!)
            } else {
                decision.kind = .ok
                decision.why = .under(match.limitKind!)
            }
        } else {
            decision.kind = .ok
            decision.rule = decision.matches.first(where: Self.applies)?.rule
            decision.reason = "no limit applies in state \(state.rawValue)"
        }
        decision.nextChangeAt = nextChange
        return decision
    }

    /// `decision` as skipped-unknown: `field` was missing or implausible. (Not a local function: one capturing
    /// the decision made every `return decision` a copy, about 5 % of the evaluator's time.)
    private static func skipped(
        _ decision: consuming Decision, _ field: String, _ reason: String, rule: String? = nil
    )
        -> Decision
    {
        var decision = decision
        decision.kind = .skippedUnknown
        decision.rule = rule
        decision.unknownField = field
        decision.reason = reason
        return decision
    }

    /// Moves an enforce rule's kill (and its warning) to the opening of its window when the kill would fall
    /// outside it; a match already due outside the window reports instead (`outsideWindow`, ranked as observe).
    static func applyWindow(of rule: Rule, to match: inout RuleMatch, now: Int64) {
        guard let window = rule.enforceDuring, let deadline = match.deadline else { return }
        let acts = max(deadline, now)
        guard !rule.enforces(at: acts) else { return }
        let opens = window.nextOpening(atOrAfter: acts)
        match.windowOpensAt = opens
        match.warnAt = rule.warnBeforeMillis.flatMap { warn in opens.map { $0 - warn } }
        if deadline <= now {
            match.outsideWindow = true
            match.mode = .observe
        }
    }

    /// Every job of one cluster's complete listing, the `max_active` caps included (`explain`, `plan`; the
    /// daemon counts page by page in `ClusterDigest`).
    public func decideAll(
        clusterId: String, clusterTags: [String: String]?, jobs: [JobExecution], now: Int64
    )
        -> [Decision]
    {
        let decisions = jobs.map { decide(clusterId: clusterId, clusterTags: clusterTags, job: $0, now: now) }
        var counter = ConcurrencyCounter(rules: rules, dryRun: dryRun)
        guard !counter.isEmpty else { return decisions }
        for decision in decisions { counter.add(decision, now: now) }
        let over = Dictionary(
            counter.overCap(now: now).map { ($0.decision.job.jobId, $0.decision) },
            uniquingKeysWith: { first, _ in first })
        return decisions.map { over[$0.job.jobId] ?? $0 }
    }

    /// Whether the rule named `rule` enforces (under dry run too, where its matches observe).
    private func isEnforce(_ rule: String) -> Bool {
        shared.contains { $0.rule.name == rule && $0.rule.mode == .enforce }
    }

    /// A match whose rule applies to the job: not excluded, and every condition known.
    private static func applies(_ match: RuleMatch) -> Bool { !match.excluded && match.unknown == nil }

    private func fill(_ decision: inout Decision, _ match: RuleMatch) {
        decision.rule = match.rule
        decision.clock = match.clock
        decision.elapsedMillis = match.elapsedMillis
        decision.limitMillis = match.limitMillis
        decision.deadline = match.deadline
        decision.declared = match.limitKind == .runtime ? match.declared : nil
        decision.extension = match.extension
        decision.noticeMillis = match.noticeMillis
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
        /// `declared`: the job's declaration, which may have set the runtime limit.
        case some(RuleMatch.LimitKind, Int64, since: Int64, declared: DeclaredLimit?)
    }

    /// Which limit of `rule` applies to a job in `state`, and the instant it counts from. A needed timestamp
    /// that is missing, or any of the job's times that is implausible (`JobTimes`), makes the job unknown.
    func limit(of rule: Rule, state: JobState, job: JobExecution, now: Int64) -> Limit {
        let queued = rule.maxQueuedMillis.flatMap { state.isQueued ? $0 : nil }
        var runtime: (max: Int64, field: String, since: Int64?)?
        var declared: DeclaredLimit?
        if var max = rule.maxRuntimeMillis {
            if let policy = rule.declaredLimit {
                declared = DeclaredLimit.of(job, policy: policy, ruleMillis: max)
                max = declared?.effectiveMillis ?? max
            }
            switch rule.clock {
            case .running where state == .running: runtime = (max, "started_time", job.startedTime)
            case .running: break  // queued: the running clock has not started
            case .submitted: runtime = (max, "submitted_time", job.submittedTime)
            }
        }
        guard queued != nil || runtime != nil else { return .none }
        if let (field, why) = JobTimes.problem(in: job, active: true, now: now) { return .unknown(field: field, why) }
        var earliest: (RuleMatch.LimitKind, Int64, since: Int64)?
        if let queued {
            guard let since = job.submittedTime else {
                return .unknown(field: "submitted_time", "submitted_time is missing or 0")
            }
            earliest = (.queued, queued, since)
        }
        if let runtime {
            guard let since = runtime.since else {
                return .unknown(field: runtime.field, "\(runtime.field) is missing or 0")
            }
            if since + runtime.max < (earliest.map { $0.since + $0.1 } ?? .max) {
                earliest = (.runtime, runtime.max, since)
            }
        }
        return earliest.map { .some($0.0, $0.1, since: $0.since, declared: declared) } ?? .none
    }
}
