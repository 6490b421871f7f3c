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
    /// Why this (observe or warn) rule could not be applied: a condition needs a field MRS did not send.
    public var unknown: String?

    public enum LimitKind: String, Sendable, Hashable {
        case runtime = "max_runtime"
        case queued = "max_queued"
    }
}
