/// What the watchdog decides about one job at one instant.
public struct Decision: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// Under every limit (or not active).
        case ok
        /// In the warning window of a warn/enforce rule, or over the limit of a warn rule.
        case warn
        /// Over the limit of an enforce rule: kill it.
        case kill
        /// Over the limit of an observe rule (or any rule under dry-run): would kill, does not.
        case wouldKill = "would-kill"
        /// Covered by an exemption.
        case exempt
        /// Every matching rule's `exclude` names it.
        case excluded
        /// A needed fact is missing or odd (timestamp absent/zero/future, tags unreadable): never killed.
        case skippedUnknown = "skipped-unknown"
        /// No rule names this job.
        case unmatched

        /// What being over a limit of a rule in `mode` comes to: kill, warn or would-kill.
        public static func over(mode: RuleMode) -> Kind {
            switch mode {
            case .enforce: .kill
            case .warn: .warn
            case .observe: .wouldKill
            }
        }
    }

    public var clusterId: String
    public var job: JobExecution
    public var kind: Kind
    /// The rule that decided, when one did.
    public var rule: String?
    public var clock: RuntimeClock?
    /// Measured time against the deciding limit (running, submitted or queued time), ms.
    public var elapsedMillis: Int64?
    public var limitMillis: Int64?
    /// When the deciding limit is (or was) reached, epoch ms.
    public var deadline: Int64?
    /// Why, as data: the words are only put together when someone reads `reason`.
    public var why: Reason
    /// Why, in words, e.g. `over max_runtime 2h`, with what the job declared about its limit.
    public var reason: String {
        get {
            var text = why.text
            // Past the limit but inside an extension: "under max_runtime" would read as a contradiction.
            if let applied = `extension`, applied.moved {
                switch why {
                case .under(let kind) where (elapsedMillis ?? 0) >= (limitMillis ?? .max):
                    text = "over \(kind.rawValue) \(DurationText.format(millis: limitMillis!)), within its extension"
                case .timeLeft(let millis, _):
                    text = "\(DurationText.format(millis: millis)) left before its extension runs out"
                default:
                    break
                }
            }
            if let declared { text += "; " + declared.text }
            if let applied = `extension` { text += "; " + applied.text }
            if kind == .kill, let notice = noticeMillis {
                text +=
                    "; killed only once a warning was delivered \(DurationText.format(millis: notice)) earlier (require_notice)"
            }
            return text
        }
        /// Replaces the words (and the declaration and extension they would add); what the kill waits for
        /// (`noticeMillis`) is a fact of its own and stays.
        set {
            why = .text(newValue)
            declared = nil
            `extension` = nil
        }
    }
    /// The deciding rule's runtime limit as the job declared it (`DeclaredLimit`), when it did.
    @Boxed public var declared: DeclaredLimit?
    /// An extension asked for this job, as the deciding rule takes it.
    @Boxed public var `extension`: AppliedExtension?
    /// The deciding rule's `require_notice`: a warning must have been delivered this long (ms) before a kill.
    public var noticeMillis: Int64?
    /// For `skipped-unknown`: the MRS field that was missing or implausible (`started_time`, `queue`,
    /// `cluster_tags`, `job_state`, …), a bounded label for metrics.
    public var unknownField: String?
    /// A `skipped-unknown` job held by a rule that cannot be read (`rule` names it), not by an exemption or
    /// its state: that cannot take away a kill another rule gives for certain, a `max_active` cap's included.
    public var isHeldByUnreadableRule: Bool { kind == .skippedUnknown && rule != nil }
    /// Every rule that matched, for `explain`.
    public var matches: [RuleMatch]

    /// The earliest future instant at which this job's decision can change (a warn time or a deadline of an
    /// applying rule); the daemon wakes then rather than at the next poll.
    public var nextChangeAt: Int64?

    public init(
        clusterId: String, job: JobExecution, kind: Kind, rule: String? = nil, reason: String,
        matches: [RuleMatch], nextChangeAt: Int64? = nil
    ) {
        self.clusterId = clusterId
        self.job = job
        self.kind = kind
        self.rule = rule
        self.why = .text(reason)
        self.matches = matches
        self.nextChangeAt = nextChangeAt
    }

    /// The usual reasons of a judged limit, kept as data until they are read.
    public enum Reason: Sendable, Hashable {
        case text(String)
        /// Under the deciding limit.
        case under(RuleMatch.LimitKind)
        /// Over the limit of a rule in `mode` (dry run: every rule observes).
        case over(RuleMatch.LimitKind, limitMillis: Int64, mode: RuleMode, dryRun: Bool)
        /// In the warning window: this long before the limit.
        case timeLeft(millis: Int64, RuleMatch.LimitKind)
        /// Over the limit of an enforce rule outside its enforcement window: killed when it opens (nil: no
        /// window opens within a year).
        case outsideWindow(RuleMatch.LimitKind, limitMillis: Int64, opensAt: Int64?)

        public var text: String {
            switch self {
            case .text(let text): return text
            case .under(let kind): return "under \(kind.rawValue)"
            case .over(let kind, let limit, let mode, let dryRun):
                let over = "over \(kind.rawValue) \(DurationText.format(millis: limit))"
                switch mode {
                case .enforce: return over
                case .warn: return over + " (warn-only rule)"
                case .observe: return over + " (observe\(dryRun ? ", dry run" : ""))"
                }
            case .timeLeft(let millis, let kind):
                return "\(DurationText.format(millis: millis)) left before \(kind.rawValue)"
            case .outsideWindow(let kind, let limit, let opensAt):
                let over = "over \(kind.rawValue) \(DurationText.format(millis: limit)), outside the enforcement window"
                guard let opensAt else { return over + "; no window opens within a year" }
                return over + "; killed when it opens at \(RFC3339.format(epochMillis: opensAt))"
            }
        }
    }
}
