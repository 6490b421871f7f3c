/// More time for one job, asked for by a person with `mrs-watchdog extend` and read from a drop-in file in
/// the extensions directory. It only ever moves a deadline later, and never past the rule's `max_extension`.
public struct JobExtension: Sendable, Hashable {
    public var clusterId: String
    public var jobId: String
    /// Until when the job may run, epoch ms (UTC), as asked; the rule's ceiling may cut it.
    public var untilMillis: Int64
    /// Why, in the asker's words.
    public var reason: String
    /// Who asked: the name of the file's owner (the user who ran `extend`), or `uid N` when it has none.
    public var grantedBy: String
    /// When `extend` wrote it, epoch ms (host time).
    public var createdMillis: Int64
    /// The drop-in's file name in the extensions directory.
    public var file: String

    public init(
        clusterId: String, jobId: String, untilMillis: Int64, reason: String, grantedBy: String,
        createdMillis: Int64, file: String
    ) {
        self.clusterId = clusterId
        self.jobId = jobId
        self.untilMillis = untilMillis
        self.reason = reason
        self.grantedBy = grantedBy
        self.createdMillis = createdMillis
        self.file = file
    }
}
