/// An extension as one rule applies it to one job: the deadline it gives, or why it gives none.
public struct AppliedExtension: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// The deadline moves to `JobExtension.untilMillis`.
        case granted
        /// Asked past the rule's ceiling: the deadline moves to the rule's deadline plus `max_extension`.
        case capped(maxExtensionMillis: Int64)
        /// The rule has no `max_extension`: its deadline stays.
        case refused
        /// Asked for less than the rule already gives: its deadline stays.
        case notLater
    }

    public var grant: JobExtension
    public var outcome: Outcome
    /// The deadline with the extension, epoch ms (the rule's own when refused or not later).
    public var deadline: Int64

    /// How `rule` (deadline `ruleDeadline`, epoch ms) takes `grant`.
    public init(_ grant: JobExtension, ruleDeadline: Int64, maxExtensionMillis: Int64?) {
        self.grant = grant
        guard let ceiling = maxExtensionMillis else {
            (outcome, deadline) = (.refused, ruleDeadline)
            return
        }
        if grant.untilMillis <= ruleDeadline {
            (outcome, deadline) = (.notLater, ruleDeadline)
        } else if grant.untilMillis > ruleDeadline + ceiling {
            (outcome, deadline) = (.capped(maxExtensionMillis: ceiling), ruleDeadline + ceiling)
        } else {
            (outcome, deadline) = (.granted, grant.untilMillis)
        }
    }

    /// Whether the deadline moved.
    public var moved: Bool {
        switch outcome {
        case .granted, .capped: true
        case .refused, .notLater: false
        }
    }

    /// `extended until 2026-11-30T14:00:00Z by ana: month-end close`, with the cap or refusal when there is one.
    public var text: String {
        let asked = "by \(grant.grantedBy): \(grant.reason)"
        let until = RFC3339.format(epochMillis: deadline)
        switch outcome {
        case .granted:
            return "extended until \(until) \(asked)"
        case .capped(let ceiling):
            return
                "extended until \(until), capped by max_extension \(DurationText.format(millis: ceiling)) (asked until \(RFC3339.format(epochMillis: grant.untilMillis))) \(asked)"
        case .refused:
            return
                "extension refused: the rule has no max_extension (asked until \(RFC3339.format(epochMillis: grant.untilMillis)) \(asked))"
        case .notLater:
            return
                "extension until \(RFC3339.format(epochMillis: grant.untilMillis)) ends before the rule's deadline; no change (\(asked))"
        }
    }
}
