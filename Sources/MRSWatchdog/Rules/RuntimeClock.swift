/// Which timestamp a runtime limit counts from.
public enum RuntimeClock: String, Sendable, Hashable, CaseIterable, Codable {
    /// `started_time`: time spent running.
    case running
    /// `submitted_time`: time since submission, queueing included.
    case submitted
}
