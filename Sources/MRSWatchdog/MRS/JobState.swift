/// `job_state` of an MRS job execution (YARN's application states). Compared case-insensitively, since the
/// English docs spell `New` where the SDK says `NEW`.
public enum JobState: String, Sendable, Hashable, CaseIterable, Codable {
    case new = "NEW"
    case newSaving = "NEW_SAVING"
    case submitted = "SUBMITTED"
    case accepted = "ACCEPTED"
    case running = "RUNNING"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// ASCII letters only are folded: `ı` or `ſ` must not turn an odd text into a real state.
    public init?(wire: String) {
        guard wire.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        self.init(
            rawValue: String(decoding: wire.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self))
    }

    /// Waiting for resources: the time `max_queued` limits.
    public var isQueued: Bool {
        switch self {
        case .new, .newSaving, .submitted, .accepted: return true
        default: return false
        }
    }

    /// Queued or running; everything else has ended.
    public var isActive: Bool { isQueued || self == .running }

    public static let queuedStates: [JobState] = [.new, .newSaving, .submitted, .accepted]
}
