/// One rule: which jobs it names and the limits it puts on them.
public struct Rule: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var match: JobMatcher
    public var exclude: JobMatcher?
    public var maxRuntimeMillis: Int64?
    public var clock: RuntimeClock
    public var maxQueuedMillis: Int64?
    public var warnBeforeMillis: Int64?
    public var mode: RuleMode
    /// Whether, and how far, a limit the job declares adjusts `maxRuntimeMillis`.
    public var declaredLimit: DeclaredLimitPolicy?
    /// When an enforce rule may kill; outside it the rule only reports (nil: always).
    public var enforceDuring: EnforcementWindow?
    /// Whether the rule enforces at `time` (server ms): its `enforce_during` window is open, or it has none.
    /// The one answer `explain`, `plan`, `run --once`, `max_active` and the daemon's waiting kills use.
    public func enforces(at time: Int64) -> Bool { enforceDuring?.contains(time) ?? true }
    /// How many of the jobs it names may be active at once.
    public var maxActive: ConcurrencyCap?
    /// How far past its own deadline an extension (`mrs-watchdog extend`) may move a job's, ms; nil: the rule
    /// grants none.
    public var maxExtensionMillis: Int64?
    /// `require_notice`: no kill until a warning was delivered at least `warnBeforeMillis` earlier.
    public var requireNotice = false
    /// `notice_max_hold`: how long (ms) `require_notice` may hold a kill while no warning can be delivered;
    /// then the job is killed without one, so a receiver that fails (or an owner who makes it fail) cannot
    /// keep a runaway job alive.
    public var noticeMaxHoldMillis = Rule.defaultNoticeMaxHoldMillis
    public static let defaultNoticeMaxHoldMillis: Int64 = 30 * 60_000
    /// What a kill loop of this rule's jobs does: alert and keep killing, or stop killing until it passes.
    public var onKillLoop: KillLoopResponse = .alert

    public init(
        name: String, description: String? = nil, match: JobMatcher = JobMatcher(), exclude: JobMatcher? = nil,
        maxRuntimeMillis: Int64? = nil, clock: RuntimeClock = .running, maxQueuedMillis: Int64? = nil,
        warnBeforeMillis: Int64? = nil, mode: RuleMode = .observe, declaredLimit: DeclaredLimitPolicy? = nil
    ) {
        self.name = name
        self.description = description
        self.match = match
        self.exclude = exclude
        self.maxRuntimeMillis = maxRuntimeMillis
        self.clock = clock
        self.maxQueuedMillis = maxQueuedMillis
        self.warnBeforeMillis = warnBeforeMillis
        self.mode = mode
        self.declaredLimit = declaredLimit
    }
}
