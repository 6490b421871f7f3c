/// `observe` records what would happen, `warn` only warns, `enforce` warns then kills.
public enum RuleMode: String, Sendable, Hashable, CaseIterable, Codable {
    case observe, warn, enforce
}
