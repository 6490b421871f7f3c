/// One rule's view of one job, as `explain` lists it.
public struct RuleMatch: Sendable, Hashable {
    public var rule: String
    public var mode: RuleMode
    public var excluded: Bool
    /// The limit this rule applies now (`max_runtime` or `max_queued`), nil if none applies yet.
    public var limitKind: LimitKind?
    public var limitMillis: Int64?
    public var elapsedMillis: Int64?
    public var deadline: Int64?
    public var warnAt: Int64?
    /// The rule's clock, when its runtime limit applies.
    public var clock: RuntimeClock?
    /// Why this rule could not be applied: a condition needs a field MRS did not send, or a timestamp it
    /// counts from is missing or implausible.
    public var unknown: String?
    /// The job's own declaration, when the rule reads one and the job makes it (it may have set the runtime
    /// limit).
    @Boxed public var declared: DeclaredLimit?
    /// Under `require_notice`: how long before the kill a warning must have been delivered, ms.
    public var noticeMillis: Int64?
    /// An extension asked for this job, as this rule takes it (it may have moved `deadline`).
    @Boxed public var `extension`: AppliedExtension?
    /// For an enforce rule whose kill would fall outside its enforcement window: when the window opens (nil
    /// inside it, or when none opens within a year).
    public var windowOpensAt: Int64?
    /// Due outside the window: the rule reports (and may warn) instead of killing.
    public var outsideWindow = false

    public enum LimitKind: String, Sendable, Hashable {
        case runtime = "max_runtime"
        case queued = "max_queued"
    }
}
