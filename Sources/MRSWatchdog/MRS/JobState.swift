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

    /// ASCII letters only are folded: `ı` or `ſ` must not turn an odd text into a real state. No allocation:
    /// this runs for every listed job.
    public init?(wire: String) {
        guard let state = Self.byFrequency.first(where: { wire.asciiCaseInsensitiveEquals($0.rawValue) }) else {
            return nil
        }
        self = state
    }

    /// Every state, the one most jobs of a listing are in first; stored, where `allCases` makes its array on
    /// each call.
    private static let byFrequency: [JobState] = [
        .running, .accepted, .submitted, .new, .newSaving, .finished, .failed, .killed,
    ]

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
