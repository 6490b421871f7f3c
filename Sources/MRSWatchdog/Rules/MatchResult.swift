/// The answer of a matcher that may lack a fact: MRS omits fields, and a condition on a field that was not
/// sent can be neither true nor false. The evaluator never kills on `unknown` (fail closed).
public enum MatchResult: Sendable, Hashable {
    case yes
    case no
    /// `key` is the condition (`queue`, `cluster_tags`, …) that could not be decided because `field`
    /// (the MRS field, e.g. `queue`, or `cluster_tags` for unreadable tags) was missing or empty.
    case unknown(key: String, field: String)

}
