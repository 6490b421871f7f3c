/// What a rule does when its kills of one (cluster, job name, user) make a kill loop (`"on_kill_loop"`).
public enum KillLoopResponse: String, Sendable, Hashable, CaseIterable {
    /// Keep enforcing; report the loop loudly (a distinct decision and notification).
    case alert
    /// Stop killing jobs of that name and user until the loop window passes.
    case observe
}
